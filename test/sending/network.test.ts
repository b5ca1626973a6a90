// The simulated carrier network on a hand-moved clock: each sender's rate, the validity period,
// the status lifecycle and its history, delivery rules, Twilio's magic recipients, the handsets
// view, and scheduled messages. Time only moves when a test moves it; nothing here sleeps.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { alterDatabase, basicAuth, form, send as http } from '../helpers/server.js';
import { addService, addShortCode, addSubaccount } from '../helpers/fixtures.js';
import { addToPool, advanceClock, buyNumber, START, unique, useMessagingServer, usNumber, type Json } from '../helpers/messaging.js';
import { Receiver } from '../helpers/receiver.js';

for (const backend of BACKENDS) {
  describe(`[${backend}] the simulated network`, () => {
    const env = useMessagingServer(backend);

    const ac = () => env.server.account.sid;
    const advance = (ms: number) => advanceClock(env.server, env.clock, ms);
    /** Moves the clock to the next whole second: the 2010 API shows dates in whole seconds. */
    const wholeSecond = async () => {
      const ms = env.clock.now().getTime() % 1000;
      if (ms !== 0) await advance(1000 - ms);
    };
    const buy = () => buyNumber(env.server, { PhoneNumber: usNumber('312') });
    const pool = (serviceSid: string, kind: 'PhoneNumbers' | 'ShortCodes', sid: string) => addToPool(env.server, serviceSid, kind, sid);
    const send = async (values: Record<string, string | string[]>) => {
      const reply = await env.server.request('POST', `/2010-04-01/Accounts/${ac()}/Messages.json`, { Body: 'Hello', ...values });
      assert.equal(reply.status, 201, reply.text);
      return reply.body as Json;
    };
    const fetchMessage = async (sid: string) => {
      const reply = await env.server.request('GET', `/2010-04-01/Accounts/${ac()}/Messages/${sid}.json`);
      assert.equal(reply.status, 200, reply.text);
      return reply.body as Json;
    };
    const inspect = async (sid: string) => {
      const reply = await env.server.request('GET', `/_shortroute/Accounts/${ac()}/Messages/${sid}`);
      assert.equal(reply.status, 200, reply.text);
      return reply.body as Json;
    };
    const statuses = async (sid: string) => ((await inspect(sid)).events as { status: string }[]).map((e) => e.status);
    const callbacks = (sid: string) => env.receiver.requests.filter((r) => r.params.MessageSid === sid);
    const sentAt = (message: Json) => Date.parse(message.date_sent);
    const rule = async (values: Record<string, string>) => {
      const reply = await env.server.request('POST', `/_shortroute/Accounts/${ac()}/DeliveryRules`, values);
      assert.equal(reply.status, 201, reply.text);
      return reply.body as Json;
    };

    test('a US long code sends one segment a second: three messages are sent a second apart', async () => {
      await wholeSecond();
      const from = (await buy()).phone_number;
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await send({ From: from, To: usNumber('415'), Body: `Message ${i}` }));
      await env.server.background.settle();
      // One transmits, two wait their turn.
      let now = await Promise.all(made.map((m) => fetchMessage(m.sid)));
      assert.deepEqual(now.map((m) => m.status).sort(), ['queued', 'queued', 'sending']);
      // One jump past all three slots: each is still dated at its own slot, and delivered a second later.
      await advance(10_000);
      now = await Promise.all(made.map((m) => fetchMessage(m.sid)));
      assert.deepEqual(
        now.map((m) => m.status),
        ['delivered', 'delivered', 'delivered'],
      );
      const times = now.map(sentAt).sort((a, b) => a - b);
      const t = times[0]!;
      assert.deepEqual(times, [t, t + 1000, t + 2000]);
      assert.equal(t, Date.parse(START) + 1000, 'the first one was sent after one second of transmission');
    });

    test('a 200-message burst from a short code (100 segments/s) drains within 2 s of fake time', async () => {
      await wholeSecond();
      const shortCode = await addShortCode(env.server, { CountryCode: 'US' });
      const start = env.clock.now().getTime();
      const made: string[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const replies = await Promise.all(Array.from({ length: 20 }, () => send({ From: shortCode.short_code, To: usNumber('415'), Body: 'Burst' })));
        made.push(...replies.map((m) => m.sid));
      }
      await env.server.background.settle();
      const count = async (status: string) => {
        const reply = await env.server.request('GET', `/2010-04-01/Accounts/${ac()}/Messages.json?From=${shortCode.short_code}&PageSize=1000`);
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.messages.length, 200);
        return reply.body.messages.filter((m: Json) => m.status === status).length;
      };
      // 10 ms per message: the 200th is sent at 2000 ms, not before.
      await advance(1999);
      assert.equal((await count('sent')) + (await count('delivered')), 199);
      await advance(1);
      assert.equal((await count('sent')) + (await count('delivered')), 200);
      await advance(1000);
      assert.equal(await count('delivered'), 200);
      for (const sid of made.slice(0, 5)) {
        const m = await fetchMessage(sid);
        // date_sent has whole seconds.
        assert.ok(sentAt(m) >= start && sentAt(m) <= start + 2000, m.date_sent);
      }
    });

    test('the same alpha sender text in two accounts: each has its own queue (10 segments/s each)', async () => {
      const sub = await addSubaccount(env.server, { FriendlyName: 'Same brand' });
      const subAuth = basicAuth(sub.sid, sub.auth_token);
      const made: string[] = [];
      for (const [account, auth] of [
        [ac(), env.server.auth],
        [sub.sid, subAuth],
      ] as const) {
        const call = async (method: string, path: string, values: Record<string, string>) => {
          const reply = await http(env.server.url + path, method, auth, form(values));
          assert.equal(reply.status, 201, reply.text);
          return reply.body as Json;
        };
        const service = await call('POST', '/v1/Services', { FriendlyName: 'Brand' });
        await call('POST', `/v1/Services/${service.sid}/AlphaSenders`, { AlphaSender: 'SameBrand' });
        for (let i = 0; i < 2; i++) {
          const to = `+336${String(unique()).padStart(8, '0')}`;
          made.push((await call('POST', `/2010-04-01/Accounts/${account}/Messages.json`, { MessagingServiceSid: service.sid, To: to, Body: 'Bonjour' })).sid);
        }
      }
      await env.server.background.settle();
      // 100 ms a segment: each account's two messages are sent by 200 ms, whatever the other does.
      await advance(200);
      const check = async (sid: string, auth: string, account: string) => {
        const reply = await http(`${env.server.url}/2010-04-01/Accounts/${account}/Messages/${sid}.json`, 'GET', auth);
        return reply.body as Json;
      };
      const now = [
        ...(await Promise.all(made.slice(0, 2).map((sid) => check(sid, env.server.auth, ac())))),
        ...(await Promise.all(made.slice(2).map((sid) => check(sid, subAuth, sub.sid)))),
      ];
      assert.deepEqual(
        now.map((m) => [m.from, m.status]),
        Array(4).fill(['SameBrand', 'sent']),
      );
    });

    test('ValidityPeriod=2 with five messages queued on a long code: the last two fail with 30036 at their expiry', async () => {
      await wholeSecond();
      const from = (await buy()).phone_number;
      const made = [];
      for (let i = 0; i < 5; i++) {
        made.push(await send({ From: from, To: usNumber('415'), ValidityPeriod: '2', StatusCallback: `${env.receiver.url}/validity` }));
      }
      const created = env.clock.now().getTime();
      await env.server.background.settle();
      await advance(1999);
      let now = await Promise.all(made.map((m) => fetchMessage(m.sid)));
      assert.equal(now.filter((m) => m.status === 'failed').length, 0, 'nothing fails before its validity ends');
      await advance(1);
      now = await Promise.all(made.map((m) => fetchMessage(m.sid)));
      const expired = now.filter((m) => m.status === 'failed');
      assert.equal(expired.length, 2);
      for (const m of expired) {
        assert.equal(m.error_code, 30036);
        assert.equal(m.error_message, 'Validity Period Expired');
        assert.equal(m.date_sent, null);
        assert.equal(Date.parse(m.date_updated), created + 2000);
        assert.deepEqual(await statuses(m.sid), ['queued', 'failed']);
        assert.deepEqual(
          callbacks(m.sid).map((c) => [c.params.MessageStatus, c.params.ErrorCode]),
          [['failed', '30036']],
        );
      }
      await advance(5000);
      now = await Promise.all(made.map((m) => fetchMessage(m.sid)));
      assert.deepEqual(now.map((m) => m.status).sort(), ['delivered', 'delivered', 'delivered', 'failed', 'failed']);
      // The three that made it went at the long code's rate, within their validity.
      const times = now
        .filter((m) => m.status === 'delivered')
        .map(sentAt)
        .sort((a, b) => a - b);
      assert.deepEqual(times, [created + 1000, created + 2000, created + 3000]);
    });

    test('a service message moves accepted → queued → sending → sent → delivered, each step in the history', async () => {
      const service = await addService(env.server);
      const number = await buy();
      await pool(service.sid, 'PhoneNumbers', number.sid);
      const message = await send({ MessagingServiceSid: service.sid, To: usNumber('415'), StatusCallback: `${env.receiver.url}/lifecycle` });
      assert.equal(message.status, 'accepted');
      await env.server.background.settle();
      assert.deepEqual(await statuses(message.sid), ['accepted', 'queued', 'sending']);
      await advance(1000);
      assert.deepEqual(await statuses(message.sid), ['accepted', 'queued', 'sending', 'sent']);
      await advance(1000);
      const routed = await inspect(message.sid);
      assert.equal(routed.status, 'delivered');
      assert.deepEqual(
        routed.events.map((e: Json) => e.status),
        ['accepted', 'queued', 'sending', 'sent', 'delivered'],
      );
      assert.deepEqual(
        routed.events.map((e: Json) => Date.parse(e.date) - Date.parse(routed.events[0].date)),
        [0, 0, 0, 1000, 2000],
      );
      assert.equal(routed.events[1].detail, `from ${number.phone_number} by country_code_geomatch`);
      assert.equal(routed.next_step, null);
      assert.equal(routed.next_at, null);
      // `accepted` and `sending` are never reported.
      assert.deepEqual(
        callbacks(message.sid).map((c) => c.params.MessageStatus),
        ['queued', 'sent', 'delivered'],
      );
    });

    test('a step that fails every time is tried again 5 s later, not at once: settle() ends and the message goes on once the fault is gone', {
      timeout: 60_000,
    }, async () => {
      const service = await addService(env.server);
      await pool(service.sid, 'PhoneNumbers', (await buy()).sid);
      // A fault in the database itself: every `sending` written to the history is refused.
      await alterDatabase(env.server, {
        sqlite: `create trigger refuse_sending before insert on message_events when new.status = 'sending' begin select raise(abort, 'refused by the test'); end`,
        postgres: `create function refuse_sending() returns trigger language plpgsql as $$ begin if new.status = 'sending' then raise exception 'refused by the test'; end if; return new; end $$;
          create trigger refuse_sending before insert on message_events for each row execute function refuse_sending()`,
      });
      let message: Json;
      try {
        message = await send({ MessagingServiceSid: service.sid, To: usNumber('415') });
        // Before, the network took the failing step again at once, forever, and this never ended.
        await env.server.background.settle();
        const stuck = await inspect(message.sid);
        assert.deepEqual(await statuses(message.sid), ['accepted'], 'nothing of the failed step was written');
        assert.equal(stuck.next_step, 'route');
        assert.equal(Date.parse(stuck.next_at) - env.clock.now().getTime(), 5000);
      } finally {
        await alterDatabase(env.server, {
          sqlite: 'drop trigger refuse_sending',
          postgres: 'drop trigger refuse_sending on message_events; drop function refuse_sending()',
        });
      }
      await advance(5000);
      assert.deepEqual(await statuses(message.sid), ['accepted', 'queued', 'sending']);
    });

    test('a step whose status callback cannot be written hands no slot off for good: settle() ends, and the callbacks follow once the fault is gone', {
      timeout: 60_000,
    }, async () => {
      const service = await addService(env.server);
      await pool(service.sid, 'PhoneNumbers', (await buy()).sid);
      // The callback is handed to the dispatcher as the step writes it; the write then fails.
      await alterDatabase(env.server, {
        sqlite: `create trigger refuse_callbacks before insert on webhooks begin select raise(abort, 'refused by the test'); end`,
        postgres: `create function refuse_callbacks() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$;
          create trigger refuse_callbacks before insert on webhooks for each row execute function refuse_callbacks()`,
      });
      let message: Json;
      try {
        message = await send({ MessagingServiceSid: service.sid, To: usNumber('415'), StatusCallback: `${env.receiver.url}/refused` });
        // A slot handed off and never given back kept the dispatcher busy, and this never ended.
        await env.server.background.settle();
        assert.deepEqual(await statuses(message.sid), ['accepted']);
      } finally {
        await alterDatabase(env.server, {
          sqlite: 'drop trigger refuse_callbacks',
          postgres: 'drop trigger refuse_callbacks on webhooks; drop function refuse_callbacks()',
        });
      }
      // A second at a time: moved at once, `sent` and `delivered` fall due together and their
      // callbacks race (arrival order is not guaranteed, as on Twilio).
      await advanceClock(env.server, env.clock, 7000, 1000);
      assert.deepEqual(
        callbacks(message.sid).map((c) => c.params.MessageStatus),
        ['queued', 'sent', 'delivered'],
      );
    });

    test('delivery rules: 30003 makes a recipient undelivered after sent; 30001 with Status=failed fails it unsent', async () => {
      const from = (await buy()).phone_number;
      const unreachable = usNumber('415');
      const overflow = usNumber('415');
      assert.deepEqual(await rule({ To: unreachable, ErrorCode: '30003' }), { to: unreachable, status: 'undelivered', error_code: 30003 });
      assert.deepEqual(await rule({ To: overflow, ErrorCode: '30001', Status: 'failed' }), { to: overflow, status: 'failed', error_code: 30001 });

      const a = await send({ From: from, To: unreachable, StatusCallback: `${env.receiver.url}/rules` });
      await advance(5000);
      const undelivered = await fetchMessage(a.sid);
      assert.equal(undelivered.status, 'undelivered');
      assert.equal(undelivered.error_code, 30003);
      assert.equal(undelivered.error_message, 'Unreachable destination handset');
      assert.notEqual(undelivered.date_sent, null);
      assert.deepEqual(await statuses(a.sid), ['queued', 'sending', 'sent', 'undelivered']);
      assert.deepEqual(
        callbacks(a.sid).map((c) => [c.params.MessageStatus, c.params.ErrorCode]),
        [
          ['sent', undefined],
          ['undelivered', '30003'],
        ],
      );

      const b = await send({ From: from, To: overflow, StatusCallback: `${env.receiver.url}/rules` });
      await advance(5000);
      const failed = await fetchMessage(b.sid);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error_code, 30001);
      assert.equal(failed.date_sent, null);
      assert.deepEqual(await statuses(b.sid), ['queued', 'failed']);
      assert.deepEqual(
        callbacks(b.sid).map((c) => [c.params.MessageStatus, c.params.ErrorCode]),
        [['failed', '30001']],
      );
    });

    test("Twilio's magic recipients through a service fail after acceptance with their codes", async () => {
      const service = await addService(env.server);
      await pool(service.sid, 'PhoneNumbers', (await buy()).sid);
      const magic: [string, number][] = [
        ['+15005550001', 21211],
        ['+15005550002', 21612],
        ['+15005550003', 21408],
        ['+15005550004', 21610],
        ['+15005550009', 21614],
      ];
      const made = [];
      for (const [to] of magic) {
        const message = await send({ MessagingServiceSid: service.sid, To: to, StatusCallback: `${env.receiver.url}/magic` });
        assert.equal(message.status, 'accepted', to);
        made.push(message);
      }
      await env.server.background.settle();
      for (const [i, [to, code]] of magic.entries()) {
        const message = await fetchMessage(made[i].sid);
        assert.equal(message.status, 'failed', to);
        assert.equal(message.error_code, code, to);
        assert.equal(message.from, null);
        assert.deepEqual(
          callbacks(message.sid).map((c) => [c.params.MessageStatus, c.params.ErrorCode]),
          [['failed', String(code)]],
          to,
        );
      }
    });

    test('the handsets endpoint lists what a number received, oldest first, and nothing it did not', async () => {
      const from = (await buy()).phone_number;
      const handset = usNumber('415');
      const first = await send({ From: from, To: handset, Body: 'One' });
      const second = await send({ From: from, To: handset, Body: 'Two', MediaUrl: 'https://media.example.test/a.png' });
      const elsewhere = await send({ From: from, To: usNumber('415'), Body: 'Not yours' });
      const received = async () => {
        const reply = await env.server.request('GET', `/_shortroute/Accounts/${ac()}/Handsets/${encodeURIComponent(handset)}/Messages`);
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.number, handset);
        return reply.body.messages as Json[];
      };
      await env.server.background.settle();
      assert.deepEqual(await received(), [], 'nothing has been sent yet');
      await advance(10_000);
      const got = await received();
      const [a, b] = [await fetchMessage(first.sid), await fetchMessage(second.sid)];
      const order = sentAt(a) < sentAt(b) ? [a, b] : [b, a];
      assert.deepEqual(
        got.map((m) => m.sid),
        order.map((m) => m.sid),
      );
      const one = got.find((m) => m.sid === first.sid)!;
      assert.deepEqual(one, { sid: first.sid, from, to: handset, body: 'One', media_urls: [], num_segments: 1, status: 'delivered', date_sent: one.date_sent });
      assert.deepEqual(got.find((m) => m.sid === second.sid)!.media_urls, ['https://media.example.test/a.png']);
      assert.ok(!got.some((m) => m.sid === elsewhere.sid));
      // The number without its + is the same handset.
      const bare = await env.server.request('GET', `/_shortroute/Accounts/${ac()}/Handsets/${handset.slice(1)}/Messages`);
      assert.deepEqual(
        bare.body.messages.map((m: Json) => m.sid),
        got.map((m) => m.sid),
      );
      const bad = await env.server.request('GET', `/_shortroute/Accounts/${ac()}/Handsets/not-a-number/Messages`);
      assert.equal(bad.status, 400, bad.text);
    });

    test('a scheduled message waits for SendAt, then goes out; a canceled one reports canceled and never goes', async () => {
      await wholeSecond();
      const service = await addService(env.server);
      await pool(service.sid, 'PhoneNumbers', (await buy()).sid);
      const sendAt = new Date(env.clock.now().getTime() + 600_000).toISOString();
      const recipient = usNumber('415');
      const later = await send({
        MessagingServiceSid: service.sid,
        To: recipient,
        ScheduleType: 'fixed',
        SendAt: sendAt,
        StatusCallback: `${env.receiver.url}/scheduled`,
      });
      const canceled = await send({
        MessagingServiceSid: service.sid,
        To: recipient,
        ScheduleType: 'fixed',
        SendAt: sendAt,
        StatusCallback: `${env.receiver.url}/scheduled`,
      });
      assert.equal(later.status, 'scheduled');
      await env.server.background.settle();
      await advance(300_000);
      assert.equal((await fetchMessage(later.sid)).status, 'scheduled');
      assert.deepEqual(callbacks(later.sid), [], 'no callback for the initial status');

      const cancel = await env.server.request('POST', `/2010-04-01/Accounts/${ac()}/Messages/${canceled.sid}.json`, { Status: 'canceled' });
      assert.equal(cancel.status, 200, cancel.text);
      assert.equal(cancel.body.status, 'canceled');
      await env.server.background.settle();
      assert.deepEqual(
        callbacks(canceled.sid).map((c) => c.params.MessageStatus),
        ['canceled'],
      );
      assert.ok(Receiver.valid(callbacks(canceled.sid)[0]!, env.server.account.auth_token));

      await advance(299_999);
      assert.equal((await fetchMessage(later.sid)).status, 'scheduled');
      await advance(1);
      assert.equal((await fetchMessage(later.sid)).status, 'sending');
      await advance(2000);
      const done = await fetchMessage(later.sid);
      assert.equal(done.status, 'delivered');
      assert.equal(sentAt(done), Date.parse(sendAt) + 1000);
      assert.deepEqual(await statuses(later.sid), ['scheduled', 'queued', 'sending', 'sent', 'delivered']);
      assert.deepEqual(
        callbacks(later.sid).map((c) => c.params.MessageStatus),
        ['queued', 'sent', 'delivered'],
      );

      const gone = await fetchMessage(canceled.sid);
      assert.equal(gone.status, 'canceled');
      assert.equal(gone.date_sent, null);
      assert.deepEqual(await statuses(canceled.sid), ['scheduled', 'canceled']);
      assert.deepEqual(
        callbacks(canceled.sid).map((c) => c.params.MessageStatus),
        ['canceled'],
      );
      // A short validity period counts from SendAt, when the message joins the queue, not from its creation.
      const brief = await send({
        MessagingServiceSid: service.sid,
        To: recipient,
        ScheduleType: 'fixed',
        ValidityPeriod: '5',
        SendAt: new Date(env.clock.now().getTime() + 600_000).toISOString(),
      });
      await advance(600_000);
      await advance(2000);
      const briefDone = await fetchMessage(brief.sid);
      assert.equal(briefDone.status, 'delivered', JSON.stringify(briefDone));
      assert.equal(briefDone.error_code, null);
      // Canceling again, or canceling what was sent, is refused.
      for (const sid of [canceled.sid, later.sid]) {
        const again = await env.server.request('POST', `/2010-04-01/Accounts/${ac()}/Messages/${sid}.json`, { Status: 'canceled' });
        assert.equal(again.status, 400, again.text);
      }
    });
  });
}
