/**
 * npm run bench: Shortroute (SQLite, and PostgreSQL when reachable) beside a bare Fastify server
 * serving the same bytes behind the same auth, and Prism mocking Twilio's messaging v1 spec. Each
 * server runs in its own process and autocannon drives it from another. Every scenario runs
 * several rounds, servers interleaved, and the medians are reported with their ratios. The
 * network end to end (bench/network.ts) sends through 20 short codes while the network delivers
 * them, and reports how close the last delivery came to the ideal; durable sends are measured
 * while it runs, reads while it drains a backlog, and on PostgreSQL it runs on two nodes too. A
 * store of a million messages (bench/message-store.ts) gives the memory and the first and last
 * page of a long Messages list. The fetch and the page of 50 run again while consoles follow the
 * account's event stream. Every target of the performance issue is printed, met or missed.
 *
 *   npm run bench                     the full run (about 40 minutes on 2 cores)
 *   npm run bench -- --quick          one short round, to check the harness
 *   options: --rounds N --duration S --connections C --big N --messages N --consoles N --no-postgres
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ACCOUNT_SID, AUTH_TOKEN, freePort, seed, type Fixture, type Target } from './setup.js';
import { Smsc } from '../test/helpers/smsc.js';
import { drive, driveMeasured, type Run } from './autocannon.js';
import { type CpuSpent, cpuMs, databaseCpuMs, databaseCpuSince } from './cpu.js';
import { DELIVERY_DELAY_MS, networkEndToEnd, type NetworkRun, SHORT_CODES, SHORT_CODE_MPS, sendsService, smppDrain } from './network.js';
import { seedMessages, type MessageStore } from './message-store.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = join(here, '..');
const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '20' },
    big: { type: 'string', default: '50000' },
    messages: { type: 'string' },
    consoles: { type: 'string', default: '4' },
    'no-postgres': { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(opts.rounds ?? (opts.quick ? 1 : 3));
const DURATION = Number(opts.duration ?? (opts.quick ? 2 : 5));
const CONNECTIONS = Number(opts.connections);
const BIG = Number(opts.big);
const ADDS_PER_RUN = opts.quick ? 3000 : 15000;
const NETWORK_MESSAGES = opts.quick ? 1000 : 4000;
/** The backlog the reads run against ("reads while the network drains 10,000 messages"). */
const DRAIN_MESSAGES = opts.quick ? 3000 : 10000;
const STORED_MESSAGES = Number(opts.messages ?? (opts.quick ? 100_000 : 1_000_000));
/** Consoles following the account's event stream while the reads run again ("costs the API nothing measurable"). */
const CONSOLES = Number(opts.consoles);
if (!(Number.isInteger(CONSOLES) && CONSOLES >= 1)) throw new Error(`--consoles ${opts.consoles}: a whole number ≥ 1`);
/**
 * Sends a second while the consoles are connected, through the service of the sends scenario: an
 * idle stream would measure only its empty polls, while a console in use also reads the rows,
 * serializes them and writes the frames (each message is several events: created, routed, sent,
 * delivered). A trickle, not a load: its own cost (a few durable writes and network steps a
 * second) counts against the target too, so the figure errs on the side of the console's cost.
 */
const CONSOLE_SENDS_PER_SECOND = 4;
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
  /** The server process's CPU a request, in µs (a PostgreSQL node's own, not the database's). */
  cpu?: number;
  /** The load generator's CPU a request, in µs: it shares the cores with the server. */
  load: number;
}

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

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

/** One console following the bench account's event stream: the `message` and `webhook` events it has read. */
interface ConsoleStream {
  events(): number;
  /** Throws if the stream failed or the server ended it. */
  check(): void;
  /** Disconnects; throws if the stream had failed. */
  close(): Promise<void>;
}

/**
 * Connects to GET /_shortroute/Accounts/{sid}/Events as the console does (Server-Sent Events, here
 * with the API's Basic credentials) and reads it continuously; resolves once the stream's `ready`
 * came, so the subscription is polling before anything is measured.
 */
