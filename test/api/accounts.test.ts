import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, form, send, startTestServer, type Reply, type TestServer } from '../helpers/server.js';
import { addShortCode, addSubaccount, assertTwilioError } from '../helpers/fixtures.js';

const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/;
const ACCOUNT_KEYS = ['auth_token', 'date_created', 'date_updated', 'friendly_name', 'owner_account_sid', 'sid', 'status', 'subresource_uris', 'type', 'uri'];
const LIST = '/2010-04-01/Accounts.json';
const one = (sid: string) => `/2010-04-01/Accounts/${sid}.json`;

type Server = TestServer & { cleanup(): Promise<void> };
type Account = { sid: string; auth_token: string };

/** Requests signed with an account's own SID and auth token. */
function as(server: TestServer, account: Account) {
  const auth = basicAuth(account.sid, account.auth_token);
  return (method: string, path: string, values?: Record<string, string>): Promise<Reply> =>
    send(server.url + path, method, auth, values ? form(values) : undefined);
}

const sidsOf = (reply: Reply): string[] => reply.body.accounts.map((a: { sid: string }) => a.sid);

for (const backend of BACKENDS) {
  describe(`[${backend}] /2010-04-01/Accounts`, () => {
    let server: Server;
    // Stands still unless moved, so dates and default names are exact.
    const clock = new FakeClock('2026-02-01T13:05:00.000Z');
    before(async () => {
      server = await startTestServer(backend, { clock });
    });
    after(() => server.cleanup());

    test('create: 201 with every property of the spec, a subaccount of the caller with an auth token of its own', async () => {
      const reply = await server.request('POST', LIST, { FriendlyName: 'Customer 1' });
      assert.equal(reply.status, 201, reply.text);
      const sub = reply.body;
      assert.deepEqual(Object.keys(sub).sort(), ACCOUNT_KEYS);
      assert.match(sub.sid, /^AC[0-9a-f]{32}$/);
      assert.match(sub.auth_token, /^[0-9a-f]{32}$/);
      assert.notEqual(sub.auth_token, server.account.auth_token);
      assert.equal(sub.friendly_name, 'Customer 1');
      assert.equal(sub.owner_account_sid, server.account.sid);
      assert.equal(sub.status, 'active');
      assert.equal(sub.type, 'Full');
      assert.equal(sub.uri, one(sub.sid));
      assert.equal(sub.date_created, 'Sun, 01 Feb 2026 13:05:00 +0000');
      assert.equal(sub.date_updated, sub.date_created);
      assert.equal(sub.subresource_uris.short_codes, `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes.json`);
      assert.equal(sub.subresource_uris.keys, `/2010-04-01/Accounts/${sub.sid}/Keys.json`);
      assert.equal(Object.keys(sub.subresource_uris).length, 20);
      // Its own credentials work at once.
      assert.equal((await as(server, sub)('GET', '/v1/Services')).status, 200);
      assert.deepEqual((await server.request('GET', one(sub.sid))).body, sub);
    });

    test('create: without a FriendlyName the name is "SubAccount Created at" the UTC date and time', async () => {
      assert.equal((await addSubaccount(server)).friendly_name, 'SubAccount Created at 2026-02-01 01:05 PM');
      assert.equal((await addSubaccount(server, { FriendlyName: '' })).friendly_name, 'SubAccount Created at 2026-02-01 01:05 PM');
      clock.set('2026-02-02T00:30:00.000Z');
      try {
        assert.equal((await addSubaccount(server)).friendly_name, 'SubAccount Created at 2026-02-02 12:30 AM');
      } finally {
        clock.set('2026-02-01T13:05:00.000Z');
      }
    });

    test('create: a FriendlyName over 64 characters is 400/20001 and creates nothing', async () => {
      const before = sidsOf(await server.request('GET', `${LIST}?PageSize=1000`));
      assertTwilioError(await server.request('POST', LIST, { FriendlyName: 'x'.repeat(65) }), 400, 20001);
      assert.deepEqual(sidsOf(await server.request('GET', `${LIST}?PageSize=1000`)), before);
      assert.equal((await addSubaccount(server, { FriendlyName: 'y'.repeat(64) })).friendly_name, 'y'.repeat(64));
    });

    test('create: a subaccount cannot create subaccounts (401/20003) and nothing is created', async () => {
      const sub = await addSubaccount(server);
      const reply = await as(server, sub)('POST', LIST, { FriendlyName: 'Grandchild' });
      assertTwilioError(reply, 401, 20003);
      assert.deepEqual(sidsOf(await server.request('GET', `${LIST}?FriendlyName=Grandchild`)), []);
      assert.deepEqual(sidsOf(await as(server, sub)('GET', LIST)), [sub.sid]);
    });

    test('fetch: the main account is its own owner and shows its auth token', async () => {
      const reply = await server.request('GET', one(server.account.sid));
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(Object.keys(reply.body).sort(), ACCOUNT_KEYS);
      assert.equal(reply.body.sid, server.account.sid);
      assert.equal(reply.body.owner_account_sid, server.account.sid);
      assert.equal(reply.body.auth_token, server.account.auth_token);
      assert.equal(reply.body.status, 'active');
      assert.match(reply.body.date_created, RFC_2822);
    });

    test('fetch: a subaccount sees itself, not its parent nor a sibling (401/20003); unknown and malformed SIDs are 401/20003', async () => {
      const sub = await addSubaccount(server);
      const sibling = await addSubaccount(server);
      const asSub = as(server, sub);
      assert.deepEqual((await asSub('GET', one(sub.sid))).body, sub);
      assertTwilioError(await asSub('GET', one(server.account.sid)), 401, 20003);
      assertTwilioError(await asSub('GET', one(sibling.sid)), 401, 20003);
      assert.deepEqual((await server.request('GET', one(sibling.sid))).body, sibling);
      assertTwilioError(await server.request('GET', one('AC00000000000000000000000000000000')), 401, 20003);
      assertTwilioError(await server.request('GET', one('ACnot-a-sid')), 401, 20003);
    });

    test('list: the main account sees itself and its subaccounts in creation order; a subaccount sees itself alone', async () => {
      const freshClock = new FakeClock('2026-03-01T00:00:00.000Z');
      const fresh = await startTestServer(backend, { clock: freshClock });
      try {
        const subs: Account[] = [];
        for (let i = 0; i < 3; i++) {
          freshClock.advance(1000);
          subs.push(await addSubaccount(fresh));
        }
        const reply = await fresh.request('GET', LIST);
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(sidsOf(reply), [fresh.account.sid, ...subs.map((s) => s.sid)]);
        for (const sub of subs) assert.deepEqual(sidsOf(await as(fresh, sub)('GET', LIST)), [sub.sid]);
      } finally {
        await fresh.cleanup();
      }
    });

    test('list: filters by FriendlyName and Status, and pages with relative URIs that carry them', async () => {
      const freshClock = new FakeClock('2026-03-01T00:00:00.000Z');
      const fresh = await startTestServer(backend, { clock: freshClock });
      try {
        const made: string[] = [];
        for (let i = 0; i < 5; i++) {
          freshClock.advance(1000);
          made.push((await addSubaccount(fresh, { FriendlyName: 'Tenant' })).sid);
        }
        await addSubaccount(fresh, { FriendlyName: 'Other' });
        await fresh.request('POST', one(made[1]!), { Status: 'suspended' });
        await fresh.request('POST', one(made[3]!), { Status: 'closed' });
        const sids = async (query: string) => sidsOf(await fresh.request('GET', `${LIST}?${query}`));
        assert.deepEqual(await sids('FriendlyName=Tenant'), made);
        assert.deepEqual(await sids('Status=suspended'), [made[1]]);
        assert.deepEqual(await sids('Status=closed&FriendlyName=Tenant'), [made[3]]);
        assert.deepEqual(await sids('Status=active&FriendlyName=Tenant'), [made[0], made[2], made[4]]);
        assert.deepEqual(await sids('Status=active&FriendlyName=Shortroute%20main%20account'), [fresh.account.sid]);
        assert.deepEqual(await sids('FriendlyName=Nobody'), []);
        assertTwilioError(await fresh.request('GET', `${LIST}?Status=deleted`), 400, 20001);
        assertTwilioError(await fresh.request('GET', `${LIST}?PageSize=1001`), 400, 20007);

        const first = (await fresh.request('GET', `${LIST}?FriendlyName=Tenant&PageSize=2`)).body;
        assert.equal(first.first_page_uri, `${LIST}?FriendlyName=Tenant&PageSize=2&Page=0`);
        assert.equal(first.uri, `${LIST}?FriendlyName=Tenant&PageSize=2&Page=0`);
        assert.equal(first.previous_page_uri, null);
        assert.equal([first.start, first.end].join(), '0,1');
        const seen = first.accounts.map((a: { sid: string }) => a.sid);
        let page = first;
        while (page.next_page_uri) {
          assert.match(page.next_page_uri, /^\/2010-04-01\/Accounts\.json\?FriendlyName=Tenant&PageSize=2&Page=\d&PageToken=PA/);
          page = (await fresh.request('GET', page.next_page_uri)).body;
          seen.push(...page.accounts.map((a: { sid: string }) => a.sid));
        }
        assert.deepEqual(seen, made);
        assert.equal([page.page, page.start, page.end].join(), '2,4,4');
        const back = (await fresh.request('GET', page.previous_page_uri)).body;
        assert.deepEqual(
          back.accounts.map((a: { sid: string }) => a.sid),
          made.slice(2, 4),
        );
      } finally {
        await fresh.cleanup();
      }
    });

    test('update: FriendlyName renames and moves date_updated; empty or over 64 characters is 400/20001 and writes nothing', async () => {
      const sub = await addSubaccount(server, { FriendlyName: 'Before' });
      clock.advance(60_000);
      try {
        const reply = await server.request('POST', one(sub.sid), { FriendlyName: 'After' });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.friendly_name, 'After');
        assert.equal(reply.body.status, 'active');
        assert.equal(reply.body.auth_token, sub.auth_token);
        assert.equal(reply.body.date_updated, 'Sun, 01 Feb 2026 13:06:00 +0000');
        assert.equal(reply.body.date_created, 'Sun, 01 Feb 2026 13:05:00 +0000');
        assert.deepEqual((await server.request('GET', one(sub.sid))).body, reply.body);
        assertTwilioError(await server.request('POST', one(sub.sid), { FriendlyName: '' }), 400, 20001);
        assertTwilioError(await server.request('POST', one(sub.sid), { FriendlyName: 'z'.repeat(65), Status: 'suspended' }), 400, 20001);
        assertTwilioError(await server.request('POST', one(sub.sid), { Status: 'deleted' }), 400, 20001);
        assert.deepEqual((await server.request('GET', one(sub.sid))).body, reply.body);
      } finally {
        clock.set('2026-02-01T13:05:00.000Z');
      }
    });

    test('update: an account renames itself; a subaccount cannot touch its parent or a sibling (401/20003)', async () => {
      const sub = await addSubaccount(server);
      const sibling = await addSubaccount(server, { FriendlyName: 'Sibling' });
      const asSub = as(server, sub);
      assert.equal((await asSub('POST', one(sub.sid), { FriendlyName: 'Mine' })).body.friendly_name, 'Mine');
      assertTwilioError(await asSub('POST', one(sibling.sid), { FriendlyName: 'Taken' }), 401, 20003);
      assertTwilioError(await asSub('POST', one(server.account.sid), { FriendlyName: 'Taken' }), 401, 20003);
      assert.equal((await server.request('GET', one(sibling.sid))).body.friendly_name, 'Sibling');
      assert.equal((await server.request('GET', one(server.account.sid))).body.friendly_name, 'Shortroute main account');
      const renamed = await server.request('POST', one(server.account.sid), { FriendlyName: 'Main' });
      assert.equal(renamed.body.friendly_name, 'Main');
      await server.request('POST', one(server.account.sid), { FriendlyName: 'Shortroute main account' });
    });

    test('update: the owner suspends a subaccount, whose credentials are then refused (401/20003), and reactivates it', async () => {
      const sub = await addSubaccount(server);
      const asSub = as(server, sub);
      assert.equal((await asSub('GET', '/v1/Services')).status, 200);
      const suspended = await server.request('POST', one(sub.sid), { Status: 'suspended' });
      assert.equal(suspended.status, 200, suspended.text);
      assert.equal(suspended.body.status, 'suspended');
      assertTwilioError(await asSub('GET', '/v1/Services'), 401, 20003);
      assertTwilioError(await asSub('GET', one(sub.sid)), 401, 20003);
      // The owner still sees it, and brings it back.
      assert.equal((await server.request('GET', one(sub.sid))).body.status, 'suspended');
      assert.equal((await server.request('POST', one(sub.sid), { Status: 'active' })).body.status, 'active');
      assert.equal((await asSub('GET', '/v1/Services')).status, 200);
    });

    test('update: closed is final: reopening or suspending is 400/21479; the closed account still fetches and lists', async () => {
      const sub = await addSubaccount(server, { FriendlyName: 'Closing' });
      const closed = await server.request('POST', one(sub.sid), { Status: 'closed' });
      assert.equal(closed.body.status, 'closed');
      assertTwilioError(await as(server, sub)('GET', '/v1/Services'), 401, 20003);
      const reopen = await server.request('POST', one(sub.sid), { Status: 'active' });
      assertTwilioError(reopen, 400, 21479);
      assertTwilioError(await server.request('POST', one(sub.sid), { Status: 'suspended', FriendlyName: 'Renamed' }), 400, 21479);
      const fetched = (await server.request('GET', one(sub.sid))).body;
      assert.equal(fetched.status, 'closed');
      assert.equal(fetched.friendly_name, 'Closing');
      assert.equal((await server.request('POST', one(sub.sid), { Status: 'closed' })).status, 200);
      assert.deepEqual(sidsOf(await server.request('GET', `${LIST}?FriendlyName=Closing`)), [sub.sid]);
    });

    test('update: closing a subaccount releases its short codes and phone numbers, which others may then take', async () => {
      const sub = await addSubaccount(server, { FriendlyName: 'Releasing' });
      const subAs = as(server, sub);
      const code = await subAs('POST', `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes.json`, { ShortCode: '77001' });
      assert.equal(code.status, 201, code.text);
      const number = await subAs('POST', `/2010-04-01/Accounts/${sub.sid}/IncomingPhoneNumbers.json`, { PhoneNumber: '+14155550177' });
      assert.equal(number.status, 201, number.text);
      const service = (await subAs('POST', '/v1/Services', { FriendlyName: 'Sub service' })).body;
      assert.equal((await subAs('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: code.body.sid })).status, 201);
      assert.equal((await server.request('POST', one(sub.sid), { Status: 'closed' })).status, 200);
      assertTwilioError(await server.request('GET', `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes/${code.body.sid}.json`), 401, 20003);
      // Released: the main account can now hold the same short code and number.
      assert.equal((await server.request('POST', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`, { ShortCode: '77001' })).status, 201);
      assert.equal(
        (await server.request('POST', `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers.json`, { PhoneNumber: '+14155550177' })).status,
        201,
      );
    });

    test('update: only the owner changes a status: a subaccount on itself is 401/20003; the main account cannot be suspended (400/20001)', async () => {
      const sub = await addSubaccount(server);
      assertTwilioError(await as(server, sub)('POST', one(sub.sid), { Status: 'closed' }), 401, 20003);
      assert.equal((await server.request('GET', one(sub.sid))).body.status, 'active');
      // Restating the status it has is no change.
      assert.equal((await as(server, sub)('POST', one(sub.sid), { Status: 'active' })).status, 200);
      for (const status of ['suspended', 'closed']) {
        assertTwilioError(await server.request('POST', one(server.account.sid), { Status: status }), 400, 20001);
      }
      assert.equal((await server.request('GET', '/v1/Services')).status, 200);
    });

    test('update: an unknown or foreign account is 401/20003 and nothing is written', async () => {
      assertTwilioError(await server.request('POST', one('AC00000000000000000000000000000000'), { FriendlyName: 'x' }), 401, 20003);
      assertTwilioError(await server.request('POST', one('ACnot-a-sid'), { Status: 'closed' }), 401, 20003);
    });

    test("isolation: the parent acts on a subaccount's 2010 resources; the subaccount sees its own only; a sibling sees nothing", async () => {
      const sub = await addSubaccount(server);
      const sibling = await addSubaccount(server);
      const subCodes = `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes.json`;
      // The parent's credentials create and read on the subaccount's path, for the subaccount.
      const made = await server.request('POST', subCodes, { ShortCode: '6060601' });
      assert.equal(made.status, 201, made.text);
      assert.equal(made.body.account_sid, sub.sid);
      const parentCode = await addShortCode(server);
      const asSub = as(server, sub);
      const asSibling = as(server, sibling);
      assert.deepEqual(
        (await asSub('GET', subCodes)).body.short_codes.map((s: { sid: string }) => s.sid),
        [made.body.sid],
      );
      assert.deepEqual(
        (await server.request('GET', subCodes)).body.short_codes.map((s: { sid: string }) => s.sid),
        [made.body.sid],
      );
      // Not the parent's, not the sibling's, whichever path is tried.
      assertTwilioError(await asSub('GET', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`), 401, 20003);
      assertTwilioError(await asSub('GET', `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes/${parentCode.sid}.json`), 404, 20404);
      assertTwilioError(await asSibling('GET', subCodes), 401, 20003);
      assertTwilioError(await asSibling('GET', `/2010-04-01/Accounts/${sibling.sid}/SMS/ShortCodes/${made.body.sid}.json`), 404, 20404);
      assertTwilioError(await asSibling('POST', `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes/${made.body.sid}.json`, { FriendlyName: 'x' }), 401, 20003);
      // v1 resources are the signing account's own, parent or not.
      const subService = await asSub('POST', '/v1/Services', { FriendlyName: 'Sub service' });
      assert.equal(subService.body.account_sid, sub.sid);
      assertTwilioError(await server.request('GET', `/v1/Services/${subService.body.sid}`), 404, 20404);
      assertTwilioError(await asSibling('GET', `/v1/Services/${subService.body.sid}`), 404, 20404);
      assert.ok(!(await server.request('GET', '/v1/Services?PageSize=1000')).body.services.some((s: { sid: string }) => s.sid === subService.body.sid));
      assertTwilioError(await asSub('POST', `/v1/Services/${subService.body.sid}/ShortCodes`, { ShortCodeSid: parentCode.sid }), 400, 21421);
      assert.equal((await asSub('POST', `/v1/Services/${subService.body.sid}/ShortCodes`, { ShortCodeSid: made.body.sid })).status, 201);
    });

    test("isolation: the parent is refused (401/20003) on a suspended or closed subaccount's 2010 paths, and served again once reactivated", async () => {
      const sub = await addSubaccount(server);
      const subCodes = `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes.json`;
      assert.equal((await server.request('GET', subCodes)).status, 200);
      await server.request('POST', one(sub.sid), { Status: 'suspended' });
      assertTwilioError(await server.request('GET', subCodes), 401, 20003);
      assertTwilioError(await server.request('POST', subCodes, { ShortCode: '6060602' }), 401, 20003);
      assertTwilioError(await server.request('GET', `/2010-04-01/Accounts/${sub.sid}/Keys.json`), 401, 20003);
      await server.request('POST', one(sub.sid), { Status: 'active' });
      assert.deepEqual((await server.request('GET', subCodes)).body.short_codes, []);
      await server.request('POST', one(sub.sid), { Status: 'closed' });
      assertTwilioError(await server.request('GET', subCodes), 401, 20003);
    });

    test('auth: the subaccounts of a suspended top-level account are refused too (401/20003)', async () => {
      const top = { sid: 'AC22222222222222222222222222222222', auth_token: 'second-top-level-token' };
      const now = new Date().toISOString();
      await server.store.accounts.insert({ ...top, friendly_name: 'Second', status: 'active', owner_account_sid: null, date_created: now, date_updated: now });
      const child = (await as(server, top)('POST', LIST, {})).body as Account;
      assert.equal((await as(server, child)('GET', '/v1/Services')).status, 200);
      await server.store.accounts.update(top.sid, { status: 'suspended' });
      assertTwilioError(await as(server, child)('GET', '/v1/Services'), 401, 20003);
      assertTwilioError(await as(server, top)('GET', '/v1/Services'), 401, 20003);
    });

    test('routing: other methods on the Accounts paths are 405/20004', async () => {
      assertTwilioError(await server.request('DELETE', one(server.account.sid)), 405, 20004);
      assertTwilioError(await server.request('PUT', LIST, { FriendlyName: 'x' }), 405, 20004);
      assertTwilioError(await server.request('DELETE', LIST), 405, 20004);
    });
  });
}
