// The official `twilio` SDK, unchanged, against a listening Shortroute. (test/helpers/sdk.ts keeps TWILIO_EDGE
// and TWILIO_REGION away: they would rewrite the loopback host.)

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { collectEach, sdkClient, rejectsWith, assertDate, type Client } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addShortCode } from '../helpers/fixtures.js';

type Server = TestServer & { cleanup(): Promise<void> };
type ServiceShortCodes = ReturnType<Client['messaging']['v1']['services']>['shortCodes'];
type ServiceShortCode = Awaited<ReturnType<ServiceShortCodes['create']>>;
/** What page() and nextPage() resolve to (nextPage() is typed as the base Page class). */
type ServiceShortCodePage = NonNullable<Awaited<ReturnType<Awaited<ReturnType<ServiceShortCodes['page']>>['nextPage']>>>;

const UNKNOWN_SERVICE = 'MG00000000000000000000000000000000';
const UNKNOWN_SHORT_CODE = 'SC00000000000000000000000000000000';

for (const backend of BACKENDS) {
  describe(`[${backend}] twilio SDK: messaging.v1.services`, () => {
    let server: Server;
    let client: Client;
    // Moved by hand, so creation order and date_updated are exact rather than racing the real clock.
    const clock = new FakeClock('2026-02-01T12:00:00.000Z');
    before(async () => {
      server = await startTestServer(backend, { clock });
      client = sdkClient(server);
    });
    after(() => server.cleanup());

    test('services.create: returns a ServiceInstance with the values sent and Twilio defaults elsewhere', async () => {
      const service = await client.messaging.v1.services.create({
        friendlyName: 'SDK alerts',
        inboundRequestUrl: 'https://hooks.example.test/in',
        inboundMethod: 'GET',
        stickySender: false,
        validityPeriod: 600,
        usecase: 'notifications',
      });
      assert.match(service.sid, /^MG[0-9a-f]{32}$/);
      assert.equal(service.accountSid, server.account.sid);
      assert.equal(service.friendlyName, 'SDK alerts');
      assert.equal(service.inboundRequestUrl, 'https://hooks.example.test/in');
      assert.equal(service.inboundMethod, 'GET');
      assert.equal(service.stickySender, false);
      assert.equal(service.validityPeriod, 600);
      assert.equal(service.usecase, 'notifications');
      assert.equal(service.fallbackUrl, null);
      assert.equal(service.fallbackMethod, 'POST');
      assert.equal(service.mmsConverter, true);
      assert.equal(service.scanMessageContent, 'inherit');
      assert.equal(service.usAppToPersonRegistered, false);
      assertDate(service.dateCreated);
      assertDate(service.dateUpdated);
      assert.equal(service.url, `${server.url}/v1/Services/${service.sid}`);
      assert.equal(service.links.short_codes, `${server.url}/v1/Services/${service.sid}/ShortCodes`);
    });

    test('services(sid).fetch: returns the service as create returned it', async () => {
      const created = await client.messaging.v1.services.create({ friendlyName: 'SDK fetch' });
      const fetched = await client.messaging.v1.services(created.sid).fetch();
      assert.deepEqual(fetched.toJSON(), created.toJSON());
    });

    test('services(sid).update: changes only the parameters sent', async () => {
      const created = await client.messaging.v1.services.create({ friendlyName: 'SDK before', usecase: 'poll' });
      clock.advance(5000);
      const updated = await client.messaging.v1.services(created.sid).update({
        friendlyName: 'SDK after',
        stickySender: false,
        statusCallback: 'https://hooks.example.test/status',
      });
      assert.equal(updated.sid, created.sid);
      assert.equal(updated.friendlyName, 'SDK after');
      assert.equal(updated.stickySender, false);
      assert.equal(updated.statusCallback, 'https://hooks.example.test/status');
      assert.equal(updated.usecase, 'poll');
      assert.equal(updated.smartEncoding, created.smartEncoding);
      assert.equal(updated.dateCreated.getTime(), created.dateCreated.getTime());
      assert.equal(updated.dateUpdated.getTime(), created.dateUpdated.getTime() + 5000);
      const fetched = await client.messaging.v1.services(created.sid).fetch();
      assert.deepEqual(fetched.toJSON(), updated.toJSON());
    });

    test('services.list: pages through every service in creation order (pageSize 2)', async () => {
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock.advance(1000);
        made.push((await client.messaging.v1.services.create({ friendlyName: `SDK list ${i}` })).sid);
      }
      const listed = (await client.messaging.v1.services.list({ pageSize: 2 })).map((s) => s.sid);
      assert.equal(new Set(listed).size, listed.length, 'no service is listed twice');
      assert.deepEqual(
        listed.filter((sid) => made.includes(sid)),
        made,
      );
      assert.deepEqual(
        (await client.messaging.v1.services.list({ pageSize: 1000 })).map((s) => s.sid),
        listed,
      );
      assert.deepEqual(
        (await client.messaging.v1.services.list({ pageSize: 2, limit: 3 })).map((s) => s.sid),
        listed.slice(0, 3),
      );
    });

    test('services(sid).remove: resolves true, then the service is 404/20404', async () => {
      const created = await client.messaging.v1.services.create({ friendlyName: 'SDK remove' });
      assert.equal(await client.messaging.v1.services(created.sid).remove(), true);
      await rejectsWith(client.messaging.v1.services(created.sid).fetch(), 404, 20404);
      await rejectsWith(client.messaging.v1.services(created.sid).remove(), 404, 20404);
      const listed = await client.messaging.v1.services.list();
      assert.ok(!listed.some((s) => s.sid === created.sid));
    });

    test('services(unknown).fetch / update / remove / shortCodes: RestException 404/20404', async () => {
      const unknown = client.messaging.v1.services(UNKNOWN_SERVICE);
      await rejectsWith(unknown.fetch(), 404, 20404);
      await rejectsWith(unknown.update({ friendlyName: 'x' }), 404, 20404);
      await rejectsWith(unknown.remove(), 404, 20404);
      await rejectsWith(unknown.shortCodes.list(), 404, 20404);
      await rejectsWith(unknown.shortCodes(UNKNOWN_SHORT_CODE).fetch(), 404, 20404);
      const shortCode = await addShortCode(server);
      await rejectsWith(unknown.shortCodes.create({ shortCodeSid: shortCode.sid }), 404, 20404);
    });

    test('services.create / update with an invalid usecase: RestException 400/21713', async () => {
      await rejectsWith(client.messaging.v1.services.create({ friendlyName: 'Bad usecase', usecase: 'spam' }), 400, 21713);
      const created = await client.messaging.v1.services.create({ friendlyName: 'Good usecase' });
      await rejectsWith(client.messaging.v1.services(created.sid).update({ usecase: 'Marketing' }), 400, 21713);
      assert.equal((await client.messaging.v1.services(created.sid).fetch()).usecase, 'undeclared');
    });

    test('any call with wrong credentials: RestException 401/20003', async () => {
      const wrongToken = sdkClient(server, { password: 'not-the-auth-token' });
      await rejectsWith(wrongToken.messaging.v1.services.list(), 401, 20003);
      await rejectsWith(wrongToken.messaging.v1.services.create({ friendlyName: 'nope' }), 401, 20003);
      await rejectsWith(wrongToken.api.v2010.accounts(server.account.sid).shortCodes.list(), 401, 20003);
      const wrongAccount = sdkClient(server, { username: 'AC00000000000000000000000000000000' });
      await rejectsWith(wrongAccount.messaging.v1.services.list(), 401, 20003);
      // Right credentials, but a 2010 path naming an account that is not the caller's.
      await rejectsWith(client.api.v2010.accounts('AC00000000000000000000000000000000').shortCodes.list(), 401, 20003);
    });
  });

  describe(`[${backend}] twilio SDK: messaging.v1.services(sid).shortCodes`, () => {
    let server: Server;
    let client: Client;
    before(async () => {
      server = await startTestServer(backend);
      client = sdkClient(server);
    });
    after(() => server.cleanup());

    test('shortCodes.create: adds an account short code to the pool and returns it', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Pool' });
      const shortCode = await addShortCode(server, { Capabilities: ['SMS', 'MMS'] });
      const added = await client.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: shortCode.sid });
      assert.equal(added.sid, shortCode.sid);
      assert.equal(added.accountSid, server.account.sid);
      assert.equal(added.serviceSid, service.sid);
      assert.equal(added.shortCode, shortCode.short_code);
      assert.equal(added.countryCode, 'US');
      assert.deepEqual(added.capabilities, ['SMS', 'MMS']);
      assertDate(added.dateCreated);
      assertDate(added.dateUpdated);
      assert.equal(added.url, `${server.url}/v1/Services/${service.sid}/ShortCodes/${shortCode.sid}`);
    });

    test('shortCodes(sid).fetch: returns the short code as create returned it', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Fetch pool' });
      const shortCode = await addShortCode(server);
      const added = await client.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: shortCode.sid });
      const fetched = await client.messaging.v1.services(service.sid).shortCodes(shortCode.sid).fetch();
      assert.deepEqual(fetched.toJSON(), added.toJSON());
      await rejectsWith(client.messaging.v1.services(service.sid).shortCodes(UNKNOWN_SHORT_CODE).fetch(), 404, 20404);
    });

    test('shortCodes.list / each / page: show exactly the pool; each() and page() agree with list()', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'List pool' });
      const pool = client.messaging.v1.services(service.sid).shortCodes;
      assert.deepEqual(await pool.list(), []);
      const added: string[] = [];
      for (let i = 0; i < 3; i++) added.push((await pool.create({ shortCodeSid: (await addShortCode(server)).sid })).sid);
      // A short code of the account outside this pool is not listed.
      await addShortCode(server);
      const listed = (await pool.list()).map((s) => s.sid);
      assert.deepEqual([...listed].sort(), [...added].sort());
      assert.deepEqual(
        (await collectEach<ServiceShortCode>((options) => pool.each(options))).map((s) => s.sid),
        listed,
      );
      const page = await pool.page({ pageSize: 2 });
      assert.deepEqual(
        page.instances.map((s) => s.sid),
        listed.slice(0, 2),
      );
      assert.equal(page.previousPageUrl, undefined);
      const second = await page.nextPage();
      assert.ok(second, 'a second page');
      assert.deepEqual(
        second.instances.map((s) => s.sid),
        listed.slice(2),
      );
      assert.equal(second.nextPage(), undefined);
      for (const s of await pool.list()) assert.equal(s.serviceSid, service.sid);
    });

    test('shortCodes(sid).remove (context form): resolves true; the short code leaves the pool, stays on the account, and can be added again', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Remove pool' });
      const shortCode = await addShortCode(server);
      const pool = client.messaging.v1.services(service.sid).shortCodes;
      await pool.create({ shortCodeSid: shortCode.sid });
      // twilio-node 6.2.0 cannot .remove() the instance create() returned; the context form works.
      assert.equal(await client.messaging.v1.services(service.sid).shortCodes(shortCode.sid).remove(), true);
      await rejectsWith(pool(shortCode.sid).fetch(), 404, 20404);
      await rejectsWith(pool(shortCode.sid).remove(), 404, 20404);
      assert.deepEqual(await pool.list(), []);
      const onAccount = await client.api.v2010.accounts(server.account.sid).shortCodes(shortCode.sid).fetch();
      assert.equal(onAccount.sid, shortCode.sid);
      const other = await client.messaging.v1.services.create({ friendlyName: 'Next pool' });
      assert.equal((await client.messaging.v1.services(other.sid).shortCodes.create({ shortCodeSid: shortCode.sid })).serviceSid, other.sid);
    });

    test('shortCodes.create of a short code already in this service: RestException 409/21710', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Twice' });
      const shortCode = await addShortCode(server);
      await client.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: shortCode.sid });
      await rejectsWith(client.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: shortCode.sid }), 409, 21710);
      assert.equal((await client.messaging.v1.services(service.sid).shortCodes.list()).length, 1);
    });

    test('shortCodes.create of a short code in another service: RestException 400/21712', async () => {
      const first = await client.messaging.v1.services.create({ friendlyName: 'First' });
      const second = await client.messaging.v1.services.create({ friendlyName: 'Second' });
      const shortCode = await addShortCode(server);
      await client.messaging.v1.services(first.sid).shortCodes.create({ shortCodeSid: shortCode.sid });
      await rejectsWith(client.messaging.v1.services(second.sid).shortCodes.create({ shortCodeSid: shortCode.sid }), 400, 21712);
      assert.deepEqual(await client.messaging.v1.services(second.sid).shortCodes.list(), []);
      assert.equal((await client.messaging.v1.services(first.sid).shortCodes(shortCode.sid).fetch()).serviceSid, first.sid);
    });

    test('shortCodes.create with a bad ShortCodeSid: RestException 400/21421', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Bad sids' });
      const pool = client.messaging.v1.services(service.sid).shortCodes;
      await rejectsWith(pool.create({ shortCodeSid: 'not-a-short-code-sid' }), 400, 21421);
      await rejectsWith(pool.create({ shortCodeSid: 'PN0123456789abcdef0123456789abcdef' }), 400, 21421);
      await rejectsWith(pool.create({ shortCodeSid: UNKNOWN_SHORT_CODE }), 400, 21421);
      assert.deepEqual(await pool.list(), []);
    });
  });

  describe(`[${backend}] twilio SDK: a pool of 125 short codes, paged by 50`, () => {
    const COUNT = 125;
    let server: Server;
    let client: Client;
    let serviceSid: string;
    const added: string[] = [];
    before(async () => {
      // The clock moves one second per add, so the order of adding is the order Twilio lists.
      const clock = new FakeClock('2026-03-01T09:00:00.000Z');
      server = await startTestServer(backend, { clock });
      client = sdkClient(server);
      serviceSid = (await client.messaging.v1.services.create({ friendlyName: 'Big pool' })).sid;
      for (let i = 0; i < COUNT; i++) {
        const shortCode = await addShortCode(server);
        clock.advance(1000);
        added.push((await client.messaging.v1.services(serviceSid).shortCodes.create({ shortCodeSid: shortCode.sid })).sid);
      }
    });
    after(() => server.cleanup());

    test('shortCodes.list({pageSize: 50}): returns all 125 in the order added, none twice', async () => {
      const listed = await client.messaging.v1.services(serviceSid).shortCodes.list({ pageSize: 50 });
      const sids = listed.map((s) => s.sid);
      assert.equal(sids.length, COUNT);
      assert.equal(new Set(sids).size, COUNT);
      assert.deepEqual(sids, added);
      for (let i = 1; i < listed.length; i++) assert.ok(listed[i]!.dateCreated > listed[i - 1]!.dateCreated);
    });

    test('shortCodes.list({pageSize: 50, limit: 60}): stops at the limit across a page boundary', async () => {
      const listed = await client.messaging.v1.services(serviceSid).shortCodes.list({ pageSize: 50, limit: 60 });
      assert.deepEqual(
        listed.map((s) => s.sid),
        added.slice(0, 60),
      );
    });

    test('shortCodes.each({pageSize: 50}): visits all 125 in the order added', async () => {
      const pool = client.messaging.v1.services(serviceSid).shortCodes;
      const seen = await collectEach<ServiceShortCode>((options) => pool.each({ pageSize: 50, ...options }));
      assert.deepEqual(
        seen.map((s) => s.sid),
        added,
      );
    });

    test('shortCodes.page({pageSize: 50}) then nextPage(): 3 pages of 50, 50 and 25, then none', async () => {
      const pages: ServiceShortCodePage[] = [];
      let page: ServiceShortCodePage | undefined = await client.messaging.v1.services(serviceSid).shortCodes.page({ pageSize: 50 });
      while (page) {
        pages.push(page);
        assert.ok(pages.length <= 3, 'paging did not stop');
        page = await page.nextPage();
      }
      assert.equal(pages.length, 3);
      assert.deepEqual(
        pages.map((p) => p.instances.length),
        [50, 50, 25],
      );
      assert.deepEqual(
        pages.flatMap((p) => p.instances.map((s) => s.sid)),
        added,
      );
      assert.equal(pages[0]!.previousPageUrl, undefined);
      assert.equal(pages[2]!.nextPageUrl, undefined);
      for (const p of pages.slice(0, 2)) assert.ok(p.nextPageUrl?.startsWith(`${server.url}/v1/Services/${serviceSid}/ShortCodes?`));
      // And back: previousPage() from the last page gives the second one again.
      const back = await pages[2]!.previousPage();
      assert.ok(back, 'a previous page');
      assert.deepEqual(
        back.instances.map((s) => s.sid),
        added.slice(50, 100),
      );
    });
  });

  describe(`[${backend}] twilio SDK: api.v2010.accounts(sid).shortCodes`, () => {
    let server: Server;
    let client: Client;
    const made: { sid: string; short_code: string; friendly_name: string }[] = [];
    before(async () => {
      server = await startTestServer(backend);
      client = sdkClient(server);
      made.push(await addShortCode(server, { ShortCode: '7123401', FriendlyName: 'Alpha' }));
      made.push(await addShortCode(server, { ShortCode: '7123402', FriendlyName: 'Beta' }));
      made.push(await addShortCode(server, { ShortCode: '7129903', FriendlyName: 'Alpha' }));
      made.push(await addShortCode(server, { ShortCode: '5550001' }));
      made.push(await addShortCode(server, { ShortCode: '5550002' }));
    });
    after(() => server.cleanup());

    const shortCodes = () => client.api.v2010.accounts(server.account.sid).shortCodes;

    test('shortCodes.list: returns every short code of the account, following relative next_page_uri (pageSize 2)', async () => {
      const listed = (await shortCodes().list({ pageSize: 2 })).map((s) => s.sid);
      assert.equal(new Set(listed).size, listed.length);
      assert.deepEqual([...listed].sort(), made.map((s) => s.sid).sort());
      assert.deepEqual(
        (await shortCodes().list()).map((s) => s.sid),
        listed,
      );
      const first = await shortCodes().page({ pageSize: 2 });
      assert.equal(first.instances.length, 2);
      const second = await first.nextPage();
      assert.ok(second, 'a second page');
      assert.deepEqual(
        second.instances.map((s) => s.sid),
        listed.slice(2, 4),
      );
      const back = await second.previousPage();
      assert.ok(back, 'a page before the second');
      assert.deepEqual(
        back.instances.map((s) => s.sid),
        listed.slice(0, 2),
      );
    });

    test('shortCodes.list({shortCode}): matches part of the number, with * for one digit', async () => {
      const sidsOf = async (options: { shortCode?: string; friendlyName?: string }) => (await shortCodes().list(options)).map((s) => s.shortCode).sort();
      assert.deepEqual(await sidsOf({ shortCode: '71234' }), ['7123401', '7123402']);
      assert.deepEqual(await sidsOf({ shortCode: '712*' }), ['7123401', '7123402', '7129903']);
      assert.deepEqual(await sidsOf({ shortCode: '0002' }), ['5550002']);
      assert.deepEqual(await sidsOf({ shortCode: '999999' }), []);
    });

    test('shortCodes.list({friendlyName}): matches the friendly name exactly, and combines with shortCode', async () => {
      const codesOf = async (options: { shortCode?: string; friendlyName?: string; pageSize?: number }) =>
        (await shortCodes().list(options)).map((s) => s.shortCode).sort();
      assert.deepEqual(await codesOf({ friendlyName: 'Alpha' }), ['7123401', '7129903']);
      assert.deepEqual(await codesOf({ friendlyName: 'Alpha', shortCode: '71234' }), ['7123401']);
      assert.deepEqual(await codesOf({ friendlyName: '5550001' }), ['5550001']);
      assert.deepEqual(await codesOf({ friendlyName: 'Nobody' }), []);
      // The filters ride along on every next_page_uri.
      assert.deepEqual(await codesOf({ friendlyName: 'Alpha', pageSize: 1 }), ['7123401', '7129903']);
      assert.deepEqual(await codesOf({ shortCode: '555', pageSize: 1 }), ['5550001', '5550002']);
    });

    test('shortCodes(sid).fetch: returns the short code with RFC 2822 dates parsed and its relative uri', async () => {
      const made0 = made[0]!;
      const fetched = await shortCodes()(made0.sid).fetch();
      assert.equal(fetched.sid, made0.sid);
      assert.equal(fetched.accountSid, server.account.sid);
      assert.equal(fetched.shortCode, '7123401');
      assert.equal(fetched.friendlyName, 'Alpha');
      assert.equal(fetched.apiVersion, '2010-04-01');
      assert.equal(fetched.smsMethod, 'POST');
      assert.equal(fetched.smsUrl, null);
      assert.equal(fetched.smsFallbackMethod, 'POST');
      assert.equal(fetched.smsFallbackUrl, null);
      assertDate(fetched.dateCreated);
      assertDate(fetched.dateUpdated);
      assert.equal(fetched.uri, `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes/${made0.sid}.json`);
      await rejectsWith(shortCodes()(UNKNOWN_SHORT_CODE).fetch(), 404, 20404);
    });

    test('shortCodes(sid).update: changes what is sent and keeps the rest; fetch agrees', async () => {
      const target = made[1]!;
      const before = await shortCodes()(target.sid).fetch();
      const updated = await shortCodes()(target.sid).update({
        friendlyName: 'Gamma',
        smsUrl: 'https://hooks.example.test/sms',
        smsMethod: 'GET',
        smsFallbackUrl: 'https://hooks.example.test/sms-fallback',
        apiVersion: '2008-08-01',
      });
      assert.equal(updated.sid, target.sid);
      assert.equal(updated.friendlyName, 'Gamma');
      assert.equal(updated.smsUrl, 'https://hooks.example.test/sms');
      assert.equal(updated.smsMethod, 'GET');
      assert.equal(updated.smsFallbackUrl, 'https://hooks.example.test/sms-fallback');
      assert.equal(updated.smsFallbackMethod, 'POST');
      assert.equal(updated.apiVersion, '2008-08-01');
      assert.equal(updated.shortCode, before.shortCode);
      assert.ok(updated.dateUpdated.getTime() >= before.dateUpdated.getTime());
      assert.deepEqual((await shortCodes()(target.sid).fetch()).toJSON(), updated.toJSON());
      assert.deepEqual(
        (await shortCodes().list({ friendlyName: 'Gamma' })).map((s) => s.sid),
        [target.sid],
      );
      const cleared = await shortCodes()(target.sid).update({ smsUrl: '' });
      assert.equal(cleared.smsUrl, null);
      assert.equal(cleared.friendlyName, 'Gamma');
      await rejectsWith(shortCodes()(UNKNOWN_SHORT_CODE).update({ friendlyName: 'x' }), 404, 20404);
    });
  });
}
