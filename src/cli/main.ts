#!/usr/bin/env node
import { helpText, UsageError } from '../config.js';
import { StartupError } from '../app.js';
import { SeedError } from '../seed/seed.js';
import { cmdStart } from './start.js';
import { cmdEnv } from './env.js';
import { cmdExec } from './exec.js';

/** Every command, each in a file of its own. */
const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { start: cmdStart, env: cmdEnv, exec: cmdExec };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(helpText());
    return command === undefined ? 1 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    console.error(`shortroute: unknown command '${command}' (try: shortroute --help)`);
    return 1;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    if (error instanceof UsageError || error instanceof StartupError || error instanceof SeedError) {
      console.error(`shortroute: ${error.message}`);
    } else {
      console.error(`shortroute: unexpected error: ${(error as Error).stack ?? error}`);
    }
    process.exit(1);
  },
);
