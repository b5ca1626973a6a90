/**
 * A run's timeline: every quarter of a second, how busy the machine's cores were, the server's
 * API thread, its network thread and its other threads (V8's compiler and collector helpers,
 * libuv's pool), and, when `count` is given, its messages by status. It shows when a server waits
 * and which thread it waits on: a total CPU a message cannot.
 *
 * The network's thread is told from the others as the busiest one besides the API's: Node names
 * none of its threads.
 */
import { machineCpuMs, threadsCpuMs } from './cpu.js';

interface Window {
  /** When it closed, in seconds from the start, and how long it was, in milliseconds. */
  at: number;
  span: number;
  machine: number;
  threads: Map<string, number>;
  counts: string;
}

/**
 * Samples `pid` until `stop()`, which returns the table and the CPU a message of each kind of thread.
 * `count` reads the messages by status (a short line); it runs between windows, never two at once.
 */
export function timeline(pid: number, count?: () => Promise<string>, everyMs = 250) {
  const startedAt = performance.now();
  const first = threadsCpuMs(pid);
  let last = { threads: first, machine: machineCpuMs() };
  const windows: Window[] = [];
  let counting = false;
  const timer = setInterval(async () => {
    const threads = threadsCpuMs(pid);
    const machine = machineCpuMs();
    const deltas = new Map([...threads].map(([tid, ms]) => [tid, ms - (last.threads.get(tid) ?? 0)]));
    const at = (performance.now() - startedAt) / 1000;
    const window: Window = {
      at,
      span: (at - (windows.at(-1)?.at ?? 0)) * 1000,
      machine: (machine.busy - last.machine.busy) / (machine.total - last.machine.total),
      threads: deltas,
      counts: '',
    };
    last = { threads, machine };
    windows.push(window);
    if (count && !counting) {
      counting = true;
      window.counts = await count().catch((error: Error) => `(${error.message})`);
      counting = false;
    }
  }, everyMs);
  return {
    stop(messages: number): string {
      clearInterval(timer);
      const total = threadsCpuMs(pid);
      const spent = new Map([...total].map(([tid, ms]) => [tid, ms - (first.get(tid) ?? 0)]));
      const main = String(pid);
      const network = [...spent].filter(([tid]) => tid !== main).sort((a, b) => b[1] - a[1])[0]?.[0];
      const rows = windows.map((w) => {
        const share = (ms: number) => `${((100 * ms) / w.span).toFixed(0)}%`.padStart(5);
        const others = [...w.threads].filter(([tid]) => tid !== main && tid !== network).reduce((sum, [, ms]) => sum + ms, 0);
        return `${w.at.toFixed(2).padStart(6)} s  machine ${`${(100 * w.machine).toFixed(0)}%`.padStart(4)}  API ${share(w.threads.get(main) ?? 0)}  network ${share(w.threads.get(network ?? '') ?? 0)}  others ${share(others)}${w.counts ? `  | ${w.counts}` : ''}`;
      });
      const perMessage = (ms: number) => `${(ms / messages).toFixed(2)} ms`;
      const others = [...spent].filter(([tid]) => tid !== main && tid !== network).reduce((sum, [, ms]) => sum + ms, 0);
      return [
        '  (each thread as a share of one core; the machine over all its cores)',
        ...rows,
        `  CPU a message: the API's thread ${perMessage(spent.get(main) ?? 0)}, the network's ${perMessage(spent.get(network ?? '') ?? 0)}, the others ${perMessage(others)}`,
      ].join('\n');
    },
  };
}
