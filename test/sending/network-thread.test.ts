// The simulated network in a thread of its own (what `shortroute start` runs): a service's
// message walks to delivered with signed callbacks, and what the thread wrote is what the API
// answers right after; a handset's text reaches the service's webhook and its TwiML reply goes
// out; sends written while the thread writes its steps all arrive; what a stopped thread left
// is delivered by the next start; a thread that ends unexpectedly is started again after 1 s,
// then 2 s, of the node's clock, and sends again the webhook it left in flight; on PostgreSQL, the
// account the thread keeps for signing is dropped when another node changes it. Every test server
// here has `networkThread: true`.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, form, send as sendAs, startAnother } from '../helpers/server.js';
import { addService, addShortCode } from '../helpers/fixtures.js';
import { addToPool, advanceClock, handsetInbox, textFromHandset, useMessagingServer, usNumber, type Json } from '../helpers/messaging.js';
import { Receiver } from '../helpers/receiver.js';
import type { NetworkThread } from '../../src/background/network-thread.js';

for (const backend of BACKENDS) {
  describe(`[${backend}] the network's thread`, () => {
    const env = useMessagingServer(backend, { networkThread: true }, 'test');
    const ac = () => env.server.account.sid;
    const advance = (ms: number) => advanceClock(env.server, env.clock, ms);
    const serviceWithShortCode = async (values: Record<string, string> = {}) => {
      const service = await addService(env.server, values);
      const shortCode = await addShortCode(env.server, { CountryCode: 'US' });
      await addToPool(env.server, service.sid, 'ShortCodes', shortCode.sid);
      return { sid: service.sid, shortCode: shortCode.short_code as string };
    };
    const send = async (values: Record<string, string>) => {
      const reply = await env.server.request('POST', `/2010-04-01/Accounts/${ac()}/Messages.json`, { To: usNumber('415'), Body: 'Hello', ...values });
      assert.equal(reply.status, 201, reply.text);
      return reply.body as Json;
    };
    const status = async (sid: string) => ((await env.server.request('GET', `/2010-04-01/Accounts/${ac()}/Messages/${sid}.json`)).body as Json).status;

    test('a message walks to delivered; each step is read back at once; its callbacks are signed', async () => {
      const service = await serviceWithShortCode();
      const message = await send({ MessagingServiceSid: service.sid, StatusCallback: `${env.receiver.url}/status` });
      await env.server.background.settle();
      assert.equal(await status(message.sid), 'sending');
      await advance(1000);
      assert.equal(await status(message.sid), 'sent');
      await advance(1000);
      assert.equal(await status(message.sid), 'delivered');
      const callbacks = env.receiver.requests.filter((r) => r.params.MessageSid === message.sid);
      assert.deepEqual(
        callbacks.map((r) => r.params.MessageStatus),
        ['queued', 'sent', 'delivered'],
      );
      for (const request of callbacks) assert.ok(Receiver.valid(request, env.server.account.auth_token));
    });

    test("a handset's text reaches the service's webhook, and the TwiML reply reaches the handset", async () => {
      env.receiver.answer({ status: 200, contentType: 'text/xml', body: '<Response><Message>Got it</Message></Response>' });
      const service = await serviceWithShortCode({ InboundRequestUrl: `${env.receiver.url}/inbound` });
      const handset = usNumber('312');
      await textFromHandset(env.server, handset, service.shortCode, 'hello');
      // The reply leaves the short code within 10 ms; its receipt comes 1 s after.
      await advance(10);
      await advance(1000);
      const [inbound] = env.receiver.requests.filter((r) => r.path === '/inbound');
      assert.equal(inbound?.params.Body, 'hello');
      assert.ok(Receiver.valid(inbound!, env.server.account.auth_token));
      const inbox = (await handsetInbox(env.server, handset)) as { body: string; status: string }[];
      assert.deepEqual(
        inbox.map((m) => [m.body, m.status]),
        [['Got it', 'delivered']],
      );
    });

    test("60 sends at once, written beside the thread's steps: each delivered, with its three callbacks once", async () => {
      const service = await serviceWithShortCode();
      // The first routes are due at once, so the thread writes while the API is still writing sends.
      const sent = await Promise.all(
        Array.from({ length: 60 }, () => send({ MessagingServiceSid: service.sid, StatusCallback: `${env.receiver.url}/status` })),
      );
      await advance(3000);
      const statuses = await Promise.all(sent.map((m) => status(m.sid)));
      assert.deepEqual(new Set(statuses), new Set(['delivered']));
      for (const message of sent) {
        const callbacks = env.receiver.requests.filter((r) => r.params.MessageSid === message.sid);
        assert.deepEqual(callbacks.map((r) => r.params.MessageStatus).sort(), ['delivered', 'queued', 'sent'], message.sid);
      }
    });

    test('a thread that ends is started again after 1 s, then 2 s; the webhook it held is sent again, and the message delivered', async () => {
      const thread = env.server.background.network as NetworkThread;
      const service = await serviceWithShortCode();
      env.receiver.answer('hang');
      const message = await send({ MessagingServiceSid: service.sid, StatusCallback: `${env.receiver.url}/status` });
      // The queued callback is in flight, held by the receiver, when the thread ends.
      await env.receiver.waitFor(1);
      await thread.crash();
      assert.equal(thread.state, 'down');
      env.receiver.answer({ status: 204 });
      env.receiver.release();
      env.clock.advance(999);
      assert.equal(thread.state, 'down', 'started again before 1 s had passed');
      env.clock.advance(1);
      assert.equal(thread.state, 'starting');
      await env.server.background.settle();
      assert.equal(thread.state, 'running');
      const queued = env.receiver.requests.filter((r) => r.params.MessageSid === message.sid && r.params.MessageStatus === 'queued');
      assert.equal(queued.length, 2, 'the callback in flight is sent again by the new thread');
      assert.equal(queued[0]!.headers['i-twilio-idempotency-token'], queued[1]!.headers['i-twilio-idempotency-token']);

      // A second end soon after waits twice as long.
      await thread.crash();
      env.clock.advance(1999);
      assert.equal(thread.state, 'down', 'started again before 2 s had passed');
      env.clock.advance(1);
      assert.equal(thread.state, 'starting');
      await advanceClock(env.server, env.clock, 2000);
      assert.equal(thread.state, 'running');
      assert.equal(await status(message.sid), 'delivered');
      // The callback sent again may come after the next one: callbacks carry no order (nor do Twilio's).
      const callbacks = env.receiver.requests.filter((r) => r.params.MessageSid === message.sid).map((r) => r.params.MessageStatus as string);
      assert.deepEqual(callbacks.sort(), ['delivered', 'queued', 'queued', 'sent']);
    });

    test('PostgreSQL: a token another node sets at its start signs the callbacks that follow (the thread keeps accounts, cleared by the announcement)', {
      skip: backend !== 'postgres' && 'the thread caches accounts on PostgreSQL only',
    }, async () => {
      const service = await serviceWithShortCode();
      const statusCallback = `${env.receiver.url}/status`;
      const before = await send({ MessagingServiceSid: service.sid, StatusCallback: statusCallback });
      await advance(2000);
      const signedBy = (sid: string, token: string) => env.receiver.requests.filter((r) => r.params.MessageSid === sid).every((r) => Receiver.valid(r, token));
      assert.ok(signedBy(before.sid, env.server.account.auth_token), 'signed with the token the thread keeps');

      // Another node starts with a new token: the account's row changes, and the database
      // announces it to this node's threads. A thread that never heard it would sign with the
      // old token for as long as it runs; hearing it takes a moment, so sends are retried for 2 s.
      const rotate = async (token: string) => {
        const other = await startAnother(env.server, { authToken: token, networkThread: false });
        await other.close();
      };
      const original = env.server.account.auth_token;
      const token = 'rotated-by-another-node-00000000';
      await rotate(token);
      try {
        const asNew = basicAuth(ac(), token);
        const messages = `${env.server.url}/2010-04-01/Accounts/${ac()}/Messages.json`;
        const started = performance.now();
        let signed = false;
        while (!signed && performance.now() - started < 2000) {
          const reply = await sendAs(
            messages,
            'POST',
            asNew,
            form({ MessagingServiceSid: service.sid, To: usNumber('415'), Body: 'after', StatusCallback: statusCallback }),
          );
          if (reply.status !== 201) continue; // this node's API has not heard it yet
          await advance(2000);
          const sid = (reply.body as Json).sid as string;
          assert.equal(env.receiver.requests.filter((r) => r.params.MessageSid === sid).length, 3);
          signed = signedBy(sid, token);
        }
        assert.ok(signed, 'the callbacks of a send after the change are signed with the new token');
      } finally {
        await rotate(original);
      }
    });

    test('a message accepted while the thread was stopped is delivered by the next start', async () => {
      const service = await serviceWithShortCode();
      const message = await send({ MessagingServiceSid: service.sid });
      await env.server.background.network.stop();
      const next = await startAnother(env.server, { port: 0 });
      try {
        await advanceClock(next, env.clock, 2000);
        const reply = await next.request('GET', `/2010-04-01/Accounts/${ac()}/Messages/${message.sid}.json`);
        assert.equal((reply.body as Json).status, 'delivered');
      } finally {
        await next.close();
      }
    });

    test('a settle asked of a stopped thread is refused at once, not left waiting', async () => {
      await env.server.background.network.stop();
      await assert.rejects(env.server.background.settle(), /the network thread stopped/);
    });
  });
}