async function openConsole(base: string): Promise<ConsoleStream> {
  const url = `${base}/_shortroute/Accounts/${ACCOUNT_SID}/Events`;
  const abort = new AbortController();
  const response = await fetch(url, { headers: { authorization: AUTH, accept: 'text/event-stream' }, signal: abort.signal });
  const contentType = response.headers.get('content-type') ?? '';
  if (response.status !== 200 || !contentType.startsWith('text/event-stream') || !response.body) {
    abort.abort();
    throw new Error(`console stream ${url}: ${response.status} ${contentType}`);
  }
  const reader = response.body.getReader();
  let events = 0;
  let closing = false;
  let failure: Error | undefined;
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const reading = (async () => {
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) throw new Error('the server ended the stream');
      text += decoder.decode(value, { stream: true });
      const frames = text.split('\n\n');
      text = frames.pop()!;
      for (const frame of frames) {
        const type = /^event: (.+)$/m.exec(frame)?.[1];
        if (type === 'ready') markReady();
        else if (type === 'message' || type === 'webhook') events++;
      }
    }
  })().catch((error: Error) => {
    if (!closing) failure = new Error(`console stream ${url} failed: ${error.message}`, { cause: error });
  });
  const outcome = await Promise.race([ready.then(() => 'ready'), reading.then(() => 'failed'), sleep(10_000).then(() => 'timed out')]);
  if (outcome !== 'ready') {
    closing = true;
    abort.abort();
    throw failure ?? new Error(`console stream ${url}: no ready event within 10 s`);
  }
  return {
    events: () => events,
    check: () => {
      if (failure) throw failure;
    },
    close: async () => {
      closing = !failure;
      abort.abort();
      await reading;
      if (failure) throw failure;
    },
  };
}

/**
 * PostgreSQL's autovacuum keeps the network's tables (rows rewritten at every step) lean and their
 * statistics current. Where it is off, as on a server tuned for CI, one server's end-to-end rate
 * fell run after run (491, then 234 delivered a second four runs later) as dead rows piled up and
 * the planner kept the statistics of empty tables. The bench then stands in for it: VACUUM ANALYZE
 * of the schema's tables before each PostgreSQL network run, as the output says. Shortroute warns
 * of the same at start-up.
 */
async function autovacuumStandIn(url: string, schema: string): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ on: boolean }>(`select current_setting('autovacuum') = 'on' as on`);
    if (rows[0]!.on) return async () => {};
  } finally {
    await client.end();
  }
  console.log(`PostgreSQL's autovacuum is off: VACUUM ANALYZE of ${schema} before each PostgreSQL network run, in its place`);
  return async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const tables = await c.query<{ name: string }>('select tablename as name from pg_tables where schemaname = $1', [schema]);
      for (const t of tables.rows) await c.query(`vacuum analyze "${schema}"."${t.name}"`);
    } finally {
      await c.end();
    }
  };
}

/**
 * Before each network run, the runs before it are finished: the Shortroute nodes have stepped and
 * delivered every message they were sent, and PostgreSQL has written out its dirty pages (a
 * CHECKPOINT). The run starts once the nodes' and PostgreSQL's processes are idle together, under
 * 20% of a core over half a second (idle, the two nodes' polls and PostgreSQL's answers to them
 * take about 9%; a node stepping a backlog takes most of a core), and after at most a minute
 * (said when it waited longer than a second). Without it, the durable sends' 15,000 messages
 * (all to one short code at 100 a second, as the sends scenario was first written) went on being
 * delivered, a few at a time, through the runs after theirs: in one sitting, the SQLite runs that
 * followed a PostgreSQL round found PostgreSQL spending 0.75-0.81 ms of CPU per SQLite message and
 * the other processes (that node among them) 0.45 more, three quarters of a core; the first
 * round's, none.
 */
