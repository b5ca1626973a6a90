/**
 * The network end to end: a service with 20 short codes (100 segments a second each, so 2,000
 * messages a second of capacity) and its status callbacks to a local receiver. N sends are driven
 * through the API as fast as it accepts them; the figure is how long it took from the first
 * accepted send to the last `delivered` callback, against the ideal: sending at
 * min(capacity, accept rate), plus the simulated carrier's receipt delay.
 *
 *   ratio = ideal time / measured time          (target ≥ 0.8)
 *
 * With several nodes (PostgreSQL), the sends are split between them; each node's network takes
 * its share of the steps. `duringDrain` runs once every send is accepted, while the network
 * delivers the backlog: reads or sends measured against a busy network.
 *
 * With `smsc`, the short codes go out through an SMPP connector to that loopback SMSC (window 10),
 * whose receipts come at once: the ideal is then sending at min(capacity, accept rate), and the
 * run also reports the submits a second the SMSC saw.
 *
 * Used by run.ts; alone: node --import tsx bench/network.ts <base URL> [messages]
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCOUNT_SID, AUTH_TOKEN } from './setup.js';
import { drive } from './autocannon.js';
import { cpuWindow, type CpuSpent } from './cpu.js';
import type { Smsc } from '../test/helpers/smsc.js';

export const SHORT_CODES = 20;
/** Twilio's short code throughput, as Shortroute's network applies it. */
export const SHORT_CODE_MPS = 100;
/** `--delivery-delay`'s default: from `sent` to the carrier's receipt. */
export const DELIVERY_DELAY_MS = 1000;

const AUTH = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;

export interface NetworkRun {
  messages: number;
  acceptSeconds: number;
  acceptPerSecond: number;
  /** From the first send's start to the last `delivered` callback. */
  endToEndSeconds: number;
  deliveredPerSecond: number;
  idealSeconds: number;
  ratio: number;
  /** Delivered callbacks that had not arrived when the wait gave up (0 when all did). */
  missing: number;
  /** Messages not yet delivered when every send had been accepted: the backlog `duringDrain` ran against. */
  backlog: number;
  /** With an SMSC: submit_sm it received a second, from the first to the last. */
  submitsPerSecond?: number;
  /**
   * With the servers' process IDs: the CPU the machine, the servers and PostgreSQL spent from the
   * first send to the last `delivered` callback (with `duringDrain`, its work too).
   */
  cpu?: CpuSpent;
}

export interface DrainWindow {
  /** Messages still to deliver when the window opened. */
  backlog: number;
  /** How many were delivered so far (read it again when the window closes). */
  delivered(): number;
}

/** Counts `delivered` status callbacks by message, and when the last one came. */
class Receiver {
  readonly delivered = new Set<string>();
  lastAt = 0;
  #server: Server;
  #want = Number.POSITIVE_INFINITY;
  #done: (() => void) | undefined;
  url = '';

  constructor() {
    this.#server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const params = new URLSearchParams(body);
        if (params.get('MessageStatus') === 'delivered') {
          this.delivered.add(params.get('MessageSid') ?? '');
          this.lastAt = Date.now();
          if (this.delivered.size >= this.#want) this.#done?.();
        }
        res.writeHead(204).end();
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/status`;
  }

  /** Resolves once `count` messages were reported delivered, or after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<void> {
    this.#want = count;
    if (this.delivered.size >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Creates a resource as the bench's account; refuses anything but a 201. */
async function post(base: string, path: string, form: Record<string, string>): Promise<{ sid: string; short_code?: string }> {
  const r = await fetch(base + path, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  if (r.status !== 201) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { sid: string; short_code?: string };
}

/**
 * A service for durable sends beside the network's scenario: as many short codes of its own as the
 * scenario's (from 99900 on), so its messages are delivered within seconds of their run, not over
 * minutes of the runs after it. Returns the send as an autocannon body.
 */
export async function sendsService(base: string): Promise<{ path: string; body: string }> {
  const service = await post(base, '/v1/Services', { FriendlyName: 'Bench sends' });
  for (let i = 0; i < SHORT_CODES; i++) {
    const shortCode = await post(base, `/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes.json`, { ShortCode: String(99900 + i) });
    await post(base, `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: shortCode.sid });
  }
  return {
    path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
    body: new URLSearchParams({ To: '+14155550123', MessagingServiceSid: service.sid, Body: 'Your code is 123456' }).toString(),
  };
}

