import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { newMessage } from '../../src/sending/message.js';
import type { StartOptions } from '../../src/app.js';
import type { BackendName } from './backends.js';
import { Receiver } from './receiver.js';
import { startTestServer, type TestServer } from './server.js';

/** Any JSON body, for tests that read fields without typing them. */
export type Json = any;

/** A test server this suite started, with `cleanup()` to stop it and delete its data. */
export type StartedServer = TestServer & { cleanup(): Promise<void> };

/** When every messaging suite's FakeClock starts. */
export const START = '2026-03-01T00:00:00Z';

/** A message as a handset received it (GET /_shortroute/Accounts/{AC}/Handsets/{number}/Messages). */
export interface HandsetMessage {
  sid: string;
  from: string;
  to: string;
  body: string;
  media_urls: string[];
  num_segments: number;
  status: string;
  date_sent: string | null;
}

/** One entry of the webhook log (GET /_shortroute/Accounts/{AC}/Webhooks), with its attempts. */
export interface Webhook {
  sid: string;
  message_sid: string;
  kind: string;
  url: string;
  method: string;
  params: Record<string, string | string[]>;
  idempotency_token: string;
  status: string;
  error_code: number | null;
  next_attempt_at: string | null;
  attempts: {
    attempt: number;
    date: string;
    error: string | null;
    request: { url: string; method: string; headers: Record<string, string> };
    response: { status: number; headers: Record<string, string>; body: string } | null;
  }[];
}

/** What the use* helpers answer: the clock at once; the server and receiver once the suite's hooks have started them. */
export interface MessagingEnv {
  readonly clock: FakeClock;
  readonly server: StartedServer;
  readonly receiver: Receiver;
}

function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the ${what} is only there once the suite's before() hook has run`);
  return value;
}

/** Registers before/after hooks that start a server on a FakeClock at START (plus `start` options) and clean it up. */
export function useTestServer(backend: BackendName, start: StartOptions = {}): Omit<MessagingEnv, 'receiver'> {
  const clock = new FakeClock(START);
  let server: StartedServer | undefined;
  before(async () => {
    server = await startTestServer(backend, { clock, ...start });
  });
  after(() => server?.cleanup());
  return {
    clock,
    get server() {
      return ready(server, 'server');
    },
  };
}

/** Registers hooks that start a webhook Receiver for the suite (or for each test) and close it after. */
export function useReceiver(scope: 'suite' | 'test' = 'suite'): Pick<MessagingEnv, 'receiver'> {
  let receiver: Receiver | undefined;
  (scope === 'test' ? beforeEach : before)(async () => {
    receiver = await Receiver.start();
  });
  (scope === 'test' ? afterEach : after)(() => receiver?.close());
  return {
    get receiver() {
      return ready(receiver, 'receiver');
    },
  };
}

/** useTestServer then useReceiver: the usual messaging suite, a server on a FakeClock and a webhook Receiver. */
export function useMessagingServer(backend: BackendName, start: StartOptions = {}, receiverScope: 'suite' | 'test' = 'suite'): MessagingEnv {
  const withServer = useTestServer(backend, start);
  const withReceiver = useReceiver(receiverScope);
  return {
    clock: withServer.clock,
    get server() {
      return withServer.server;
    },
    get receiver() {
      return withReceiver.receiver;
    },
  };
}

let serial = 1000 + Math.floor(Math.random() * 8000);

/** A number not handed out before in this test process: for unique paths, numbers and codes. */
export const unique = (): number => serial++;

/** A fresh valid US number in the area code (phone numbers are unique on a server; the area code steers geomatch). */
export const usNumber = (area: string): string => `+1${area}555${String(unique() % 10000).padStart(4, '0')}`;

/** Buys a phone number (a fresh 415 one unless `values` names it) for the account, the server's own by default; asserts 201. */
export async function buyNumber(server: TestServer, values: Record<string, string> = {}, accountSid = server.account.sid) {
  const reply = await server.request('POST', `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers.json`, {
    PhoneNumber: values.PhoneNumber ?? usNumber('415'),
    ...values,
  });
  assert.equal(reply.status, 201, reply.text);
  return reply.body as { sid: string; phone_number: string };
}

/** Adds a phone number or short code to a Messaging Service's sender pool; asserts 201. */
export async function addToPool(server: TestServer, serviceSid: string, kind: 'PhoneNumbers' | 'ShortCodes', senderSid: string): Promise<void> {
  const reply = await server.request(
    'POST',
    `/v1/Services/${serviceSid}/${kind}`,
    kind === 'PhoneNumbers' ? { PhoneNumberSid: senderSid } : { ShortCodeSid: senderSid },
  );
  assert.equal(reply.status, 201, reply.text);
}

/** The simulated handset `from` texts `to` (with `media` URLs); asserts 201, settles the network unless `settle: false`, answers the inbound Message. */
export async function textFromHandset(server: TestServer, from: string, to: string, body: string, options: { media?: string[]; settle?: boolean } = {}) {
  const values: Record<string, string | string[]> = { To: to, Body: body };
  if (options.media && options.media.length > 0) values.MediaUrl = options.media;
  const reply = await server.request('POST', `/_shortroute/Accounts/${server.account.sid}/Handsets/${encodeURIComponent(from)}/Messages`, values);
  assert.equal(reply.status, 201, reply.text);
  if (options.settle !== false) await server.background.settle();
  return reply.body as { sid: string; direction: string; status: string; from: string; to: string; messaging_service_sid: string | null; body: string };
}

/** Every item of a paged Shortroute list, following meta.next_page_url; asserts 200 on each page. */
export async function allPages<T>(server: TestServer, path: string, key: string): Promise<T[]> {
  const items: T[] = [];
  let next: string | null = path;
  while (next) {
    const reply = await server.request('GET', next);
    assert.equal(reply.status, 200, reply.text);
    items.push(...(reply.body[key] as T[]));
    const url: string | null = reply.body.meta.next_page_url;
    next = url ? url.slice(new URL(url).origin.length) : null;
  }
  return items;
}

/** What the handset `number` received from the server's account, oldest first; asserts 200. */
export async function handsetInbox(server: TestServer, number: string): Promise<HandsetMessage[]> {
  return allPages<HandsetMessage>(server, `/_shortroute/Accounts/${server.account.sid}/Handsets/${encodeURIComponent(number)}/Messages`, 'messages');
}

/** The account's webhook log (the server's own account by default), filtered by `query` (MessageSid, Kind); asserts 200. */
export async function webhookLog<T = Webhook>(server: TestServer, query: Record<string, string> = {}, accountSid = server.account.sid): Promise<T[]> {
  return allPages<T>(server, `/_shortroute/Accounts/${accountSid}/Webhooks?${new URLSearchParams(query)}`, 'webhooks');
}

/** Moves the clock `ms` ahead in steps of `step` (one jump by default), settling the server's network after each. */
export async function advanceClock(server: TestServer, clock: FakeClock, ms: number, step = ms): Promise<void> {
  for (let left = ms; left > 0; left -= step) {
    clock.advance(Math.min(step, left));
    await server.background.settle();
  }
}

/**
 * A delivered outbound message of the account, dated `at`, as a row to write straight through the
 * store (a test that controls when it commits, or where it falls in the list).
 */
export function storedMessage(accountSid: string, body: string, at: string) {
  return newMessage({
    account_sid: accountSid,
    direction: 'outbound-api',
    from_address: '+15005550006',
    to_address: usNumber('415'),
    body,
    status: 'delivered',
    media: [],
    at,
  });
}
