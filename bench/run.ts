/**
 * npm run bench: Shortroute (SQLite, and PostgreSQL when reachable) beside a bare Fastify server
 * serving the same bytes behind the same auth, and Prism mocking Twilio's messaging v1 spec. Each
 * server runs in its own process and autocannon drives it from another. Every scenario runs
 * several rounds, servers interleaved, and the medians are reported with their ratios. The
 * network end to end (bench/network.ts) sends through 20 short codes while the network delivers
 * them, and reports how close the last delivery came to the ideal.
 *
 *   npm run bench                     the full run (about 8 minutes)
 *   npm run bench -- --quick          one short round, to check the harness
 *   options: --rounds N --duration S --connections C --big N --no-postgres
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ACCOUNT_SID, AUTH_TOKEN, seed, type Fixture, type Target } from './setup.js';
import { drive, type Run } from './autocannon.js';
import { networkEndToEnd, type NetworkRun, SHORT_CODES, SHORT_CODE_MPS } from './network.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '20' },
    big: { type: 'string', default: '50000' },
    'no-postgres': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(opts.rounds ?? (opts.quick ? 1 : 3));
const DURATION = Number(opts.duration ?? (opts.quick ? 2 : 5));
const CONNECTIONS = Number(opts.connections);
const BIG = Number(opts.big);
const ADDS_PER_RUN = opts.quick ? 3000 : 15000;
const NETWORK_MESSAGES = opts.quick ? 1000 : 4000;
const DATABASE_URL = process.env.SHORTROUTE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const AUTH = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;

interface Running {
  name: string;
  url: string;
  child: ChildProcess;
}
interface Row {
  scenario: string;
  server: string;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      const r = await fetch(url, { headers: { authorization: AUTH } });
      if (r.status < 500) {
        await r.arrayBuffer();
        return performance.now() - started;
      }
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url} did not come up`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function start(name: string, command: string, args: string[], probe: string, cwd = root): Promise<Running> {
  const child = spawn(command, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN },
  });
  children.push(child);
  const url = probe.replace(/\/[^/]*$/, '').replace(/(\/\/[^/]+).*/, '$1');
  await waitUntilUp(probe);
  return { name, url, child };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Resident memory of a process, from Linux's /proc. */
function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

