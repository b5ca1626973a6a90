// Fairness of the webhook outbox: a tenant whose receivers never answer holds its share of the
// delivery slots and no more, so another tenant's callback (or the same tenant's callback to a
// healthy host) is sent while the hanging ones are still held open. Without shares the healthy
// callback waits for a slot, that is for a hanging request to time out (60 s here): the wait for
// it below would give up first. And a callback left waiting for its host's share starts as soon as
// one of that host's deliveries ends, not at the worker's next poll.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { DEFAULT_WEBHOOK_POLICY } from '../../src/webhooks/outbox.js';
import { BACKENDS } from '../helpers/backends.js';
import { addSubaccount } from '../helpers/fixtures.js';
import { START, type StartedServer, usNumber } from '../helpers/messaging.js';
import { Receiver } from '../helpers/receiver.js';
import { startTestServer } from '../helpers/server.js';

const { perAccount, perHost, concurrency } = DEFAULT_WEBHOOK_POLICY;
// More than an account's share, half of them to each of two hosts: more than a host's share too.
const SLOW_CALLBACKS = perAccount + perHost;
let shortCodes = 60000;

for (const backend of BACKENDS) {
  describe(`[${backend}] webhook fairness across accounts and receiving hosts`, () => {
    let server: StartedServer;
    let clock: FakeClock;
    let receivers: Receiver[] = [];
    const receiver = async (answer: 'hang' | 'ok') => {
      const made = await Receiver.start();
      if (answer === 'hang') made.answer('hang');
      receivers.push(made);
      return made;
    };

    beforeEach(async () => {
      // The default shares; only the timeout is long, so nothing hanging frees a slot during a test.
      clock = new FakeClock(START);
      server = await startTestServer(backend, { clock, webhooks: { timeoutMs: 60_000 } });
    });
    afterEach(async () => {
      for (const r of receivers) await r.close();
      receivers = [];
      await server.cleanup();
    });

    /**
     * Sends `count` messages from a new short code of the account (100 a second), each with its
     * StatusCallback, and moves the clock a second on: every one is sent, a `sent` callback each
     * (and the first one's carrier receipt, a `delivered`).
     */
    async function sendWithCallbacks(accountSid: string, callbackUrl: string, count: number): Promise<string[]> {
      const made = await server.request('POST', `/2010-04-01/Accounts/${accountSid}/SMS/ShortCodes.json`, {
        ShortCode: String(shortCodes++),
        CountryCode: 'US',
      });
      assert.equal(made.status, 201, made.text);
      const sids: string[] = [];
      for (let i = 0; i < count; i++) {
        const reply = await server.request('POST', `/2010-04-01/Accounts/${accountSid}/Messages.json`, {
          From: made.body.short_code,
          To: usNumber('415'),
          Body: `callback ${i}`,
          StatusCallback: callbackUrl,
        });
        assert.equal(reply.status, 201, reply.text);
        sids.push(reply.body.sid);
      }
      clock.advance(1000);
      return sids;
    }

    test(`one subaccount's ${SLOW_CALLBACKS} hanging callbacks hold ${perAccount} of ${concurrency} slots; another's callback is sent meanwhile`, async (t) => {
      const slow = await addSubaccount(server, { FriendlyName: 'slow tenant' });
      const other = await addSubaccount(server, { FriendlyName: 'other tenant' });
      // Two dead hosts, so the account's share is reached before either host's.
      const [deadA, deadB] = [await receiver('hang'), await receiver('hang')];
      await sendWithCallbacks(slow.sid, `${deadA.url}/status`, SLOW_CALLBACKS / 2);
      await sendWithCallbacks(slow.sid, `${deadB.url}/status`, SLOW_CALLBACKS / 2);
      await Promise.all([deadA.waitFor(perHost), deadB.waitFor(perHost)]);

      const healthy = await receiver('ok');
      const started = performance.now();
      const [sid] = await sendWithCallbacks(other.sid, `${healthy.url}/status`, 1);
      await healthy.waitFor(1);
      t.diagnostic(`the other tenant's callback arrived ${Math.round(performance.now() - started)} ms after its message was sent`);
      assert.equal(healthy.requests[0]!.params.MessageSid, sid);
      assert.equal(healthy.requests[0]!.params.AccountSid, other.sid);
      // Still hanging, every one: the healthy callback did not wait for a slot to free up.
      assert.equal(deadA.requests.length + deadB.requests.length, perAccount, 'the slow tenant holds exactly its share');
    });

    test(`one receiving host that hangs holds ${perHost} slots; the same account's callbacks to another host are sent meanwhile`, async () => {
      const tenant = await addSubaccount(server, { FriendlyName: 'one dead host' });
      const dead = await receiver('hang');
      await sendWithCallbacks(tenant.sid, `${dead.url}/status`, SLOW_CALLBACKS);
      await dead.waitFor(perHost);

      const healthy = await receiver('ok');
      const sids = await sendWithCallbacks(tenant.sid, `${healthy.url}/status`, 3);
      await healthy.waitFor(3);
      const sent = healthy.requests.filter((r) => r.params.MessageStatus === 'sent');
      assert.deepEqual(sent.map((r) => r.params.MessageSid).sort(), [...sids].sort());
      assert.equal(dead.requests.length, perHost, 'the dead host holds exactly its share');
    });

    test(`a callback waiting for its host's share starts as soon as one of the host's ${perHost} deliveries ends`, async () => {
      // The worker never polls during the test: only a delivery's end can start the waiting ones.
      await server.cleanup();
      server = await startTestServer(backend, { clock, webhooks: { timeoutMs: 60_000 }, network: { pollMs: 3_600_000 } });
      const tenant = await addSubaccount(server, { FriendlyName: 'one slow host' });
      const slow = await receiver('hang');
      await sendWithCallbacks(tenant.sid, `${slow.url}/status`, perHost + 2);
      await slow.waitFor(perHost);
      assert.equal(slow.requests.length, perHost, 'the host holds its share, the rest wait');
      slow.answer({ status: 204 });
      slow.release();
      await slow.waitFor(perHost + 2);
      const sent = slow.requests.filter((r) => r.params.MessageStatus === 'sent');
      assert.equal(new Set(sent.map((r) => r.params.MessageSid)).size, perHost + 2);
    });
  });
}
