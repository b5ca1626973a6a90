/**
 * A same-sitting comparison of the network end to end (bench/network.ts: 20 short codes, status
 * callbacks to a local receiver) between two builds or two settings, driven alternately, several
 * runs each, a fresh SQLite server per run. For checking one change to the network in a few
 * minutes, before the full `npm run bench`.
 *
 *   node --import tsx bench/network-ab.ts [runs] [messages] [--a <bundle dir>] [--b <bundle dir>]
 *        [--a-env K=V,...] [--b-env K=V,...] [--postgres] [--profile] [--reads] [--smpp]
 *        [--trickle <sends a second>] [--warm] [--timeline] [--sends]
 *
 * A bundle dir holds a copy of dist/bundle (copy it to bench/results/ before the change, so it
 * resolves node_modules like the real one); each side defaults to ../dist/bundle. With --profile,
 * every server runs under --cpu-prof and leaves its threads' profiles in
 * bench/results/profiles/network-ab-<side>-<run>/ (summarise with bench/profile-summary.ts).
 * With --reads, each run also fetches a short code (20 connections) for 3 s before the sends and
 * again while the backlog drains, and prints the second rate against the first (as run.ts's
 * "reads while the network drains" does). Without it, each run also prints the server's CPU time
 * per message (every thread), which varies far less than the rates on this noisy machine, and how
 * busy the machine's cores were meanwhile, with the server's share of that (the rest is the load,
 * the callbacks' receiver and whatever else runs). With --smpp, each run is instead the SMPP backlog of run.ts: messages waiting for a connector whose
 * bind failed, then drained through it to a loopback SMSC once its password is fixed. With
 * --trickle, the sends go one at a time at that rate (a gateway's usual traffic, not a burst), and
 * the CPU a message leaves out what the server spends idle (its polls), read over 5 s before.
 * With --warm, each fresh server first runs the same end to end once, unmeasured: a first run
 * also pays for compiling the network's code (V8's optimizing compiler on its helper threads), as
 * a long-lived server does not. With --timeline, each run prints its timeline (bench/timeline.ts):
 * every quarter of a second, the machine, the server's threads and its messages by status. With
 * --sends, 15,000 durable sends through another service of 20 short codes (20 connections) run
 * in the same seconds as the end to end, as run.ts's "sends, network running" does, and each
 * side's sends a second are compared too (the CPU a message then counts the sends' too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ACCOUNT_SID, AUTH_TOKEN, freePort } from './setup.js';
import { networkEndToEnd, sendsService, smppDrain, type NetworkRun } from './network.js';
import { Smsc } from '../test/helpers/smsc.js';
import { drive } from './autocannon.js';
import { cpuMs, machineCpuMs } from './cpu.js';
import { timeline } from './timeline.js';
import Database from 'better-sqlite3';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const runs = Number(positional[0] ?? 3);
const messages = Number(positional[1] ?? 4000);
const postgres = args.includes('--postgres');
const profile = args.includes('--profile');
const reads = args.includes('--reads');
const smpp = args.includes('--smpp');
const trickle = option('--trickle') === undefined ? undefined : Number(option('--trickle'));
const warm = args.includes('--warm');
const showTimeline = args.includes('--timeline');
const sends = args.includes('--sends');
const smsc = smpp ? await Smsc.start('bench', 'bench') : undefined;
const AUTH = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const databaseUrl = process.env.SHORTROUTE_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Side {
  name: 'a' | 'b';
  bundle: string;
  env: Record<string, string>;
  results: NetworkRun[];
  /** With --reads: reads a second while draining, against the same reads idle. */
  readRatios: number[];
  /** The server's CPU (every thread, user and system) per message, from accepting the first to the last callback. */
  cpuPerMessage: number[];
  /** Over the same span: how busy the machine's cores were (0–1), and the server's share of that. */
  machineBusy: number[];
  serverShare: number[];
  /** The whole machine's CPU a message (the server, the load, the receiver, the kernel). */
  machinePerMessage: number[];
  /** With --smpp: submits a second of a backlog through one connector (bench/network.ts smppDrain). */
  submits: number[];
  /** With --sends: durable sends a second beside the end to end. */
  sendRates: number[];
}