async function main(): Promise<void> {
  console.log(`Shortroute benchmarks: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log(`rounds ${ROUNDS}, ${DURATION}s per run, ${CONNECTIONS} connections, big service ${BIG} short codes\n`);

  // Data
  const work = mkdtempSync(join(tmpdir(), 'shortroute-bench-'));
  const targets: Array<{ name: string; target: Target; fixture?: Fixture }> = [
    { name: 'shortroute-sqlite', target: { kind: 'sqlite', dataDir: join(work, 'sqlite') } },
  ];
  let pgSchema: string | undefined;
  if (!opts['no-postgres']) {
    try {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      pgSchema = `bench_${Date.now()}`;
      await client.end();
      targets.push({ name: 'shortroute-postgres', target: { kind: 'postgres', url: DATABASE_URL, schema: pgSchema } });
    } catch (error) {
      console.log(`PostgreSQL at ${DATABASE_URL} not reachable (${(error as Error).message}): its rows are left out\n`);
    }
  }
  for (const t of targets) {
    const t0 = performance.now();
    t.fixture = await seed(t.target, { big: BIG, adds: ADDS_PER_RUN * ROUNDS + 1000 });
    console.log(`seeded ${t.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  // Servers
  const servers: Record<string, Running> = {};
  const fx = targets[0]!.fixture!;
  const paths = {
    fetch: (f: Fixture) => `/v1/Services/${f.smallService}/ShortCodes/${f.fetchSid}`,
    list: (f: Fixture) => `/v1/Services/${f.smallService}/ShortCodes?PageSize=50`,
    first: (f: Fixture) => `/v1/Services/${f.bigService}/ShortCodes?PageSize=50`,
    last: (f: Fixture) => `/v1/Services/${f.bigService}/ShortCodes?PageSize=50&Page=${f.bigSize / 50 - 1}&PageToken=${f.lastPageToken}`,
  };
  const startups: Record<string, number[]> = {};
  for (const t of targets) {
    const port = await freePort();
    const storage = t.target.kind === 'sqlite' ? ['--data-dir', t.target.dataDir] : ['--database-url', t.target.url, '--database-schema', t.target.schema];
    const args = ['dist/cli/main.js', 'start', '--port', String(port), '--max-senders', String(BIG + 1000), ...storage];
    // Start-up to first answered request, on the seeded data; the last start stays up.
    startups[t.name] = [];
    for (let i = 0; i < (opts.quick ? 1 : 5); i++) {
      const t0 = performance.now();
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(child);
      await waitUntilUp(`http://127.0.0.1:${port}/_shortroute/health`);
      startups[t.name]!.push(performance.now() - t0);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    servers[t.name] = await start(t.name, process.execPath, args, `http://127.0.0.1:${port}/_shortroute/health`);
  }
  // The bare server answers with exactly the bytes Shortroute (SQLite) answered.
  const captured: Record<string, string> = {};
  for (const path of [paths.fetch(fx), paths.list(fx)]) {
    captured[path] = await (await fetch(servers['shortroute-sqlite']!.url + path, { headers: { authorization: AUTH } })).text();
  }
  const bareFile = join(work, 'bare.json');
  writeFileSync(bareFile, JSON.stringify({ auth: AUTH, responses: captured }));
  const barePort = await freePort();
  servers.bare = await start(
    'bare',
    process.execPath,
    ['--import', 'tsx', join(here, 'bare-server.ts'), String(barePort), bareFile],
    `http://127.0.0.1:${barePort}${paths.fetch(fx)}`,
  );
  const prismPort = await freePort();
  const prismFetch = `/v1/Services/MG${'a'.repeat(32)}/ShortCodes/SC${'a'.repeat(32)}`;
  servers.prism = await start(
    'prism',
    join(here, 'node_modules/.bin/prism'),
    ['mock', '-h', '127.0.0.1', '-p', String(prismPort), join(root, 'spec/twilio_messaging_v1.json')],
    `http://127.0.0.1:${prismPort}${prismFetch}`,
  );

  // Scenarios: [name, server, path] — Prism serves the spec's examples at example SIDs.
  const shortroutes = targets.map((t) => t.name);
  const fixtureOf = (name: string) => targets.find((t) => t.name === name)?.fixture ?? fx;
  const reads: Array<[string, string, string]> = [];
  for (const name of [...shortroutes, 'bare']) reads.push(['fetch one short code', name, paths.fetch(fixtureOf(name))]);
  reads.push(['fetch one short code', 'prism', prismFetch]);
  for (const name of [...shortroutes, 'bare']) reads.push(['list a page of 50', name, paths.list(fixtureOf(name))]);
  reads.push(['list a page of 50', 'prism', `/v1/Services/MG${'a'.repeat(32)}/ShortCodes?PageSize=50`]);
  for (const name of shortroutes) {
    reads.push([`first page of ${BIG}`, name, paths.first(fixtureOf(name))]);
    reads.push([`last page of ${BIG}`, name, paths.last(fixtureOf(name))]);
  }

  // Sending: a service with a short code of its own on each Shortroute, made through the API.
  const sends: Record<string, { path: string; body: string }> = {};
  for (const name of shortroutes) {
    const base = servers[name]!.url;
    const post = async (path: string, form: Record<string, string>) => {
      const r = await fetch(base + path, {
        method: 'POST',
        headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as { sid: string };
    };
    const shortCode = await post(`/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes.json`, { ShortCode: '99999' });
    const service = await post('/v1/Services', { FriendlyName: 'Bench sends' });
    await post(`/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: shortCode.sid });
    sends[name] = {
      path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
      body: new URLSearchParams({ To: '+14155550123', MessagingServiceSid: service.sid, Body: 'Your code is 123456' }).toString(),
    };
  }

  const runs = new Map<string, Run[]>();
  const record = (scenario: string, server: string, run: Run) => {
    const key = `${scenario}\u0000${server}`;
    runs.set(key, [...(runs.get(key) ?? []), run]);
  };
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round}/${ROUNDS}`);
    for (const [scenario, server, path] of reads) {
      const run = await drive({ url: servers[server]!.url + path, headers: { authorization: AUTH }, connections: CONNECTIONS, duration: DURATION });
      record(scenario, server, run);
    }
    for (const name of shortroutes) {
      const f = fixtureOf(name);
      const bodies = f.adds.slice((round - 1) * ADDS_PER_RUN, round * ADDS_PER_RUN);
      const run = await drive({
        url: servers[name]!.url,
        headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        connections: CONNECTIONS,
        amount: bodies.length,
        bodies,
      });
      record('add a short code (durable)', name, run);
    }
  }
  // The network end to end: sends while the network routes, sends and delivers them, until the
  // last `delivered` callback (bench/network.ts). Before the sends scenario, which leaves a
  // backlog that the network drains for a while after it.
  const network: Record<string, NetworkRun[]> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`network end to end, round ${round}/${ROUNDS}`);
    for (const name of shortroutes) {
      const run = await networkEndToEnd(servers[name]!.url, NETWORK_MESSAGES, 20000 + round * 100);
      network[name] = [...(network[name] ?? []), run];
    }
  }
  // Sends last: the network keeps routing and delivering them after the run (100 a second from
  // the short code), which would otherwise weigh on the read scenarios of the next round.
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`sends, round ${round}/${ROUNDS}`);
    for (const name of shortroutes) {
      // Each answers once the message is durable; the network routes and delivers meanwhile.
      const sent = await drive({
        url: servers[name]!.url,
        headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        connections: CONNECTIONS,
        amount: ADDS_PER_RUN,
        bodies: [sends[name]!],
      });
      record('send a message via a service (durable)', name, sent);
    }
  }
  const memory = Object.fromEntries(shortroutes.map((name) => [name, rssMb(servers[name]!.child.pid!)]));

  // Report
  const rows: Row[] = [...runs.entries()].map(([key, list]) => {
    const [scenario, server] = key.split('\u0000') as [string, string];
    const rate = (r: Run) => (scenario.startsWith('add') || scenario.startsWith('send') ? r.okPerSecond : r.requests);
    return {
      scenario,
      server,
      rps: median(list.map(rate)),
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      failed: list.reduce((n, r) => n + r.non2xx + r.errors, 0),
    };
  });
  const find = (scenario: string, server: string) => rows.find((r) => r.scenario === scenario && r.server === server);
  const lines = ['| scenario | server | req/s | p50 ms | p99 ms | vs bare | vs prism | non-2xx |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    const bare = find(r.scenario, 'bare');
    const prism = find(r.scenario, 'prism');
    const ratio = (other?: Row) => (other && other !== r ? `${(r.rps / other.rps).toFixed(2)}×` : '');
    lines.push(
      `| ${r.scenario} | ${r.server} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${ratio(bare)} | ${ratio(prism)} | ${r.failed} |`,
    );
  }
  const checks: string[] = [];
  const check = (label: string, ok: boolean, figure: string) => checks.push(`- ${ok ? 'met' : 'MISSED'}: ${label} (${figure})`);
  for (const name of shortroutes) {
    const fetchRow = find('fetch one short code', name)!;
    check(
      `${name} fetch ≥ 0.6 × bare`,
      fetchRow.rps >= 0.6 * find('fetch one short code', 'bare')!.rps,
      `${(fetchRow.rps / find('fetch one short code', 'bare')!.rps).toFixed(2)}×`,
    );
    check(
      `${name} fetch ≥ 20 × prism`,
      fetchRow.rps >= 20 * find('fetch one short code', 'prism')!.rps,
      `${(fetchRow.rps / find('fetch one short code', 'prism')!.rps).toFixed(1)}×`,
    );
    const listRow = find('list a page of 50', name)!;
    check(
      `${name} list of 50 ≥ 0.35 × bare`,
      listRow.rps >= 0.35 * find('list a page of 50', 'bare')!.rps,
      `${(listRow.rps / find('list a page of 50', 'bare')!.rps).toFixed(2)}×`,
    );
    const first = find(`first page of ${BIG}`, name)!;
    const last = find(`last page of ${BIG}`, name)!;
    check(
      `${name} last page of ${BIG} within 1.5 × the first page's latency`,
      last.p50 <= 1.5 * Math.max(first.p50, 1),
      `p50 ${last.p50.toFixed(1)} vs ${first.p50.toFixed(1)} ms`,
    );
    check(
      `${name} start-up to first answer < 1 s`,
      median(startups[name]!) < 1000,
      `median ${median(startups[name]!).toFixed(0)} ms over ${startups[name]!.length} starts`,
    );
    check(
      `${name} resident memory < 200 MB`,
      memory[name]! < 200,
      `${memory[name]!.toFixed(0)} MB after the runs, ${BIG + 60 + ADDS_PER_RUN * ROUNDS} short codes and ${ADDS_PER_RUN * ROUNDS} messages stored`,
    );
  }
  const capacity = SHORT_CODES * SHORT_CODE_MPS;
  for (const name of shortroutes) {
    const list = network[name] ?? [];
    if (list.length === 0) continue;
    const ratio = median(list.map((r) => r.ratio));
    const delivered = median(list.map((r) => r.deliveredPerSecond));
    lines.push(
      `| network end to end, ${SHORT_CODES} short codes (${capacity}/s) | ${name} | ${delivered.toFixed(0)} delivered/s | | | | | ${list.reduce((n, r) => n + r.missing, 0)} missing |`,
    );
    check(
      `${name} network end to end ≥ 0.8 × ideal`,
      ratio >= 0.8,
      `${ratio.toFixed(2)}×: ${NETWORK_MESSAGES} accepted at ${median(list.map((r) => r.acceptPerSecond)).toFixed(0)}/s, last delivered after ${median(list.map((r) => r.endToEndSeconds)).toFixed(1)} s, ideal ${median(list.map((r) => r.idealSeconds)).toFixed(1)} s`,
    );
  }
  const adds = find('add a short code (durable)', 'shortroute-sqlite')!;
  check('durable adds ≥ 3,000/s on SQLite', adds.rps >= 3000, `${adds.rps.toFixed(0)}/s`);

  const report = [`## Results (${new Date().toISOString().slice(0, 16)}Z)`, '', ...lines, '', ...checks, ''].join('\n');
  console.log(`\n${report}`);
  const out = join(here, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.md'), report);
  writeFileSync(
    join(out, 'latest.json'),
    JSON.stringify(
      { date: new Date().toISOString(), rounds: ROUNDS, duration: DURATION, connections: CONNECTIONS, rows, network, startups, memory, checks },
      null,
      2,
    ),
  );
  console.log(`written: bench/results/latest.md and latest.json`);

  // Every server stops before its schema goes: a live node's network would hold locks on it.
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map(
        (c) =>
          new Promise((resolve) => {
            c.once('exit', resolve);
            c.kill('SIGTERM');
          }),
      ),
  );
  if (pgSchema) {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists ${pgSchema} cascade`);
    await client.end();
  }
  rmSync(work, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
