// The event stream (GET /_shortroute/Accounts/{AccountSid}/Events) over a real socket: a message's
// changes and its status callbacks' attempts arrive live, in order, for the account alone; an
// inbound text arrives too; a reader that reconnects with Last-Event-ID gets what it missed and
// nothing twice; closing the server ends the stream; on PostgreSQL a stream on one node shows
// what another node did.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { addService, addShortCode, addSubaccount, assertTwilioError } from '../helpers/fixtures.js';
import { addToPool, advanceClock, storedMessage, textFromHandset, useMessagingServer, usNumber, type StartedServer } from '../helpers/messaging.js';
import { basicAuth, startAnother, startTestServer } from '../helpers/server.js';
import { EventStreamReader, type StreamEvent } from '../helpers/event-stream.js';
import { FakeClock } from '../../src/clock.js';

const eventsUrl = (server: StartedServer | { url: string }, accountSid: string) => `${server.url}/_shortroute/Accounts/${accountSid}/Events`;

async function serviceWithShortCode(server: StartedServer, values: Record<string, string> = {}) {
  const service = await addService(server, values);
  const code = await addShortCode(server, { CountryCode: 'US' });
  await addToPool(server, service.sid, 'ShortCodes', code.sid);
  return { sid: service.sid, shortCode: code.short_code as string };
}

const ofMessage = (sid: string) => (e: StreamEvent) => e.data.message_sid === sid;

