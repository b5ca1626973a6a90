// Status callbacks against a real HTTP receiver: every request is checked with the official SDK's
// validateRequest; the parameters are Twilio's; the message's StatusCallback wins over the
// service's; failures are retried with backoff and bounded; a hanging receiver blocks nothing;
// and a restart loses no callback and sends none twice beyond what the attempt log accounts for.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { startAnother, startTestServer, type TestServer } from '../helpers/server.js';
import { addService, addShortCode, addSubaccount } from '../helpers/fixtures.js';
import { addToPool, advanceClock, buyNumber, START, useMessagingServer, useReceiver, usNumber, webhookLog, type Json } from '../helpers/messaging.js';
import { Receiver, type Received } from '../helpers/receiver.js';

/** The parameters every status callback carries, whatever the status. */
const ALWAYS = ['AccountSid', 'ApiVersion', 'MessageSid', 'MessageStatus', 'SmsSid', 'SmsStatus', 'To'];

const keys = (request: Received) => Object.keys(request.params).sort();
const header = (request: Received, name: string) => request.headers[name.toLowerCase()] as string | undefined;

/** Helpers bound to one server: numbers, services, messages and the inspection endpoints. */
function on(server: TestServer, accountSid = server.account.sid) {
  const api = `/2010-04-01/Accounts/${accountSid}`;
  return {
    buy: () => buyNumber(server, { PhoneNumber: usNumber('312') }, accountSid),
    async serviceWith(values: Record<string, string> = {}) {
      const service = await addService(server, values);
      const sc = await addShortCode(server, { CountryCode: 'US' });
      await addToPool(server, service.sid, 'ShortCodes', sc.sid);
      return { sid: service.sid, shortCode: sc.short_code };
    },
    async send(values: Record<string, string>) {
      const reply = await server.request('POST', `${api}/Messages.json`, { To: usNumber('415'), Body: 'Hello', ...values });
      assert.equal(reply.status, 201, reply.text);
      return reply.body as Json;
    },
    async fetch(sid: string) {
      const reply = await server.request('GET', `${api}/Messages/${sid}.json`);
      assert.equal(reply.status, 200, reply.text);
      return reply.body as Json;
    },
    webhooks: (query: Record<string, string> = {}) => webhookLog<Json>(server, query, accountSid),
  };
}

