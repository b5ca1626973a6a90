import { readdirSync, readFileSync } from 'node:fs';

/**
 * A process's CPU time so far, in milliseconds (Linux /proc: user and system clock ticks of every
 * thread). Steadier than a rate on a shared, noisy machine: it counts the work, not the waits.
 */
export function cpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** The same for each thread of a process, by thread ID (`/proc/<pid>/task/<tid>/stat`). */
export function threadsCpuMs(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(tid, statCpuMs(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // ended between the listing and the read
    }
  }
  return threads;
}

function statCpuMs(path: string): number {
  const fields = readFileSync(path, 'utf8').split(') ')[1]!.split(' ');
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

/** The CPU time so far of each PostgreSQL process on the machine, in milliseconds, by process ID. */
export function databaseCpuMs(): Map<number, number> {
  const processes = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('postgres')) continue;
      processes.set(Number(entry), cpuMs(Number(entry)));
    } catch {
      // ended between the listing and the read
    }
  }
  return processes;
}

/**
 * What PostgreSQL's processes spent between two readings: those still running, and those started
 * since. A backend that ended in between takes its share with it (the servers' pools keep theirs
 * open), rather than counting as time spent backwards.
 */
export function databaseCpuSince(before: Map<number, number>, after = databaseCpuMs()): number {
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}

/** Where a run's CPU went, over the whole machine (bench/network.ts's runs). */
export interface CpuSpent {
  /** Busy time over every core, and the cores it was spread over. */
  machineMs: number;
  cores: number;
  /** How busy the cores were on average over the run (0–1). */
  busy: number;
  /** The servers' processes (every thread), and PostgreSQL's. */
  serverMs: number;
  databaseMs: number;
  /** This process: the bench, with the status callbacks' receiver. */
  benchMs: number;
  /** The load generators (bench/drive.mjs), where the caller adds them; the rest is the kernel's and other processes'. */
  loadMs: number;
}

/** Starts measuring the machine, the given server processes and PostgreSQL; `end()` reads what they spent since. */
export function cpuWindow(serverPids: number[]): { end(): CpuSpent } {
  const servers = () => serverPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const own = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const [machine, server, database, bench, startedAt] = [machineCpuMs(), servers(), databaseCpuMs(), own(), performance.now()];
  return {
    end() {
      const after = machineCpuMs();
      return {
        machineMs: after.busy - machine.busy,
        // The cores /proc/stat counts: its time in all over the window's wall time.
        cores: Math.round((after.total - machine.total) / (performance.now() - startedAt)),
        busy: (after.busy - machine.busy) / (after.total - machine.total),
        serverMs: servers() - server,
        databaseMs: databaseCpuSince(database),
        benchMs: own() - bench,
        loadMs: 0,
      };
    },
  };
}
