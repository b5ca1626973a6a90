import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, form, send, startTestServer, type TestServer } from '../helpers/server.js';
import { addService, assertTwilioError, addTopLevelAccount } from '../helpers/fixtures.js';

type Server = TestServer & { cleanup(): Promise<void> };

const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/;
const OTHER_SID = 'AC22222222222222222222222222222222';
const OTHER_TOKEN = 'other-auth-token-2222';
const UNKNOWN_PN = 'PN0123456789abcdef0123456789abcdef';

/** Every property of api.v2010.account.incoming_phone_number, as spec/twilio_api_v2010.json lists them. */
const KEYS = [
  'account_sid',
  'address_requirements',
  'address_sid',
  'api_version',
  'beta',
  'bundle_sid',
  'capabilities',
  'date_created',
  'date_updated',
  'emergency_address_sid',
  'emergency_address_status',
  'emergency_status',
  'friendly_name',
  'identity_sid',
  'origin',
  'phone_number',
  'sid',
  'sms_application_sid',
  'sms_fallback_method',
  'sms_fallback_url',
  'sms_method',
  'sms_url',
  'status',
  'status_callback',
  'status_callback_method',
  'trunk_sid',
  'type',
  'uri',
  'voice_application_sid',
  'voice_caller_id_lookup',
  'voice_fallback_method',
  'voice_fallback_url',
  'voice_method',
  'voice_receive_mode',
  'voice_url',
];

/** The voice, emergency and regulatory parameters, a value for each, and the property that shows it. */
const SETTINGS: [param: string, value: string, property: string, shown: unknown][] = [
  ['VoiceUrl', 'https://hooks.example.test/voice', 'voice_url', 'https://hooks.example.test/voice'],
  ['VoiceMethod', 'GET', 'voice_method', 'GET'],
  ['VoiceFallbackUrl', 'https://hooks.example.test/voice-fallback', 'voice_fallback_url', 'https://hooks.example.test/voice-fallback'],
  ['VoiceFallbackMethod', 'GET', 'voice_fallback_method', 'GET'],
  ['VoiceCallerIdLookup', 'true', 'voice_caller_id_lookup', true],
  ['VoiceReceiveMode', 'fax', 'voice_receive_mode', 'fax'],
  ['VoiceApplicationSid', 'AP11111111111111111111111111111111', 'voice_application_sid', 'AP11111111111111111111111111111111'],
  ['EmergencyStatus', 'Active', 'emergency_status', 'Active'],
  ['EmergencyAddressSid', 'AD11111111111111111111111111111111', 'emergency_address_sid', 'AD11111111111111111111111111111111'],
  ['TrunkSid', 'TK11111111111111111111111111111111', 'trunk_sid', 'TK11111111111111111111111111111111'],
  ['IdentitySid', 'RI11111111111111111111111111111111', 'identity_sid', 'RI11111111111111111111111111111111'],
  ['AddressSid', 'AD22222222222222222222222222222222', 'address_sid', 'AD22222222222222222222222222222222'],
  ['BundleSid', 'BU11111111111111111111111111111111', 'bundle_sid', 'BU11111111111111111111111111111111'],
];

/** A server on a clock that moves one second per number created, so creation order is list order. */
async function startNumbered(backend: (typeof BACKENDS)[number]) {
  const clock = new FakeClock('2026-04-01T08:00:00.000Z');
  const server: Server = await startTestServer(backend, { clock });
  const list = `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers.json`;
  let next = 1000;
  return {
    server,
    clock,
    list,
    one: (sid: string) => `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers/${sid}.json`,
    /** A fresh valid US number (+1 415 555 xxxx). */
    freshNumber: () => `+1415555${next++}`,
    async addNumber(values: Record<string, string | string[]> = {}) {
      clock.advance(1000);
      const reply = await server.request('POST', list, { PhoneNumber: `+1415555${next++}`, ...values });
      assert.equal(reply.status, 201, reply.text);
      return reply.body;
    },
  };
}

