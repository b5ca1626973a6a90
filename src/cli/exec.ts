import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { helpText, parseConfig, UsageError } from '../config.js';
import { startShortroute } from '../app.js';
import { environmentWarnings, sdkEnvironment } from './environment.js';

/** Where `exec`'s defaults differ from `start`'s: a throwaway server nobody else is using. */
const EXEC_DEFAULTS = { port: '0', 'in-memory': 'true' } as const;

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `shortroute exec [options] -- <command> [args…]`: starts a server, runs the command with the
 * variables of `shortroute env` for that server, stops the server, and exits with the command's
 * code (128 + the signal's number when a signal ended it). Everything exec says goes to stderr,
 * so the command's stdout is its own.
 */
export async function cmdExec(args: string[]): Promise<number> {
  const split = args.indexOf('--');
  const config = parseConfig(split < 0 ? args : args.slice(0, split), process.env, EXEC_DEFAULTS);
  if (config.help) {
    console.log(helpText());
    return 0;
  }
  const [command, ...commandArgs] = split < 0 ? [] : args.slice(split + 1);
  if (command === undefined) throw new UsageError('usage: shortroute exec [options] -- <command> [args...]');
  // A data folder named on purpose is used, not replaced by memory.
  if (config.given.has('data-dir') && !config.given.has('in-memory')) config.inMemory = false;

  const app = await startShortroute({ ...config, logTo: 'stderr' });
  let code: number;
  try {
    const env = await sdkEnvironment(app);
    for (const warning of environmentWarnings(process.env)) say(`warning: ${warning}`);
    say(`serving ${app.url} for account ${app.account.sid}; running ${[command, ...commandArgs].join(' ')}`);
    code = await run(command, commandArgs, { ...process.env, ...Object.fromEntries(env) });
  } finally {
    await app.close();
  }
  say(`${command} exited with ${code}; server stopped`);
  return code;
}

function say(line: string): void {
  process.stderr.write(`shortroute: ${line}\n`);
}

/** Runs the command with the terminal as its own, passing on the signals exec receives. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => {
      say(`${signal}: passing it on to ${command}`);
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const done = (code: number) => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      // The shell's convention: 127 for a command not found, 126 for one that cannot run.
      say(`cannot run ${command}: ${error.code === 'ENOENT' ? 'command not found' : error.message}`);
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
