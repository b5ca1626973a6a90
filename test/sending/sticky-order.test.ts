// Twilio does not say whether a sticky mapping outranks a short code added to the pool later.
// Shortroute keeps the mapping by default; --sticky-sender-first false lets the short code win.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { addService, addShortCode } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addToPool, buyNumber, usNumber } from '../helpers/messaging.js';

for (const backend of BACKENDS) {
  describe(`[${backend}] sticky sender against a short code that joins later`, () => {
    const servers: Record<string, TestServer & { cleanup(): Promise<void> }> = {};
    before(async () => {
      servers.first = await startTestServer(backend, { clock: new FakeClock('2026-03-01T00:00:00Z') });
      servers.notFirst = await startTestServer(backend, { clock: new FakeClock('2026-03-01T00:00:00Z'), stickySenderFirst: false });
    });
    after(async () => {
      for (const server of Object.values(servers)) await server.cleanup();
    });

    /** The rule that chose the sender of a second message, after a short code joined the pool. */
    async function secondRule(server: TestServer): Promise<string> {
      const service = await addService(server, { StickySender: 'true' });
      await addToPool(server, service.sid, 'PhoneNumbers', (await buyNumber(server)).sid);
      const to = usNumber('312');
      const send = async () => {
        const reply = await server.request('POST', `/2010-04-01/Accounts/${server.account.sid}/Messages.json`, {
          To: to,
          MessagingServiceSid: service.sid,
          Body: 'hi',
        });
        assert.equal(reply.status, 201, reply.text);
        await server.background.settle();
        return (await server.request('GET', `/_shortroute/Accounts/${server.account.sid}/Messages/${reply.body.sid}`)).body;
      };
      assert.equal((await send()).selection_rule, 'country_code_geomatch');
      await addToPool(server, service.sid, 'ShortCodes', (await addShortCode(server)).sid);
      return (await send()).selection_rule;
    }

    test('by default the mapping outranks the short code', async () => {
      assert.equal(await secondRule(servers.first!), 'sticky_sender');
    });

    test('with --sticky-sender-first false the short code wins', async () => {
      assert.equal(await secondRule(servers.notFirst!), 'short_code');
    });
  });
}
