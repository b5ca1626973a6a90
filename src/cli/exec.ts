import { spawn, type ChildProcess } from 'node:child_process';
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

  // Signals are taken from the start: one that came before the command exists ends exec (and
  // its server) as it would have ended the command; none may kill exec and orphan the command.
  const relay = new SignalRelay(command);
  try {
    const app = await startShortroute({ ...config, logTo: 'stderr' });
    let code: number;
    try {
      const env = await sdkEnvironment(app);
      for (const warning of environmentWarnings(process.env)) say(`warning: ${warning}`);
      if (relay.received) {
        code = 128 + constants.signals[relay.received];
      } else {
        say(`serving ${app.url} for account ${app.account.sid}; running ${[command, ...commandArgs].join(' ')}`);
        code = await run(command, commandArgs, { ...process.env, ...Object.fromEntries(env) }, relay);
      }
    } finally {
      await app.close();
    }
    say(`${command} exited with ${code}; server stopped`);
    return code;
  } finally {
    relay.stop();
  }
}

function say(line: string): void {
  process.stderr.write(`shortroute: ${line}\n`);
}

/** Passes SIGINT, SIGTERM and SIGHUP on to the command once it runs; remembers them before. */
class SignalRelay {
  received: NodeJS.Signals | undefined;
  private child: ChildProcess | undefined;
  private readonly listener = (signal: NodeJS.Signals) => {
    this.received = signal;
    if (!this.child) return;
    say(`${signal}: passing it on to ${this.command}`);
    this.child.kill(signal);
  };

  constructor(private readonly command: string) {
    for (const signal of FORWARDED_SIGNALS) process.on(signal, this.listener);
  }

  attach(child: ChildProcess): void {
    this.child = child;
    if (this.received) child.kill(this.received);
  }

  stop(): void {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, this.listener);
  }
}

/** Runs the command with the terminal as its own. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, relay: SignalRelay): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    relay.attach(child);
    child.once('error', (error: NodeJS.ErrnoException) => {
      // The shell's convention: 127 for a command not found, 126 for one that cannot run.
      say(`cannot run ${command}: ${error.code === 'ENOENT' ? 'command not found' : error.message}`);
      resolve(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
