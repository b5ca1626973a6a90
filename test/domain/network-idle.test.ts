import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { useDomain } from '../helpers/domain.js';
import { MessageStepper } from '../../src/network/message-stepper.js';
import { newMessage } from '../../src/sending/message.js';
import { toStored } from '../../src/http/dates.js';
import { STEP } from '../../src/storage/states.js';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import { webhookRow, WEBHOOK_KIND } from '../../src/webhooks/outbox.js';
import { Receiver } from '../helpers/receiver.js';

/**
 * The network's rounds on a node with nothing due (every poll, four a second): one read of the
 * earliest step, no transaction. A step that is due is still taken in the round that looks, and
 * a round asked for, or started at a due time it read, takes its steps without looking first.
 * The webhooks' rounds likewise read the outbox once a poll.
 */
for (const backend of BACKENDS) {
  describe(`[${backend}] the network's rounds with nothing due`, () => {
    const env = useDomain(backend);

    /** Counts the store's transactions while `work` runs. */
    async function counted(work: (transactions: () => number) => Promise<void>): Promise<void> {
      const { store } = env.deps;
      let transactions = 0;
      const transaction = store.transaction.bind(store);
      store.transaction = ((inner) => {
        transactions++;
        return transaction(inner);
      }) as typeof store.transaction;
      try {
        await work(() => transactions);
      } finally {
        store.transaction = transaction;
      }
    }
    /** A queued message whose next step is its expiry, `ms` from now. */
    const expiring = (ms: number) => {
      const at = toStored(env.clock.now());
      return newMessage({
        account_sid: env.accountSid,
        direction: 'outbound-api',
        to_address: '+14155550100',
        body: `expires in ${ms} ms`,
        status: 'queued',
        media: [],
        at,
        next_step: STEP.expire,
        next_at: toStored(new Date(Date.parse(at) + ms)),
      });
    };

    test('open no transaction until a step is due, then take it', () =>
      counted(async (transactions) => {
        const { store } = env.deps;
        const stepper = new MessageStepper(env.deps);
        const message = expiring(60_000);
        for (let round = 0; round < 3; round++) assert.equal(await stepper.run(), false);
        await store.messages.insert(message);
        assert.equal(await stepper.run(), false);
        assert.equal(transactions(), 0, 'rounds with nothing due, before and after a step due later was written');
        env.clock.advance(60_000);
        await stepper.run();
        assert.equal(transactions(), 1);
        const failed = await store.messages.fetch(env.accountSid, message.sid);
        assert.deepEqual([failed?.status, failed?.error_code, failed?.next_step], ['failed', 30036, null]);
      }));

    test('after a round that took a step, polls before the next due step open none; a round asked for, or at the due time read, opens one', () =>
      counted(async (transactions) => {
        const { store } = env.deps;
        const stepper = new MessageStepper(env.deps);
        const soon = expiring(1_000);
        const later = expiring(2_000);
        await store.messages.insertMany([soon, later]);
        // Asked for (a send was written): straight to the transaction, nothing due yet.
        assert.equal(await stepper.run(true), false);
        assert.equal(transactions(), 1);
        env.clock.advance(1_000);
        await stepper.run();
        assert.equal(transactions(), 2, 'the first expiry taken');
        // The worker's timer reads the next due time, then polls come before it.
        assert.equal((await stepper.nextDue())?.toISOString(), later.next_at);
        for (let round = 0; round < 3; round++) assert.equal(await stepper.run(), false);
        assert.equal(transactions(), 2, 'polls of a trickle between its steps');
        // At the due time it read, the round takes the step without looking first.
        env.clock.advance(1_000);
        // (The transactions counted at each read of the earliest step: none before the round's.)
        const reads: number[] = [];
        const nextDue = store.messages.nextDue.bind(store.messages);
        store.messages.nextDue = () => {
          reads.push(transactions());
          return nextDue();
        };
        try {
          await stepper.run();
        } finally {
          store.messages.nextDue = nextDue;
        }
        assert.equal(transactions(), 3);
        assert.ok(!reads.includes(2), `no read before the transaction (transactions at each read: ${reads})`);
        const failed = await store.messages.fetch(env.accountSid, later.sid);
        assert.equal(failed?.error_code, 30036);
      }));

    test('webhooks: a poll with nothing due reads the outbox once, kept for its timer; a due one is sent by the round that looks', async () => {
      const { store } = env.deps;
      const reads: string[] = [];
      const { due, nextDue } = store.webhooks;
      store.webhooks.due = (...args) => {
        reads.push('due');
        return due.apply(store.webhooks, args);
      };
      store.webhooks.nextDue = (...args) => {
        reads.push('next');
        return nextDue.apply(store.webhooks, args);
      };
      const receiver = await Receiver.start();
      try {
        const dispatcher = new WebhookDispatcher(env.deps);
        // A worker's poll: a round, then its timer's nextDue().
        for (let round = 0; round < 3; round++) {
          assert.equal(await dispatcher.run(), false);
          assert.equal(await dispatcher.nextDue(), undefined);
        }
        assert.deepEqual(reads, ['next', 'next', 'next'], 'one read a poll');
        const hook = webhookRow(
          {
            accountSid: env.accountSid,
            messageSid: `SM${'0'.repeat(32)}`,
            kind: WEBHOOK_KIND.statusCallback,
            url: `${receiver.url}/status`,
            method: 'POST',
            params: [['MessageStatus', 'sent']],
            maxAttempts: 5,
          },
          env.clock.now(),
        );
        await store.webhooks.insert(hook);
        reads.length = 0;
        await dispatcher.run();
        await receiver.waitFor(1);
        assert.deepEqual(reads, ['next', 'due'], 'the poll finds it due and reads the due list');
        reads.length = 0;
        await dispatcher.run(true);
        assert.deepEqual(reads, ['due'], 'a round asked for reads the due list at once');
        await dispatcher.close();
      } finally {
        store.webhooks.due = due;
        store.webhooks.nextDue = nextDue;
        await receiver.close();
      }
    });
  });
}
