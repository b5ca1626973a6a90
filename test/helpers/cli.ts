import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI is spawned from its TypeScript source there, never from dist/. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The local CA every test server and CLI uses: the tests' own, never the user's
 * (~/.config/shortroute). Made by the first test that needs it, as a user's is.
 */
export const TEST_CA_DIR = join(tmpdir(), 'shortroute-test-ca');

/** Safety net for every wait below; tests wait for conditions, never for time. */
export const WAIT_MS = 20_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Settles once the process has exited and its output is read to the end. */
  exited: Promise<Exit>;
  /** Resolves with the first match of `pattern` in stdout (so far or later); rejects if the process exits first. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The same, in stderr. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
  /** Waits for the exit, sending nothing. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
}

export interface RunningCli extends CliProcess {
  url: string;
  account: { sid: string; authToken: string };
  auth: string;
}

const running = new Set<CliProcess>();

/**
 * The environment a child gets: the test process's own, minus anything that would configure
 * Shortroute behind the test's back (SHORTROUTE_*, TWILIO_*), plus the tests' CA and what the test gives.
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('SHORTROUTE_') || key.startsWith('TWILIO_')) continue;
    env[key] = value;
  }
  env.SHORTROUTE_CA_DIR = TEST_CA_DIR;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Spawns `shortroute <args>` from source. Every process is tracked so `killAll` can end it. */
export function spawnCli(args: string[], options: { env?: Record<string, string | undefined> } = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const listener of [...listeners]) listener();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const listener of [...listeners]) listener();
  });
  let done = false;
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      done = true;
      running.delete(proc);
      for (const listener of [...listeners]) listener();
      resolve({ code, signal, stdout, stderr });
    });
  });
  const describe = () => `\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`;

  const waitFor = (stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = (stream === 'stdout' ? stdout : stderr).match(pattern);
        if (match) finish(() => resolve(match));
        else if (done) finish(() => reject(new Error(`shortroute exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}${describe()}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms${describe()}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        settle();
      };
      listeners.add(check);
      check();
    });

  const proc: CliProcess = {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitForStdout(pattern, timeoutMs = WAIT_MS) {
      return waitFor('stdout', pattern, timeoutMs);
    },
    waitForStderr(pattern, timeoutMs = WAIT_MS) {
      return waitFor('stderr', pattern, timeoutMs);
    },
    stop(signal = 'SIGTERM', timeoutMs = WAIT_MS) {
      if (!done) child.kill(signal);
      return withTimeout(exited, timeoutMs, () => `shortroute did not exit within ${timeoutMs} ms of ${signal}${describe()}`);
    },
    waitForExit(timeoutMs = WAIT_MS) {
      return withTimeout(exited, timeoutMs, () => `shortroute did not exit within ${timeoutMs} ms${describe()}`);
    },
  };
  running.add(proc);
  return proc;
}

/** Runs the CLI to its exit (for commands that are expected to end by themselves). */
export function runCli(args: string[], options: { env?: Record<string, string | undefined> } = {}, timeoutMs = WAIT_MS): Promise<Exit> {
  const proc = spawnCli(args, options);
  return withTimeout(
    proc.exited,
    timeoutMs,
    () => `shortroute ${args.join(' ')} did not exit within ${timeoutMs} ms\n--- stdout:\n${proc.stdout}\n--- stderr:\n${proc.stderr}`,
  );
}

/** Starts the server and waits for its banner: where it listens and whom it answers for. */
export async function startCli(args: string[], options: { env?: Record<string, string | undefined> } = {}): Promise<RunningCli> {
  const proc = spawnCli(['start', ...args], options);
  try {
    const [, url] = (await proc.waitForStdout(/^Shortroute listening on (\S+)$/m))!;
    const [, sid] = (await proc.waitForStdout(/^ {2}account SID: (AC[0-9a-f]{32})$/m))!;
    const [, authToken] = (await proc.waitForStdout(/^ {2}auth token: +(\S+)$/m))!;
    return Object.assign(proc, {
      url: url!,
      account: { sid: sid!, authToken: authToken! },
      auth: `Basic ${Buffer.from(`${sid}:${authToken}`).toString('base64')}`,
    });
  } catch (error) {
    await proc.stop('SIGKILL').catch(() => {});
    throw error;
  }
}

/** SIGKILLs every CLI process still running (for after/afterEach hooks). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((proc) => proc.stop('SIGKILL').catch(() => {})));
}

// Last resort: never leave a server behind, even when the runner itself is torn down.
process.once('exit', () => {
  for (const proc of running) proc.child.kill('SIGKILL');
});

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message())), ms);
    }),
  ]);
}

/** A TCP port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = await listenSomewhere();
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A listening TCP server on a port of the OS's choosing on 127.0.0.1: a port that is taken. */
export function listenSomewhere(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Asserts a failed start: exit status 1, no banner, and exactly one stderr line "shortroute: …". Returns that line. */
export function assertOneLineFailure(exit: Exit): string {
  const context = `\n--- stdout:\n${exit.stdout}\n--- stderr:\n${exit.stderr}`;
  assert.equal(exit.signal, null, `killed by ${exit.signal}${context}`);
  assert.equal(exit.code, 1, `exit status${context}`);
  assert.doesNotMatch(exit.stdout, /Shortroute listening/, `a failed start printed the banner${context}`);
  assert.ok(exit.stderr.endsWith('\n'), `stderr does not end its line${context}`);
  const lines = exit.stderr.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, `stderr is ${lines.length} lines, not one${context}`);
  assert.match(lines[0]!, /^shortroute: \S/, `stderr line${context}`);
  return lines[0]!;
}

/** Runs `work` over `items`, at most `limit` at a time (process start-up is CPU-bound), in order of results. */
export async function inParallel<T, R>(items: readonly T[], work: (item: T) => Promise<R>, limit = 4): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
