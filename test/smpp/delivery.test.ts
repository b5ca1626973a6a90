// Real delivery over SMPP against an SMSC on loopback (test/helpers/smsc.ts, the `smpp` package's
// server side): a connector binds with the right password and reports the wrong one; a message
// through a service goes out from its short code with SMPP's addressing and coding, and its receipt
// makes it delivered with the same status callbacks as the simulated network; long GSM-7 and emoji
// bodies go as concatenated parts; throttling slows submits without losing one; a refused submit
// fails the message with the documented code; a dropped connection loses nothing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { addService, addShortCode, assertTwilioError } from '../helpers/fixtures.js';
import { addToPool, advanceClock, buyNumber, usNumber, useMessagingServer, type Json } from '../helpers/messaging.js';
import { Smsc } from '../helpers/smsc.js';
import { freePort } from '../helpers/cli.js';
import { Receiver } from '../helpers/receiver.js';
import { concatenation } from '../../src/smpp/pdus.js';

const WAIT_MS = 10_000;

for (const backend of BACKENDS) {
  describe(`[${backend}] SMPP delivery`, () => {
    const env = useMessagingServer(backend, {}, 'test');
    let smsc: Smsc;
    before(async () => {
      smsc = await Smsc.start('shortroute', 'secret');
    });
    after(() => smsc?.close());

    const connectors = () => `/_shortroute/Accounts/${env.server.account.sid}/Connectors`;

    /** Polls the connector until `ready` holds: its status is written by the node holding the bind. */
    async function connectorUntil(sid: string, ready: (c: Json) => boolean, what: string): Promise<Json> {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const reply = await env.server.request('GET', `${connectors()}/${sid}`);
        assert.equal(reply.status, 200, reply.text);
        if (ready(reply.body)) return reply.body;
        if (Date.now() > deadline) assert.fail(`connector ${sid}: not ${what} within ${WAIT_MS} ms: ${reply.text}`);
        await new Promise((go) => setImmediate(go));
        await env.server.background.connectors.idle();
      }
    }

    async function messageUntil(sid: string, status: string): Promise<Json> {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const reply = await env.server.request('GET', `/2010-04-01/Accounts/${env.server.account.sid}/Messages/${sid}.json`);
        if (reply.body.status === status) return reply.body;
        if (Date.now() > deadline) assert.fail(`message ${sid}: not ${status} within ${WAIT_MS} ms: ${reply.text}`);
        await new Promise((go) => setTimeout(go, 10));
      }
    }

    async function connector(values: Record<string, string> = {}): Promise<Json> {
      const reply = await env.server.request('POST', connectors(), {
        Host: '127.0.0.1',
        Port: String(smsc.port),
        SystemId: 'shortroute',
        Password: 'secret',
        Throughput: '1000',
        ...values,
      });
      assert.equal(reply.status, 201, reply.text);
      return reply.body;
    }

    /** A service with `count` short codes (made with `values`), each going out through the connector. */
    async function serviceOn(connectorSid: string, count = 1, values: Record<string, string | string[]> = {}) {
      const service = await addService(env.server, { StatusCallback: `${env.receiver.url}/status` });
      const shortCodes = [];
      for (let i = 0; i < count; i++) {
        const sc = await addShortCode(env.server, { CountryCode: 'US', ...values });
        await addToPool(env.server, service.sid, 'ShortCodes', sc.sid);
        const assigned = await env.server.request('POST', `${connectors()}/${connectorSid}/Senders`, { SenderSid: sc.sid });
        assert.equal(assigned.status, 201, assigned.text);
        shortCodes.push(sc);
      }
      return { service, shortCode: shortCodes[0]! };
    }

    /** A service whose short code goes out through a bound connector. */
    async function serviceThroughSmpp() {
      const made = await connector();
      const { service, shortCode } = await serviceOn(made.sid);
      await connectorUntil(made.sid, (c) => c.status === 'bound', 'bound');
      return { connector: made, service, shortCode };
    }

    async function send(serviceSid: string, body: string, to = usNumber('415')): Promise<Json> {
      const reply = await env.server.request('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
        MessagingServiceSid: serviceSid,
        To: to,
        Body: body,
      });
      assert.equal(reply.status, 201, reply.text);
      // The sender's own rate holds on the test's clock: a second ahead, its turn has come.
      await advanceClock(env.server, env.clock, 1_000);
      return reply.body;
    }

    /**
     * `count` messages through the service, all posted before the clock moves (so they fall due
     * together), each answered by the SMSC `answerDelayMs` after it arrives; resolves once every
     * one is delivered.
     */
    async function deliverAtOnce(serviceSid: string, count: number, prefix: string, answerDelayMs: number): Promise<void> {
      smsc.answerDelayMs = answerDelayMs;
      try {
        const messages = [];
        for (let i = 0; i < count; i++) {
          const reply = await env.server.request('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
            MessagingServiceSid: serviceSid,
            To: usNumber('415'),
            Body: `${prefix} ${i}`,
          });
          assert.equal(reply.status, 201, reply.text);
          messages.push(reply.body);
        }
        await advanceClock(env.server, env.clock, 1_000);
        for (const message of messages) await messageUntil(message.sid, 'delivered');
      } finally {
        smsc.answerDelayMs = 0;
      }
    }

    /** The receiver's `n`th inbound request (this test's receiver). */
    async function inbound(n: number) {
      const requests = () => env.receiver.requests.filter((r) => r.path === '/inbound');
      while (requests().length < n) await env.receiver.waitFor(env.receiver.requests.length + 1);
      return requests()[n - 1]!;
    }

    async function cleanUp(sid: string) {
      const reply = await env.server.request('DELETE', `${connectors()}/${sid}`);
      assert.equal(reply.status, 204, reply.text);
    }

    test('a wrong password is reported on the connector; the right one binds', async () => {
      const wrong = await connector({ Password: 'nope' });
      const failed = await connectorUntil(wrong.sid, (c) => c.status === 'error', 'in error');
      assert.match(failed.last_error, /ESME_RBINDFAIL/);
      assert.equal(failed.password, undefined, 'the password is never shown');
      assert.ok(smsc.binds.some((b) => !b.ok));

      const binds = smsc.binds.length;
      const updated = await env.server.request('POST', `${connectors()}/${wrong.sid}`, { Password: 'secret' });
      assert.equal(updated.status, 200, updated.text);
      const bound = await connectorUntil(wrong.sid, (c) => c.status === 'bound', 'bound');
      assert.equal(bound.last_error, null);
      assert.equal(bound.bound_by !== null, true);
      assert.ok(
        smsc.binds.slice(binds).some((b) => b.ok),
        'a changed setting binds again',
      );

      const unbinds = smsc.unbinds;
      await cleanUp(wrong.sid);
      await smsc.until(() => smsc.unbinds > unbinds, 'unbind after the connector was deleted');
    });

    test("a changed setting binds again, and the replaced session's last state is written before the new one's: the row ends bound", async () => {
      const made = await connector();
      await connectorUntil(made.sid, (c) => c.status === 'bound', 'bound');
      // The replaced session's `unbound` (written as it stops) is held until the SMSC has seen
      // the new bind. A write of the new session's that started meanwhile could commit before
      // it, and the row would say `unbound` while the connector is bound.
      const rows = env.server.store.connectors;
      const setStatus = rows.setStatus;
      const binds = smsc.binds.length;
      let [writing, overlapped, held, rebound] = [0, false, false, false];
      rows.setStatus = async (sid, holder, patch) => {
        overlapped ||= writing > 0;
        writing++;
        try {
          if (patch.status === 'unbound' && !held) {
            held = true;
            await smsc.until(() => smsc.binds.length > binds, 'the new bind');
          }
          await setStatus.call(rows, sid, holder, patch);
          // The new session's `bound`, written after the replaced one's `unbound`: the row says
          // `bound` before the rebind too, so only this tells it is over.
          if (held && patch.status === 'bound') rebound = true;
        } finally {
          writing--;
        }
      };
      try {
        const updated = await env.server.request('POST', `${connectors()}/${made.sid}`, { WindowSize: '5' });
        assert.equal(updated.status, 200, updated.text);
        await smsc.until(() => smsc.binds.slice(binds).some((b) => b.ok), 'a changed setting binds again');
        const bound = await connectorUntil(made.sid, (c) => rebound && c.status === 'bound' && c.window_size === 5, 'bound again');
        assert.equal(bound.last_error, null);
        assert.ok(held, 'the replaced session wrote `unbound`');
        assert.equal(overlapped, false, "a status write started before the last one's ended");
        await env.server.background.connectors.idle();
        assert.equal((await env.server.request('GET', `${connectors()}/${made.sid}`)).body.status, 'bound');
      } finally {
        rows.setStatus = setStatus;
        await cleanUp(made.sid);
      }
    });

    test("a message through a service goes out from its short code over SMPP; the receipt delivers it, with the simulated network's callbacks", async () => {
      const { connector: made, service, shortCode } = await serviceThroughSmpp();
      const to = usNumber('415');
      const before = smsc.submits.length;
      const message = await send(service.sid, 'Your code is 123456', to);
      await smsc.until(() => smsc.submits.length > before, 'submit_sm');
      const [submit] = smsc.submits.slice(before);
      const pdu = submit!.pdu;
      assert.deepEqual([pdu.source_addr_ton, pdu.source_addr_npi, pdu.source_addr], [3, 0, shortCode.short_code], 'a short code is network-specific');
      assert.deepEqual([pdu.dest_addr_ton, pdu.dest_addr_npi, pdu.destination_addr], [1, 1, to.slice(1)], 'the handset is international/ISDN');
      assert.equal(pdu.data_coding, 0, 'GSM-7');
      assert.equal(pdu.registered_delivery, 1, 'a receipt is asked for');
      // Relative (000000100000000R): the SMSC's library reads it as a time from now.
      const validUntil = (pdu.validity_period as Date).getTime();
      assert.ok(Math.abs(validUntil - (Date.now() + 36_000_000)) < 60_000, `the message's default validity, 36,000 s: ${pdu.validity_period}`);
      assert.equal(submit!.text, 'Your code is 123456');

      const delivered = await messageUntil(message.sid, 'delivered');
      assert.equal(delivered.error_code, null);
      await env.receiver.waitFor(3);
      // The same three as the simulated network's; the order they arrive in is not guaranteed (a
      // fast receipt's callback can overtake the `sent` one), as on Twilio.
      assert.deepEqual(
        env.receiver.requests
          .filter((r) => r.params.MessageSid === message.sid)
          .map((r) => r.params.MessageStatus)
          .sort(),
        ['delivered', 'queued', 'sent'],
      );
      await cleanUp(made.sid);
    });

    test('a 300-character and a 100-emoji message go as concatenated parts, and are delivered when every part is', async () => {
      const { connector: made, service } = await serviceThroughSmpp();
      const long = Array.from({ length: 30 }, (_, i) => `part ${String(i).padStart(3, '0')}`)
        .join(' ')
        .slice(0, 300);
      const emoji = '😀'.repeat(100);
      for (const [body, coding] of [
        [long, 0],
        [emoji, 8],
      ] as const) {
        const before = smsc.submits.length;
        const message = await send(service.sid, body);
        const delivered = await messageUntil(message.sid, 'delivered');
        const parts = smsc.submits.slice(before);
        assert.equal(parts.length, Number(delivered.num_segments), 'one submit_sm a segment');
        assert.ok(parts.length > 1);
        const headers = parts.map((p) => concatenation(p.udh));
        assert.deepEqual(
          headers.map((h) => [h?.total, h?.part]),
          parts.map((_, i) => [parts.length, i + 1]),
        );
        assert.equal(new Set(headers.map((h) => h?.reference)).size, 1, 'one reference for the message');
        for (const p of parts) {
          assert.equal(p.pdu.data_coding, coding);
          assert.equal(Number(p.pdu.esm_class) & 0x40, 0x40, 'UDHI set');
        }
        assert.equal(parts.map((p) => p.text).join(''), body, 'the parts join back into the body');
      }
      await cleanUp(made.sid);
    });

    test('the connector keeps to its window and its throughput: never more submits unanswered than the window, never closer than 1/throughput', async () => {
      const made = await connector({ WindowSize: '2', Throughput: '20' });
      const { service } = await serviceOn(made.sid, 3);
      await connectorUntil(made.sid, (c) => c.status === 'bound', 'bound');
      const before = smsc.submits.length;
      smsc.maxUnanswered = 0;
      // Three senders at 100 segments a second each: on the test's clock, all are due at once.
      await deliverAtOnce(service.sid, 6, 'Paced', 120);
      assert.equal(smsc.maxUnanswered, 2, 'the window is used, and never exceeded');
      // At 20 a second, 6 submits span at least 5 × 50 ms (less a little for when each arrived).
      const times = smsc.submits.slice(before).map((s) => s.at);
      assert.equal(times.length, 6);
      assert.ok(times.at(-1)! - times[0]! >= 235, `6 submits at 20/s span ≥ 250 ms: ${times.map((t) => t - times[0]!).join(', ')} ms`);
      await cleanUp(made.sid);
    });

    test('ESME_RTHROTTLED slows the connector down and the message still goes; ESME_RINVDSTADR fails it with 21211', async () => {
      const { connector: made, service } = await serviceThroughSmpp();
      const before = smsc.submits.length;
      smsc.script.push(0x58, 0x58);
      const throttled = await send(service.sid, 'Patience');
      await messageUntil(throttled.sid, 'delivered');
      assert.deepEqual(
        smsc.submits.slice(before).map((s) => s.id === undefined),
        [true, true, false],
        'submitted again after each ESME_RTHROTTLED',
      );

      smsc.script.push(0x0b);
      const refused = await send(service.sid, 'Nobody there');
      const failed = await messageUntil(refused.sid, 'failed');
      assert.equal(failed.error_code, 21211);
      await cleanUp(made.sid);
    });

    test('a whole window refused with ESME_RTHROTTLED at once is one pause, not one a refusal: the messages go half a second later', async () => {
      const made = await connector({ WindowSize: '10' });
      const { service } = await serviceOn(made.sid);
      await connectorUntil(made.sid, (c) => c.status === 'bound', 'bound');
      const before = smsc.submits.length;
      smsc.script.push(...Array<number>(10).fill(0x58));
      await deliverAtOnce(service.sid, 10, 'Busy', 50);
      const submits = smsc.submits.slice(before);
      const refused = submits.filter((s) => s.id === undefined);
      assert.equal(refused.length, 10, 'the whole window was refused');
      assert.equal(submits.length, 20, 'and each went again once');
      const firstTaken = submits.find((s) => s.id !== undefined)!;
      const pause = firstTaken.at - Math.max(...refused.map((s) => s.at));
      // One pause of 0.5 s (less the answer delay); a pause doubled for every refusal would be 30 s.
      assert.ok(pause < 3_000, `one pause, not ten doubling ones: ${pause} ms`);
      await cleanUp(made.sid);
    });

    test("a handset's text reaches the service's webhook, signed; the TwiML reply goes back over SMPP; a text in two parts arrives whole", async () => {
      const { connector: made, service, shortCode } = await serviceThroughSmpp();
      await env.server.request('POST', `/v1/Services/${service.sid}`, { InboundRequestUrl: `${env.receiver.url}/inbound` });
      env.receiver.answer((r) =>
        r.path === '/inbound' ? { status: 200, contentType: 'text/xml', body: '<Response><Message>Got it</Message></Response>' } : { status: 204 },
      );
      const handset = usNumber('415');
      const before = smsc.submits.length;
      assert.deepEqual(await smsc.text(handset, shortCode.short_code, 'Hello over SMPP'), [0]);
      await env.server.background.settle();
      const request = await inbound(1);
      assert.equal(request.params.Body, 'Hello over SMPP');
      assert.equal(request.params.From, handset);
      assert.equal(request.params.To, shortCode.short_code);
      assert.equal(request.params.MessagingServiceSid, service.sid);
      assert.ok(Receiver.valid(request, env.server.account.auth_token), 'signed like Twilio');
      await advanceClock(env.server, env.clock, 1_000);
      await smsc.until(() => smsc.submits.slice(before).some((s) => s.text === 'Got it'), 'the TwiML reply');
      const reply = smsc.submits.slice(before).find((s) => s.text === 'Got it')!;
      assert.deepEqual([reply.pdu.source_addr, reply.pdu.destination_addr], [shortCode.short_code, handset.slice(1)]);

      const long = 'This text was too long for one part, so the handset cut it in two for the SMSC.';
      assert.deepEqual(await smsc.text(handset, shortCode.short_code, long, { parts: 2 }), [0, 0]);
      await env.server.background.settle();
      const joined = await inbound(2);
      assert.equal(joined.params.Body, long);

      assert.deepEqual(await smsc.text(handset, '99999999', 'To no sender of the account'), [0x64], 'refused for good: ESME_RX_P_APPN');
      await cleanUp(made.sid);
    });

    test("a handset's reused reference never joins parts of another text: one of another length, or one whose parts stopped coming an hour ago; a national number gets its country", async () => {
      const { connector: made, service, shortCode } = await serviceThroughSmpp();
      await env.server.request('POST', `/v1/Services/${service.sid}`, { InboundRequestUrl: `${env.receiver.url}/joined` });
      const handset = usNumber('415');
      const to = shortCode.short_code;
      const bodies = () => env.receiver.requests.filter((r) => r.path === '/joined').map((r) => r.params.Body);

      // Part 3 of a three-part text that never came whole, then a two-part text under its reference.
      assert.deepEqual(await smsc.text(handset, to, 'one two three', { parts: 3, reference: 7, only: [3] }), [0]);
      assert.deepEqual(await smsc.text(handset, to, 'Another text, in two parts', { parts: 2, reference: 7 }), [0, 0]);
      // Part 2 of a two-part text, then over an hour later a new two-part text under that reference.
      assert.deepEqual(await smsc.text(handset, to, 'stale half of a text', { parts: 2, reference: 9, only: [2] }), [0]);
      await advanceClock(env.server, env.clock, 3_600_001);
      const fresh = 'A fresh text, also in two parts';
      assert.deepEqual(await smsc.text(handset, to, fresh, { parts: 2, reference: 9, only: [1] }), [0]);
      await env.server.background.settle();
      assert.deepEqual(bodies(), ['Another text, in two parts'], 'the fresh first part waits for its own second part');
      assert.deepEqual(await smsc.text(handset, to, fresh, { parts: 2, reference: 9, only: [2] }), [0]);
      // The handset's number as national (TON 2) and of unknown type (0): the short code's country's.
      assert.deepEqual(await smsc.text(handset.slice(2), to, 'National', { sourceTon: 2 }), [0]);
      assert.deepEqual(await smsc.text(handset.slice(1), to, 'Unknown type', { sourceTon: 0 }), [0]);
      // A long number of the account, texted as national: found in the country of its numbers.
      const number = await buyNumber(env.server, { PhoneNumber: usNumber('628') });
      await addToPool(env.server, service.sid, 'PhoneNumbers', number.sid);
      assert.deepEqual(await smsc.text(handset.slice(2), number.phone_number.slice(2), 'To a long number', { sourceTon: 2, destinationTon: 2 }), [0]);
      await env.server.background.settle();
      while (bodies().length < 5) await env.receiver.waitFor(env.receiver.requests.length + 1);
      assert.deepEqual(bodies(), ['Another text, in two parts', fresh, 'National', 'Unknown type', 'To a long number']);
      const requests = env.receiver.requests.filter((r) => r.path === '/joined');
      assert.deepEqual(
        requests.map((r) => r.params.From),
        [handset, handset, handset, handset, handset],
      );
      assert.equal(requests.at(-1)!.params.To, number.phone_number);
      await cleanUp(made.sid);
    });

    test('STOP over SMPP opts the handset out: its confirmation goes out over SMPP, and the next send to it fails with 21610', async () => {
      const { connector: made, service, shortCode } = await serviceThroughSmpp();
      const handset = usNumber('415');
      const before = smsc.submits.length;
      assert.deepEqual(await smsc.text(handset, shortCode.short_code, 'STOP'), [0]);
      await advanceClock(env.server, env.clock, 1_000);
      await smsc.until(() => smsc.submits.slice(before).some((s) => s.pdu.destination_addr === handset.slice(1)), 'the opt-out confirmation');
      const message = await send(service.sid, 'Are you still there?', handset);
      const failed = await messageUntil(message.sid, 'failed');
      assert.equal(failed.error_code, 21610);
      await cleanUp(made.sid);
    });

    test('while its connector cannot bind, a message waits, and fails with 30036 when its validity period ends', async () => {
      const made = await connector({ Port: String(await freePort()) });
      const { service } = await serviceOn(made.sid);
      const down = await connectorUntil(made.sid, (c) => c.status === 'error', 'in error');
      assert.match(down.last_error, /ECONNREFUSED/);

      const reply = await env.server.request('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
        MessagingServiceSid: service.sid,
        To: usNumber('415'),
        Body: 'Soon or never',
        ValidityPeriod: '60',
      });
      assert.equal(reply.status, 201, reply.text);
      await advanceClock(env.server, env.clock, 30_000);
      assert.equal((await messageUntil(reply.body.sid, 'sending')).error_code, null, 'waiting, not failed');
      await advanceClock(env.server, env.clock, 31_000);
      const failed = await messageUntil(reply.body.sid, 'failed');
      assert.equal(failed.error_code, 30036);
      await cleanUp(made.sid);
    });

    test('a message waiting for its connector goes back to the simulated network when its short code is released, instead of expiring', async () => {
      const made = await connector({ Port: String(await freePort()) });
      const { service, shortCode } = await serviceOn(made.sid);
      const message = await send(service.sid, 'Stranded?');
      assert.equal((await messageUntil(message.sid, 'sending')).error_code, null, 'waiting for the connector');

      const released = await env.server.request('DELETE', `/2010-04-01/Accounts/${env.server.account.sid}/SMS/ShortCodes/${shortCode.sid}.json`);
      assert.equal(released.status, 204, released.text);
      const senders = await env.server.request('GET', `${connectors()}/${made.sid}/Senders`);
      assert.deepEqual(senders.body.senders, [], 'the released short code left its connector');
      // The simulated network takes it on at once: it never waits out its validity (30036).
      await advanceClock(env.server, env.clock, 2_000);
      const delivered = await messageUntil(message.sid, 'delivered');
      assert.equal(delivered.error_code, null);
      await cleanUp(made.sid);
    });

    test('a message with media does not go over SMPP: it fails with 30008', async () => {
      const made = await connector();
      const { service } = await serviceOn(made.sid, 1, { Capabilities: ['SMS', 'MMS'] });
      const before = smsc.submits.length;
      const reply = await env.server.request('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
        MessagingServiceSid: service.sid,
        To: usNumber('415'),
        Body: 'A picture',
        MediaUrl: 'https://example.test/cat.jpg',
      });
      assert.equal(reply.status, 201, reply.text);
      await advanceClock(env.server, env.clock, 1_000);
      assert.equal((await messageUntil(reply.body.sid, 'failed')).error_code, 30008);
      assert.equal(smsc.submits.length, before, 'nothing submitted');
      await cleanUp(made.sid);
    });

    test('the SMSC drops the connection with submits unanswered: they go again after the next bind, and every message is delivered', async () => {
      const { connector: made, service } = await serviceThroughSmpp();
      const before = smsc.submits.length;
      smsc.holdAnswers = true;
      const bodies = ['one', 'two', 'three'].map((word) => `Mid-window ${word}`);
      const messages = [];
      for (const body of bodies) messages.push(await send(service.sid, body));
      await smsc.until(() => smsc.submits.length - before >= bodies.length, 'the unanswered submits');
      smsc.holdAnswers = false;
      smsc.dropAll();
      for (const message of messages) await messageUntil(message.sid, 'delivered');
      const texts = smsc.submits.slice(before).map((s) => s.text);
      for (const body of bodies) {
        // Once unanswered, once again after the bind: the documented duplicate, and no more.
        assert.equal(texts.filter((t) => t === body).length, 2, body);
      }
      await cleanUp(made.sid);
    });

    test('the SMSC drops the connection: the connector binds again and the message waiting goes out', async () => {
      const { connector: made, service } = await serviceThroughSmpp();
      smsc.autoReceipt = false;
      try {
        const binds = smsc.binds.filter((b) => b.ok).length;
        smsc.dropAll();
        await connectorUntil(made.sid, (c) => c.status !== 'bound', 'unbound after the drop');
        const before = smsc.submits.length;
        const message = await send(service.sid, 'After the drop');
        await smsc.until(() => smsc.submits.length > before, 'the submit after the connector bound again', 15_000);
        assert.ok(smsc.binds.filter((b) => b.ok).length > binds, 'bound again');
        await messageUntil(message.sid, 'sent');
        smsc.receipt(smsc.submits.at(-1)!.id!, 'UNDELIV');
        const undelivered = await messageUntil(message.sid, 'undelivered');
        assert.equal(undelivered.error_code, 30003);
      } finally {
        smsc.autoReceipt = true;
      }
      await cleanUp(made.sid);
    });
  });
}

