import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, form, send, startAnother, startTestServer, type Reply, type TestServer } from '../helpers/server.js';
import { addApiKey, addShortCode, addSubaccount, assertTwilioError } from '../helpers/fixtures.js';

const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/;
const UNKNOWN_KEY = 'SK00000000000000000000000000000000';

type Server = TestServer & { cleanup(): Promise<void> };

/** Requests signed with `user:password` (an account and its token, or a key and its secret). */
function signedBy(server: TestServer, user: string, password: string) {
  const auth = basicAuth(user, password);
  return (method: string, path: string, values?: Record<string, string>): Promise<Reply> =>
    send(server.url + path, method, auth, values ? form(values) : undefined);
}

for (const backend of BACKENDS) {
  describe(`[${backend}] /2010-04-01/Accounts/{AccountSid}/Keys`, () => {
    let server: Server;
    let list: string;
    const one = (sid: string, accountSid = server.account.sid) => `/2010-04-01/Accounts/${accountSid}/Keys/${sid}.json`;
    const clock = new FakeClock('2026-04-01T08:00:00.000Z');
    before(async () => {
      server = await startTestServer(backend, { clock });
      list = `/2010-04-01/Accounts/${server.account.sid}/Keys.json`;
    });
    after(() => server.cleanup());

    test('create: 201 with the key and its secret, the one time the secret is shown', async () => {
      const reply = await server.request('POST', list, { FriendlyName: 'CI' });
      assert.equal(reply.status, 201, reply.text);
      const key = reply.body;
      assert.deepEqual(Object.keys(key).sort(), ['date_created', 'date_updated', 'friendly_name', 'secret', 'sid']);
      assert.match(key.sid, /^SK[0-9a-f]{32}$/);
      assert.match(key.secret, /^[A-Za-z0-9]{32}$/);
      assert.equal(key.friendly_name, 'CI');
      assert.equal(key.date_created, 'Wed, 01 Apr 2026 08:00:00 +0000');
      assert.equal(key.date_updated, key.date_created);
      const other = await addApiKey(server);
      assert.notEqual(other.secret, key.secret);
      // Never again: not on fetch, not in a list.
      assert.equal((await server.request('GET', one(key.sid))).body.secret, undefined);
      assert.ok(!(await server.request('GET', `${list}?PageSize=1000`)).text.includes(key.secret));
    });

    test('create: without a FriendlyName the name is null; over 64 characters is 400/20001 and creates nothing', async () => {
      assert.equal((await addApiKey(server)).friendly_name, null);
      assert.equal((await addApiKey(server, server.account.sid, { FriendlyName: '' })).friendly_name, null);
      const count = (await server.request('GET', `${list}?PageSize=1000`)).body.keys.length;
      assertTwilioError(await server.request('POST', list, { FriendlyName: 'k'.repeat(65) }), 400, 20001);
      assert.equal((await server.request('GET', `${list}?PageSize=1000`)).body.keys.length, count);
    });

    test('fetch: shows the key without its secret; an unknown key is 404/20404 quoting the full path', async () => {
      const key = await addApiKey(server, server.account.sid, { FriendlyName: 'Fetched' });
      const reply = await server.request('GET', one(key.sid));
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.body, {
        sid: key.sid,
        friendly_name: 'Fetched',
        date_created: 'Wed, 01 Apr 2026 08:00:00 +0000',
        date_updated: 'Wed, 01 Apr 2026 08:00:00 +0000',
      });
      const missing = await server.request('GET', one(UNKNOWN_KEY));
      assertTwilioError(missing, 404, 20404);
      assert.equal(missing.body.message, `The requested resource ${one(UNKNOWN_KEY)} was not found`);
    });

    test('list: every key of the account in creation order, no secrets, paged with relative URIs', async () => {
      // A fresh subaccount has no keys; its owner manages them on its path.
      const sub = await addSubaccount(server);
      const subList = `/2010-04-01/Accounts/${sub.sid}/Keys.json`;
      const empty = (await server.request('GET', subList)).body;
      assert.deepEqual(empty.keys, []);
      assert.equal(empty.uri, `${subList}?PageSize=50&Page=0`);
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        made.push((await addApiKey(server, sub.sid, { FriendlyName: `Key ${i}` })).sid);
      }
      const first = (await server.request('GET', `${subList}?PageSize=2`)).body;
      assert.equal(first.first_page_uri, `${subList}?PageSize=2&Page=0`);
      assert.equal([first.page, first.start, first.end].join(), '0,0,1');
      const seen = [...first.keys];
      let page = first;
      while (page.next_page_uri) {
        page = (await server.request('GET', page.next_page_uri)).body;
        seen.push(...page.keys);
      }
      assert.deepEqual(
        seen.map((k) => k.sid),
        made,
      );
      for (const key of seen) {
        assert.deepEqual(Object.keys(key).sort(), ['date_created', 'date_updated', 'friendly_name', 'sid']);
        assert.match(key.date_created, RFC_2822);
      }
      assert.equal([page.page, page.start, page.end].join(), '2,4,4');
      assertTwilioError(await server.request('GET', `${subList}?PageSize=0`), 400, 20001);
    });

    test('update: renames the key and moves date_updated; an empty name clears it; bad values write nothing', async () => {
      const key = await addApiKey(server, server.account.sid, { FriendlyName: 'Old' });
      clock.advance(5000);
      const reply = await server.request('POST', one(key.sid), { FriendlyName: 'New' });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.friendly_name, 'New');
      assert.notEqual(reply.body.date_updated, reply.body.date_created);
      assert.deepEqual((await server.request('GET', one(key.sid))).body, reply.body);
      assertTwilioError(await server.request('POST', one(key.sid), { FriendlyName: 'n'.repeat(65) }), 400, 20001);
      assert.equal((await server.request('GET', one(key.sid))).body.friendly_name, 'New');
      assert.equal((await server.request('POST', one(key.sid), { FriendlyName: '' })).body.friendly_name, null);
      assertTwilioError(await server.request('POST', one(UNKNOWN_KEY), { FriendlyName: 'x' }), 404, 20404);
      // The secret survives a rename.
      assert.equal((await signedBy(server, key.sid, key.secret)('GET', '/v1/Services')).status, 200);
    });

    test('delete: 204, then the key is gone and no longer authenticates, from the next request on', async () => {
      const key = await addApiKey(server);
      const asKey = signedBy(server, key.sid, key.secret);
      assert.equal((await asKey('GET', '/v1/Services')).status, 200);
      const reply = await server.request('DELETE', one(key.sid));
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertTwilioError(await asKey('GET', '/v1/Services'), 401, 20003);
      assertTwilioError(await asKey('GET', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`), 401, 20003);
      assertTwilioError(await server.request('GET', one(key.sid)), 404, 20404);
      assertTwilioError(await server.request('DELETE', one(key.sid)), 404, 20404);
      assert.ok(!(await server.request('GET', `${list}?PageSize=1000`)).body.keys.some((k: { sid: string }) => k.sid === key.sid));
    });

    // Only PostgreSQL serves several nodes; on SQLite the one process is the only writer.
    test('delete: a key deleted through one node is refused by another at once', { skip: backend !== 'postgres' && 'PostgreSQL only' }, async () => {
      const other = await startAnother(server);
      try {
        const key = await addApiKey(server);
        const onOther = (path: string) => send(other.url + path, 'GET', basicAuth(key.sid, key.secret));
        assert.equal((await onOther('/v1/Services')).status, 200);
        assert.equal((await server.request('DELETE', one(key.sid))).status, 204);
        assertTwilioError(await onOther('/v1/Services'), 401, 20003);
      } finally {
        await other.close();
      }
    });

    test("auth: a key SID and its secret act as the key's account, on v1 and on its own 2010 paths", async () => {
      const key = await addApiKey(server);
      const asKey = signedBy(server, key.sid, key.secret);
      const service = await asKey('POST', '/v1/Services', { FriendlyName: 'Made with a key' });
      assert.equal(service.status, 201, service.text);
      assert.equal(service.body.account_sid, server.account.sid);
      assert.equal((await server.request('GET', `/v1/Services/${service.body.sid}`)).body.friendly_name, 'Made with a key');
      const shortCode = await addShortCode(server);
      const fetched = await asKey('GET', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes/${shortCode.sid}.json`);
      assert.equal(fetched.status, 200, fetched.text);
      assert.equal(fetched.body.sid, shortCode.sid);
    });

    test("auth: a wrong secret, another key's secret, an unknown key or a malformed SK SID is 401/20003", async () => {
      const key = await addApiKey(server);
      const other = await addApiKey(server);
      for (const [user, password] of [
        [key.sid, 'wrong'],
        [key.sid, `${key.secret}x`],
        [key.sid, key.secret.slice(0, -1)],
        [key.sid, ''],
        [key.sid, other.secret],
        [UNKNOWN_KEY, key.secret],
        ['SKnot-a-sid', key.secret],
        [key.sid.toUpperCase(), key.secret],
      ] as const) {
        assertTwilioError(await signedBy(server, user, password)('GET', '/v1/Services'), 401, 20003);
      }
      // Nor does the secret pass as the account's auth token.
      assertTwilioError(await signedBy(server, server.account.sid, key.secret)('GET', '/v1/Services'), 401, 20003);
    });

    test('auth: API keys cannot use the Accounts and Keys resources (401/20003), and change nothing there', async () => {
      const key = await addApiKey(server, server.account.sid, { FriendlyName: 'Standard' });
      const asKey = signedBy(server, key.sid, key.secret);
      const accounts = (await server.request('GET', '/2010-04-01/Accounts.json?PageSize=1000')).body.accounts.length;
      const keys = (await server.request('GET', `${list}?PageSize=1000`)).body.keys.length;
      const refused: [string, string, Record<string, string>?][] = [
        ['GET', '/2010-04-01/Accounts.json'],
        ['POST', '/2010-04-01/Accounts.json', { FriendlyName: 'By key' }],
        ['GET', `/2010-04-01/Accounts/${server.account.sid}.json`],
        ['POST', `/2010-04-01/Accounts/${server.account.sid}.json`, { FriendlyName: 'By key' }],
        ['GET', list],
        ['POST', list, { FriendlyName: 'By key' }],
        ['GET', one(key.sid)],
        ['POST', one(key.sid), { FriendlyName: 'By key' }],
        ['DELETE', one(key.sid)],
      ];
      for (const [method, path, values] of refused) assertTwilioError(await asKey(method, path, values), 401, 20003);
      assert.equal((await server.request('GET', '/2010-04-01/Accounts.json?PageSize=1000')).body.accounts.length, accounts);
      assert.equal((await server.request('GET', `${list}?PageSize=1000`)).body.keys.length, keys);
      assert.equal((await server.request('GET', one(key.sid))).body.friendly_name, 'Standard');
      assert.equal((await server.request('GET', `/2010-04-01/Accounts/${server.account.sid}.json`)).body.friendly_name, 'Shortroute main account');
    });

    test("auth: a main account's key does not reach its subaccounts (401/20003); the auth token does", async () => {
      const sub = await addSubaccount(server);
      const key = await addApiKey(server);
      const subCodes = `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes.json`;
      assertTwilioError(await signedBy(server, key.sid, key.secret)('GET', subCodes), 401, 20003);
      assertTwilioError(await signedBy(server, key.sid, key.secret)('POST', subCodes, { ShortCode: '7070701' }), 401, 20003);
      assert.equal((await server.request('GET', subCodes)).status, 200);
    });

    test("auth: a subaccount's key acts for the subaccount only, and is refused while the subaccount is suspended", async () => {
      const sub = await addSubaccount(server);
      const sibling = await addSubaccount(server);
      const key = await addApiKey(server, sub.sid);
      const asKey = signedBy(server, key.sid, key.secret);
      const service = await asKey('POST', '/v1/Services', { FriendlyName: 'Sub by key' });
      assert.equal(service.body.account_sid, sub.sid);
      assert.equal((await asKey('GET', `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes.json`)).status, 200);
      assertTwilioError(await asKey('GET', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`), 401, 20003);
      assertTwilioError(await asKey('GET', `/2010-04-01/Accounts/${sibling.sid}/SMS/ShortCodes.json`), 401, 20003);
      assertTwilioError(await server.request('GET', `/v1/Services/${service.body.sid}`), 404, 20404);
      await server.request('POST', `/2010-04-01/Accounts/${sub.sid}.json`, { Status: 'suspended' });
      assertTwilioError(await asKey('GET', '/v1/Services'), 401, 20003);
      await server.request('POST', `/2010-04-01/Accounts/${sub.sid}.json`, { Status: 'active' });
      assert.equal((await asKey('GET', '/v1/Services')).status, 200);
    });

    test("isolation: a key is seen only on its own account's path, by that account or its owner", async () => {
      const sub = await addSubaccount(server);
      const sibling = await addSubaccount(server);
      const subKey = await addApiKey(server, sub.sid, { FriendlyName: 'Sub key' });
      const mainKey = await addApiKey(server);
      const asSub = signedBy(server, sub.sid, sub.auth_token);
      const asSibling = signedBy(server, sibling.sid, sibling.auth_token);
      assert.equal((await asSub('GET', one(subKey.sid, sub.sid))).body.friendly_name, 'Sub key');
      assert.equal((await server.request('GET', one(subKey.sid, sub.sid))).body.friendly_name, 'Sub key');
      // On another account's path it does not exist, and foreign paths are refused.
      assertTwilioError(await server.request('GET', one(subKey.sid)), 404, 20404);
      assertTwilioError(await server.request('DELETE', one(subKey.sid)), 404, 20404);
      assertTwilioError(await asSub('GET', one(mainKey.sid, sub.sid)), 404, 20404);
      assertTwilioError(await asSub('GET', one(mainKey.sid)), 401, 20003);
      assertTwilioError(await asSub('GET', list), 401, 20003);
      assertTwilioError(await asSibling('GET', one(subKey.sid, sub.sid)), 401, 20003);
      assertTwilioError(await asSibling('DELETE', one(subKey.sid, sub.sid)), 401, 20003);
      assertTwilioError(await asSibling('GET', one(subKey.sid, sibling.sid)), 404, 20404);
      assert.deepEqual((await asSibling('GET', `/2010-04-01/Accounts/${sibling.sid}/Keys.json`)).body.keys, []);
      assert.equal((await signedBy(server, subKey.sid, subKey.secret)('GET', '/v1/Services')).status, 200);
      // The owner deletes the subaccount's key on the subaccount's path.
      assert.equal((await server.request('DELETE', one(subKey.sid, sub.sid))).status, 204);
      assertTwilioError(await signedBy(server, subKey.sid, subKey.secret)('GET', '/v1/Services'), 401, 20003);
    });

    test('routing: other methods on the Keys paths are 405/20004', async () => {
      assertTwilioError(await server.request('DELETE', list), 405, 20004);
      assertTwilioError(await server.request('PUT', one(UNKNOWN_KEY), { FriendlyName: 'x' }), 405, 20004);
    });
  });
}