async function quiet(url: string | undefined, nodes: ReadonlyMap<string, number>, next: string): Promise<void> {
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('checkpoint');
    } catch (error) {
      console.log(`CHECKPOINT refused (${(error as Error).message}); waiting for PostgreSQL to go idle instead`);
    } finally {
      await client.end();
    }
  }
  const cpu = () => new Map([...nodes].map(([name, pid]) => [name, cpuMs(pid)]));
  const t0 = performance.now();
  let busy = { nodes: new Map<string, number>(), database: 0 };
  const total = () => [...busy.nodes.values()].reduce((sum, ms) => sum + ms, busy.database);
  while (performance.now() - t0 < 60_000) {
    const [database, before] = [url ? databaseCpuMs() : new Map<number, number>(), cpu()];
    await sleep(500);
    const after = cpu();
    busy = { nodes: new Map([...after].map(([name, ms]) => [name, ms - before.get(name)!])), database: url ? databaseCpuSince(database) : 0 };
    if (total() <= 100) break;
  }
  const waited = (performance.now() - t0) / 1000;
  if (waited <= 1) return;
  // At the cap, who was still busy says which backlog the next run starts with.
  const each = [...busy.nodes].map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join(', ');
  const still = total() > 100 ? `; still busy, over its last half second: ${each}${url ? `, PostgreSQL ${busy.database.toFixed(0)} ms` : ''}` : '';
  console.log(`  waited ${waited.toFixed(1)} s before ${next} for the nodes${url ? ' and PostgreSQL' : ''} to finish the runs before${still}`);
}

