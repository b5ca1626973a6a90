import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { useDomain } from '../helpers/domain.js';
import { MessageStepper } from '../../src/network/message-stepper.js';
import { newMessage } from '../../src/sending/message.js';
import { toStored } from '../../src/http/dates.js';
import { STEP } from '../../src/storage/states.js';

/**
 * The network's rounds on a node with nothing due (every poll, four a second): one read of the
 * earliest step, no transaction. A step that is due is still taken in the round that looks.
 */
for (const backend of BACKENDS) {
  describe(`[${backend}] the network's rounds with nothing due`, () => {
    const env = useDomain(backend);

    test('open no transaction until a step is due, then take it', async () => {
      const { store } = env.deps;
      let transactions = 0;
      const transaction = store.transaction.bind(store);
      store.transaction = ((work) => {
        transactions++;
        return transaction(work);
      }) as typeof store.transaction;
      try {
        const stepper = new MessageStepper(env.deps);
        const at = (ms: number) => toStored(new Date(env.clock.now().getTime() + ms));
        const expiring = newMessage({
          account_sid: env.accountSid,
          direction: 'outbound-api',
          to_address: '+14155550100',
          body: 'due in a minute',
          status: 'queued',
          media: [],
          at: at(0),
          next_step: STEP.expire,
          next_at: at(60_000),
        });
        for (let round = 0; round < 3; round++) assert.equal(await stepper.run(), false);
        await store.messages.insert(expiring);
        assert.equal(await stepper.run(), false);
        assert.equal(transactions, 0, 'rounds with nothing due, before and after a step due later was written');
        env.clock.advance(60_000);
        await stepper.run();
        assert.equal(transactions, 1);
        const failed = await store.messages.fetch(env.accountSid, expiring.sid);
        assert.deepEqual([failed?.status, failed?.error_code, failed?.next_step], ['failed', 30036, null]);
      } finally {
        store.transaction = transaction;
      }
    });
  });
}
