import { readFileSync } from 'node:fs';

/**
 * A process's CPU time so far, in milliseconds (Linux /proc: user and system clock ticks of every
 * thread). Steadier than a rate on a shared, noisy machine: it counts the work, not the waits.
 */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After the command: state is field 3, utime 14 and stime 15, in ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The machine's CPU time so far, busy and in all, in milliseconds over every core (the first line
 * of Linux /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal, in ticks of 1/100 s).
 * With the server's own, it tells a saturated machine (the load and its receiver on the same
 * cores) from a server that waits.
 */
export function machineCpuMs(): { busy: number; total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  return { busy: (total - ticks[3]! - ticks[4]!) * 10, total: total * 10 };
}
