// The official `twilio` SDK, unchanged, on subaccounts and API keys. (test/helpers/sdk.ts keeps TWILIO_EDGE
// and TWILIO_REGION away: they would rewrite the loopback host.)

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { sdkClient, rejectsWith, assertDate, type Client } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addShortCode } from '../helpers/fixtures.js';

type Server = TestServer & { cleanup(): Promise<void> };

for (const backend of BACKENDS) {
  describe(`[${backend}] twilio SDK: api.v2010.accounts`, () => {
    let server: Server;
    let client: Client;
    // Moved by hand, so creation order is exact rather than racing the real clock.
    const clock = new FakeClock('2026-05-01T10:00:00.000Z');
    before(async () => {
      server = await startTestServer(backend, { clock });
      client = sdkClient(server);
    });
    after(() => server.cleanup());

    test('accounts.create: returns an AccountInstance for a subaccount with an auth token of its own', async () => {
      clock.advance(1000);
      const sub = await client.api.v2010.accounts.create({ friendlyName: 'SDK tenant' });
      assert.match(sub.sid, /^AC[0-9a-f]{32}$/);
      assert.match(sub.authToken, /^[0-9a-f]{32}$/);
      assert.equal(sub.friendlyName, 'SDK tenant');
      assert.equal(sub.ownerAccountSid, server.account.sid);
      assert.equal(sub.status, 'active');
      assert.equal(sub.type, 'Full');
      assert.equal(sub.uri, `/2010-04-01/Accounts/${sub.sid}.json`);
      assert.equal(sub.subresourceUris.keys, `/2010-04-01/Accounts/${sub.sid}/Keys.json`);
      assertDate(sub.dateCreated);
      assertDate(sub.dateUpdated);
      const fetched = await client.api.v2010.accounts(sub.sid).fetch();
      assert.deepEqual(fetched.toJSON(), sub.toJSON());
    });

    test('accounts(sid).fetch: the main account is its own owner', async () => {
      const main = await client.api.v2010.accounts(server.account.sid).fetch();
      assert.equal(main.sid, server.account.sid);
      assert.equal(main.ownerAccountSid, server.account.sid);
      assert.equal(main.authToken, server.account.auth_token);
    });

    test('accounts.list / page: the main account and its subaccounts in creation order, filtered, across pages of 2', async () => {
      const made: string[] = [];
      for (const name of ['Listed', 'Listed', 'Listed', 'Unlisted']) {
        clock.advance(1000);
        made.push((await client.api.v2010.accounts.create({ friendlyName: name })).sid);
      }
      const all = (await client.api.v2010.accounts.list({ pageSize: 2 })).map((a) => a.sid);
      assert.equal(all[0], server.account.sid);
      assert.deepEqual(all.slice(-4), made);
      assert.equal(new Set(all).size, all.length);
      assert.deepEqual(
        (await client.api.v2010.accounts.list({ friendlyName: 'Listed', pageSize: 1 })).map((a) => a.sid),
        made.slice(0, 3),
      );
      await client.api.v2010.accounts(made[1]!).update({ status: 'suspended' });
      assert.deepEqual(
        (await client.api.v2010.accounts.list({ status: 'suspended' })).map((a) => a.sid),
        [made[1]],
      );
      assert.deepEqual(
        (await client.api.v2010.accounts.list({ status: 'active', friendlyName: 'Listed' })).map((a) => a.sid),
        [made[0], made[2]],
      );
      const page = await client.api.v2010.accounts.page({ pageSize: 2 });
      assert.deepEqual(
        page.instances.map((a) => a.sid),
        all.slice(0, 2),
      );
      const second = await page.nextPage();
      assert.ok(second, 'a second page');
      assert.deepEqual(
        second.instances.map((a) => a.sid),
        all.slice(2, 4),
      );
    });

    test('accounts(sid).update: renames, suspends and reactivates; closing is final (RestException 400/21479)', async () => {
      clock.advance(1000);
      const sub = await client.api.v2010.accounts.create({ friendlyName: 'Lifecycle' });
      const subClient = sdkClient(server, { username: sub.sid, password: sub.authToken });
      clock.advance(1000);
      const renamed = await client.api.v2010.accounts(sub.sid).update({ friendlyName: 'Renamed' });
      assert.equal(renamed.friendlyName, 'Renamed');
      assert.equal(renamed.dateUpdated.getTime(), renamed.dateCreated.getTime() + 1000);
      assert.equal((await client.api.v2010.accounts(sub.sid).update({ status: 'suspended' })).status, 'suspended');
      await rejectsWith(subClient.messaging.v1.services.list(), 401, 20003);
      assert.equal((await client.api.v2010.accounts(sub.sid).update({ status: 'active' })).status, 'active');
      assert.deepEqual(await subClient.messaging.v1.services.list(), []);
      assert.equal((await client.api.v2010.accounts(sub.sid).update({ status: 'closed' })).status, 'closed');
      await rejectsWith(client.api.v2010.accounts(sub.sid).update({ status: 'active' }), 400, 21479);
      await rejectsWith(subClient.messaging.v1.services.list(), 401, 20003);
      assert.equal((await client.api.v2010.accounts(sub.sid).fetch()).status, 'closed');
    });

    test('a subaccount client: lists itself only, creates no subaccount and reaches no other account (RestException 401/20003)', async () => {
      clock.advance(1000);
      const sub = await client.api.v2010.accounts.create({ friendlyName: 'Confined' });
      const subClient = sdkClient(server, { username: sub.sid, password: sub.authToken });
      assert.deepEqual(
        (await subClient.api.v2010.accounts.list()).map((a) => a.sid),
        [sub.sid],
      );
      await rejectsWith(subClient.api.v2010.accounts.create({ friendlyName: 'Grandchild' }), 401, 20003);
      await rejectsWith(subClient.api.v2010.accounts(server.account.sid).fetch(), 401, 20003);
      await rejectsWith(subClient.api.v2010.accounts(server.account.sid).shortCodes.list(), 401, 20003);
      // The parent's client acts on the subaccount's 2010 resources.
      assert.deepEqual(await client.api.v2010.accounts(sub.sid).shortCodes.list(), []);
      assert.deepEqual(await subClient.api.v2010.accounts(sub.sid).shortCodes.list(), []);
    });
  });

  describe(`[${backend}] twilio SDK: API keys, and a client signed with one`, () => {
    let server: Server;
    let client: Client;
    before(async () => {
      server = await startTestServer(backend);
      client = sdkClient(server);
    });
    after(() => server.cleanup());

    test('newKeys.create: returns the key with its secret; keys(sid).fetch and keys.list never show the secret', async () => {
      const made = await client.api.v2010.accounts(server.account.sid).newKeys.create({ friendlyName: 'SDK key' });
      assert.match(made.sid, /^SK[0-9a-f]{32}$/);
      assert.match(made.secret, /^[A-Za-z0-9]{32}$/);
      assert.equal(made.friendlyName, 'SDK key');
      assertDate(made.dateCreated);
      // The client's own account is the default: client.newKeys.
      const other = await client.newKeys.create();
      assert.equal(other.friendlyName, null);
      const fetched = await client.api.v2010.accounts(server.account.sid).keys(made.sid).fetch();
      assert.equal(fetched.sid, made.sid);
      assert.equal(fetched.friendlyName, 'SDK key');
      assert.ok(!('secret' in fetched.toJSON()));
      const listed = await client.keys.list();
      assert.deepEqual(listed.map((k) => k.sid).sort(), [made.sid, other.sid].sort());
      assert.ok(!JSON.stringify(listed.map((k) => k.toJSON())).includes(made.secret));
    });

    test('keys(sid).update / remove: renames, then remove resolves true and the key is RestException 404/20404', async () => {
      const made = await client.newKeys.create({ friendlyName: 'Before' });
      const keys = client.api.v2010.accounts(server.account.sid).keys;
      assert.equal((await keys(made.sid).update({ friendlyName: 'After' })).friendlyName, 'After');
      assert.equal(await keys(made.sid).remove(), true);
      await rejectsWith(keys(made.sid).fetch(), 404, 20404);
      await rejectsWith(keys(made.sid).remove(), 404, 20404);
    });

    test('a client signed with an API key: twilio(keySid, secret, { accountSid }) acts for the account', async () => {
      const made = await client.newKeys.create({ friendlyName: 'Worker' });
      const keyClient = sdkClient(server, { username: made.sid, password: made.secret, accountSid: server.account.sid });
      const service = await keyClient.messaging.v1.services.create({ friendlyName: 'Via key' });
      assert.equal(service.accountSid, server.account.sid);
      assert.equal((await client.messaging.v1.services(service.sid).fetch()).friendlyName, 'Via key');
      const shortCode = await addShortCode(server);
      assert.equal((await keyClient.api.v2010.accounts(server.account.sid).shortCodes(shortCode.sid).fetch()).sid, shortCode.sid);
      await keyClient.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: shortCode.sid });
      assert.deepEqual(
        (await client.messaging.v1.services(service.sid).shortCodes.list()).map((s) => s.sid),
        [shortCode.sid],
      );
    });

    test('a client signed with an API key: refused on Accounts and Keys (401/20003), then everywhere once the key is removed', async () => {
      const made = await client.newKeys.create({ friendlyName: 'Standard' });
      const keyClient = sdkClient(server, { username: made.sid, password: made.secret, accountSid: server.account.sid });
      await rejectsWith(keyClient.api.v2010.accounts.list(), 401, 20003);
      await rejectsWith(keyClient.api.v2010.accounts.create(), 401, 20003);
      await rejectsWith(keyClient.api.v2010.accounts(server.account.sid).fetch(), 401, 20003);
      await rejectsWith(keyClient.newKeys.create({ friendlyName: 'Escalated' }), 401, 20003);
      await rejectsWith(keyClient.keys.list(), 401, 20003);
      await rejectsWith(keyClient.keys(made.sid).remove(), 401, 20003);
      // The same key still serves everything else, until it is removed.
      const service = await client.messaging.v1.services.create({ friendlyName: 'Seen by key' });
      assert.equal((await keyClient.messaging.v1.services(service.sid).fetch()).friendlyName, 'Seen by key');
      assert.equal(await client.keys(made.sid).remove(), true);
      await rejectsWith(keyClient.messaging.v1.services(service.sid).fetch(), 401, 20003);
      await rejectsWith(keyClient.messaging.v1.services.list(), 401, 20003);
      await rejectsWith(keyClient.api.v2010.accounts(server.account.sid).shortCodes.list(), 401, 20003);
      const wrong = sdkClient(server, { username: made.sid, password: 'not-the-secret', accountSid: server.account.sid });
      await rejectsWith(wrong.messaging.v1.services.list(), 401, 20003);
    });
  });
}