for (const backend of BACKENDS) {
  describe(`[${backend}] SMPP connectors as a resource`, () => {
    const env = useMessagingServer(backend);
    const connectors = () => `/_shortroute/Accounts/${env.server.account.sid}/Connectors`;

    test('bad settings are refused with Twilio-shaped errors; nothing is written', async () => {
      assertTwilioError(await env.server.request('POST', connectors(), { SystemId: 'a', Password: 'b' }), 400, 20001);
      assertTwilioError(await env.server.request('POST', connectors(), { Host: 'h', SystemId: 'a', Password: 'much-too-long' }), 400, 20001);
      assertTwilioError(await env.server.request('POST', connectors(), { Host: 'h', SystemId: 'a', Password: 'b', Port: '70000' }), 400, 20001);
      assertTwilioError(await env.server.request('POST', connectors(), { Host: 'h', SystemId: 'a', Password: 'b', Tls: 'maybe' }), 400, 20001);
      const list = await env.server.request('GET', connectors());
      assert.equal(list.status, 200, list.text);
      assert.deepEqual(list.body.connectors, []);
    });

    test('one sender assigned to two connectors at the same moment: one wins, the other is told so (never a 500)', async () => {
      const made = await Promise.all(
        ['a', 'b'].map((host) => env.server.request('POST', connectors(), { Host: `smsc-${host}.example`, SystemId: 'acme', Password: 'pw' })),
      );
      for (let round = 0; round < 5; round++) {
        const sc = await addShortCode(env.server, { CountryCode: 'US' });
        const replies = await Promise.all(made.map((c) => env.server.request('POST', `${connectors()}/${c.body.sid}/Senders`, { SenderSid: sc.sid })));
        const statuses = replies.map((r) => r.status).sort();
        assert.equal(statuses[0], 201, replies.map((r) => r.text).join('\n'));
        assert.ok([400, 409].includes(statuses[1]!), replies.map((r) => r.text).join('\n'));
        const loser = replies.find((r) => r.status !== 201)!;
        assertTwilioError(loser, loser.status, 20001);
      }
      for (const c of made) assert.equal((await env.server.request('DELETE', `${connectors()}/${c.body.sid}`)).status, 204);
    });

    test('made with defaults, listed in pages, fetched, its senders assigned once, and deleted', async () => {
      const made = await env.server.request('POST', connectors(), { Host: 'smsc.example', SystemId: 'acme', Password: 'pw', EnquireLinkInterval: '60' });
      assert.equal(made.status, 201, made.text);
      const c = made.body;
      assert.match(c.sid, /^XC[0-9a-f]{32}$/);
      assert.deepEqual(
        [c.port, c.tls, c.window_size, c.throughput, c.enquire_link_interval, c.friendly_name, c.system_type],
        [2775, false, 10, 100, 60, 'acme@smsc.example', ''],
      );
      assert.equal(c.password, undefined);
      const second = await env.server.request('POST', connectors(), { Host: 'smsc2.example', SystemId: 'acme', Password: 'pw' });
      const page1 = await env.server.request('GET', `${connectors()}?PageSize=1`);
      assert.deepEqual(
        page1.body.connectors.map((x: Json) => x.sid),
        [c.sid],
      );
      const page2 = await fetch(page1.body.meta.next_page_url, { headers: { authorization: env.server.auth } });
      assert.deepEqual(
        ((await page2.json()) as Json).connectors.map((x: Json) => x.sid),
        [second.body.sid],
      );

      const sc = await addShortCode(env.server, { CountryCode: 'US' });
      const senders = `${connectors()}/${c.sid}/Senders`;
      const assigned = await env.server.request('POST', senders, { SenderSid: sc.sid });
      assert.equal(assigned.status, 201, assigned.text);
      assert.deepEqual([assigned.body.sender_type, assigned.body.address], ['short_code', sc.short_code]);
      assertTwilioError(await env.server.request('POST', senders, { SenderSid: sc.sid }), 409, 20001);
      assertTwilioError(await env.server.request('POST', `${connectors()}/${second.body.sid}/Senders`, { SenderSid: sc.sid }), 400, 20001);
      assertTwilioError(await env.server.request('POST', senders, { SenderSid: `SC${'0'.repeat(32)}` }), 404, 20404);
      assertTwilioError(await env.server.request('POST', senders, { SenderSid: 'MG123' }), 400, 20001);
      const listed = await env.server.request('GET', senders);
      assert.deepEqual(
        listed.body.senders.map((s: Json) => s.sender_sid),
        [sc.sid],
      );
      assert.equal((await env.server.request('DELETE', `${senders}/${sc.sid}`)).status, 204);
      assertTwilioError(await env.server.request('DELETE', `${senders}/${sc.sid}`), 404, 20404);

      assert.equal((await env.server.request('DELETE', `${connectors()}/${c.sid}`)).status, 204);
      assert.equal((await env.server.request('DELETE', `${connectors()}/${second.body.sid}`)).status, 204);
      assertTwilioError(await env.server.request('GET', `${connectors()}/${c.sid}`), 404, 20404);
    });
  });
}
