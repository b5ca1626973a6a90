import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { useDomain } from '../helpers/domain.js';
import { createConnector } from '../../src/resources/connectors/connectors.js';

/**
 * The lease on a connector's bind (smpp/): the row's status is its holder's session's, so a lease
 * that changes hands must not go on showing the old holder's `bound` under the new holder's name.
 */
for (const backend of BACKENDS) {
  describe(`[${backend}] a connector's lease`, () => {
    const env = useDomain(backend);
    const t = (s: number) => new Date(Date.parse('2026-03-01T09:00:00.000Z') + s * 1000).toISOString();

    test('renewed, it keeps its status; taken over, it says binding until the new holder binds', async () => {
      const { store } = env.deps;
      const made = await createConnector(env.deps, env.accountSid, { Host: '127.0.0.1', SystemId: 'lease', Password: 'secret' });
      const read = async () => {
        const row = await store.connectors.fetch(env.accountSid, made.sid);
        return [row?.holder, row?.status];
      };
      assert.equal(await store.connectors.lease(made.sid, 'node-a', t(0), t(10)), true);
      await store.connectors.setStatus(made.sid, 'node-a', { status: 'bound', last_error: null });
      assert.equal(await store.connectors.lease(made.sid, 'node-a', t(5), t(15)), true);
      assert.deepEqual(await read(), ['node-a', 'bound']);
      // Past the lease, another node takes it.
      assert.equal(await store.connectors.lease(made.sid, 'node-b', t(20), t(30)), true);
      assert.deepEqual(await read(), ['node-b', 'binding']);
      await store.connectors.setStatus(made.sid, 'node-b', { status: 'bound', last_error: null });
      assert.equal(await store.connectors.lease(made.sid, 'node-b', t(25), t(35)), true);
      assert.deepEqual(await read(), ['node-b', 'bound']);
    });
  });
}