for (const backend of BACKENDS) {
  describe(`[${backend}] status callbacks`, () => {
    // One server for the suite; a fresh receiver for each test.
    const env = useMessagingServer(backend, {}, 'test');

    const advance = (ms: number) => advanceClock(env.server, env.clock, ms);

    const callbacks = (sid: string) => env.receiver.requests.filter((r) => r.params.MessageSid === sid);

    test("a service message's callbacks: queued, sent, delivered, signed, with Twilio's parameters and no Body", async () => {
      const api = on(env.server);
      const service = await api.serviceWith();
      const to = usNumber('415');
      const message = await api.send({ MessagingServiceSid: service.sid, To: to, Body: 'Secret body', StatusCallback: `${env.receiver.url}/status?tag=1` });
      await env.server.background.settle();
      await advance(1000);
      await advance(1000);
      const got = callbacks(message.sid);
      assert.deepEqual(
        got.map((r) => r.params.MessageStatus),
        ['queued', 'sent', 'delivered'],
      );
      for (const request of got) {
        assert.equal(request.method, 'POST');
        assert.equal(request.path, '/status');
        assert.ok(Receiver.valid(request, env.server.account.auth_token), `signature of ${request.params.MessageStatus}`);
        assert.ok(!Receiver.valid(request, 'some-other-token'));
        assert.match(header(request, 'content-type') ?? '', /^application\/x-www-form-urlencoded/);
        assert.match(header(request, 'i-twilio-idempotency-token') ?? '', /\S/);
        const p = request.params;
        assert.equal(p.MessageSid, message.sid);
        assert.equal(p.SmsSid, message.sid);
        assert.equal(p.SmsStatus, p.MessageStatus);
        assert.equal(p.AccountSid, env.server.account.sid);
        assert.equal(p.From, service.shortCode);
        assert.equal(p.To, to);
        assert.equal(p.ApiVersion, '2010-04-01');
        assert.equal(p.MessagingServiceSid, service.sid);
        assert.equal(p.Body, undefined);
        assert.equal(p.NumMedia, undefined);
        assert.equal(p.ErrorCode, undefined);
      }
      assert.deepEqual(keys(got[0]!), [...ALWAYS, 'From', 'MessagingServiceSid'].sort());
      assert.deepEqual(keys(got[1]!), [...ALWAYS, 'From', 'MessagingServiceSid'].sort());
      assert.deepEqual(keys(got[2]!), [...ALWAYS, 'From', 'MessagingServiceSid', 'RawDlrDoneDate'].sort());
      // The receipt: 1 s after sent, sent 10 ms after the start (a short code); YYMMDDhhmm in UTC.
      assert.equal(got[2]!.params.RawDlrDoneDate, '2603010000');
      // Each callback is its own webhook, with its own idempotency token.
      assert.equal(new Set(got.map((r) => header(r, 'i-twilio-idempotency-token'))).size, 3);
    });

    test('a message sent with From: no MessagingServiceSid, and no callback for its initial queued status', async () => {
      const api = on(env.server);
      const from = (await api.buy()).phone_number;
      const message = await api.send({ From: from, StatusCallback: `${env.receiver.url}/from` });
      await advance(5000);
      const got = callbacks(message.sid);
      assert.deepEqual(
        got.map((r) => r.params.MessageStatus),
        ['sent', 'delivered'],
      );
      for (const request of got) {
        assert.ok(Receiver.valid(request, env.server.account.auth_token));
        assert.equal(request.params.MessagingServiceSid, undefined);
        assert.equal(request.params.From, from);
      }
    });

    test('failures carry ErrorCode: undelivered (with RawDlrDoneDate) and failed (without)', async () => {
      const api = on(env.server);
      const from = (await api.buy()).phone_number;
      const to = usNumber('415');
      const rule = await env.server.request('POST', `/_shortroute/Accounts/${env.server.account.sid}/DeliveryRules`, { To: to, ErrorCode: '30005' });
      assert.equal(rule.status, 201, rule.text);
      const undelivered = await api.send({ From: from, To: to, StatusCallback: `${env.receiver.url}/fail` });
      const empty = await addService(env.server);
      const failed = await api.send({ MessagingServiceSid: empty.sid, StatusCallback: `${env.receiver.url}/fail` });
      await advance(5000);

      const [sent, dlr] = callbacks(undelivered.sid);
      assert.equal(sent!.params.MessageStatus, 'sent');
      assert.equal(dlr!.params.MessageStatus, 'undelivered');
      assert.equal(dlr!.params.ErrorCode, '30005');
      assert.match(dlr!.params.RawDlrDoneDate as string, /^\d{10}$/);
      assert.ok(Receiver.valid(dlr!, env.server.account.auth_token));

      const [only, ...rest] = callbacks(failed.sid);
      assert.deepEqual(rest, []);
      assert.deepEqual(keys(only!), [...ALWAYS, 'ErrorCode', 'MessagingServiceSid'].sort());
      assert.equal(only!.params.MessageStatus, 'failed');
      assert.equal(only!.params.ErrorCode, '21704');
      assert.ok(Receiver.valid(only!, env.server.account.auth_token));
    });

    test("a subaccount's callbacks are signed with the subaccount's auth token", async () => {
      const sub = await addSubaccount(env.server, { FriendlyName: 'Signed apart' });
      const api = on(env.server, sub.sid);
      const from = (await api.buy()).phone_number;
      const message = await api.send({ From: from, StatusCallback: `${env.receiver.url}/sub` });
      assert.equal(message.account_sid, sub.sid);
      await advance(5000);
      const got = callbacks(message.sid);
      assert.deepEqual(
        got.map((r) => r.params.MessageStatus),
        ['sent', 'delivered'],
      );
      for (const request of got) {
        assert.equal(request.params.AccountSid, sub.sid);
        assert.ok(Receiver.valid(request, sub.auth_token), 'signed with the subaccount token');
        assert.ok(!Receiver.valid(request, env.server.account.auth_token), 'not with the owner token');
      }
    });

    test("the message's StatusCallback wins over the service's status_callback; without one the service's is used", async () => {
      const api = on(env.server);
      const service = await api.serviceWith({ StatusCallback: `${env.receiver.url}/service` });
      const own = await api.send({ MessagingServiceSid: service.sid, StatusCallback: `${env.receiver.url}/message` });
      const inherited = await api.send({ MessagingServiceSid: service.sid });
      // A second at a time, as a carrier's statuses come: moved 5 s at once, `sent` and
      // `delivered` fall due together and their callbacks race (arrival order is not
      // guaranteed, as on Twilio; docs/compatibility.md).
      await advanceClock(env.server, env.clock, 5000, 1000);
      assert.deepEqual(
        callbacks(own.sid).map((r) => r.path),
        ['/message', '/message', '/message'],
      );
      assert.deepEqual(
        callbacks(inherited.sid).map((r) => r.path),
        ['/service', '/service', '/service'],
      );
      assert.deepEqual(
        callbacks(inherited.sid).map((r) => r.params.MessageStatus),
        ['queued', 'sent', 'delivered'],
      );
      for (const request of [...callbacks(own.sid), ...callbacks(inherited.sid)]) assert.ok(Receiver.valid(request, env.server.account.auth_token));
    });

    test('a receiver answering 500 is retried after 1 s, 2 s, 4 s, 8 s, then given up; every attempt is logged', async () => {
      env.receiver.answer({ status: 500, contentType: 'text/plain', body: 'broken' });
      const api = on(env.server);
      const empty = await addService(env.server);
      const message = await api.send({ MessagingServiceSid: empty.sid, StatusCallback: `${env.receiver.url}/retry` });
      await env.server.background.settle();
      assert.equal(callbacks(message.sid).length, 1);
      const waits = [1000, 2000, 4000, 8000];
      for (const [i, wait] of waits.entries()) {
        await advance(wait - 1);
        assert.equal(callbacks(message.sid).length, i + 1, `attempt ${i + 2} waits ${wait} ms`);
        const [pending] = await api.webhooks({ MessageSid: message.sid });
        assert.equal(pending.status, 'pending');
        assert.equal(pending.error_code, 11200);
        await advance(1);
        assert.equal(callbacks(message.sid).length, i + 2);
      }
      // Five attempts in all, then nothing more.
      await advance(3_600_000);
      const got = callbacks(message.sid);
      assert.equal(got.length, 5);
      const tokens = new Set(got.map((r) => header(r, 'i-twilio-idempotency-token')));
      assert.equal(tokens.size, 1, 'one idempotency token across the attempts');
      for (const request of got) assert.ok(Receiver.valid(request, env.server.account.auth_token));

      const [hook] = await api.webhooks({ MessageSid: message.sid });
      assert.equal(hook.status, 'failed');
      assert.equal(hook.error_code, 11200);
      assert.equal(hook.next_attempt_at, null);
      assert.equal(hook.kind, 'status_callback');
      assert.equal(hook.url, `${env.receiver.url}/retry`);
      assert.equal(hook.params.MessageStatus, 'failed');
      assert.equal(hook.params.ErrorCode, '21704');
      assert.deepEqual(
        hook.attempts.map((a: Json) => a.attempt),
        [1, 2, 3, 4, 5],
      );
      const start = Date.parse(hook.attempts[0].date);
      assert.deepEqual(
        hook.attempts.map((a: Json) => Date.parse(a.date) - start),
        [0, 1000, 3000, 7000, 15000],
      );
      for (const attempt of hook.attempts) {
        assert.equal(attempt.request.url, `${env.receiver.url}/retry`);
        assert.equal(attempt.request.method, 'POST');
        assert.equal(attempt.request.headers['X-Twilio-Signature'], header(got[0]!, 'x-twilio-signature'));
        assert.equal(attempt.request.headers['I-Twilio-Idempotency-Token'], hook.idempotency_token);
        assert.equal(attempt.response.status, 500);
        assert.equal(attempt.response.body, 'broken');
        assert.equal(attempt.error, 'error 11200');
      }
      assert.equal([...tokens][0], hook.idempotency_token);
    });

    test('a hanging receiver does not block the API; once it answers, the callback is delivered', async () => {
      env.receiver.answer('hang');
      const api = on(env.server);
      const service = await api.serviceWith();
      const message = await api.send({ MessagingServiceSid: service.sid, StatusCallback: `${env.receiver.url}/hang` });
      await env.receiver.waitFor(1);
      // The callback is in flight and unanswered; the API still answers.
      const other = await api.send({ MessagingServiceSid: service.sid });
      assert.equal(other.status, 'accepted');
      assert.equal((await api.fetch(message.sid)).sid, message.sid);
      const [inFlight] = await api.webhooks({ MessageSid: message.sid });
      assert.equal(inFlight.status, 'pending');
      assert.deepEqual(inFlight.attempts, []);
      env.receiver.answer({ status: 204 });
      env.receiver.release();
      await env.server.background.settle();
      const [done] = await api.webhooks({ MessageSid: message.sid });
      assert.equal(done.status, 'delivered');
      assert.deepEqual(
        done.attempts.map((a: Json) => a.response?.status),
        [200],
      );
    });
  });

  describe(`[${backend}] status callbacks: time limit and restart`, () => {
    const env = useReceiver('test');

    test('a receiver that does not answer within timeoutMs fails the attempt (11205); the retry succeeds after release', async () => {
      const clock = new FakeClock(START);
      const server = await startTestServer(backend, { clock, webhooks: { timeoutMs: 200 } });
      try {
        env.receiver.answer('hang');
        const api = on(server);
        const service = await api.serviceWith();
        const message = await api.send({ MessagingServiceSid: service.sid, StatusCallback: `${env.receiver.url}/slow` });
        await server.background.settle();
        const [first] = await api.webhooks({ MessageSid: message.sid });
        assert.equal(first.params.MessageStatus, 'queued');
        assert.equal(first.status, 'pending');
        assert.equal(first.error_code, 11205);
        assert.equal(first.attempts.length, 1);
        assert.equal(first.attempts[0].response, null);
        assert.equal(first.attempts[0].error, 'no answer within 200 ms');
        // While it hung, the API answered: the message was fetched and moved on regardless.
        assert.equal((await api.fetch(message.sid)).status, 'sending');

        env.receiver.answer({ status: 200 });
        env.receiver.release();
        clock.advance(1000);
        await server.background.settle();
        const [queued] = await api.webhooks({ MessageSid: message.sid });
        assert.equal(queued.status, 'delivered');
        assert.deepEqual(
          queued.attempts.map((a: Json) => a.response?.status ?? null),
          [null, 200],
        );
        const got = env.receiver.requests.filter((r) => r.params.MessageSid === message.sid && r.params.MessageStatus === 'queued');
        assert.equal(got.length, 2);
        assert.equal(header(got[0]!, 'i-twilio-idempotency-token'), header(got[1]!, 'i-twilio-idempotency-token'));
        for (const request of got) assert.ok(Receiver.valid(request, server.account.auth_token));
      } finally {
        await server.cleanup();
      }
    });

    test('redirects are followed (a 307 keeps the POST, a 302 turns it into a GET); a redirect loop fails the attempt with 11215', async () => {
      const server = await startTestServer(backend, { clock: new FakeClock(START) });
      try {
        env.receiver.answer((request) => {
          if (request.path === '/moved') return { status: 307, headers: { location: '/here' } };
          if (request.path === '/found') return { status: 302, headers: { location: `${env.receiver.url}/here` } };
          if (request.path === '/loop') return { status: 302, headers: { location: '/loop' } };
          return { status: 204 };
        });
        const api = on(server);
        const service = await api.serviceWith();
        const sent: Record<string, string> = {};
        for (const path of ['/moved', '/found', '/loop']) {
          sent[path] = (await api.send({ MessagingServiceSid: service.sid, StatusCallback: `${env.receiver.url}${path}` })).sid;
        }
        await server.background.settle();
        const queued = (sid: string) => env.receiver.requests.filter((r) => r.params.MessageSid === sid && r.params.MessageStatus === 'queued');
        const moved = queued(sent['/moved']!);
        assert.deepEqual(
          moved.map((r) => `${r.method} ${r.path}`),
          ['POST /moved', 'POST /here'],
        );
        assert.ok(Receiver.valid(moved[0]!, server.account.auth_token));
        // The GET carries no form: only the path tells it from the others.
        assert.deepEqual(
          env.receiver.requests.filter((r) => r.method === 'GET').map((r) => r.path),
          ['/here'],
        );
        for (const path of ['/moved', '/found']) {
          const [redirected] = await api.webhooks({ MessageSid: sent[path]! });
          assert.equal(redirected.status, 'delivered', path);
          assert.equal(redirected.attempts[0].response.status, 204, path);
        }
        const [looped] = await api.webhooks({ MessageSid: sent['/loop']! });
        assert.equal(looped.status, 'pending', 'retried later, like any failed attempt');
        assert.equal(looped.error_code, 11215);
        assert.match(looped.attempts[0].error, /too many redirects/);
      } finally {
        await server.cleanup();
      }
    });

    test('a callback still in flight when the clock jumps past its lease is not sent again alongside it', async () => {
      const clock = new FakeClock(START);
      const server = await startTestServer(backend, { clock, webhooks: { timeoutMs: 500 } });
      try {
        // The first request hangs (until the time limit); later ones are answered.
        env.receiver.answer((request) => (env.receiver.requests.indexOf(request) === 0 ? 'hang' : { status: 200 }));
        const api = on(server);
        const service = await api.serviceWith();
        const message = await api.send({ MessagingServiceSid: service.sid, StatusCallback: `${env.receiver.url}/lease` });
        await env.receiver.waitFor(1);
        // Far past the 60 s lease while the first attempt is still waiting for its answer.
        clock.advance(120_000);
        await server.background.settle();
        const queued = () => env.receiver.requests.filter((r) => r.params.MessageSid === message.sid && r.params.MessageStatus === 'queued');
        assert.equal(queued().length, 1, 'no second attempt while the first is in flight');
        const [hook] = (await api.webhooks({ MessageSid: message.sid })).filter((h: Json) => h.params.MessageStatus === 'queued');
        assert.equal(hook.status, 'pending');
        assert.equal(hook.error_code, 11205);
        assert.equal(hook.attempts.length, 1);
        assert.equal(Date.parse(hook.next_attempt_at), Date.parse(START) + 121_000);
        clock.advance(1000);
        await server.background.settle();
        assert.equal(queued().length, 2);
        const [done] = (await api.webhooks({ MessageSid: message.sid })).filter((h: Json) => h.params.MessageStatus === 'queued');
        assert.equal(done.status, 'delivered');
        assert.equal(done.error_code, null);
        assert.deepEqual(
          done.attempts.map((a: Json) => a.response?.status ?? null),
          [null, 200],
        );
      } finally {
        await server.cleanup();
      }
    });

    test('a restart mid-delivery loses no callback: each request the receiver got is one logged attempt', async () => {
      const clock = new FakeClock(START);
      // One delivery at a time, so at the close one callback is in flight and the rest never started.
      const first = await startTestServer(backend, { clock, webhooks: { timeoutMs: 300, concurrency: 1 } });
      let second: TestServer | undefined;
      try {
        env.receiver.answer('hang');
        const api = on(first);
        const service = await api.serviceWith({ StatusCallback: `${env.receiver.url}/restart` });
        const made = [];
        for (let i = 0; i < 3; i++) made.push(await api.send({ MessagingServiceSid: service.sid }));
        await env.receiver.waitFor(1);
        await first.close();
        const before = env.receiver.requests.length;
        assert.ok(before >= 1);

        env.receiver.answer({ status: 200 });
        env.receiver.release();
        second = await startAnother(first, { clock });
        const again = on(second);
        await second.background.settle();
        for (let i = 0; i < 5; i++) {
          clock.advance(1000);
          await second.background.settle();
        }

        for (const m of made) assert.equal((await again.fetch(m.sid)).status, 'delivered');
        const hooks = await again.webhooks({ Kind: 'status_callback' });
        assert.equal(hooks.length, 9, 'queued, sent and delivered for each of three messages');
        let attempts = 0;
        for (const hook of hooks) {
          assert.equal(hook.status, 'delivered', JSON.stringify(hook));
          const got = env.receiver.requests.filter((r) => header(r, 'i-twilio-idempotency-token') === hook.idempotency_token);
          assert.equal(got.length, hook.attempts.length, `requests received for ${hook.params.MessageStatus} of ${hook.message_sid}`);
          assert.equal(hook.attempts.at(-1).response.status, 200);
          attempts += hook.attempts.length;
          for (const request of got) {
            assert.ok(Receiver.valid(request, first.account.auth_token));
            assert.equal(request.params.MessageSid, hook.message_sid);
            assert.equal(request.params.MessageStatus, hook.params.MessageStatus);
          }
        }
        assert.equal(env.receiver.requests.length, attempts, 'no request the log does not account for');
        // The one cut off by the close was tried again; each status arrived answered exactly once.
        assert.equal(hooks.filter((h) => h.attempts.length === 2).length, before);
        for (const m of made) {
          const answered = hooks.filter((h) => h.message_sid === m.sid).map((h) => h.params.MessageStatus);
          assert.deepEqual(answered.sort(), ['delivered', 'queued', 'sent']);
        }
      } finally {
        await second?.close();
        await first.cleanup();
      }
    });
  });
}
