// `--clock manual`: time stands still until POST /_shortroute/Clock moves it, and the answer comes
// once everything that fell due is done, so a CI run in any language can walk a message through
// its life over HTTP alone, fast and exact.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { addSubaccount, assertTwilioError } from '../helpers/fixtures.js';
import { basicAuth, form, send, startTestServer, type TestServer } from '../helpers/server.js';
import { buyNumber, usNumber } from '../helpers/messaging.js';
import { Receiver } from '../helpers/receiver.js';

for (const backend of BACKENDS) {
  describe(`[${backend}] the manual clock`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    let system: TestServer & { cleanup(): Promise<void> };
    let receiver: Receiver;

    before(async () => {
      server = await startTestServer(backend, { clockMode: 'manual' });
      system = await startTestServer(backend);
      receiver = await Receiver.start();
    });
    after(async () => {
      await server.cleanup();
      await system.cleanup();
      await receiver.close();
    });

    const clock = (target: TestServer, values?: Record<string, string>) => target.request(values ? 'POST' : 'GET', '/_shortroute/Clock', values);

    test('time stands still; Advance moves it and answers once the due work and its callbacks are done', async () => {
      const before = (await clock(server)).body;
      assert.equal(before.mode, 'manual');
      const from = (await buyNumber(server)).phone_number;
      const sent = await server.request('POST', `/2010-04-01/Accounts/${server.account.sid}/Messages.json`, {
        From: from,
        To: usNumber('415'),
        Body: 'one',
        StatusCallback: `${receiver.url}/status`,
      });
      assert.equal(sent.status, 201, sent.text);
      const second = await server.request('POST', `/2010-04-01/Accounts/${server.account.sid}/Messages.json`, { From: from, To: usNumber('415'), Body: 'two' });
      assert.equal((await clock(server)).body.now, before.now, 'nothing moves time but the clock endpoint');

      const moved = await clock(server, { Advance: '1000' });
      assert.equal(moved.status, 200, moved.text);
      assert.equal(Date.parse(moved.body.now) - Date.parse(before.now), 1000);
      const fetch = async (sid: string) => (await server.request('GET', `/2010-04-01/Accounts/${server.account.sid}/Messages/${sid}.json`)).body;
      // A long code sends 1 segment a second: the first took that second, the second's is now.
      assert.equal((await fetch(sent.body.sid)).status, 'sent');
      assert.equal((await fetch(second.body.sid)).status, 'sending');
      assert.deepEqual(
        receiver.requests.map((r) => r.params.MessageStatus),
        ['sent'],
      );

      await clock(server, { Set: new Date(Date.parse(moved.body.now) + 1000).toISOString() });
      assert.equal((await fetch(sent.body.sid)).status, 'delivered');
      assert.equal((await fetch(second.body.sid)).status, 'sent');
      assert.deepEqual(
        receiver.requests.map((r) => r.params.MessageStatus),
        ['sent', 'delivered'],
      );
      assert.ok(receiver.requests.every((r) => Receiver.valid(r, server.account.auth_token)));
    });

    test('bad moves are Twilio errors; time never goes back', async () => {
      const now = (await clock(server)).body.now as string;
      assertTwilioError(await clock(server, { Advance: '-5' }), 400, 20001);
      assertTwilioError(await clock(server, { Advance: 'soon' }), 400, 20001);
      assertTwilioError(await clock(server, { Advance: '10', Set: now }), 400, 20001);
      assertTwilioError(await clock(server, {}), 400, 20001);
      assertTwilioError(await clock(server, { Set: new Date(Date.parse(now) - 1).toISOString() }), 400, 20001);
      assertTwilioError(await clock(server, { Set: '2030-01-01T00:00:00' }), 400, 20001);
      assert.equal((await clock(server)).body.now, now);
    });

    test('only a main account moves it; the system clock cannot be moved', async () => {
      const sub = await addSubaccount(server);
      const asSub = await send(`${server.url}/_shortroute/Clock`, 'POST', basicAuth(sub.sid, sub.auth_token), form({ Advance: '1' }));
      assertTwilioError(asSub, 403, 20403);
      assertTwilioError(await send(`${server.url}/_shortroute/Clock`, 'GET', undefined), 401, 20003);
      assert.equal((await clock(system)).body.mode, 'system');
      assertTwilioError(await clock(system, { Advance: '1000' }), 400, 20001);
    });
  });
}
