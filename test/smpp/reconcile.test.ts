import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { useDomain } from '../helpers/domain.js';
import { SmppDelivery } from '../../src/smpp/delivery.js';

/**
 * The `connectors` job runs at every poll of its worker (250 ms) and whenever work is notified.
 * It looks for connectors made on other nodes every 2 s, not at every round: a node with no
 * connectors at all must not read them four times a second.
 */
for (const backend of BACKENDS) {
  describe(`[${backend}] the connectors job with no connectors`, () => {
    const env = useDomain(backend);

    test('reads the connectors once for rounds run close together', async () => {
      const { store } = env.deps;
      let reads = 0;
      const all = store.connectors.all.bind(store.connectors);
      store.connectors.all = () => {
        reads++;
        return all();
      };
      const job = new SmppDelivery(env.deps);
      try {
        for (let round = 0; round < 5; round++) await job.run();
        assert.equal(reads, 1);
      } finally {
        await job.stop();
        store.connectors.all = all;
      }
    });
  });
}
