// The official `twilio` SDK, unchanged, on the Messages resource: every call a user makes through
// client.messages, with the SDK's own parameter names, types and paging.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import twilio from 'twilio';
import { BACKENDS } from '../helpers/backends.js';
import { addShortCode } from '../helpers/fixtures.js';
import { sdkClient, rejectsWith, assertDate, collectEach } from '../helpers/sdk.js';
import { addToPool, advanceClock, buyNumber, useMessagingServer, usNumber } from '../helpers/messaging.js';
import { Receiver } from '../helpers/receiver.js';

type MessageInstance = Awaited<ReturnType<ReturnType<typeof sdkClient>['messages']['create']>>;

for (const backend of BACKENDS) {
  describe(`[${backend}] twilio SDK: client.messages`, () => {
    const env = useMessagingServer(backend);
    const client = () => sdkClient(env.server);
    const advance = (ms: number) => advanceClock(env.server, env.clock, ms, 500);

    test('create with from, fetch through the life of the message, typed as the SDK types it', async () => {
      const from = (await buyNumber(env.server)).phone_number;
      const to = usNumber('415');
      const created = await client().messages.create({ from, to, body: 'Hello from the SDK' });
      assert.match(created.sid, /^SM[0-9a-f]{32}$/);
      assert.equal(created.status, 'queued');
      assert.equal(created.from, from);
      assert.equal(created.numSegments, '1');
      assert.equal(created.numMedia, '0');
      assert.equal(created.direction, 'outbound-api');
      assertDate(created.dateCreated);
      assert.equal(created.dateSent, null);
      await advance(3000);
      const fetched = await client().messages(created.sid).fetch();
      assert.equal(fetched.status, 'delivered');
      assertDate(fetched.dateSent);
      assert.equal(fetched.errorCode, null);
    });

    test('a service send: accepted, from chosen later; a failure carries errorCode as a number', async () => {
      const shortCode = await addShortCode(env.server);
      const service = await client().messaging.v1.services.create({ friendlyName: 'SDK sends', statusCallback: `${env.receiver.url}/sdk-status` });
      await addToPool(env.server, service.sid, 'ShortCodes', shortCode.sid);
      const created = await client().messages.create({ messagingServiceSid: service.sid, to: usNumber('312'), body: 'Code 1234' });
      assert.equal(created.status, 'accepted');
      assert.equal(created.from, null);
      assert.equal(created.numSegments, '0');
      await advance(2000);
      const fetched = await client().messages(created.sid).fetch();
      assert.equal(fetched.from, shortCode.short_code);
      assert.equal(fetched.status, 'delivered');
      const callbacks = env.receiver.requests.filter((r) => r.params.MessageSid === created.sid);
      assert.deepEqual(
        callbacks.map((r) => r.params.MessageStatus),
        ['queued', 'sent', 'delivered'],
      );
      assert.ok(callbacks.every((r) => Receiver.valid(r, env.server.account.auth_token)));

      // A GB recipient the short code cannot reach, and no number to reroute to: 21703, later.
      const foreign = await client().messages.create({ messagingServiceSid: service.sid, to: '+447400123456', body: 'Hi' });
      assert.equal(foreign.status, 'accepted');
      await advance(500);
      const failed = await client().messages(foreign.sid).fetch();
      assert.equal(failed.status, 'failed');
      assert.equal(failed.errorCode, 21703);
    });

    test("validation errors reach the SDK as RestException with Twilio's codes", async () => {
      const from = (await buyNumber(env.server)).phone_number;
      await rejectsWith(client().messages.create({ from, to: 'nope', body: 'x' }), 400, 21211);
      await rejectsWith(client().messages.create({ to: usNumber('312'), body: 'x' }), 400, 21603);
      await rejectsWith(client().messages.create({ from, to: usNumber('312') }), 400, 21602);
      await rejectsWith(client().messages.create({ from, to: usNumber('312'), body: 'x', validityPeriod: 0 }), 400, 21624);
      await rejectsWith(client().messages('SM00000000000000000000000000000000').fetch(), 404, 20404);
    });

    test('schedule with sendAt (a Date) and cancel with update({status: "canceled"})', async () => {
      const service = await client().messaging.v1.services.create({ friendlyName: 'Scheduled' });
      await addToPool(env.server, service.sid, 'PhoneNumbers', (await buyNumber(env.server)).sid);
      const sendAt = new Date(env.clock.now().getTime() + 3_600_000);
      const scheduled = await client().messages.create({ messagingServiceSid: service.sid, to: usNumber('312'), body: 'Later', scheduleType: 'fixed', sendAt });
      assert.equal(scheduled.status, 'scheduled');
      const canceled = await client().messages(scheduled.sid).update({ status: 'canceled' });
      assert.equal(canceled.status, 'canceled');
      await rejectsWith(client().messages(scheduled.sid).update({ status: 'canceled' }), 400, 30409);
      const tooSoon = new Date(env.clock.now().getTime() + 60_000);
      await rejectsWith(
        client().messages.create({ messagingServiceSid: service.sid, to: usNumber('312'), body: 'x', scheduleType: 'fixed', sendAt: tooSoon }),
        400,
        35114,
      );
    });

    test("list with the SDK's filters (to, from, dateSent, dateSentAfter, dateSentBefore) and each() across pages", async () => {
      const from = (await buyNumber(env.server)).phone_number;
      const to = usNumber('646');
      const sent: MessageInstance[] = [];
      for (let i = 0; i < 5; i++) sent.push(await client().messages.create({ from, to, body: `m${i}` }));
      await advance(7000);
      const byTo = await client().messages.list({ to });
      assert.deepEqual(
        byTo.map((m) => m.sid),
        [...sent].reverse().map((m) => m.sid),
        'newest first',
      );
      assert.equal((await client().messages.list({ from, to, limit: 2 })).length, 2);
      const day = env.clock.now();
      assert.equal((await client().messages.list({ to, dateSent: day })).length, 5);
      assert.equal((await client().messages.list({ to, dateSentAfter: new Date(day.getTime() + 86_400_000) })).length, 0);
      assert.equal((await client().messages.list({ to, dateSentBefore: day })).length, 5);
      const walked = await collectEach<MessageInstance>((options) => client().messages.each({ to, pageSize: 2, ...options }));
      assert.deepEqual(
        walked.map((m) => m.sid),
        byTo.map((m) => m.sid),
      );
    });

    test('redact with update({body: ""}), media list/fetch/remove, and remove()', async () => {
      const from = (await buyNumber(env.server)).phone_number;
      const created = await client().messages.create({
        from,
        to: usNumber('312'),
        body: 'Secret',
        mediaUrl: ['https://media.example.test/a.png', 'https://media.example.test/b.jpg'],
      });
      assert.match(created.sid, /^MM[0-9a-f]{32}$/);
      assert.equal(created.numMedia, '2');
      const media = await client().messages(created.sid).media.list();
      assert.deepEqual(
        media.map((m) => m.contentType),
        ['image/png', 'image/jpeg'],
      );
      const one = await client().messages(created.sid).media(media[0]!.sid).fetch();
      assert.equal(one.parentSid, created.sid);
      assert.equal(await client().messages(created.sid).media(media[0]!.sid).remove(), true);
      assert.equal((await client().messages(created.sid).media.list()).length, 1);
      await rejectsWith(client().messages(created.sid).remove(), 400, 20009);
      await advance(3000);
      const redacted = await client().messages(created.sid).update({ body: '' });
      assert.equal(redacted.body, '');
      assert.equal(await client().messages(created.sid).remove(), true);
      await rejectsWith(client().messages(created.sid).fetch(), 404, 20404);
    });

    test('twilio.validateRequest accepts what the SDK would receive as a status callback', async () => {
      const from = (await buyNumber(env.server)).phone_number;
      const url = `${env.receiver.url}/validate?tenant=1`;
      const created = await client().messages.create({ from, to: usNumber('312'), body: 'x', statusCallback: url });
      await advance(3000);
      const requests = env.receiver.requests.filter((r) => r.params.MessageSid === created.sid);
      assert.deepEqual(
        requests.map((r) => r.params.MessageStatus),
        ['sent', 'delivered'],
      );
      for (const request of requests) {
        assert.equal(twilio.validateRequest(env.server.account.auth_token, String(request.headers['x-twilio-signature']), url, request.params), true);
        assert.equal(twilio.validateRequest('another-token', String(request.headers['x-twilio-signature']), url, request.params), false);
      }
    });
  });
}
