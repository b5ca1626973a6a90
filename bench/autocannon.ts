import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMs } from './cpu.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** What one autocannon run measured (drive.mjs's output). */
export interface Run {
  requests: number;
  /** Requests answered in the whole run. */
  total: number;
  okPerSecond: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
  /** Epoch milliseconds: when the run began, and when its last answer came. */
  startedAt: number;
  lastAnswerAt: number;
  /** The load generator's own CPU time a request, in microseconds (it shares the machine's cores). */
  loadCpuPerRequest: number;
  /** The server's CPU time a request in microseconds, every thread, where the caller measured it. */
  cpuPerRequest?: number;
}

/** Runs autocannon in a process of its own (drive.mjs), so the load does not share the bench's event loop. */
export function drive(job: Record<string, unknown>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const file = join(tmpdir(), `shortroute-bench-job-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(job));
    const child = spawn(process.execPath, [join(here, 'drive.mjs'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited ${code}`))));
  });
}

/** drive(), with the CPU time a request of the server it drives (`pid`: its process) in `cpuPerRequest`. */
export async function driveMeasured(job: Record<string, unknown>, pid: number): Promise<Run> {
  const before = cpuMs(pid);
  const run = await drive(job);
  return { ...run, cpuPerRequest: ((cpuMs(pid) - before) * 1000) / run.total };
}
