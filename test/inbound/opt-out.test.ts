// Opt-out keywords (https://help.twilio.com/articles/223134027): a handset that texts exactly STOP (or one of its
// synonyms, in any case) is opted out of the whole Messaging Service; Twilio replies, still passes
// the message to the webhook (with OptOutType), and later sends to the handset fail with 21610:
// asynchronously through the service, at once (400) with a From of the pool. START and its
// synonyms opt back in; HELP and INFO get the help reply and change nothing.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_REPLIES } from '../../src/inbound/keywords.js';
import { BACKENDS } from '../helpers/backends.js';
import { addService, assertTwilioError } from '../helpers/fixtures.js';
import { addToPool, advanceClock, buyNumber, handsetInbox, textFromHandset, unique, useMessagingServer, usNumber } from '../helpers/messaging.js';
import { Receiver, type Received } from '../helpers/receiver.js';

for (const backend of BACKENDS) {
  describe(`[${backend}] opt-out keywords`, () => {
    const env = useMessagingServer(backend);

    const account = () => env.server.account.sid;

    const buy = (values: Record<string, string> = {}) => buyNumber(env.server, values);
    /** A service with two numbers in its pool, and a number of the account outside it. */
    async function setup() {
      const inboundPath = `/inbound-${unique()}`;
      const service = await addService(env.server, { InboundRequestUrl: `${env.receiver.url}${inboundPath}` });
      const a = await buy();
      const b = await buy();
      for (const number of [a, b]) await addToPool(env.server, service.sid, 'PhoneNumbers', number.sid);
      const outside = await buy();
      return { service, a, b, outside, inboundPath, handset: usNumber('312') };
    }
    const text = (from: string, to: string, body: string) => textFromHandset(env.server, from, to, body);
    const advance = (ms: number) => advanceClock(env.server, env.clock, ms, 500);
    const inbox = (number: string) => handsetInbox(env.server, number);
    async function optOuts() {
      const reply = await env.server.request('GET', `/_shortroute/Accounts/${account()}/OptOuts`);
      assert.equal(reply.status, 200, reply.text);
      return reply.body.opt_outs as { scope: string; address: string; date_created: string }[];
    }
    const optedOut = async (scope: string, address: string) => (await optOuts()).some((o) => o.scope === scope && o.address === address);
    function sendRaw(values: Record<string, string>) {
      return env.server.request('POST', `/2010-04-01/Accounts/${account()}/Messages.json`, { Body: 'A message for you', ...values });
    }
    /** Sends, settles and answers the message as fetched afterwards. */
    async function send(values: Record<string, string>) {
      const reply = await sendRaw(values);
      assert.equal(reply.status, 201, reply.text);
      await env.server.background.settle();
      const fetched = await env.server.request('GET', `/2010-04-01/Accounts/${account()}/Messages/${reply.body.sid}.json`);
      return fetched.body as { sid: string; status: string; error_code: number | null; from: string | null };
    }
    const inboundRequest = (path: string, sid: string): Received => {
      const found = env.receiver.requests.filter((r) => r.path === path && r.params.MessageSid === sid);
      assert.equal(found.length, 1, `one inbound request for ${sid}`);
      return found[0]!;
    };

    for (const keyword of ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'stop', ' Stop ']) {
      test(`'${keyword}' opts the handset out of the whole service`, async () => {
        const { service, a, b, outside, inboundPath, handset } = await setup();
        const inbound = await text(handset, a.phone_number, keyword);

        // The webhook still gets the message, marked.
        const request = inboundRequest(inboundPath, inbound.sid);
        assert.equal(request.params.Body, keyword);
        assert.equal(request.params.OptOutType, 'STOP');
        assert.ok(Receiver.valid(request, env.server.account.auth_token));

        // Twilio's reply, from the number texted.
        await advance(2000);
        const got = await inbox(handset);
        assert.equal(got.length, 1);
        assert.equal(got[0]!.from, a.phone_number);
        assert.equal(got[0]!.body, DEFAULT_REPLIES.STOP);
        assert.equal(got[0]!.status, 'delivered');

        const listed = (await optOuts()).filter((o) => o.address === handset);
        assert.deepEqual(
          listed.map((o) => o.scope),
          [service.sid],
        );
        assert.match(listed[0]!.date_created, /^2026-03-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

        // Through the service: accepted, then failed with 21610.
        const viaService = await send({ To: handset, MessagingServiceSid: service.sid });
        assert.equal(viaService.status, 'failed');
        assert.equal(viaService.error_code, 21610);
        // With a From of the pool, even the other number: refused at once.
        assertTwilioError(await sendRaw({ To: handset, From: b.phone_number }), 400, 21610);
        assertTwilioError(await sendRaw({ To: handset, From: a.phone_number }), 400, 21610);
        assertTwilioError(await sendRaw({ To: handset, From: b.phone_number, MessagingServiceSid: service.sid }), 400, 21610);
        // A number outside the service is not concerned.
        const fromOutside = await send({ To: handset, From: outside.phone_number });
        assert.notEqual(fromOutside.status, 'failed');
        assert.equal(fromOutside.error_code, null);
        // Nothing more reached the handset but Twilio's reply (and, later, the outside number's).
        await advance(2000);
        assert.deepEqual(
          (await inbox(handset)).map((m) => m.from),
          [a.phone_number, outside.phone_number],
        );
      });
    }

    test('the failed send through the service reports 21610 to its status callback', async () => {
      const { service, a, handset } = await setup();
      await text(handset, a.phone_number, 'STOP');
      const callbackPath = `/status-${unique()}`;
      const reply = await sendRaw({ To: handset, MessagingServiceSid: service.sid, StatusCallback: `${env.receiver.url}${callbackPath}` });
      assert.equal(reply.status, 201, reply.text);
      assert.equal(reply.body.status, 'accepted');
      await env.server.background.settle();
      const callbacks = env.receiver.requests.filter((r) => r.path === callbackPath);
      assert.deepEqual(
        callbacks.map((r) => [r.params.MessageStatus, r.params.ErrorCode]),
        [['failed', '21610']],
      );
      assert.ok(Receiver.valid(callbacks[0]!, env.server.account.auth_token));
    });

    test('"STOP please" is an ordinary message: no reply, no opt-out, no OptOutType', async () => {
      const { service, a, inboundPath, handset } = await setup();
      const inbound = await text(handset, a.phone_number, 'STOP please');
      const request = inboundRequest(inboundPath, inbound.sid);
      assert.equal(request.params.OptOutType, undefined);
      assert.equal('OptOutType' in request.params, false);
      await advance(2000);
      assert.deepEqual(await inbox(handset), []);
      assert.equal(await optedOut(service.sid, handset), false);
      const sent = await send({ To: handset, MessagingServiceSid: service.sid });
      assert.notEqual(sent.status, 'failed');
    });

    for (const keyword of ['START', 'YES', 'UNSTOP', 'start']) {
      test(`'${keyword}' opts the handset back in: the service can send to it again`, async () => {
        const { service, a, b, inboundPath, handset } = await setup();
        await text(handset, a.phone_number, 'STOP');
        assert.equal(await optedOut(service.sid, handset), true);
        await advance(2000);
        // Back in through the other number of the same service.
        const inbound = await text(handset, b.phone_number, keyword);
        assert.equal(inboundRequest(inboundPath, inbound.sid).params.OptOutType, 'START');
        assert.equal(await optedOut(service.sid, handset), false);

        await advance(2000);
        const got = await inbox(handset);
        assert.deepEqual(
          got.map((m) => [m.from, m.body]),
          [
            [a.phone_number, DEFAULT_REPLIES.STOP],
            [b.phone_number, DEFAULT_REPLIES.START],
          ],
        );

        const viaService = await send({ To: handset, MessagingServiceSid: service.sid });
        assert.notEqual(viaService.status, 'failed');
        assert.equal(viaService.error_code, null);
        const withFrom = await sendRaw({ To: handset, From: a.phone_number });
        assert.equal(withFrom.status, 201, withFrom.text);
        await advance(3000);
        assert.equal((await inbox(handset)).length, 4);
      });
    }

    for (const keyword of ['HELP', 'INFO', 'help']) {
      test(`'${keyword}' gets the help reply and does not change opt-out`, async () => {
        const { service, a, inboundPath, handset } = await setup();
        // Opted in: stays in.
        const first = await text(handset, a.phone_number, keyword);
        assert.equal(inboundRequest(inboundPath, first.sid).params.OptOutType, 'HELP');
        await advance(2000);
        assert.deepEqual(
          (await inbox(handset)).map((m) => m.body),
          [DEFAULT_REPLIES.HELP],
        );
        assert.equal(await optedOut(service.sid, handset), false);

        // Opted out: stays out, and still gets the help.
        await text(handset, a.phone_number, 'STOP');
        const second = await text(handset, a.phone_number, keyword);
        assert.equal(inboundRequest(inboundPath, second.sid).params.OptOutType, 'HELP');
        await advance(3000);
        assert.deepEqual(
          (await inbox(handset)).map((m) => m.body),
          [DEFAULT_REPLIES.HELP, DEFAULT_REPLIES.STOP, DEFAULT_REPLIES.HELP],
        );
        assert.equal(await optedOut(service.sid, handset), true);
        const viaService = await send({ To: handset, MessagingServiceSid: service.sid });
        assert.equal(viaService.error_code, 21610);
      });
    }

    test('STOP to a number in no service opts out of that number only', async () => {
      const { a, outside, handset } = await setup();
      const own = await buy({ SmsUrl: `${env.receiver.url}/own-${unique()}` });
      await text(handset, own.phone_number, 'STOP');
      assert.deepEqual(
        (await optOuts()).filter((o) => o.address === handset).map((o) => o.scope),
        [own.phone_number],
      );
      assertTwilioError(await sendRaw({ To: handset, From: own.phone_number }), 400, 21610);
      for (const other of [a, outside]) {
        const sent = await sendRaw({ To: handset, From: other.phone_number });
        assert.equal(sent.status, 201, sent.text);
      }
    });

    test("a TwiML reply to STOP is not delivered to the opted-out handset; only Twilio's confirmation is", async () => {
      const path = `/replies-to-stop-${unique()}`;
      const statusPath = `/replies-to-stop-status-${unique()}`;
      env.receiver.answer((r) =>
        r.path === path
          ? { status: 200, contentType: 'text/xml', body: `<Response><Message statusCallback="${statusPath}">Sorry to see you go</Message></Response>` }
          : { status: 200, contentType: 'text/xml', body: '<Response/>' },
      );
      try {
        const service = await addService(env.server, { InboundRequestUrl: `${env.receiver.url}${path}` });
        const number = await buy();
        await addToPool(env.server, service.sid, 'PhoneNumbers', number.sid);
        const handset = usNumber('312');
        await text(handset, number.phone_number, 'STOP');
        await advance(3000);
        assert.deepEqual(
          (await inbox(handset)).map((m) => m.body),
          [DEFAULT_REPLIES.STOP],
        );
        // The TwiML reply is on record, failed with 21610.
        const listed = await env.server.request('GET', `/2010-04-01/Accounts/${account()}/Messages.json?To=${encodeURIComponent(handset)}`);
        const blocked = (listed.body.messages as { body: string; status: string; error_code: number | null; direction: string }[]).filter(
          (m) => m.body === 'Sorry to see you go',
        );
        assert.deepEqual(
          blocked.map((m) => [m.direction, m.status, m.error_code]),
          [['outbound-reply', 'failed', 21610]],
        );
        const callbacks = env.receiver.requests.filter((r) => r.path === statusPath);
        assert.deepEqual(
          callbacks.map((r) => [r.params.MessageStatus, r.params.ErrorCode]),
          [['failed', '21610']],
        );
        assert.ok(Receiver.valid(callbacks[0]!, env.server.account.auth_token));
      } finally {
        env.receiver.answer({ status: 200, contentType: 'text/xml', body: '<Response/>' });
      }
    });

    test('repeated STOP keeps one opt-out; the scope is the service whichever number was texted', async () => {
      const { service, a, b, handset } = await setup();
      await text(handset, a.phone_number, 'STOP');
      await text(handset, b.phone_number, 'quit');
      const listed = (await optOuts()).filter((o) => o.address === handset);
      assert.deepEqual(
        listed.map((o) => [o.scope, o.address]),
        [[service.sid, handset]],
      );
    });

    test('a STOP after a scheduled or queued message was accepted: that message fails with 21610 when its turn comes', async () => {
      const { service, a, handset } = await setup();
      const sendAt = new Date(env.clock.now().getTime() + 600_000).toISOString();
      const scheduled = await sendRaw({ To: handset, From: a.phone_number, MessagingServiceSid: service.sid, ScheduleType: 'fixed', SendAt: sendAt });
      assert.equal(scheduled.status, 201, scheduled.text);
      // Another number queued behind itself: the first goes now, the second waits a second.
      const first = await sendRaw({ To: handset, From: a.phone_number });
      const second = await sendRaw({ To: handset, From: a.phone_number });
      assert.equal(second.status, 201, second.text);
      // The first takes its turn now, before the STOP; the second's turn comes a second later.
      await env.server.background.settle();
      await text(handset, a.phone_number, 'STOP');
      await advance(601_000);
      const statusOf = async (sid: string) => (await env.server.request('GET', `/2010-04-01/Accounts/${account()}/Messages/${sid}.json`)).body;
      assert.equal((await statusOf(scheduled.body.sid)).error_code, 21610);
      assert.equal((await statusOf(scheduled.body.sid)).status, 'failed');
      assert.equal((await statusOf(first.body.sid)).status, 'delivered');
      assert.equal((await statusOf(second.body.sid)).error_code, 21610);
      // Twilio's STOP confirmation still went out.
      assert.ok((await inbox(handset)).some((m) => m.body === DEFAULT_REPLIES.STOP));
    });
  });
}
