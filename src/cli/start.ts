import { helpText, parseConfig, type ParsedConfig } from '../config.js';
import { redact, startShortroute, type Shortroute } from '../app.js';
import { environmentWarnings, formatEnvironment, PACKAGE_ROOT, sdkEnvironment } from './environment.js';

/** `shortroute start`: serves until SIGINT or SIGTERM. */
export async function cmdStart(args: string[]): Promise<number> {
  const config = parseConfig(args, process.env);
  if (config.help) {
    console.log(helpText());
    return 0;
  }
  const app = await startShortroute(config);
  printBanner(app, config, await sdkEnvironment(app));
  await waitForSignal(app);
  return 0;
}

function printBanner(app: Shortroute, config: ParsedConfig, env: [string, string][]): void {
  const storage = config.databaseUrl
    ? `PostgreSQL at ${redact(config.databaseUrl)}`
    : config.inMemory
      ? 'SQLite in memory (nothing is kept)'
      : `SQLite in ${config.dataDir}`;
  const base = config.publicUrl ?? app.url;
  const clock = config.clockMode === 'manual' ? `\n  clock:       manual: time moves only by POST ${base}/_shortroute/Clock (Advance=ms)` : '';
  const warnings = [...app.warnings, ...environmentWarnings(process.env)].map((w) => `\n  warning:     ${w}`).join('');
  console.log(`Shortroute listening on ${app.url}
  console:     ${base}/
  storage:     ${storage}${clock}
  account SID: ${app.account.sid}
  auth token:  ${app.account.auth_token}${warnings}

Point any official Twilio SDK at it, unchanged, with these variables in the shell that runs your
code (shortroute env, given the same options, prints them; shortroute exec -- <command> sets them):

${formatEnvironment(env, 'sh')
  .split('\n')
  .map((line) => `  ${line}`)
  .join('\n')}

Or in Node, in code (in your project: npm install twilio ${PACKAGE_ROOT}):

  import { ShortrouteRequestClient } from 'shortroute/twilio';
  const client = twilio(accountSid, authToken, { httpClient: new ShortrouteRequestClient('${base}') });
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
