/**
 * A quick same-sitting comparison for one read scenario: Shortroute (SQLite, or PostgreSQL with
 * --postgres) and the bare server, driven alternately, several runs each; prints each run and the
 * median ratio. For checking one change in a minute, before the full `npm run bench`.
 *   node --import tsx bench/ab.ts fetch|list [runs] [--postgres]
 * AB_BUNDLE=<dir> runs another copy of dist/bundle (an earlier build kept under bench/results/).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCOUNT_SID, AUTH_TOKEN, seed, type Target } from './setup.js';
import { driveMeasured } from './autocannon.js';
import pg from 'pg';

const here = fileURLToPath(new URL('.', import.meta.url));
const [scenario = 'fetch', runsArg = '3'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const postgres = process.argv.includes('--postgres');
const dir = mkdtempSync(join(tmpdir(), 'shortroute-ab-'));
const target: Target = postgres
  ? { kind: 'postgres', url: process.env.SHORTROUTE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema: `ab_${Date.now()}` }
  : { kind: 'sqlite', dataDir: join(dir, 'data') };
const fixture = await seed(target, { big: 100, adds: 10 });
const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const path =
  scenario === 'list' ? `/v1/Services/${fixture.smallService}/ShortCodes?PageSize=50` : `/v1/Services/${fixture.smallService}/ShortCodes/${fixture.fetchSid}`;

async function up(url: string): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(url, { headers: { authorization: auth } })).status < 500) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
const storage = target.kind === 'sqlite' ? ['--data-dir', target.dataDir] : ['--database-url', target.url, '--database-schema', target.schema];
const port = 20000 + Math.floor(Math.random() * 20000);
const server = spawn(
  process.execPath,
  [join(process.env.AB_BUNDLE ?? join(here, '../dist/bundle'), 'shortroute.js'), 'start', '--port', String(port), ...storage],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
const base = `http://127.0.0.1:${port}`;
await up(base + path);
const body = await (await fetch(base + path, { headers: { authorization: auth } })).text();
const bareFile = join(dir, 'bare.json');
writeFileSync(bareFile, JSON.stringify({ auth, responses: { [path]: body } }));
const barePort = port + 1;
const bare = spawn(process.execPath, ['--import', 'tsx', join(here, 'bare-server.ts'), String(barePort), bareFile], { stdio: ['ignore', 'ignore', 'inherit'] });
await up(`http://127.0.0.1:${barePort}${path}`);
/** One run against one server: its rate, and its CPU time in microseconds a request. */
async function measured(url: string, pid: number): Promise<{ rate: number; cpu: number }> {
  const run = await driveMeasured({ url, headers: { authorization: auth }, connections: 20, duration: 4 }, pid);
  return { rate: run.requests, cpu: run.cpuPerRequest! };
}
const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
const ratios: number[] = [];
const cpus: { shortroute: number[]; bare: number[] } = { shortroute: [], bare: [] };
for (let i = 0; i < Number(runsArg); i++) {
  const a = await measured(base + path, server.pid!);
  const b = await measured(`http://127.0.0.1:${barePort}${path}`, bare.pid!);
  ratios.push(a.rate / b.rate);
  cpus.shortroute.push(a.cpu);
  cpus.bare.push(b.cpu);
  console.log(
    `${scenario}: shortroute ${a.rate.toFixed(0)}/s ${a.cpu.toFixed(1)} µs CPU a request, bare ${b.rate.toFixed(0)}/s ${b.cpu.toFixed(1)} µs, ${(a.rate / b.rate).toFixed(2)}×`,
  );
}
console.log(
  `median ${median(ratios).toFixed(2)}×; CPU a request: shortroute ${median(cpus.shortroute).toFixed(1)} µs, bare ${median(cpus.bare).toFixed(1)} µs`,
);
bare.kill('SIGTERM');
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
if (target.kind === 'postgres') {
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  await client.query(`drop schema if exists ${target.schema} cascade`);
  await client.end();
}