const sides: Side[] = (['a', 'b'] as const).map((name) => ({
  name,
  bundle: resolve(option(`--${name}`) ?? join(here, '..', 'dist', 'bundle')),
  env: Object.fromEntries(
    (option(`--${name}-env`) ?? '')
      .split(',')
      .filter((pair) => pair.includes('='))
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  ),
  results: [],
  readRatios: [],
  cpuPerMessage: [],
  machineBusy: [],
  serverShare: [],
  machinePerMessage: [],
  submits: [],
  sendRates: [],
}));

/** With --sends: 15,000 durable sends through a service of their own (sendsService) beside `work`. */
async function besideSends<T>(side: Side, run: number, base: string, work: () => Promise<T>): Promise<T> {
  if (!sends) return work();
  const send = await sendsService(base);
  const [result, sent] = await Promise.all([
    work(),
    drive({
      url: base,
      headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      connections: 20,
      amount: 15000,
      bodies: [send],
    }),
  ]);
  side.sendRates.push(sent.okPerSecond);
  console.log(`${side.name} run ${run}: sends beside it ${sent.okPerSecond.toFixed(0)}/s (${sent.non2xx} not 2xx)`);
  return result;
}

async function up(base: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${base}/_shortroute/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (tries > 3000) throw new Error(`${base} did not come up`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Reads the server's messages by status, for --timeline: from the SQLite file, or the PostgreSQL schema. */
async function statusCounter(dir: string, schema: string): Promise<{ count: () => Promise<string>; close: () => Promise<void> }> {
  const line = (rows: Array<{ status: string; n: number | string }>) => rows.map((r) => `${r.status} ${r.n}`).join(', ');
  const sql = 'select status, count(*) as n from messages group by status order by status';
  if (postgres) {
    const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
    await client.connect();
    return { count: async () => line((await client.query<{ status: string; n: string }>(sql)).rows), close: () => client.end() };
  }
  const db = new Database(join(dir, 'data', 'shortroute.db'), { readonly: true });
  const statement = db.prepare<[], { status: string; n: number }>(sql);
  return { count: async () => line(statement.all()), close: async () => void db.close() };
}

/** One run on a fresh server: its end-to-end figures (none with --smpp: the submits are kept on the side). */
async function once(side: Side, run: number): Promise<NetworkRun | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'shortroute-network-ab-'));
  const schema = `nab_${Date.now()}`;
  const port = await freePort();
  const profileDir = join(here, 'results', 'profiles', `network-ab-${side.name}-${run}`);
  if (profile) mkdirSync(profileDir, { recursive: true });
  const backend = postgres ? ['--database-url', databaseUrl, '--database-schema', schema] : ['--data-dir', join(dir, 'data')];
  const child: ChildProcess = spawn(
    process.execPath,
    [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(side.bundle, 'shortroute.js'), 'start', '--port', String(port), ...backend],
    {
      cwd: here,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, ...side.env },
    },
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    await up(base);
    if (smsc) {
      const { submitsPerSecond } = await smppDrain(base, smsc, messages, 30000 + run * 100);
      side.submits.push(submitsPerSecond);
      console.log(`${side.name} run ${run}: a backlog through one connector, ${submitsPerSecond.toFixed(0)} submits/s`);
      return undefined;
    }
    if (warm) await networkEndToEnd(base, messages, 50000 + run * 100);
    if (!reads) {
      // A trickle's own cost is small beside the polls of its span: those are read idle first.
      let idlePerMs = 0;
      if (trickle) {
        const [idleFrom, idleAt] = [cpuMs(child.pid!), performance.now()];
        await new Promise((r) => setTimeout(r, 5000));
        idlePerMs = (cpuMs(child.pid!) - idleFrom) / (performance.now() - idleAt);
      }
      const counter = showTimeline ? await statusCounter(dir, schema) : undefined;
      const sampling = counter && timeline(child.pid!, counter.count);
      const result = await besideSends(side, run, base, () => networkEndToEnd(base, messages, 30000 + run * 100, { rate: trickle, servers: [child.pid!] }));
      if (sampling) console.log(`${side.name} run ${run}:\n${sampling.stop(messages)}`);
      await counter?.close();
      const spent = result.cpu!;
      const server = spent.serverMs - idlePerMs * result.endToEndSeconds * 1000;
      if (trickle) console.log(`${side.name} run ${run}: idle ${(idlePerMs * 1000).toFixed(0)} ms of CPU a second`);
      side.cpuPerMessage.push(server / messages);
      side.machineBusy.push(spent.busy);
      side.machinePerMessage.push(spent.machineMs / messages);
      side.serverShare.push(server / spent.machineMs);
      return result;
    }
    const code = await fetch(`${base}/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes.json`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ShortCode: String(90000 + run) }).toString(),
    }).then((r) => r.json() as Promise<{ sid: string }>);
    const read = (seconds: number) =>
      drive({
        url: `${base}/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes/${code.sid}.json`,
        headers: { authorization: AUTH },
        connections: 20,
        duration: seconds,
      });
    // How busy the machine was during each read, and the server's share of it.
    const usage = async <T>(work: () => Promise<T>) => {
      const [server, machine] = [cpuMs(child.pid!), machineCpuMs()];
      const result = await work();
      const [serverAfter, machineAfter] = [cpuMs(child.pid!), machineCpuMs()];
      const busy = machineAfter.busy - machine.busy;
      return { result, busy: busy / (machineAfter.total - machine.total), server: (serverAfter - server) / busy };
    };
    const idle = await usage(() => read(3));
    let draining = { result: 0, busy: 0, server: 0 };
    const result = await networkEndToEnd(base, messages, 30000 + run * 100, {
      duringDrain: async (window) => {
        draining = await usage(async () => (await read(Math.min(5, Math.max(1, window.backlog / 2000)))).okPerSecond);
      },
    });
    side.readRatios.push(draining.result / idle.result.okPerSecond);
    console.log(
      `${side.name} run ${run}: reads ${idle.result.okPerSecond.toFixed(0)}/s idle (machine ${percent(idle.busy)} busy, the server ${percent(idle.server)} of it), ` +
        `${draining.result.toFixed(0)}/s draining (machine ${percent(draining.busy)} busy, the server ${percent(draining.server)} of it)`,
    );
    return result;
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    if (postgres) {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
const line = (r: NetworkRun) =>
  `accepted ${r.acceptPerSecond.toFixed(0)}/s, delivered ${r.deliveredPerSecond.toFixed(0)}/s, last after ${r.endToEndSeconds.toFixed(1)} s, ${r.ratio.toFixed(2)}× ideal${r.missing ? `, ${r.missing} missing` : ''}`;

for (const side of sides) console.log(`${side.name}: ${side.bundle} ${JSON.stringify(side.env)}`);
for (let run = 1; run <= runs; run++) {
  for (const side of run % 2 ? sides : [...sides].reverse()) {
    const result = await once(side, run);
    if (!result) continue;
    side.results.push(result);
    const cpu = side.cpuPerMessage.at(-1);
    const usage =
      cpu === undefined
        ? ''
        : `, server CPU ${cpu.toFixed(2)} ms a message; machine ${percent(side.machineBusy.at(-1)!)} busy, the server ${percent(side.serverShare.at(-1)!)} of it; the machine ${side.machinePerMessage.at(-1)!.toFixed(2)} ms a message`;
    console.log(`${side.name} run ${run}: ${line(result)}${usage}`);
  }
}
if (smsc) {
  for (const side of sides) console.log(`${side.name} median: ${median(side.submits).toFixed(0)} submits/s`);
  console.log(`b/a submits: ${(median(sides[1]!.submits) / median(sides[0]!.submits)).toFixed(2)}×`);
  await smsc.close();
  process.exit(0);
}
for (const side of sides) {
  const r = side.results;
  console.log(
    `${side.name} median: accepted ${median(r.map((x) => x.acceptPerSecond)).toFixed(0)}/s, delivered ${median(r.map((x) => x.deliveredPerSecond)).toFixed(0)}/s, ${median(r.map((x) => x.ratio)).toFixed(2)}× ideal${reads ? `, reads draining ${median(side.readRatios).toFixed(2)}× idle` : `, server CPU ${median(side.cpuPerMessage).toFixed(2)} ms a message, machine ${percent(median(side.machineBusy))} busy`}`,
  );
}
const [a, b] = sides;
console.log(`b/a delivered: ${(median(b!.results.map((x) => x.deliveredPerSecond)) / median(a!.results.map((x) => x.deliveredPerSecond))).toFixed(2)}×`);
if (!reads) console.log(`b/a server CPU a message: ${(median(b!.cpuPerMessage) / median(a!.cpuPerMessage)).toFixed(2)}×`);
if (sends) {
  for (const side of sides) console.log(`${side.name} sends beside the network: median ${median(side.sendRates).toFixed(0)}/s`);
  console.log(`b/a sends: ${(median(b!.sendRates) / median(a!.sendRates)).toFixed(2)}×`);
}