for (const backend of BACKENDS) {
  describe(`[${backend}] /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers`, () => {
    let h: Awaited<ReturnType<typeof startNumbered>>;
    let server: Server;
    const count = async () => (await server.request('GET', `${h.list}?PageSize=1000`)).body.incoming_phone_numbers.length;
    before(async () => {
      h = await startNumbered(backend);
      server = h.server;
      // A second top-level account, as test/api/http.test.ts makes one.
      await addTopLevelAccount(server, OTHER_SID, OTHER_TOKEN);
    });
    after(() => server.cleanup());

    const asOther = (method: string, path: string, values?: Record<string, string>) =>
      send(server.url + path, method, basicAuth(OTHER_SID, OTHER_TOKEN), values ? form(values) : undefined);

    test('create: by PhoneNumber answers 201 with every spec property, Twilio defaults and a relative uri', async () => {
      const reply = await server.request('POST', h.list, { PhoneNumber: '+18089255327' });
      assert.equal(reply.status, 201, reply.text);
      const pn = reply.body;
      assert.deepEqual(Object.keys(pn).sort(), KEYS);
      assert.match(pn.sid, /^PN[0-9a-f]{32}$/);
      assert.equal(pn.account_sid, server.account.sid);
      assert.equal(pn.phone_number, '+18089255327');
      assert.equal(pn.friendly_name, '(808) 925-5327');
      assert.deepEqual(pn.capabilities, { voice: true, sms: true, mms: true, fax: false });
      assert.equal(pn.type, 'local');
      assert.equal(pn.api_version, '2010-04-01');
      assert.equal(pn.beta, false);
      assert.equal(pn.origin, 'twilio');
      assert.equal(pn.status, 'in-use');
      assert.equal(pn.address_requirements, 'none');
      assert.equal(pn.emergency_address_status, 'unregistered');
      assert.match(pn.date_created, RFC_2822);
      assert.equal(pn.date_updated, pn.date_created);
      for (const key of ['sms_url', 'sms_fallback_url', 'status_callback', 'sms_application_sid']) assert.equal(pn[key], null, key);
      for (const key of ['sms_method', 'sms_fallback_method', 'status_callback_method']) assert.equal(pn[key], 'POST', key);
      // The voice and regulatory settings show Twilio's defaults.
      assert.equal(pn.voice_url, null);
      assert.equal(pn.voice_method, 'POST');
      assert.equal(pn.voice_fallback_url, null);
      assert.equal(pn.voice_fallback_method, 'POST');
      assert.equal(pn.voice_caller_id_lookup, false);
      assert.equal(pn.voice_receive_mode, 'voice');
      assert.equal(pn.emergency_status, 'Inactive');
      for (const key of ['voice_application_sid', 'emergency_address_sid', 'trunk_sid', 'identity_sid', 'address_sid', 'bundle_sid']) {
        assert.equal(pn[key], null, key);
      }
      assert.equal(pn.uri, h.one(pn.sid));
    });

    test('create: type and country come from the number (local, tollfree, mobile; US, CA, GB, FR)', async () => {
      const service = await addService(server);
      const cases: [number: string, type: string, country: string, friendly: string][] = [
        ['+18005550100', 'tollfree', 'US', '(800) 555-0100'],
        ['+16135550123', 'local', 'CA', '(613) 555-0123'],
        ['+442079460958', 'local', 'GB', '020 7946 0958'],
        ['+33612345678', 'mobile', 'FR', '06 12 34 56 78'],
      ];
      for (const [number, type, country, friendly] of cases) {
        const pn = await h.addNumber({ PhoneNumber: number });
        assert.equal(pn.phone_number, number);
        assert.equal(pn.type, type, number);
        assert.equal(pn.friendly_name, friendly, number);
        // The 2010 resource has no country; the v1 pool member shows it.
        const member = await server.request('POST', `/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: pn.sid });
        assert.equal(member.status, 201, member.text);
        assert.equal(member.body.country_code, country, number);
      }
    });

    test('create: an unencoded + (curl -d PhoneNumber=+1…) and a number without + are read as E.164', async () => {
      const raw = await send(`${server.url}${h.list}`, 'POST', server.auth, 'PhoneNumber=+18089255401');
      assert.equal(raw.status, 201, raw.text);
      assert.equal(raw.body.phone_number, '+18089255401');
      assert.equal((await h.addNumber({ PhoneNumber: '18089255402' })).phone_number, '+18089255402');
    });

    test('create: takes every messaging and voice parameter and shows it', async () => {
      const values: Record<string, string> = {
        FriendlyName: 'Support line',
        ApiVersion: '2008-08-01',
        SmsUrl: 'https://hooks.example.test/sms',
        SmsMethod: 'GET',
        SmsFallbackUrl: 'https://hooks.example.test/sms-fallback',
        SmsFallbackMethod: 'GET',
        StatusCallback: 'https://hooks.example.test/status',
        StatusCallbackMethod: 'GET',
        SmsApplicationSid: 'AP22222222222222222222222222222222',
      };
      for (const [param, value] of SETTINGS) values[param] = value;
      const pn = await h.addNumber(values);
      assert.equal(pn.friendly_name, 'Support line');
      assert.equal(pn.api_version, '2008-08-01');
      assert.equal(pn.sms_url, 'https://hooks.example.test/sms');
      assert.equal(pn.sms_method, 'GET');
      assert.equal(pn.sms_fallback_url, 'https://hooks.example.test/sms-fallback');
      assert.equal(pn.sms_fallback_method, 'GET');
      assert.equal(pn.status_callback, 'https://hooks.example.test/status');
      assert.equal(pn.status_callback_method, 'GET');
      assert.equal(pn.sms_application_sid, 'AP22222222222222222222222222222222');
      for (const [, , property, shown] of SETTINGS) assert.deepEqual(pn[property], shown, property);
      assert.deepEqual((await server.request('GET', h.one(pn.sid))).body, pn);
    });

    test('create: Capabilities (extension, repeatable) sets the capabilities object', async () => {
      assert.deepEqual((await h.addNumber({ Capabilities: 'SMS' })).capabilities, { voice: false, sms: true, mms: false, fax: false });
      assert.deepEqual((await h.addNumber({ Capabilities: ['Voice', 'Fax'] })).capabilities, { voice: true, sms: false, mms: false, fax: true });
      assert.deepEqual((await h.addNumber({ Capabilities: ['Voice', 'SMS', 'MMS', 'Fax'] })).capabilities, { voice: true, sms: true, mms: true, fax: true });
      const before = await count();
      assertTwilioError(await server.request('POST', h.list, { PhoneNumber: h.freshNumber(), Capabilities: 'Text' }), 400, 20001);
      assertTwilioError(await server.request('POST', h.list, { PhoneNumber: h.freshNumber(), Capabilities: ['SMS', 'sms'] }), 400, 20001);
      assert.equal(await count(), before);
    });

    test('create: by AreaCode provisions a valid free number in that area code', async () => {
      const byAreaCode = async (values: Record<string, string>) => {
        h.clock.advance(1000);
        const reply = await server.request('POST', h.list, values);
        assert.equal(reply.status, 201, reply.text);
        return reply.body;
      };
      const first = await byAreaCode({ AreaCode: '907' });
      assert.match(first.phone_number, /^\+1907[2-9]\d{6}$/);
      assert.equal(first.type, 'local');
      assert.equal(first.friendly_name, `(907) ${first.phone_number.slice(5, 8)}-${first.phone_number.slice(8)}`);
      assert.deepEqual(first.capabilities, { voice: true, sms: true, mms: true, fax: false });
      const second = await byAreaCode({ AreaCode: '907', FriendlyName: 'Second' });
      assert.match(second.phone_number, /^\+1907\d{7}$/);
      assert.notEqual(second.phone_number, first.phone_number);
      assert.equal(second.friendly_name, 'Second');
      const tollFree = await byAreaCode({ AreaCode: '888' });
      assert.match(tollFree.phone_number, /^\+1888\d{7}$/);
      assert.equal(tollFree.type, 'tollfree');
    });

    test('create: an AreaCode with no numbers in it is 400/21451 and writes nothing', async () => {
      const before = await count();
      for (const areaCode of ['999', '123', '80', '8080', 'abc', '']) {
        assertTwilioError(await server.request('POST', h.list, { AreaCode: areaCode }), 400, 21451);
      }
      assert.equal(await count(), before);
    });

    test('create: a number held by this account or another one is 400/21422', async () => {
      const mine = await h.addNumber();
      const before = await count();
      assertTwilioError(await server.request('POST', h.list, { PhoneNumber: mine.phone_number }), 400, 21422);
      const theirs = await asOther('POST', `/2010-04-01/Accounts/${OTHER_SID}/IncomingPhoneNumbers.json`, { PhoneNumber: mine.phone_number });
      assertTwilioError(theirs, 400, 21422);
      assert.equal((await asOther('GET', `/2010-04-01/Accounts/${OTHER_SID}/IncomingPhoneNumbers.json`)).body.incoming_phone_numbers.length, 0);
      // And the other way round: the other account's number is not for this one.
      const other = await asOther('POST', `/2010-04-01/Accounts/${OTHER_SID}/IncomingPhoneNumbers.json`, { PhoneNumber: '+12065550188' });
      assert.equal(other.status, 201, other.text);
      assertTwilioError(await server.request('POST', h.list, { PhoneNumber: '+12065550188' }), 400, 21422);
      assert.equal(await count(), before);
    });

    test('create: malformed or impossible numbers are 400/20001 and write nothing', async () => {
      const before = await count();
      for (const bad of ['', 'abc', '+1808555123', '+180892553271234567', '+19995551234', '+0123456789', '+1 808 925 5390', '808-925-5390']) {
        assertTwilioError(await server.request('POST', h.list, { PhoneNumber: bad }), 400, 20001);
      }
      assert.equal(await count(), before);
    });

    test('create: neither PhoneNumber nor AreaCode is 400/20001', async () => {
      const before = await count();
      const reply = await server.request('POST', h.list, { FriendlyName: 'Nothing to buy' });
      assertTwilioError(reply, 400, 20001);
      assert.match(reply.body.message, /PhoneNumber or AreaCode/);
      assertTwilioError(await server.request('POST', h.list, {}), 400, 20001);
      assert.equal(await count(), before);
    });

    test('create: refuses bad parameter values with 20001 and writes nothing', async () => {
      const before = await count();
      const bad: Record<string, string>[] = [
        { SmsMethod: 'PUT' },
        { SmsUrl: 'ftp://hooks.example.test' },
        { StatusCallback: 'not a url' },
        { ApiVersion: '2020-01-01' },
        { FriendlyName: 'x'.repeat(65) },
        { EmergencyStatus: 'On' },
        { VoiceReceiveMode: 'data' },
        { VoiceCallerIdLookup: 'maybe' },
        { TrunkSid: 'TK123' },
        { SmsApplicationSid: 'PN11111111111111111111111111111111' },
      ];
      for (const values of bad) {
        assertTwilioError(await server.request('POST', h.list, { PhoneNumber: h.freshNumber(), ...values }), 400, 20001);
      }
      assert.equal(await count(), before);
    });

    test('fetch: returns the number as create returned it; unknown is 404/20404 quoting the full path', async () => {
      const pn = await h.addNumber({ FriendlyName: 'Fetched' });
      const reply = await server.request('GET', h.one(pn.sid));
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, pn);
      const missing = await server.request('GET', h.one(UNKNOWN_PN));
      assertTwilioError(missing, 404, 20404);
      assert.equal(missing.body.message, `The requested resource ${h.one(UNKNOWN_PN)} was not found`);
    });

    test("fetch / update / delete: another account never reaches this account's number", async () => {
      const pn = await h.addNumber();
      const theirPath = `/2010-04-01/Accounts/${OTHER_SID}/IncomingPhoneNumbers/${pn.sid}.json`;
      assertTwilioError(await asOther('GET', theirPath), 404, 20404);
      assertTwilioError(await asOther('POST', theirPath, { FriendlyName: 'stolen' }), 404, 20404);
      assertTwilioError(await asOther('DELETE', theirPath), 404, 20404);
      assertTwilioError(await asOther('GET', h.one(pn.sid)), 401, 20003);
      assert.deepEqual((await server.request('GET', h.one(pn.sid))).body, pn);
    });

    test('update: sets every messaging field and moves date_updated; fetch and list agree', async () => {
      const pn = await h.addNumber();
      h.clock.advance(5000);
      const reply = await server.request('POST', h.one(pn.sid), {
        FriendlyName: 'Renamed',
        ApiVersion: '2008-08-01',
        SmsUrl: 'https://hooks.example.test/sms',
        SmsMethod: 'GET',
        SmsFallbackUrl: 'https://hooks.example.test/fallback',
        SmsFallbackMethod: 'GET',
        StatusCallback: 'https://hooks.example.test/status',
        StatusCallbackMethod: 'GET',
        SmsApplicationSid: 'AP33333333333333333333333333333333',
      });
      assert.equal(reply.status, 200, reply.text);
      const u = reply.body;
      assert.equal(u.sid, pn.sid);
      assert.equal(u.phone_number, pn.phone_number);
      assert.equal(u.friendly_name, 'Renamed');
      assert.equal(u.api_version, '2008-08-01');
      assert.equal(u.sms_url, 'https://hooks.example.test/sms');
      assert.equal(u.sms_method, 'GET');
      assert.equal(u.sms_fallback_url, 'https://hooks.example.test/fallback');
      assert.equal(u.sms_fallback_method, 'GET');
      assert.equal(u.status_callback, 'https://hooks.example.test/status');
      assert.equal(u.status_callback_method, 'GET');
      assert.equal(u.sms_application_sid, 'AP33333333333333333333333333333333');
      assert.deepEqual(u.capabilities, pn.capabilities);
      assert.equal(u.date_created, pn.date_created);
      assert.equal(new Date(u.date_updated).getTime(), new Date(pn.date_updated).getTime() + 5000);
      assert.deepEqual((await server.request('GET', h.one(pn.sid))).body, u);
      const listed = (await server.request('GET', `${h.list}?FriendlyName=Renamed`)).body.incoming_phone_numbers;
      assert.deepEqual(listed, [u]);
    });

    test('update: the voice, emergency and regulatory settings are kept and shown, across later updates', async () => {
      const pn = await h.addNumber();
      const values = Object.fromEntries(SETTINGS.map(([param, value]) => [param, value]));
      const reply = await server.request('POST', h.one(pn.sid), values);
      assert.equal(reply.status, 200, reply.text);
      for (const [, , property, shown] of SETTINGS) assert.deepEqual(reply.body[property], shown, property);
      // An update of something else leaves them as they were.
      const renamed = await server.request('POST', h.one(pn.sid), { FriendlyName: 'Voice too' });
      for (const [, , property, shown] of SETTINGS) assert.deepEqual(renamed.body[property], shown, property);
      assert.deepEqual((await server.request('GET', h.one(pn.sid))).body, renamed.body);
      const back = await server.request('POST', h.one(pn.sid), { VoiceCallerIdLookup: 'false', EmergencyStatus: 'Inactive', VoiceReceiveMode: 'voice' });
      assert.equal(back.body.voice_caller_id_lookup, false);
      assert.equal(back.body.emergency_status, 'Inactive');
      assert.equal(back.body.voice_receive_mode, 'voice');
      assert.equal(back.body.voice_url, 'https://hooks.example.test/voice');
    });

    test('update: empty URLs clear them; an empty FriendlyName restores the formatted number', async () => {
      const pn = await h.addNumber({
        FriendlyName: 'Named',
        SmsUrl: 'https://hooks.example.test/sms',
        SmsFallbackUrl: 'https://hooks.example.test/fallback',
        StatusCallback: 'https://hooks.example.test/status',
        VoiceUrl: 'https://hooks.example.test/voice',
        VoiceFallbackUrl: 'https://hooks.example.test/voice-fallback',
      });
      const one = await server.request('POST', h.one(pn.sid), { SmsUrl: '' });
      assert.equal(one.body.sms_url, null);
      assert.equal(one.body.sms_fallback_url, 'https://hooks.example.test/fallback');
      const all = await server.request('POST', h.one(pn.sid), { SmsFallbackUrl: '', StatusCallback: '', VoiceUrl: '', VoiceFallbackUrl: '', FriendlyName: '' });
      assert.equal(all.status, 200, all.text);
      for (const key of ['sms_url', 'sms_fallback_url', 'status_callback', 'voice_url', 'voice_fallback_url']) assert.equal(all.body[key], null, key);
      const digits = pn.phone_number.slice(2);
      assert.equal(all.body.friendly_name, `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`);
      assert.deepEqual((await server.request('GET', h.one(pn.sid))).body, all.body);
    });

    test('update: AccountSid naming another account is 501 and changes nothing; naming its own is a no-op', async () => {
      const pn = await h.addNumber();
      const moved = await server.request('POST', h.one(pn.sid), { AccountSid: OTHER_SID, FriendlyName: 'Moved' });
      assertTwilioError(moved, 501, 20501);
      assert.match(moved.body.message, /AccountSid/);
      assert.deepEqual((await server.request('GET', h.one(pn.sid))).body, pn);
      assertTwilioError(await asOther('GET', `/2010-04-01/Accounts/${OTHER_SID}/IncomingPhoneNumbers/${pn.sid}.json`), 404, 20404);
      const same = await server.request('POST', h.one(pn.sid), { AccountSid: server.account.sid, FriendlyName: 'Stays' });
      assert.equal(same.status, 200, same.text);
      assert.equal(same.body.account_sid, server.account.sid);
      assert.equal(same.body.friendly_name, 'Stays');
      assertTwilioError(await server.request('POST', h.one(pn.sid), { AccountSid: 'AC123' }), 400, 20001);
    });

    test('update: refuses bad values, writes nothing, and an unknown number is 404/20404', async () => {
      const pn = await h.addNumber({ SmsUrl: 'https://hooks.example.test/kept' });
      const bad: Record<string, string>[] = [
        { SmsMethod: 'PUT', FriendlyName: 'x' },
        { ApiVersion: '2020-01-01' },
        { SmsUrl: 'ftp://x' },
        { VoiceUrl: 'nope' },
        { FriendlyName: 'y'.repeat(65) },
        { EmergencyStatus: 'On', FriendlyName: 'x' },
        { VoiceReceiveMode: 'data' },
        { VoiceCallerIdLookup: 'maybe' },
        { BundleSid: 'BU1' },
      ];
      for (const values of bad) assertTwilioError(await server.request('POST', h.one(pn.sid), values), 400, 20001);
      assert.deepEqual((await server.request('GET', h.one(pn.sid))).body, pn);
      const missing = await server.request('POST', h.one(UNKNOWN_PN), { FriendlyName: 'x' });
      assertTwilioError(missing, 404, 20404);
      assert.equal(missing.body.message, `The requested resource ${h.one(UNKNOWN_PN)} was not found`);
    });

    test("delete: 204 with an empty body; the number is gone, out of its service's pool, and free to create again", async () => {
      const pn = await h.addNumber();
      const service = await addService(server);
      const pool = `/v1/Services/${service.sid}/PhoneNumbers`;
      assert.equal((await server.request('POST', pool, { PhoneNumberSid: pn.sid })).status, 201);
      const reply = await server.request('DELETE', h.one(pn.sid));
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertTwilioError(await server.request('GET', h.one(pn.sid)), 404, 20404);
      assertTwilioError(await server.request('GET', `${pool}/${pn.sid}`), 404, 20404);
      assert.deepEqual((await server.request('GET', pool)).body.phone_numbers, []);
      assert.ok(!(await server.request('GET', `${h.list}?PageSize=1000`)).body.incoming_phone_numbers.some((n: { sid: string }) => n.sid === pn.sid));
      assertTwilioError(await server.request('DELETE', h.one(pn.sid)), 404, 20404);
      assertTwilioError(await server.request('DELETE', h.one(UNKNOWN_PN)), 404, 20404);
      // The number is free again, for this account or another, under a new SID.
      const again = await asOther('POST', `/2010-04-01/Accounts/${OTHER_SID}/IncomingPhoneNumbers.json`, { PhoneNumber: pn.phone_number });
      assert.equal(again.status, 201, again.text);
      assert.notEqual(again.body.sid, pn.sid);
    });
  });

  describe(`[${backend}] /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers (list)`, () => {
    let h: Awaited<ReturnType<typeof startNumbered>>;
    const made: Record<string, string> = {};
    before(async () => {
      h = await startNumbered(backend);
      for (const [number, name] of [
        ['+18089255327', 'Hawaii'],
        ['+18089250001', 'Hawaii'],
        ['+14155550808', 'Bay'],
        ['+12065551234', 'Seattle'],
        ['+18005550100', 'Free'],
      ]) {
        made[number!] = (await h.addNumber({ PhoneNumber: number!, FriendlyName: name! })).sid;
      }
    });
    after(() => h.server.cleanup());

    const numbers = async (query: string) => {
      const reply = await h.server.request('GET', `${h.list}?${query}`);
      assert.equal(reply.status, 200, reply.text);
      return reply.body.incoming_phone_numbers.map((n: { phone_number: string }) => n.phone_number);
    };

    test('list: every number of the account, in creation order', async () => {
      assert.deepEqual(await numbers(''), Object.keys(made));
    });

    test('list: PhoneNumber matches any part of the number, with * for one digit', async () => {
      assert.deepEqual(await numbers('PhoneNumber=808925'), ['+18089255327', '+18089250001']);
      assert.deepEqual(await numbers('PhoneNumber=0808'), ['+14155550808']);
      assert.deepEqual(await numbers(`PhoneNumber=${encodeURIComponent('+1808')}`), ['+18089255327', '+18089250001']);
      assert.deepEqual(await numbers('PhoneNumber=808*25'), ['+18089255327', '+18089250001']);
      assert.deepEqual(await numbers('PhoneNumber=0*0'), ['+18089250001', '+14155550808', '+18005550100']);
      assert.deepEqual(await numbers('PhoneNumber=5*0100'), ['+18005550100']);
      assert.deepEqual(await numbers('PhoneNumber=999999'), []);
    });

    test('list: FriendlyName matches exactly and combines with PhoneNumber', async () => {
      assert.deepEqual(await numbers('FriendlyName=Hawaii'), ['+18089255327', '+18089250001']);
      assert.deepEqual(await numbers('FriendlyName=Hawaii&PhoneNumber=5327'), ['+18089255327']);
      assert.deepEqual(await numbers('FriendlyName=hawaii'), []);
      assert.deepEqual(await numbers('FriendlyName=Haw'), []);
    });

    test('list: flat 2010 paging with start, end and relative URIs that carry the filters', async () => {
      const path = h.list;
      const first = await h.server.request('GET', `${path}?PhoneNumber=0&PageSize=2`);
      assert.equal(first.status, 200);
      const b = first.body;
      assert.deepEqual(Object.keys(b).sort(), [
        'end',
        'first_page_uri',
        'incoming_phone_numbers',
        'next_page_uri',
        'page',
        'page_size',
        'previous_page_uri',
        'start',
        'uri',
      ]);
      assert.equal(b.page, 0);
      assert.equal(b.page_size, 2);
      assert.equal(b.start, 0);
      assert.equal(b.end, 1);
      assert.equal(b.first_page_uri, `${path}?PhoneNumber=0&PageSize=2&Page=0`);
      assert.equal(b.uri, `${path}?PhoneNumber=0&PageSize=2&Page=0`);
      assert.equal(b.previous_page_uri, null);
      assert.match(b.next_page_uri, /^\/2010-04-01\/.*PhoneNumber=0&PageSize=2&Page=1&PageToken=PA/);
      const seen = b.incoming_phone_numbers.map((n: { sid: string }) => n.sid);
      let next = b.next_page_uri;
      let last = b;
      while (next) {
        last = (await h.server.request('GET', next)).body;
        seen.push(...last.incoming_phone_numbers.map((n: { sid: string }) => n.sid));
        next = last.next_page_uri;
      }
      assert.deepEqual(seen, Object.values(made));
      assert.equal(last.page, 2);
      assert.equal(last.start, 4);
      assert.equal(last.end, 4);
      const back = (await h.server.request('GET', last.previous_page_uri)).body;
      assert.equal(back.page, 1);
      assert.deepEqual(
        back.incoming_phone_numbers.map((n: { sid: string }) => n.sid),
        Object.values(made).slice(2, 4),
      );
      const empty = (await h.server.request('GET', `${path}?FriendlyName=Nobody`)).body;
      assert.deepEqual(empty.incoming_phone_numbers, []);
      assert.equal(empty.start, 0);
      assert.equal(empty.end, 0);
      assert.equal(empty.next_page_uri, null);
    });

    test('list: PageSize outside 1..1000 and a bad PageToken are Twilio errors', async () => {
      assertTwilioError(await h.server.request('GET', `${h.list}?PageSize=1001`), 400, 20007);
      assertTwilioError(await h.server.request('GET', `${h.list}?PageSize=0`), 400, 20001);
      assertTwilioError(await h.server.request('GET', `${h.list}?PageToken=garbage`), 400, 21481);
    });
  });
}
