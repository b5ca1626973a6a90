import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { startAnother, type TestServer } from '../helpers/server.js';
import { addService, addShortCode } from '../helpers/fixtures.js';
import { addToPool, useMessagingServer } from '../helpers/messaging.js';
import { Receiver } from '../helpers/receiver.js';

const skip = BACKENDS.includes('postgres') ? false : 'SHORTROUTE_TEST_BACKENDS leaves out postgres';

/**
 * Two nodes run the simulated network on one database: every step of every message is taken by
 * exactly one of them, and every status callback is sent once.
 */
describe('[postgres] two nodes share the network and the outbox', { skip }, () => {
  let b: TestServer;
  // Registered before the helper's hooks, as after() hooks run in order: b stops before a's data is dropped.
  after(() => b?.close());
  const env = useMessagingServer('postgres');
  before(async () => {
    b = await startAnother(env.server, { clock: env.clock });
  });

  test('60 messages sent through either node: each status once, each callback once, each signed', async () => {
    const { server: a, receiver, clock } = env;
    const shortCode = await addShortCode(a);
    const service = await addService(a, { StatusCallback: `${receiver.url}/status` });
    await addToPool(a, service.sid, 'ShortCodes', shortCode.sid);

    const sids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const node = i % 2 === 0 ? a : b;
      const reply = await node.request('POST', `/2010-04-01/Accounts/${a.account.sid}/Messages.json`, {
        To: `+1415555${String(1000 + i)}`,
        MessagingServiceSid: service.sid,
        Body: `message ${i}`,
      });
      assert.equal(reply.status, 201, reply.text);
      sids.push(reply.body.sid);
    }
    // 60 segments at 100/s, then the receipts a second later.
    for (const step of [0, 600, 1_000]) {
      clock.advance(step);
      await Promise.all([a.background.settle(), b.background.settle()]);
    }
    await Promise.all([a.background.settle(), b.background.settle()]);

    for (const sid of sids) {
      const inspected = await b.request('GET', `/_shortroute/Accounts/${a.account.sid}/Messages/${sid}`);
      const statuses = inspected.body.events.map((e: { status: string }) => e.status);
      assert.deepEqual(statuses, ['accepted', 'queued', 'sending', 'sent', 'delivered'], sid);
      const callbacks = receiver.requests.filter((r) => r.params.MessageSid === sid).map((r) => r.params.MessageStatus);
      assert.deepEqual([...callbacks].sort(), ['delivered', 'queued', 'sent'], sid);
    }
    assert.equal(receiver.requests.length, 180);
    assert.ok(receiver.requests.every((r) => Receiver.valid(r, a.account.auth_token)));
  });
});
