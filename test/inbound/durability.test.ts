// The webhook outbox across restarts: a webhook written with its inbound message survives a node
// that stops mid-delivery and is delivered by the next node on the same data; what was delivered
// is not sent again; retries are bounded, and the count survives a restart.

import assert from 'node:assert/strict';
import { afterEach, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { toStored } from '../../src/http/dates.js';
import { BACKENDS } from '../helpers/backends.js';
import { startAnother, startTestServer, type TestServer } from '../helpers/server.js';
import {
  advanceClock,
  buyNumber,
  handsetInbox,
  START,
  textFromHandset,
  unique,
  useReceiver,
  usNumber,
  webhookLog,
  type StartedServer,
} from '../helpers/messaging.js';
import { Receiver, type Answer, type Received } from '../helpers/receiver.js';

const thanks: Answer = { status: 200, contentType: 'text/xml', body: '<Response><Message>Thanks</Message></Response>' };

for (const backend of BACKENDS) {
  describe(`[${backend}] webhook durability across restarts`, () => {
    const env = useReceiver();
    let answer: Answer = { status: 200, contentType: 'text/xml', body: '<Response/>' };
    /** Everything a test started, stopped afterwards: later nodes first, then the first (and its data). */
    let nodes: TestServer[] = [];
    let first: StartedServer | undefined;

    before(() => env.receiver.answer(() => answer));
    afterEach(async () => {
      env.receiver.release();
      for (const node of nodes.reverse()) await node.close();
      nodes = [];
      await first?.cleanup();
      first = undefined;
      answer = { status: 200, contentType: 'text/xml', body: '<Response/>' };
    });

    async function start(clock: FakeClock) {
      first = await startTestServer(backend, { clock, webhooks: { timeoutMs: 200 } });
      return first;
    }
    async function restart(server: TestServer, clock: FakeClock) {
      const node = await startAnother(server, { clock });
      nodes.push(node);
      return node;
    }
    const buy = (server: TestServer, values: Record<string, string>) => buyNumber(server, values);
    const text = (server: TestServer, from: string, to: string, body: string) => textFromHandset(server, from, to, body, { settle: false });
    const advance = (server: TestServer, clock: FakeClock, ms: number, step = 500) => advanceClock(server, clock, ms, step);
    const webhooks = (server: TestServer, messageSid: string, kind?: string) => webhookLog(server, { MessageSid: messageSid, ...(kind ? { Kind: kind } : {}) });
    const inbox = (server: TestServer, number: string) => handsetInbox(server, number);
    const requestsFor = (sid: string, path?: string): Received[] =>
      env.receiver.requests.filter((r) => r.params.MessageSid === sid && (!path || r.path === path));
    /** A URL on which nothing listens: connections are refused. */
    async function refusingUrl(): Promise<string> {
      const closed = await Receiver.start();
      const url = closed.url;
      await closed.close();
      return url;
    }

    test('a node closes while the receiver hangs: the next node delivers the pending webhook, nothing lost', async () => {
      const clock = new FakeClock(START);
      const server = await start(clock);
      const path = `/hang-${unique()}`;
      const number = await buy(server, { SmsUrl: `${env.receiver.url}${path}` });
      const handset = usNumber('312');
      answer = 'hang';
      const before = env.receiver.requests.length;
      const inbound = await text(server, handset, number.phone_number, 'Are you there?');
      await env.receiver.waitFor(before + 1);
      // close() waits for the delivery in flight: it times out and is recorded before the node stops.
      await server.close();

      answer = thanks;
      const next = await restart(server, clock);
      let [hook] = await webhooks(next, inbound.sid);
      assert.equal(hook!.status, 'pending');
      assert.equal(hook!.attempts.length, 1);
      assert.match(hook!.attempts[0]!.error ?? '', /200 ms/);

      await advance(next, clock, 1000);
      const requests = requestsFor(inbound.sid, path);
      assert.equal(requests.length, 2);
      assert.equal(requests[0]!.headers['i-twilio-idempotency-token'], requests[1]!.headers['i-twilio-idempotency-token']);
      assert.ok(requests.every((r) => Receiver.valid(r, next.account.auth_token)));
      [hook] = await webhooks(next, inbound.sid);
      assert.equal(hook!.status, 'delivered');
      assert.deepEqual(
        hook!.attempts.map((a) => a.attempt),
        [1, 2],
      );

      // The TwiML the second node got is run: the reply reaches the handset.
      await advance(next, clock, 2000);
      assert.deepEqual(
        (await inbox(next, handset)).map((m) => [m.body, m.status]),
        [['Thanks', 'delivered']],
      );
    });

    test('a message received while no node ran its network is delivered by the next node', async () => {
      const clock = new FakeClock(START);
      const server = await start(clock);
      const path = `/later-${unique()}`;
      const number = await buy(server, { SmsUrl: `${env.receiver.url}${path}` });
      answer = 'hang';
      const before = env.receiver.requests.length;
      const inbound = await text(server, usNumber('312'), number.phone_number, 'one');
      await env.receiver.waitFor(before + 1);
      await server.close();

      // The next node starts, then stops again before the retry is due: the webhook waits.
      const second = await restart(server, clock);
      await second.close();
      answer = thanks;
      clock.advance(5000);
      const third = await restart(server, clock);
      await third.background.settle();
      assert.equal(requestsFor(inbound.sid, path).length, 2);
      const [hook] = await webhooks(third, inbound.sid);
      assert.equal(hook!.status, 'delivered');
    });

    test("a receiver that answered 2xx is not called again after a restart; nor are the reply's status callbacks", async () => {
      const clock = new FakeClock(START);
      const server = await start(clock);
      const path = `/ok-${unique()}`;
      const statusPath = `/status-${unique()}`;
      answer = { status: 200, contentType: 'text/xml', body: `<Response><Message statusCallback="${statusPath}">Got it</Message></Response>` };
      const number = await buy(server, { SmsUrl: `${env.receiver.url}${path}` });
      const handset = usNumber('312');
      const inbound = await text(server, handset, number.phone_number, 'hello');
      await server.background.settle();
      assert.equal(requestsFor(inbound.sid, path).length, 1);
      // Half-way through the reply's life: sending, not yet sent.
      await advance(server, clock, 500);
      await server.close();

      const next = await restart(server, clock);
      await advance(next, clock, 60_000, 1000);
      assert.equal(requestsFor(inbound.sid, path).length, 1, 'the inbound webhook was delivered once');
      const [reply] = await inbox(next, handset);
      assert.ok(reply);
      assert.equal(reply.status, 'delivered');
      const statuses = requestsFor(reply.sid, statusPath).map((r) => r.params.MessageStatus);
      assert.deepEqual(statuses, ['sent', 'delivered']);

      // And once more, with nothing pending.
      await next.close();
      const last = await restart(server, clock);
      await advance(last, clock, 60_000, 10_000);
      assert.equal(requestsFor(inbound.sid, path).length, 1);
      assert.deepEqual(
        requestsFor(reply.sid, statusPath).map((r) => r.params.MessageStatus),
        ['sent', 'delivered'],
      );
      assert.equal((await inbox(last, handset)).length, 1);
    });

    test('a node that claimed a webhook and died: another node takes it once the lease runs out', async () => {
      const clock = new FakeClock(START);
      const server = await start(clock);
      const path = `/lease-${unique()}`;
      const number = await buy(server, { SmsUrl: `${env.receiver.url}${path}` });
      answer = 'hang';
      const before = env.receiver.requests.length;
      const inbound = await text(server, usNumber('312'), number.phone_number, 'lease');
      await env.receiver.waitFor(before + 1);
      await server.close();

      const next = await restart(server, clock);
      // As if a third node had claimed the retry (before it is due here) and died without recording it.
      const [row] = await next.store.webhooks.list(next.account.sid, { messageSid: inbound.sid });
      assert.ok(row);
      assert.equal(row.status, 'pending');
      const leaseUntil = new Date(clock.now().getTime() + 60_000);
      assert.deepEqual(await next.store.webhooks.claimMany([row], 'a-third-node', toStored(leaseUntil), toStored(clock.now())), new Set([row.sid]));
      answer = thanks;
      await advance(next, clock, 59_000, 1000);
      assert.equal(requestsFor(inbound.sid, path).length, 1, 'not while the lease holds');

      await advance(next, clock, 2000, 1000);
      assert.equal(requestsFor(inbound.sid, path).length, 2);
      const [hook] = await webhooks(next, inbound.sid);
      assert.equal(hook!.status, 'delivered');
    });

    test('an inbound webhook whose receiver refuses connections: exactly 2 attempts, then failed', async () => {
      const clock = new FakeClock(START);
      const server = await start(clock);
      const number = await buy(server, { SmsUrl: `${await refusingUrl()}/sms` });
      const inbound = await text(server, usNumber('312'), number.phone_number, 'anyone?');
      await server.background.settle();
      await advance(server, clock, 120_000, 1000);
      const [hook] = await webhooks(server, inbound.sid);
      assert.equal(hook!.status, 'failed');
      assert.equal(hook!.error_code, 11205);
      assert.deepEqual(
        hook!.attempts.map((a) => a.attempt),
        [1, 2],
      );
      assert.ok(
        hook!.attempts.every((a) => a.response === null && /ECONNREFUSED/.test(a.error ?? '')),
        JSON.stringify(hook!.attempts),
      );
    });

    test('a status callback whose receiver refuses connections: exactly 5 attempts across a restart, then failed', async () => {
      const clock = new FakeClock(START);
      const server = await start(clock);
      const dead = await refusingUrl();
      const number = await buy(server, { SmsUrl: `${env.receiver.url}/reply-${unique()}` });
      answer = { status: 200, contentType: 'text/xml', body: `<Response><Message statusCallback="${dead}/status">Hi</Message></Response>` };
      const handset = usNumber('312');
      await text(server, handset, number.phone_number, 'hi');
      await server.background.settle();
      // The reply is sent after a second: its `sent` callback starts failing; stop after two tries.
      await advance(server, clock, 2000, 500);
      const [reply] = await inbox(server, handset);
      assert.ok(reply);
      await server.close();

      const next = await restart(server, clock);
      await advance(next, clock, 120_000, 1000);
      const hooks = await webhooks(next, reply.sid, 'status_callback');
      assert.equal(hooks.length, 2, 'the sent and delivered callbacks');
      for (const hook of hooks) {
        assert.equal(hook.status, 'failed');
        assert.equal(hook.error_code, 11205);
        assert.deepEqual(
          hook.attempts.map((a) => a.attempt),
          [1, 2, 3, 4, 5],
        );
      }
      // Nothing more later.
      await advance(next, clock, 600_000, 60_000);
      for (const hook of await webhooks(next, reply.sid, 'status_callback')) assert.equal(hook.attempts.length, 5);
    });
  });
}
