#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { helpText, parseConfig, UsageError } from '../config.js';
import { redact, startShortroute, StartupError, type Shortroute } from '../app.js';
import { SeedError } from '../seed/seed.js';

/** This checkout (or installed package), which a user's project installs the SDK client from. */
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** `shortroute start`: the one command; everything it takes is in `--help`. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(helpText());
    return command === undefined ? 1 : 0;
  }
  if (command !== 'start') {
    console.error(`shortroute: unknown command '${command}' (try: shortroute start --help)`);
    return 1;
  }
  const config = parseConfig(rest, process.env);
  if (config.help) {
    console.log(helpText());
    return 0;
  }
  const app = await startShortroute(config);
  printBanner(app, config);
  await waitForSignal(app);
  return 0;
}

function printBanner(app: Shortroute, config: ReturnType<typeof parseConfig>): void {
  const storage = config.databaseUrl
    ? `PostgreSQL at ${redact(config.databaseUrl)}`
    : config.inMemory
      ? 'SQLite in memory (nothing is kept)'
      : `SQLite in ${config.dataDir}`;
  const base = config.publicUrl ?? app.url;
  const clock = config.clockMode === 'manual' ? `\n  clock:       manual: time moves only by POST ${base}/_shortroute/Clock (Advance=ms)` : '';
  console.log(`Shortroute listening on ${app.url}
  storage:     ${storage}${clock}
  account SID: ${app.account.sid}
  auth token:  ${app.account.auth_token}

Point the official twilio SDK at it (in your project: npm install twilio ${PACKAGE_ROOT}):

  import twilio from 'twilio';
  import { ShortrouteRequestClient } from 'shortroute/twilio';
  const client = twilio('${app.account.sid}', '${app.account.auth_token}', {
    httpClient: new ShortrouteRequestClient('${base}'),
  });
  const service = await client.messaging.v1.services.create({ friendlyName: 'My service' });
`);
}

/** SIGINT/SIGTERM: stop taking connections, let requests in flight finish, close the database. */
function waitForSignal(app: Shortroute): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      // stdout may be gone (`shortroute start | head -1`); closing must not depend on it.
      process.stdout.on('error', () => {});
      try {
        console.log(`shortroute: ${signal}, closing`);
      } catch {
        // nothing to tell
      }
      app.close().then(resolve, (error) => {
        console.error(`shortroute: error while closing: ${(error as Error).message}`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
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
