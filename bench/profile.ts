/**
 * Profiles one scenario of the benchmark: seeds the data, starts Shortroute (SQLite) under
 * --cpu-prof, drives it with autocannon for a few seconds, and leaves the .cpuprofile in
 * bench/results/profiles/ (open it in Chrome DevTools or speedscope).
 *   node --import tsx bench/profile.ts fetch|list|last|add
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCOUNT_SID, AUTH_TOKEN, seed } from './setup.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const scenario = process.argv[2] ?? 'fetch';
const dir = mkdtempSync(join(tmpdir(), 'shortroute-profile-'));
const fixture = await seed({ kind: 'sqlite', dataDir: join(dir, 'data') }, { big: 5000, adds: 20000 });
const out = join(here, 'results', 'profiles');
mkdirSync(out, { recursive: true });
const port = 20000 + Math.floor(Math.random() * 20000);
const server = spawn(
  process.execPath,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${out}`,
    '../dist/bundle/shortroute.js',
    'start',
    '--port',
    String(port),
    '--data-dir',
    join(dir, 'data'),
    '--max-senders',
    '100000',
  ],
  { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] },
);
const base = `http://127.0.0.1:${port}`;
const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
for (;;) {
  try {
    if ((await fetch(`${base}/_shortroute/health`)).ok) break;
  } catch {
    // starting
  }
  await new Promise((r) => setTimeout(r, 20));
}
const paths: Record<string, string> = {
  fetch: `/v1/Services/${fixture.smallService}/ShortCodes/${fixture.fetchSid}`,
  list: `/v1/Services/${fixture.smallService}/ShortCodes?PageSize=50`,
  last: `/v1/Services/${fixture.bigService}/ShortCodes?PageSize=50&PageToken=${fixture.lastPageToken}`,
};
const job =
  scenario === 'add'
    ? { url: base, headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, connections: 20, amount: 15000, bodies: fixture.adds }
    : { url: base + paths[scenario], headers: { authorization: auth }, connections: 20, duration: 5 };
const jobFile = join(dir, 'job.json');
writeFileSync(jobFile, JSON.stringify(job));
const driver = spawn(process.execPath, [join(here, 'drive.mjs'), jobFile], { stdio: ['ignore', 'pipe', 'inherit'] });
let result = '';
driver.stdout.on('data', (d) => (result += d));
await new Promise((r) => driver.once('exit', r));
console.log(scenario, result);
server.kill('SIGINT');
await new Promise((r) => server.once('exit', r));
console.log(`profile written to ${out}`);