/** Sends `perSecond` messages a second until stopped; stop() waits for the answers and throws on a failed send. */
function trickle(base: string, send: { path: string; body: string }, perSecond: number) {
  let sent = 0;
  let failure: Error | undefined;
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const request: Promise<void> = fetch(base + send.path, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      body: send.body,
    })
      .then(async (r) => {
        const text = await r.text();
        if (r.status !== 201) throw new Error(`trickle send: ${r.status} ${text}`);
        sent++;
      })
      .catch((error: Error) => {
        failure ??= error;
      })
      .finally(() => pending.delete(request));
    pending.add(request);
  }, 1000 / perSecond);
  return {
    sent: () => sent,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      if (failure) throw failure;
    },
  };
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
  // The million-message stores: data of their own, so their size weighs on no other scenario.
  const messageStores: Array<{ name: string; target: Target; store?: MessageStore }> = targets.map((t) => ({
    name: t.name,
    target: t.target.kind === 'sqlite' ? { kind: 'sqlite', dataDir: join(work, 'messages') } : { ...t.target, schema: `${t.target.schema}_messages` },
  }));
  for (const m of messageStores) {
    const t0 = performance.now();
    m.store = await seedMessages(m.target, STORED_MESSAGES);
    console.log(`stored ${STORED_MESSAGES} messages for ${m.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  // PostgreSQL would vacuum the new rows and write them out in the background (autovacuum, the
  // checkpointer) while the first scenarios run, taking the cores they measure: done now instead.
  if (pgSchema) {
    const t0 = performance.now();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query('vacuum analyze');
    await client.query('checkpoint');
    await client.end();
    console.log(`vacuumed and checkpointed PostgreSQL in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
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
  const storageArgs = (target: Target) =>
    target.kind === 'sqlite' ? ['--data-dir', target.dataDir] : ['--database-url', target.url, '--database-schema', target.schema];
  const serverArgs = (target: Target, port: number) => [
    'dist/bundle/shortroute.js',
    'start',
    '--port',
    String(port),
    '--max-senders',
    String(BIG + 1000),
    ...storageArgs(target),
  ];
  for (const t of targets) {
    const port = await freePort();
    const args = serverArgs(t.target, port);
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
  // The reference reads Shortroute's SQLite file itself (read-only), beside the running server.
  const sqliteTarget = targets.find((t) => t.target.kind === 'sqlite')?.target;
  if (sqliteTarget?.kind === 'sqlite') {
    const referencePort = await freePort();
    servers.reference = await start(
      'reference',
      process.execPath,
      ['--import', 'tsx', join(here, 'reference-server.ts'), String(referencePort), join(sqliteTarget.dataDir, 'shortroute.db')],
      `http://127.0.0.1:${referencePort}${paths.fetch(fx)}`,
    );
    // It must answer what Shortroute answered (its own host in the URLs aside), or it measures less work.
    const answer = async (server: string, path: string) => {
      const text = await (await fetch(servers[server]!.url + path, { headers: { authorization: AUTH } })).text();
      return text.replaceAll(new URL(servers[server]!.url).host, 'HOST');
    };
    const page = async (server: string) => JSON.stringify((JSON.parse(await answer(server, paths.list(fx))) as { short_codes: unknown }).short_codes);
    if (
      (await answer('reference', paths.fetch(fx))) !== (await answer('shortroute-sqlite', paths.fetch(fx))) ||
      (await page('reference')) !== (await page('shortroute-sqlite'))
    ) {
      throw new Error('the reference server answers the reads differently from Shortroute');
    }
  }
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
  const plain = servers.reference ? ['reference', 'bare'] : ['bare'];
  for (const name of [...shortroutes, ...plain]) reads.push(['fetch one short code', name, paths.fetch(fixtureOf(name))]);
  reads.push(['fetch one short code', 'prism', prismFetch]);
  for (const name of [...shortroutes, ...plain]) reads.push(['list a page of 50', name, paths.list(fixtureOf(name))]);
  reads.push(['list a page of 50', 'prism', `/v1/Services/MG${'a'.repeat(32)}/ShortCodes?PageSize=50`]);
  for (const name of shortroutes) {
    reads.push([`first page of ${BIG}`, name, paths.first(fixtureOf(name))]);
    reads.push([`last page of ${BIG}`, name, paths.last(fixtureOf(name))]);
  }

  // Sending: a service with short codes of its own on each Shortroute, made through the API.
  const sends: Record<string, { path: string; body: string }> = {};
  for (const name of shortroutes) sends[name] = await sendsService(servers[name]!.url);

  const runs = new Map<string, Run[]>();
  const record = (scenario: string, server: string, run: Run) => {
    const key = `${scenario}\u0000${server}`;
    runs.set(key, [...(runs.get(key) ?? []), run]);
  };
  /** One read scenario's run against one server, with the server's CPU time a request. */
  const readRun = (server: Running, path: string): Promise<Run> =>
    driveMeasured({ url: server.url + path, headers: { authorization: AUTH }, connections: CONNECTIONS, duration: DURATION }, server.child.pid!);
  /** Per Shortroute and round: the sends and the events each console read while its reads ran. */
  const consoleRuns: Record<string, Array<{ seconds: number; sendsPerSecond: number; eventsPerSecond: number[] }>> = {};
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round}/${ROUNDS}`);
    for (const [scenario, server, path] of reads) record(scenario, server, await readRun(servers[server]!, path));
    // The same reads with consoles connected, against the idle reads just above.
    for (const name of shortroutes) {
      const base = servers[name]!.url;
      const consoles = await Promise.all(Array.from({ length: CONSOLES }, () => openConsole(base)));
      const flow = trickle(base, sends[name]!, CONSOLE_SENDS_PER_SECOND);
      // The trickle's first messages through every status (delivered after the carrier's delay) first.
      await sleep(DELIVERY_DELAY_MS + 250);
      const eventsBefore = consoles.map((c) => c.events());
      const sentBefore = flow.sent();
      const t0 = performance.now();
      for (const [scenario, path] of [
        ['fetch one short code', paths.fetch(fixtureOf(name))],
        ['list a page of 50', paths.list(fixtureOf(name))],
      ] as const) {
        record(`${scenario}, ${CONSOLES} consoles connected`, name, await readRun(servers[name]!, path));
      }
      const seconds = (performance.now() - t0) / 1000;
      const eventsDuring = consoles.map((c, i) => c.events() - eventsBefore[i]!);
      const sendsDuring = flow.sent() - sentBefore;
      for (const c of consoles) c.check();
      await flow.stop();
      // The trickle's last messages delivered, and read, before the streams close.
      await sleep(DELIVERY_DELAY_MS + 250);
      await Promise.all(consoles.map((c) => c.close()));
      if (eventsDuring.some((n) => n === 0))
        throw new Error(`${name}: a console read no events while ${sendsDuring} messages were sent (${eventsDuring.join(', ')})`);
      consoleRuns[name] = [
        ...(consoleRuns[name] ?? []),
        { seconds, sendsPerSecond: sendsDuring / seconds, eventsPerSecond: eventsDuring.map((n) => n / seconds) },
      ];
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
  // last `delivered` callback (bench/network.ts). Then the same with durable sends measured while
  // it runs, and with reads measured while it drains a backlog (against the idle reads above).
  const network: Record<string, NetworkRun[]> = {};
  const addNetworkRun = (key: string, run: NetworkRun) => {
    network[key] = [...(network[key] ?? []), run];
  };
  const drains: Record<string, Array<{ backlog: number; deliveredDuring: number; seconds: number }>> = {};
  let lastShortCode = 20000;
  /** The first of a fresh run of short codes, so each scenario's service has its own. */
  const freshShortCodes = () => {
    lastShortCode += 100;
    return lastShortCode;
  };
  const vacuum = pgSchema ? await autovacuumStandIn(DATABASE_URL, pgSchema) : async () => {};
  /**
   * A network run, recorded as `run` (its server's name first), once the runs before it finished
   * (quiet()) and, for a PostgreSQL run, its tables are vacuumed. `extraNodes`: nodes besides the
   * bench's servers that must be idle too, by name.
   */
  const networkRun = async (run: string, measure: () => Promise<NetworkRun>, extraNodes: Record<string, number> = {}) => {
    const nodes = new Map([...shortroutes.map((n) => [n, servers[n]!.child.pid!] as const), ...Object.entries(extraNodes)]);
    await quiet(pgSchema && DATABASE_URL, nodes, run);
    if (run.includes('postgres')) await vacuum();
    addNetworkRun(run, await measure());
  };
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`network end to end, round ${round}/${ROUNDS}`);
    for (const name of shortroutes) {
      const base = servers[name]!.url;
      await networkRun(name, () => networkEndToEnd(base, NETWORK_MESSAGES, freshShortCodes(), { servers: [servers[name]!.child.pid!] }));
      // Sends through another service, in the same seconds as the network's own load.
      await networkRun(`${name}, sends running`, async () => {
        const [withSends, sent] = await Promise.all([
          networkEndToEnd(base, NETWORK_MESSAGES, freshShortCodes()),
          drive({
            url: base,
            headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
            connections: CONNECTIONS,
            amount: ADDS_PER_RUN,
            bodies: [sends[name]!],
          }),
        ]);
        record('send a message via a service (durable), network running', name, sent);
        return withSends;
      });
      // Reads while the backlog drains: for as long as it should take at full capacity (and at
      // least a second), so the window does not run on past the drain.
      await networkRun(`${name}, draining ${DRAIN_MESSAGES}`, () =>
        networkEndToEnd(base, DRAIN_MESSAGES, freshShortCodes(), {
          duringDrain: async (window) => {
            const seconds = Math.min(DURATION, Math.max(1, window.backlog / (SHORT_CODES * SHORT_CODE_MPS)));
            const before = window.delivered();
            const run = await drive({
              url: base + paths.fetch(fixtureOf(name)),
              headers: { authorization: AUTH },
              connections: CONNECTIONS,
              duration: seconds,
            });
            record('fetch one short code, network draining', name, run);
            drains[name] = [...(drains[name] ?? []), { backlog: window.backlog, deliveredDuring: window.delivered() - before, seconds }];
          },
        }),
      );
    }
  }
  // Real delivery: the same scenario through an SMPP connector to a loopback SMSC.
  const smsc = await Smsc.start('bench', 'bench');
  const smppDrains: Record<string, number[]> = {};
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`SMPP: a backlog through one connector, then end to end, round ${round}/${ROUNDS}`);
      for (const name of shortroutes) {
        await networkRun(`${name}, SMPP`, async () => {
          const drained = await smppDrain(servers[name]!.url, smsc, NETWORK_MESSAGES, freshShortCodes());
          smppDrains[name] = [...(smppDrains[name] ?? []), drained.submitsPerSecond];
          return networkEndToEnd(servers[name]!.url, NETWORK_MESSAGES, freshShortCodes(), { smsc });
        });
      }
    }
  } finally {
    await smsc.close();
  }
  // PostgreSQL scales out: a second node on the same database, the sends split between the two.
  const postgresName = shortroutes.find((n) => n.includes('postgres'));
  if (postgresName) {
    const t = targets.find((x) => x.name === postgresName)!;
    const port = await freePort();
    const second = await start(`${postgresName}-b`, process.execPath, serverArgs(t.target, port), `http://127.0.0.1:${port}/_shortroute/health`);
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`network end to end on two PostgreSQL nodes, round ${round}/${ROUNDS}`);
      await networkRun(
        `${postgresName}, two nodes`,
        () =>
          networkEndToEnd([servers[postgresName]!.url, second.url], NETWORK_MESSAGES, freshShortCodes(), {
            servers: [servers[postgresName]!.child.pid!, second.child.pid!],
          }),
        { [`${postgresName}-b`]: second.child.pid! },
      );
    }
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }
  // The million-message store: a server started on it, its first and last page, its memory.
  const memory: Record<string, number> = {};
  for (const m of messageStores) {
    const port = await freePort();
    const server = await start(`${m.name}-messages`, process.execPath, serverArgs(m.target, port), `http://127.0.0.1:${port}/_shortroute/health`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [scenario, path] of [
        [`first page of ${STORED_MESSAGES} messages`, m.store!.firstPage],
        [`last page of ${STORED_MESSAGES} messages`, m.store!.lastPage],
      ] as const) {
        record(scenario, m.name, await drive({ url: server.url + path, headers: { authorization: AUTH }, connections: CONNECTIONS, duration: DURATION }));
      }
    }
    memory[m.name] = rssMb(server.child.pid!);
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
  }

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
      cpu: list.every((r) => r.cpuPerRequest !== undefined) ? median(list.map((r) => r.cpuPerRequest!)) : undefined,
      load: median(list.map((r) => r.loadCpuPerRequest)),
    };
  });
  const find = (scenario: string, server: string) => rows.find((r) => r.scenario === scenario && r.server === server);
  const lines = [
    '| scenario | server | req/s | p50 ms | p99 ms | vs bare | vs prism | non-2xx | CPU µs a request |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const bare = find(r.scenario, 'bare');
    const prism = find(r.scenario, 'prism');
    const ratio = (other?: Row) => (other && other !== r ? `${(r.rps / other.rps).toFixed(2)}×` : '');
    lines.push(
      `| ${r.scenario} | ${r.server} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${ratio(bare)} | ${ratio(prism)} | ${r.failed} | ${r.cpu?.toFixed(1) ?? ''} |`,
    );
  }
  const capacity = SHORT_CODES * SHORT_CODE_MPS;
  for (const [key, list] of Object.entries(network)) {
    lines.push(
      `| network end to end, ${SHORT_CODES} short codes (${capacity}/s) | ${key} | ${median(list.map((r) => r.deliveredPerSecond)).toFixed(0)} delivered/s | | | ${median(list.map((r) => r.ratio)).toFixed(2)}× ideal | | ${list.reduce((n, r) => n + r.missing, 0)} missing | |`,
    );
  }
  for (const [name, list] of Object.entries(smppDrains)) {
    lines.push(`| SMPP: a backlog of ${NETWORK_MESSAGES} through one connector (window 10) | ${name} | ${median(list).toFixed(0)} submits/s | | | | | | |`);
  }

  // The targets, each met or missed.
  const checks: string[] = [];
  const check = (label: string, ok: boolean, figure: string) => checks.push(`- ${ok ? 'met' : 'MISSED'}: ${label} (${figure})`);
  const vs = (scenario: string, name: string, other: string) => find(scenario, name)!.rps / find(scenario, other)!.rps;
  const networkSummary = (list: NetworkRun[]) =>
    `${list[0]!.messages} accepted at ${median(list.map((r) => r.acceptPerSecond)).toFixed(0)}/s, ${median(list.map((r) => r.deliveredPerSecond)).toFixed(0)} delivered/s, last delivered after ${median(list.map((r) => r.endToEndSeconds)).toFixed(1)} s, ideal ${median(list.map((r) => r.idealSeconds)).toFixed(1)} s`;
  // Beside a network target: what its runs cost the machine a message, and the rate its cores could
  // deliver at that cost with every one busy throughout. A target above that rate is out of this
  // machine's reach at this cost; one below it is missed by a server that waits.
  const machineLimit = (list: NetworkRun[], needed: number, pg: boolean) => {
    const measured = list.filter((r) => r.cpu);
    if (measured.length === 0) return '';
    const perMessage = (part: (c: CpuSpent) => number) => median(measured.map((r) => part(r.cpu!) / r.messages));
    const [machine, server, database, load, bench] = [
      perMessage((c) => c.machineMs),
      perMessage((c) => c.serverMs),
      perMessage((c) => c.databaseMs),
      perMessage((c) => c.loadMs),
      perMessage((c) => c.benchMs),
    ];
    const cores = measured[0]!.cpu!.cores;
    const rest = machine - server - (pg ? database : 0) - load - bench;
    return (
      `; CPU a message: the machine's ${machine.toFixed(2)} ms (the server's ${server.toFixed(2)}${pg ? `, PostgreSQL's ${database.toFixed(2)}` : ''}, ` +
      `the load generator's ${load.toFixed(2)}, the bench's with the receiver ${bench.toFixed(2)}, the kernel and other processes ${rest.toFixed(2)}), ` +
      `its cores ${(100 * median(measured.map((r) => r.cpu!.busy))).toFixed(0)}% busy; ` +
      `at that cost ${cores} cores deliver at most ${((cores * 1000) / machine).toFixed(0)}/s, the target needs ${needed.toFixed(0)}/s`
    );
  };
  for (const name of shortroutes) {
    const pg = name.includes('postgres');
    // Beside each ratio to bare: what the plain reference reached in the same sitting, and the CPU
    // a request of each (steadier than the rates on this machine).
    const against = (scenario: string) => {
      const cpu = (server: string) => `${find(scenario, server)?.cpu?.toFixed(1) ?? '?'} µs`;
      const reference = find(scenario, 'reference') ? `; the reference ${vs(scenario, 'reference', 'bare').toFixed(2)}×, ${cpu('reference')}` : '';
      return `${vs(scenario, name, 'bare').toFixed(2)}×; CPU a request ${cpu(name)}, bare ${cpu('bare')}${pg ? '' : reference}; the load generator's ${find(scenario, name)!.load.toFixed(1)} µs a request`;
    };
    const fetchRatio = vs('fetch one short code', name, 'bare');
    check(`${name} fetch ≥ ${pg ? 0.3 : 0.6} × bare`, fetchRatio >= (pg ? 0.3 : 0.6), against('fetch one short code'));
    if (!pg) {
      const prismRatio = vs('fetch one short code', name, 'prism');
      const [own, prism] = [find('fetch one short code', name)!, find('fetch one short code', 'prism')!];
      const byCpu =
        own.cpu && prism.cpu ? `; by CPU a request ${(prism.cpu / own.cpu).toFixed(1)}× (${own.cpu.toFixed(1)} against ${prism.cpu.toFixed(0)} µs)` : '';
      check(`${name} fetch ≥ 20 × prism`, prismRatio >= 20, `${prismRatio.toFixed(1)}×${byCpu}`);
    }
    const listRatio = vs('list a page of 50', name, 'bare');
    check(`${name} list of 50 ≥ ${pg ? 0.15 : 0.3} × bare`, listRatio >= (pg ? 0.15 : 0.3), against('list a page of 50'));
    const writes = pg ? 1500 : 3000;
    const adds = find('add a short code (durable)', name)!;
    check(`${name} durable adds ≥ ${writes}/s`, adds.rps >= writes, `${adds.rps.toFixed(0)}/s`);
    const sendsRow = find('send a message via a service (durable), network running', name)!;
    check(`${name} durable sends with the network running ≥ ${writes}/s`, sendsRow.rps >= writes, `${sendsRow.rps.toFixed(0)}/s`);
    const drained = smppDrains[name] ?? [];
    if (!pg && drained.length > 0) {
      const submits = median(drained);
      const smpp = network[`${name}, SMPP`] ?? [];
      check(`${name} SMPP submits through one connector ≥ 1,000/s`, submits >= 1000, `${submits.toFixed(0)}/s; end to end: ${networkSummary(smpp)}`);
    }
    const alone = network[name] ?? [];
    const ratio = median(alone.map((r) => r.ratio));
    // 0.8× of the ideal: every message delivered within ideal / 0.8 seconds.
    const neededForRatio = median(alone.map((r) => (0.8 * r.messages) / r.idealSeconds));
    check(`${name} network end to end ≥ 0.8 × ideal`, ratio >= 0.8, `${ratio.toFixed(2)}×: ${networkSummary(alone)}${machineLimit(alone, neededForRatio, pg)}`);
    if (pg) {
      const delivered = median(alone.map((r) => r.deliveredPerSecond));
      check(`${name} network end to end ≥ 1,000 messages/s`, delivered >= 1000, `${delivered.toFixed(0)}/s${machineLimit(alone, 1000, pg)}`);
      const two = network[`${name}, two nodes`] ?? [];
      if (two.length > 0) {
        const scale = median(two.map((r) => r.deliveredPerSecond)) / delivered;
        check(`${name} two nodes ≥ 1.7 × one`, scale >= 1.7, `${scale.toFixed(2)}×: ${networkSummary(two)}${machineLimit(two, 1.7 * delivered, pg)}`);
      }
    }
    const draining = find('fetch one short code, network draining', name)!;
    const drainRatio = draining.rps / find('fetch one short code', name)!.rps;
    const d = drains[name] ?? [];
    check(
      `${name} reads while the network drains ${DRAIN_MESSAGES} ≥ 0.8 × idle`,
      // Reads against a network that delivered nothing meanwhile are reads while idle, not a pass.
      drainRatio >= 0.8 && median(d.map((x) => x.deliveredDuring / x.seconds)) > 0,
      `${drainRatio.toFixed(2)}×: ${draining.rps.toFixed(0)} vs ${find('fetch one short code', name)!.rps.toFixed(0)}/s; backlog ${median(d.map((x) => x.backlog)).toFixed(0)}, ${median(d.map((x) => x.deliveredDuring / x.seconds)).toFixed(0)} delivered/s during the reads`,
    );
    const consoleRatio = (scenario: string) => find(`${scenario}, ${CONSOLES} consoles connected`, name)!.rps / find(scenario, name)!.rps;
    // The CPU a request with the consoles counts theirs and the sends' too: it tells a slower
    // server from a busier machine.
    const withConsoles = (scenario: string, label: string) => {
      const [busy, idle] = [find(`${scenario}, ${CONSOLES} consoles connected`, name)!, find(scenario, name)!];
      return `${label} ${consoleRatio(scenario).toFixed(2)}×: ${busy.rps.toFixed(0)} vs ${idle.rps.toFixed(0)}/s, CPU a request ${busy.cpu?.toFixed(1)} vs ${idle.cpu?.toFixed(1)} µs`;
    };
    const c = consoleRuns[name] ?? [];
    check(
      `${name} reads with a console connected ≥ 0.95 × idle`,
      Math.min(consoleRatio('fetch one short code'), consoleRatio('list a page of 50')) >= 0.95,
      `${withConsoles('fetch one short code', 'fetch')}; ${withConsoles('list a page of 50', 'list of 50')}; ${CONSOLES} streams reading ${median(c.flatMap((x) => x.eventsPerSecond)).toFixed(0)} events/s each, ${median(c.map((x) => x.sendsPerSecond)).toFixed(1)} sends/s`,
    );
    const limit = pg ? 600 : 500;
    check(
      `${name} start-up to first answer < ${limit} ms`,
      median(startups[name]!) < limit,
      `median ${median(startups[name]!).toFixed(0)} ms over ${startups[name]!.length} starts`,
    );
    const first = find(`first page of ${STORED_MESSAGES} messages`, name)!;
    const last = find(`last page of ${STORED_MESSAGES} messages`, name)!;
    check(
      `${name} ${STORED_MESSAGES} messages stored: resident memory < 200 MB`,
      memory[name]! < 200,
      `${memory[name]!.toFixed(0)} MB after serving both pages`,
    );
    check(
      `${name} ${STORED_MESSAGES} messages stored: last page ≤ 1.5 × the first`,
      last.p50 <= 1.5 * Math.max(first.p50, 1) && last.rps >= first.rps / 1.5,
      `${last.rps.toFixed(0)} vs ${first.rps.toFixed(0)} pages/s, p50 ${last.p50.toFixed(1)} vs ${first.p50.toFixed(1)} ms`,
    );
  }

  const report = [`## Results (${new Date().toISOString().slice(0, 16)}Z)`, '', ...lines, '', ...checks, ''].join('\n');
  console.log(`\n${report}`);
  const out = join(here, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.md'), report);
  writeFileSync(
    join(out, 'latest.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        rounds: ROUNDS,
        duration: DURATION,
        connections: CONNECTIONS,
        rows,
        network,
        consoles: consoleRuns,
        startups,
        smppDrains,
        memory,
        checks,
      },
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
    await client.query(`drop schema if exists ${pgSchema}_messages cascade`);
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
