import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { basicAuth, form, send, type Reply } from './server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A `shortroute start` running as its own process, from the TypeScript sources. */
export interface NodeProcess {
  child: ChildProcess;
  url: string;
  accountSid: string;
  authToken: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  request(method: string, path: string, values?: Record<string, string | string[]>): Promise<Reply>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the CLI and waits for its banner (URL, account SID, token). Rejects with its output if
 * it exits first, or after `timeoutMs` as a safety net.
 */
export function spawnShortroute(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 20_000): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', ...args], {
    cwd: ROOT,
    env: { ...process.env, TWILIO_ACCOUNT_SID: undefined, TWILIO_AUTH_TOKEN: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shortroute did not start within ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    const check = () => {
      const url = /listening on (\S+)/.exec(out)?.[1];
      const sid = /account SID: (AC[0-9a-f]{32})/.exec(out)?.[1];
      const token = /auth token:\s+(\S+)/.exec(out)?.[1];
      if (!url || !sid || !token) return;
      clearTimeout(timer);
      const auth = basicAuth(sid, token);
      resolve({
        child,
        url,
        accountSid: sid,
        authToken: token,
        stdout: () => out,
        stderr: () => err,
        exited,
        request: (method, path, values) => send(url + path, method, auth, values ? form(values) : undefined),
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      check();
    });
    child.stderr!.on('data', (chunk) => {
      err += chunk;
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`shortroute exited with ${code} before it was ready:\n${out}\n${err}`));
    });
  });
}
