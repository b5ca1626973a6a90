// Webhooks handed to this node's dispatcher as a transaction writes them (the network's status
// callbacks): taken claimed while the slots and shares allow and nothing due waits for a slot,
// written claimed, sent once the transaction commits, and their slots given back if it did not.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { DEFAULT_WEBHOOK_POLICY, webhookRow, WEBHOOK_KIND } from '../../src/webhooks/outbox.js';
import { toStored } from '../../src/http/dates.js';
import { BACKENDS } from '../helpers/backends.js';
import { useDomain } from '../helpers/domain.js';
import { Receiver } from '../helpers/receiver.js';

const { perHost, leaseMs } = DEFAULT_WEBHOOK_POLICY;

for (const backend of BACKENDS) {
  describe(`[${backend}] webhooks handed off as they are written`, () => {
    const env = useDomain(backend);
    const receivers: Receiver[] = [];
    after(async () => {
      for (const r of receivers) await r.close();
    });
    const receiver = async (answer: 'hang' | 'ok') => {
      const made = await Receiver.start();
      if (answer === 'hang') made.answer('hang');
      receivers.push(made);
      return made;
    };
    const rows = (url: string, count: number) =>
      Array.from({ length: count }, (_, i) =>
        webhookRow(
          {
            accountSid: env.accountSid,
            messageSid: `SM${String(i).padStart(32, '0')}`,
            kind: WEBHOOK_KIND.statusCallback,
            url,
            method: 'POST',
            params: [['MessageStatus', 'sent']],
            maxAttempts: 5,
          },
          env.clock.now(),
        ),
      );
    const stored = async (sid: string) => (await env.deps.store.webhooks.fetchManyForUpdate([sid]))[0];

    test("taken up to the host's share, written claimed and sent at commit; due webhooks go first", async () => {
      const { store } = env.deps;
      const dispatcher = new WebhookDispatcher(env.deps);
      const dead = await receiver('hang');
      const healthy = await receiver('ok');

      const toDead = rows(`${dead.url}/status`, perHost + 4);
      const handOff = dispatcher.handOff(toDead);
      assert.equal(handOff.taken, perHost, "a host's share at most");
      const lease = toStored(new Date(env.clock.now().getTime() + leaseMs));
      assert.deepEqual([toDead[0]!.attempts, toDead[0]!.claimed_by, toDead[0]!.next_attempt_at], [1, 'domain-test', lease]);
      assert.deepEqual([toDead[perHost]!.attempts, toDead[perHost]!.claimed_by], [0, null], 'past the share: left to the outbox');
      await store.transaction((tx) => tx.webhooks.insertMany(toDead));
      handOff.start();
      await dead.waitFor(perHost);
      assert.equal(dead.requests[0]!.headers['i-twilio-idempotency-token'], toDead[0]!.idempotency_token);

      // The host is at its share: nothing more for it; another host's webhook is taken, sent and
      // recorded as a claim read from the outbox would be.
      assert.equal(dispatcher.handOff(rows(`${dead.url}/status`, 1)).taken, 0);
      const other = rows(`${healthy.url}/status`, 2);
      const taken = dispatcher.handOff(other);
      assert.equal(taken.taken, 2);
      await store.transaction((tx) => tx.webhooks.insertMany(other));
      taken.start();
      await healthy.waitFor(2);
      for (;;) {
        const [a, b] = await Promise.all(other.map((row) => stored(row.sid)));
        if (a?.status === 'delivered' && b?.status === 'delivered') break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.deepEqual(
        (await store.webhooks.listAttempts([other[0]!.sid])).map((a) => [a.attempt, a.response_status]),
        [[1, 200]],
      );

      // The four past the dead host's share wait in the outbox, due. A dispatcher with two slots
      // reads them and starts two: once those are answered it has room, but two are still due, and
      // a new webhook waits its turn behind them until a read of the due list finds none left.
      assert.equal((await store.webhooks.due(toStored(env.clock.now()), 100)).length, 4);
      dead.answer({ status: 200 });
      dead.release();
      await dispatcher.drain();
      const small = new WebhookDispatcher({ ...env.deps, webhookPolicy: { ...DEFAULT_WEBHOOK_POLICY, concurrency: 2 } });
      assert.equal(await small.startDue(), 2);
      await small.drain();
      const late = rows(`${healthy.url}/status`, 1);
      assert.equal(small.handOff(late).taken, 0, 'due webhooks first: none is handed off ahead of them');
      assert.equal(await small.startDue(), 2);
      await small.drain();
      assert.equal(await small.startDue(), 0);
      const caughtUp = small.handOff(late);
      assert.equal(caughtUp.taken, 1, 'nothing due is left: handed off');
      caughtUp.release();
      await small.close();
      await dispatcher.close();
    });

    test('a hand-off whose transaction did not commit gives its slots back and sends nothing', async () => {
      const healthy = await receiver('ok');
      const dispatcher = new WebhookDispatcher({ ...env.deps, webhookPolicy: { ...DEFAULT_WEBHOOK_POLICY, concurrency: 2 } });
      const refused = dispatcher.handOff(rows(`${healthy.url}/status`, 2));
      assert.equal(refused.taken, 2);
      assert.equal(dispatcher.handOff(rows(`${healthy.url}/status`, 1)).taken, 0, 'every slot is held');
      assert.equal(dispatcher.busy, true, 'held slots keep a settle waiting');
      refused.release();
      refused.start();
      assert.equal(dispatcher.busy, false);
      const again = rows(`${healthy.url}/status`, 2);
      const retaken = dispatcher.handOff(again);
      assert.equal(retaken.taken, 2);
      await env.deps.store.transaction((tx) => tx.webhooks.insertMany(again));
      retaken.start();
      await dispatcher.drain();
      assert.deepEqual(
        healthy.requests.map((r) => r.headers['i-twilio-idempotency-token']).sort(),
        again.map((row) => row.idempotency_token).sort(),
        'only the committed ones were sent',
      );
      await dispatcher.close();
    });
  });
}
