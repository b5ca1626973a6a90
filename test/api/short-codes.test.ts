import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addService, addShortCode, assertTwilioError } from '../helpers/fixtures.js';

const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/;

for (const backend of BACKENDS) {
  describe(`[${backend}] /2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    let list: string;
    const one = (sid: string) => `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes/${sid}.json`;
    before(async () => {
      server = await startTestServer(backend);
      list = `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`;
    });
    after(() => server.cleanup());

    test('create (extension): 201 with the 2010 body, RFC 2822 dates and a relative uri', async () => {
      const reply = await server.request('POST', list, { ShortCode: '24680', FriendlyName: 'Alerts' });
      assert.equal(reply.status, 201, reply.text);
      const sc = reply.body;
      assert.match(sc.sid, /^SC[0-9a-f]{32}$/);
      assert.equal(sc.account_sid, server.account.sid);
      assert.equal(sc.short_code, '24680');
      assert.equal(sc.friendly_name, 'Alerts');
      assert.equal(sc.api_version, '2010-04-01');
      assert.match(sc.date_created, RFC_2822);
      assert.match(sc.date_updated, RFC_2822);
      assert.equal(sc.sms_url, null);
      assert.equal(sc.sms_method, 'POST');
      assert.equal(sc.sms_fallback_url, null);
      assert.equal(sc.sms_fallback_method, 'POST');
      assert.equal(sc.uri, one(sc.sid));
    });

    test('create (extension): friendly name defaults to the number; country defaults to US', async () => {
      const sc = await addShortCode(server, { ShortCode: '13579' });
      assert.equal(sc.friendly_name, '13579');
      const service = await addService(server);
      const member = await server.request('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: sc.sid });
      assert.equal(member.body.country_code, 'US');
      const gb = await addShortCode(server, { ShortCode: '13579', CountryCode: 'GB' });
      const other = await addService(server);
      assert.equal((await server.request('POST', `/v1/Services/${other.sid}/ShortCodes`, { ShortCodeSid: gb.sid })).body.country_code, 'GB');
    });

    test('create (extension): refuses bad numbers, countries and duplicates', async () => {
      assertTwilioError(await server.request('POST', list, {}), 400, 20001);
      assertTwilioError(await server.request('POST', list, { ShortCode: '12a45' }), 400, 20001);
      assertTwilioError(await server.request('POST', list, { ShortCode: '12' }), 400, 20001);
      assertTwilioError(await server.request('POST', list, { ShortCode: '55555', CountryCode: 'XX' }), 400, 20001);
      assertTwilioError(await server.request('POST', list, { ShortCode: '55555', CountryCode: 'USA' }), 400, 20001);
      assertTwilioError(await server.request('POST', list, { ShortCode: '55555', Capabilities: 'Voice' }), 400, 20001);
      await addShortCode(server, { ShortCode: '55555' });
      assertTwilioError(await server.request('POST', list, { ShortCode: '55555' }), 400, 21422);
      assertTwilioError(await server.request('POST', list, { ShortCode: '55555', CountryCode: 'us' }), 400, 21422);
    });

    test('fetch: returns the short code; unknown is 20404 quoting the full path', async () => {
      const sc = await addShortCode(server);
      const reply = await server.request('GET', one(sc.sid));
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, sc);
      const missing = await server.request('GET', one('SC0123456789abcdef0123456789abcdef'));
      assertTwilioError(missing, 404, 20404);
      assert.equal(missing.body.message, `The requested resource ${one('SC0123456789abcdef0123456789abcdef')} was not found`);
    });

    test('update: sets each updatable field; empty URLs clear them', async () => {
      const sc = await addShortCode(server);
      const reply = await server.request('POST', one(sc.sid), {
        FriendlyName: 'Renamed',
        ApiVersion: '2008-08-01',
        SmsUrl: 'https://hooks.example.test/sms',
        SmsMethod: 'GET',
        SmsFallbackUrl: 'https://hooks.example.test/fallback',
        SmsFallbackMethod: 'GET',
      });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.friendly_name, 'Renamed');
      assert.equal(reply.body.api_version, '2008-08-01');
      assert.equal(reply.body.sms_url, 'https://hooks.example.test/sms');
      assert.equal(reply.body.sms_method, 'GET');
      assert.equal(reply.body.sms_fallback_url, 'https://hooks.example.test/fallback');
      assert.equal(reply.body.sms_fallback_method, 'GET');
      assert.deepEqual((await server.request('GET', one(sc.sid))).body, reply.body);
      const cleared = await server.request('POST', one(sc.sid), { SmsUrl: '' });
      assert.equal(cleared.body.sms_url, null);
      assert.equal(cleared.body.sms_fallback_url, 'https://hooks.example.test/fallback');
    });

    test('update: refuses bad values and writes nothing', async () => {
      const sc = await addShortCode(server);
      assertTwilioError(await server.request('POST', one(sc.sid), { SmsMethod: 'PUT', FriendlyName: 'x' }), 400, 20001);
      assertTwilioError(await server.request('POST', one(sc.sid), { ApiVersion: '2020-01-01' }), 400, 20001);
      assertTwilioError(await server.request('POST', one(sc.sid), { SmsUrl: 'ftp://x' }), 400, 20001);
      assertTwilioError(await server.request('POST', one(sc.sid), { FriendlyName: 'y'.repeat(65) }), 400, 20001);
      assert.deepEqual((await server.request('GET', one(sc.sid))).body, sc);
      assertTwilioError(await server.request('POST', one('SC0123456789abcdef0123456789abcdef'), { FriendlyName: 'x' }), 404, 20404);
    });

    test('list: filters by ShortCode (partial, * for one digit) and FriendlyName', async () => {
      const fresh = await startTestServer(backend);
      try {
        const path = `/2010-04-01/Accounts/${fresh.account.sid}/SMS/ShortCodes.json`;
        await addShortCode(fresh, { ShortCode: '11111', FriendlyName: 'Ones' });
        await addShortCode(fresh, { ShortCode: '21112', FriendlyName: 'Mixed' });
        await addShortCode(fresh, { ShortCode: '33333', FriendlyName: 'Threes' });
        const numbers = async (query: string) =>
          (await fresh.request('GET', `${path}?${query}`)).body.short_codes.map((s: { short_code: string }) => s.short_code);
        assert.deepEqual(await numbers('ShortCode=111'), ['11111', '21112']);
        assert.deepEqual(await numbers('ShortCode=2*1'), ['21112']);
        assert.deepEqual(await numbers('ShortCode=*3333'), ['33333']);
        assert.deepEqual(await numbers('FriendlyName=Threes'), ['33333']);
        assert.deepEqual(await numbers('FriendlyName=Nobody'), []);
      } finally {
        await fresh.cleanup();
      }
    });

    test('list: flat 2010 paging with start, end and relative URIs that carry the filters', async () => {
      const fresh = await startTestServer(backend);
      try {
        const path = `/2010-04-01/Accounts/${fresh.account.sid}/SMS/ShortCodes.json`;
        const made = [];
        for (let i = 0; i < 5; i++) made.push((await addShortCode(fresh, { FriendlyName: 'Paged' })).sid);
        const first = await fresh.request('GET', `${path}?FriendlyName=Paged&PageSize=2`);
        assert.equal(first.status, 200);
        const b = first.body;
        assert.equal(b.page, 0);
        assert.equal(b.page_size, 2);
        assert.equal(b.start, 0);
        assert.equal(b.end, 1);
        assert.equal(b.first_page_uri, `${path}?FriendlyName=Paged&PageSize=2&Page=0`);
        assert.equal(b.uri, `${path}?FriendlyName=Paged&PageSize=2&Page=0`);
        assert.equal(b.previous_page_uri, null);
        assert.match(b.next_page_uri, /^\/2010-04-01\/.*FriendlyName=Paged&PageSize=2&Page=1&PageToken=PA/);
        const seen = b.short_codes.map((s: { sid: string }) => s.sid);
        let next = b.next_page_uri;
        let last = b;
        while (next) {
          last = (await fresh.request('GET', next)).body;
          seen.push(...last.short_codes.map((s: { sid: string }) => s.sid));
          next = last.next_page_uri;
        }
        assert.deepEqual(seen, made);
        assert.equal(last.page, 2);
        assert.equal(last.start, 4);
        assert.equal(last.end, 4);
        const empty = (await fresh.request('GET', `${path}?FriendlyName=None`)).body;
        assert.equal(empty.start, 0);
        assert.equal(empty.end, 0);
        assert.equal(empty.next_page_uri, null);
      } finally {
        await fresh.cleanup();
      }
    });

    test('delete (extension): releases the short code from the account and from its service', async () => {
      const sc = await addShortCode(server);
      const service = await addService(server);
      await server.request('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: sc.sid });
      const reply = await server.request('DELETE', one(sc.sid));
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertTwilioError(await server.request('GET', one(sc.sid)), 404, 20404);
      assertTwilioError(await server.request('GET', `/v1/Services/${service.sid}/ShortCodes/${sc.sid}`), 404, 20404);
      assertTwilioError(await server.request('DELETE', one(sc.sid)), 404, 20404);
      // The number is free again.
      assert.equal((await server.request('POST', list, { ShortCode: sc.short_code })).status, 201);
    });
  });
}