/**
 * Sets up the service through the first of `bases` (short codes from `firstShortCode` on) and
 * runs the scenario, the sends split evenly between the nodes.
 */
export async function networkEndToEnd(
  bases: string | string[],
  messages: number,
  firstShortCode: number,
  options: { duringDrain?: (window: DrainWindow) => Promise<void>; smsc?: Smsc; rate?: number; servers?: number[] } = {},
): Promise<NetworkRun> {
  const nodes = typeof bases === 'string' ? [bases] : bases;
  const base = nodes[0]!;
  const receiver = new Receiver();
  await receiver.listen();
  try {
    const service = await post(base, '/v1/Services', { FriendlyName: 'Bench network', StatusCallback: receiver.url });
    const { smsc } = options;
    const connector =
      smsc &&
      (await post(base, `/_shortroute/Accounts/${ACCOUNT_SID}/Connectors`, {
        Host: '127.0.0.1',
        Port: String(smsc.port),
        SystemId: smsc.systemId,
        Password: smsc.password,
        WindowSize: '10',
        Throughput: '10000',
      }));
    for (let i = 0; i < SHORT_CODES; i++) {
      const code = await post(base, `/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes.json`, { ShortCode: String(firstShortCode + i) });
      await post(base, `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: code.sid });
      if (connector) await post(base, `/_shortroute/Accounts/${ACCOUNT_SID}/Connectors/${connector.sid}/Senders`, { SenderSid: code.sid });
    }
    if (smsc) await smsc.until(() => smsc.sessions.size > 0, 'a bind');
    const submittedBefore = smsc?.submits.length ?? 0;
    // Distinct recipients: no sticky sender, so Copilot spreads them over the short codes.
    const bodies = Array.from({ length: messages }, (_, i) => ({
      path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
      body: new URLSearchParams({
        To: `+1415${String(5_000_000 + i).padStart(7, '0')}`,
        MessagingServiceSid: service.sid,
        Body: `Your code is ${i}`,
      }).toString(),
    }));
    const spending = options.servers && cpuWindow(options.servers);
    const runs = await Promise.all(
      nodes.map((node, n) => {
        const share = bodies.filter((_, i) => i % nodes.length === n);
        return drive({
          url: node,
          headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
          // A rate (sends a second over all nodes): a trickle, one send at a time.
          connections: options.rate ? 1 : Math.ceil(20 / nodes.length),
          ...(options.rate && { rate: options.rate / nodes.length }),
          amount: share.length,
          bodies: share,
        });
      }),
    );
    // The load generators' own clocks: from the first request to the last answer (their process
    // start is no part of it).
    const started = Math.min(...runs.map((r) => r.startedAt));
    const acceptSeconds = (Math.max(...runs.map((r) => r.lastAnswerAt)) - started) / 1000;
    const accepted = messages - runs.reduce((n, r) => n + r.non2xx + r.errors, 0);
    const backlog = accepted - receiver.delivered.size;
    const during = options.duringDrain?.({ backlog, delivered: () => receiver.delivered.size });
    const capacity = SHORT_CODES * SHORT_CODE_MPS;
    // The simulated carrier's receipt comes DELIVERY_DELAY_MS after `sent`; the loopback SMSC's at once.
    const idealSeconds = Math.max(accepted / capacity, acceptSeconds) + (smsc ? 0 : DELIVERY_DELAY_MS / 1000);
    // Give up at 10× the ideal (and at least a minute): the figure then says how far it got.
    await receiver.waitFor(accepted, Math.max(60_000, idealSeconds * 10_000));
    const cpu = spending && { ...spending.end(), loadMs: runs.reduce((sum, r) => sum + (r.loadCpuPerRequest * r.total) / 1000, 0) };
    const endToEndSeconds = (receiver.lastAt - started) / 1000;
    await during;
    const submits = smsc?.submits.slice(submittedBefore) ?? [];
    if (connector) {
      const gone = await fetch(`${base}/_shortroute/Accounts/${ACCOUNT_SID}/Connectors/${connector.sid}`, {
        method: 'DELETE',
        headers: { authorization: AUTH },
      });
      if (gone.status !== 204) throw new Error(`deleting the bench's connector: ${gone.status}`);
    }
    return {
      messages: accepted,
      acceptSeconds,
      acceptPerSecond: accepted / acceptSeconds,
      endToEndSeconds,
      deliveredPerSecond: receiver.delivered.size / endToEndSeconds,
      idealSeconds,
      ratio: receiver.delivered.size === accepted ? idealSeconds / endToEndSeconds : 0,
      missing: accepted - receiver.delivered.size,
      backlog,
      ...(submits.length > 1 && { submitsPerSecond: (submits.length - 1) / ((submits.at(-1)!.at - submits[0]!.at) / 1000) }),
      ...(cpu && { cpu }),
    };
  } finally {
    await receiver.close();
  }
}

/**
 * Submits a second through one SMPP connector (window 10) with a backlog: `messages` are sent
 * through 20 short codes while the connector cannot bind (a wrong password), handed to it by the
 * network, and then the right password lets it bind; the figure is the SMSC's, from the first
 * submit_sm to the last. The connector is removed once every message is delivered.
 */
export async function smppDrain(base: string, smsc: Smsc, messages: number, firstShortCode: number): Promise<{ submitsPerSecond: number }> {
  const connectors = `/_shortroute/Accounts/${ACCOUNT_SID}/Connectors`;
  const connector = await post(base, connectors, {
    Host: '127.0.0.1',
    Port: String(smsc.port),
    SystemId: smsc.systemId,
    Password: `not-${smsc.password}`.slice(0, 8),
    WindowSize: '10',
    Throughput: '10000',
  });
  const service = await post(base, '/v1/Services', { FriendlyName: 'Bench SMPP backlog' });
  for (let i = 0; i < SHORT_CODES; i++) {
    const code = await post(base, `/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes.json`, { ShortCode: String(firstShortCode + i) });
    await post(base, `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: code.sid });
    await post(base, `${connectors}/${connector.sid}/Senders`, { SenderSid: code.sid });
  }
  const bodies = Array.from({ length: messages }, (_, i) => ({
    path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
    body: new URLSearchParams({ To: `+1415${String(6_000_000 + i).padStart(7, '0')}`, MessagingServiceSid: service.sid, Body: `Your code is ${i}` }).toString(),
  }));
  const run = await drive({
    url: base,
    headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
    connections: 20,
    amount: messages,
    bodies,
  });
  const accepted = messages - run.non2xx - run.errors;
  // Every message handed to the connector (none left `queued` in a sender's queue).
  const none = async (status: string) => {
    const r = await fetch(`${base}/_shortroute/Accounts/${ACCOUNT_SID}/Messages?Status=${status}&MessagingServiceSid=${service.sid}&PageSize=1`, {
      headers: { authorization: AUTH },
    });
    return ((await r.json()) as { messages: unknown[] }).messages.length === 0;
  };
  while (!(await none('queued')) || !(await none('accepted'))) await new Promise((go) => setTimeout(go, 200));
  const before = smsc.submits.length;
  const fixed = await fetch(`${base}${connectors}/${connector.sid}`, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ Password: smsc.password }),
  });
  if (fixed.status !== 200) throw new Error(`the bench's connector: ${fixed.status} ${await fixed.text()}`);
  await smsc.until(() => smsc.submits.length - before >= accepted, 'every submit of the backlog', 120_000);
  const submits = smsc.submits.slice(before);
  while (!(await none('sending')) || !(await none('sent'))) await new Promise((go) => setTimeout(go, 100));
  const gone = await fetch(`${base}${connectors}/${connector.sid}`, { method: 'DELETE', headers: { authorization: AUTH } });
  if (gone.status !== 204) throw new Error(`deleting the bench's connector: ${gone.status}`);
  return { submitsPerSecond: (submits.length - 1) / ((submits.at(-1)!.at - submits[0]!.at) / 1000) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [base, count] = process.argv.slice(2);
  if (!base) throw new Error('usage: bench/network.ts <base URL> [messages]');
  console.log(await networkEndToEnd(base, Number(count ?? 4000), 50000 + Math.floor(Math.random() * 40000)));
}