for (const backend of BACKENDS) {
  describe(`[${backend}] the event stream`, () => {
    const env = useMessagingServer(backend, {}, 'test');

    test('refused without credentials (401, Twilio JSON) and for an account the caller cannot act for', async () => {
      const anonymous = await EventStreamReader.open(eventsUrl(env.server, env.server.account.sid), undefined);
      assert.equal(anonymous.status, 401);
      assert.equal(JSON.parse(await anonymous.text()).code, 20003);
      const other = await EventStreamReader.open(eventsUrl(env.server, `AC${'f'.repeat(32)}`), env.server.auth);
      assert.equal(other.status, 401);
      assert.equal(JSON.parse(await other.text()).code, 20003);
      const bad = await env.server.request('GET', `/_shortroute/Accounts/${env.server.account.sid}/Events?LastEventId=yesterday`);
      assertTwilioError(bad, 400, 20001);
      assert.match(bad.body.message, /LastEventId/);
    });

    test("a message's changes and its callbacks' attempts arrive live, in the order they happened", async () => {
      const stream = await EventStreamReader.open(eventsUrl(env.server, env.server.account.sid), env.server.auth);
      try {
        assert.equal(stream.status, 200);
        assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
        const ready = await stream.waitFor((e) => e.type === 'ready');
        assert.equal(ready.data.account_sid, env.server.account.sid);
        assert.ok(ready.id, 'ready carries the position to resume from');

        const service = await serviceWithShortCode(env.server, { StatusCallback: `${env.receiver.url}/status` });
        const to = usNumber('415');
        const sent = await env.server.request('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
          To: to,
          MessagingServiceSid: service.sid,
          Body: 'Watch me',
        });
        assert.equal(sent.status, 201, sent.text);
        const sid = sent.body.sid as string;
        await advanceClock(env.server, env.clock, 2_000);

        await stream.waitFor((e) => ofMessage(sid)(e) && e.type === 'message' && e.data.status === 'delivered');
        // settle() waited for the callbacks (queued, sent, delivered): their attempts are written.
        const attemptsOf = () => stream.events.filter((e) => e.type === 'webhook' && ofMessage(sid)(e));
        await stream.waitFor(() => attemptsOf().length >= 3);
        const changes = stream.events.filter((e) => e.type === 'message' && ofMessage(sid)(e));
        assert.deepEqual(
          changes.map((e) => e.data.status),
          ['accepted', 'queued', 'sending', 'sent', 'delivered'],
        );
        assert.deepEqual(
          changes.map((e) => e.data.seq),
          [1, 2, 3, 4, 5],
        );
        const queued = changes[1]!.data;
        assert.equal(queued.direction, 'outbound-api');
        assert.equal(queued.from, service.shortCode);
        assert.equal(queued.to, to);
        assert.equal(queued.messaging_service_sid, service.sid);
        assert.match(queued.detail, /by short_code$/, 'the Copilot rule that chose the sender');
        const attempts = attemptsOf();
        assert.equal(attempts.length, 3, 'queued, sent and delivered callbacks, once each');
        for (const attempt of attempts) {
          assert.equal(attempt.data.kind, 'status_callback');
          assert.equal(attempt.data.attempt, 1);
          assert.equal(attempt.data.response_status, 200);
          assert.ok(attempt.data.url.endsWith('/status'));
        }
        // A callback's attempt comes after the change it reports.
        const at = (e: StreamEvent) => stream.events.indexOf(e);
        assert.ok(at(attempts[0]!) > at(changes[1]!));
      } finally {
        stream.close();
      }
    });

    test("an inbound text arrives as a received message; a subaccount's stream shows none of its parent's messages", async () => {
      const sub = await addSubaccount(env.server, { FriendlyName: 'watching its own' });
      const subStream = await EventStreamReader.open(eventsUrl(env.server, sub.sid), basicAuth(sub.sid, sub.auth_token));
      const stream = await EventStreamReader.open(eventsUrl(env.server, env.server.account.sid), env.server.auth);
      try {
        await Promise.all([subStream.waitFor((e) => e.type === 'ready'), stream.waitFor((e) => e.type === 'ready')]);
        const service = await serviceWithShortCode(env.server);
        const handset = usNumber('212');
        const inbound = await textFromHandset(env.server, handset, service.shortCode, 'hello from a phone');
        const received = await stream.waitFor((e) => ofMessage(inbound.sid)(e) && e.data.status === 'received');
        assert.equal(received.data.direction, 'inbound');
        assert.equal(received.data.from, handset);
        assert.equal(received.data.to, service.shortCode);

        // The subaccount's own message shows on its stream; the parent's never did.
        const reply = await env.server.request('POST', `/2010-04-01/Accounts/${sub.sid}/Messages.json`, {
          To: usNumber('415'),
          From: '+15005550006',
          Body: 'mine',
        });
        assert.equal(reply.status, 201, reply.text);
        await subStream.waitFor((e) => ofMessage(reply.body.sid)(e));
        assert.deepEqual(
          subStream.events.filter((e) => e.type !== 'ready').map((e) => e.data.account_sid),
          subStream.events.filter((e) => e.type !== 'ready').map(() => sub.sid),
        );
        assert.equal(
          subStream.events.some((e) => e.data.message_sid === inbound.sid),
          false,
        );
      } finally {
        subStream.close();
        stream.close();
      }
    });

    test('a reader that reconnects with Last-Event-ID gets what happened meanwhile, and nothing it had', async () => {
      const service = await serviceWithShortCode(env.server);
      const send = async (body: string) => {
        const reply = await env.server.request('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
          To: usNumber('415'),
          MessagingServiceSid: service.sid,
          Body: body,
        });
        assert.equal(reply.status, 201, reply.text);
        return reply.body.sid as string;
      };
      const first = await EventStreamReader.open(eventsUrl(env.server, env.server.account.sid), env.server.auth);
      await first.waitFor((e) => e.type === 'ready');
      const before = await send('before the break');
      await first.waitFor((e) => ofMessage(before)(e) && e.data.status === 'accepted');
      const resumeFrom = first.lastEventId!;
      first.close();

      const during = await send('during the break');
      const again = await EventStreamReader.open(eventsUrl(env.server, env.server.account.sid), env.server.auth, { 'last-event-id': resumeFrom });
      try {
        await again.waitFor((e) => ofMessage(during)(e) && e.data.status === 'accepted');
        assert.equal(
          again.events.some((e) => ofMessage(before)(e) && e.data.status === 'accepted'),
          false,
          'an event read before the break is not sent again',
        );
      } finally {
        again.close();
      }
    });

    test('closing the server ends its open streams', async () => {
      const server = await startTestServer(backend, { clock: new FakeClock('2026-03-01T00:00:00Z') });
      let stream: EventStreamReader | undefined;
      try {
        stream = await EventStreamReader.open(eventsUrl(server, server.account.sid), server.auth);
        await stream.waitFor((e) => e.type === 'ready');
      } finally {
        await server.cleanup();
      }
      await stream.closed();
    });

    test('after a Reset took the newest rows, new rows still reach an open stream: numbers are never handed out twice', async () => {
      const stream = await EventStreamReader.open(eventsUrl(env.server, env.server.account.sid), env.server.auth);
      try {
        await stream.waitFor((e) => e.type === 'ready');
        const send = async (body: string) => {
          const reply = await env.server.request('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
            From: '+15005550006',
            To: usNumber('415'),
            Body: body,
          });
          assert.equal(reply.status, 201, reply.text);
          return reply.body.sid as string;
        };
        const first = await send('before the reset');
        await stream.waitFor(ofMessage(first));
        const reset = await env.server.request('POST', `/_shortroute/Accounts/${env.server.account.sid}/Reset`);
        assert.equal(reset.status, 204, reset.text);
        const second = await send('after the reset');
        // Its first change, which took the number the reset freed when numbers were rowids.
        await stream.waitFor((e) => ofMessage(second)(e) && e.data.seq === 1, 3_000);
      } finally {
        stream.close();
      }
    });

    if (backend === 'postgres') {
      test('a change whose transaction commits seconds after later-numbered changes were read still reaches the stream', async () => {
        const stream = await EventStreamReader.open(eventsUrl(env.server, env.server.account.sid), env.server.auth);
        try {
          await stream.waitFor((e) => e.type === 'ready');
          const { store } = env.server;
          const message = (body: string) => storedMessage(env.server.account.sid, body, env.clock.now().toISOString());
          const change = async (tx: typeof store, row: ReturnType<typeof message>) => {
            await tx.messages.insert(row);
            await tx.messages.addEvent({ message_sid: row.sid, status: 'delivered', detail: null, date: env.clock.now().toISOString() });
          };
          const late = message('numbered first, committed last');
          let release = () => {};
          const held = new Promise<void>((go) => (release = go));
          let numbered = () => {};
          const takenNumber = new Promise<void>((go) => (numbered = go));
          const slow = store.transaction(async (tx) => {
            await change(tx, late);
            numbered();
            await held;
          });
          await takenNumber;
          // Eight later changes, each committed and read while the first stays open: well over a
          // second of the stream's polls (a look back bounded by time alone gave up after 1 s).
          for (let i = 0; i < 8; i++) {
            const later = message(`numbered and committed after it, ${i}`);
            await change(store, later);
            await stream.waitFor(ofMessage(later.sid));
          }
          release();
          await slow;
          await stream.waitFor(ofMessage(late.sid), 5_000);
        } finally {
          stream.close();
        }
      });

      test('a stream on one node shows a message sent through another', async () => {
        const other = await startAnother(env.server);
        const stream = await EventStreamReader.open(eventsUrl(env.server, env.server.account.sid), env.server.auth);
        try {
          await stream.waitFor((e) => e.type === 'ready');
          const reply = await other.request('POST', `/2010-04-01/Accounts/${other.account.sid}/Messages.json`, {
            To: usNumber('415'),
            From: '+15005550006',
            Body: 'through node B',
          });
          assert.equal(reply.status, 201, reply.text);
          const seen = await stream.waitFor((e) => ofMessage(reply.body.sid)(e));
          assert.equal(seen.data.status, 'queued');
        } finally {
          stream.close();
          await other.close();
        }
      });
    }
  });
}
