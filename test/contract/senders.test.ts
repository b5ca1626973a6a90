import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { startTestServer, type Reply, type TestServer } from '../helpers/server.js';
import { addService } from '../helpers/fixtures.js';
import { loadSpec, responseContract, type ResponseContract, type SpecName } from './openapi.js';

const V2010_NUMBERS = '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json';
const V2010_NUMBER = '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json';
const V1_NUMBERS = '/v1/Services/{ServiceSid}/PhoneNumbers';
const V1_NUMBER = '/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}';
const V1_ALPHAS = '/v1/Services/{ServiceSid}/AlphaSenders';
const V1_ALPHA = '/v1/Services/{ServiceSid}/AlphaSenders/{Sid}';

const contract = responseContract;

const contracts = {
  createIncomingPhoneNumber: contract('v2010', 'POST', V2010_NUMBERS),
  listIncomingPhoneNumber: contract('v2010', 'GET', V2010_NUMBERS),
  fetchIncomingPhoneNumber: contract('v2010', 'GET', V2010_NUMBER),
  updateIncomingPhoneNumber: contract('v2010', 'POST', V2010_NUMBER),
  createPhoneNumber: contract('v1', 'POST', V1_NUMBERS),
  listPhoneNumber: contract('v1', 'GET', V1_NUMBERS),
  fetchPhoneNumber: contract('v1', 'GET', V1_NUMBER),
  createAlphaSender: contract('v1', 'POST', V1_ALPHAS),
  listAlphaSender: contract('v1', 'GET', V1_ALPHAS),
  fetchAlphaSender: contract('v1', 'GET', V1_ALPHA),
};

/** The reply has a status the spec declares for the operation, and a body its schema accepts. */
function assertContract(c: ResponseContract, reply: Reply): void {
  assert.ok(c.statuses.includes(reply.status), `status ${reply.status} is not one of ${c.statuses.join(', ')}: ${reply.text}`);
  assert.ok(c.validate(reply.body), `${c.errors()}\nbody: ${reply.text}`);
}

/** A delete: the spec's 204, declared without a body, and no body sent. */
function assertDeleted(spec: SpecName, path: string, reply: Reply): void {
  const responses = loadSpec(spec).paths[path]!.delete!.responses ?? {};
  assert.deepEqual(Object.keys(responses), ['204']);
  assert.equal(responses['204']!.content, undefined);
  assert.equal(reply.status, 204, reply.text);
  assert.equal(reply.text, '');
}

/** GETs every page of a list, following the given next-link field, checking each against the contract. */
async function walk(server: TestServer, c: ResponseContract, first: string, next: (body: any) => string | null): Promise<any[]> {
  const pages = [];
  let path: string | null = first;
  while (path) {
    const reply = await server.request('GET', path);
    assertContract(c, reply);
    pages.push(reply.body);
    assert.ok(pages.length < 50, 'paging did not stop');
    const link = next(reply.body);
    path = link === null ? null : link.startsWith(server.url) ? link.slice(server.url.length) : link;
  }
  return pages;
}

let nextNumber = 1000 + Math.floor(Math.random() * 8000);

for (const backend of BACKENDS) {
  describe(`[${backend}] contract: phone numbers and sender pools match Twilio's OpenAPI schemas`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    let numbersPath: string;
    const numberPath = (sid: string) => `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers/${sid}.json`;
    const buy = async (values: Record<string, string | string[]> = {}) => {
      const reply = await server.request('POST', numbersPath, { PhoneNumber: `+1503555${nextNumber++}`, ...values });
      assertContract(contracts.createIncomingPhoneNumber, reply);
      return reply.body as { sid: string; phone_number: string };
    };
    before(async () => {
      server = await startTestServer(backend);
      numbersPath = `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers.json`;
    });
    after(() => server.cleanup());

    test('CreateIncomingPhoneNumber: 201 bodies match, with defaults, every parameter, an area code and odd capabilities', async () => {
      const plain = await server.request('POST', numbersPath, { PhoneNumber: '+18089255327' });
      assert.equal(plain.status, 201, plain.text);
      assertContract(contracts.createIncomingPhoneNumber, plain);
      await buy({
        FriendlyName: 'Everything',
        ApiVersion: '2008-08-01',
        SmsUrl: 'https://hooks.example.test/sms',
        SmsMethod: 'GET',
        SmsFallbackUrl: 'https://hooks.example.test/sms-fallback',
        SmsFallbackMethod: 'GET',
        StatusCallback: 'https://hooks.example.test/status',
        StatusCallbackMethod: 'GET',
        SmsApplicationSid: 'AP11111111111111111111111111111111',
        VoiceApplicationSid: 'AP22222222222222222222222222222222',
        VoiceCallerIdLookup: 'true',
        VoiceUrl: 'https://hooks.example.test/voice',
        VoiceMethod: 'GET',
        VoiceFallbackUrl: 'https://hooks.example.test/voice-fallback',
        VoiceFallbackMethod: 'GET',
        VoiceReceiveMode: 'fax',
        EmergencyStatus: 'Active',
        EmergencyAddressSid: 'AD11111111111111111111111111111111',
        TrunkSid: 'TK11111111111111111111111111111111',
        IdentitySid: 'RI11111111111111111111111111111111',
        AddressSid: 'AD22222222222222222222222222222222',
        BundleSid: 'BU11111111111111111111111111111111',
      });
      const byArea = await server.request('POST', numbersPath, { AreaCode: '503' });
      assert.equal(byArea.status, 201, byArea.text);
      assertContract(contracts.createIncomingPhoneNumber, byArea);
      await buy({ PhoneNumber: '+18885550199' });
      await buy({ PhoneNumber: '+442079460959' });
      await buy({ Capabilities: ['Voice', 'Fax'] });
    });

    test('FetchIncomingPhoneNumber: the body matches', async () => {
      const pn = await buy();
      const reply = await server.request('GET', numberPath(pn.sid));
      assertContract(contracts.fetchIncomingPhoneNumber, reply);
      assert.equal(reply.body.uri, numberPath(pn.sid));
    });

    test('UpdateIncomingPhoneNumber: bodies match after setting, after clearing URLs, and with nothing sent', async () => {
      const pn = await buy();
      assertContract(
        contracts.updateIncomingPhoneNumber,
        await server.request('POST', numberPath(pn.sid), {
          FriendlyName: 'Updated',
          SmsUrl: 'https://hooks.example.test/sms',
          StatusCallback: 'https://hooks.example.test/status',
          VoiceUrl: 'https://hooks.example.test/voice',
          VoiceCallerIdLookup: 'true',
          EmergencyStatus: 'Active',
          BundleSid: 'BU22222222222222222222222222222222',
        }),
      );
      assertContract(
        contracts.updateIncomingPhoneNumber,
        await server.request('POST', numberPath(pn.sid), { SmsUrl: '', StatusCallback: '', VoiceUrl: '', FriendlyName: '' }),
      );
      assertContract(contracts.updateIncomingPhoneNumber, await server.request('POST', numberPath(pn.sid), {}));
    });

    test('ListIncomingPhoneNumber: unfiltered, filtered, paged (both ways) and empty results match', async () => {
      await buy({ FriendlyName: 'Contract' });
      await buy({ FriendlyName: 'Contract' });
      await buy();
      assertContract(contracts.listIncomingPhoneNumber, await server.request('GET', numbersPath));
      assertContract(contracts.listIncomingPhoneNumber, await server.request('GET', `${numbersPath}?PhoneNumber=503555&FriendlyName=Contract`));
      assertContract(contracts.listIncomingPhoneNumber, await server.request('GET', `${numbersPath}?PhoneNumber=${encodeURIComponent('+1503*55')}`));
      const none = await server.request('GET', `${numbersPath}?FriendlyName=Nobody`);
      assertContract(contracts.listIncomingPhoneNumber, none);
      assert.deepEqual(none.body.incoming_phone_numbers, []);
      const pages = await walk(server, contracts.listIncomingPhoneNumber, `${numbersPath}?PageSize=2`, (body) => body.next_page_uri);
      assert.ok(pages.length >= 3, 'a middle page was seen');
      for (const page of pages) {
        for (const field of ['uri', 'first_page_uri']) assert.ok(page[field].startsWith(`${numbersPath}?`), `${field} ${page[field]}`);
      }
      assertContract(contracts.listIncomingPhoneNumber, await server.request('GET', pages[1].previous_page_uri));
    });

    test('DeleteIncomingPhoneNumber: 204 with no body, as the spec declares', async () => {
      const pn = await buy();
      assertDeleted('v2010', V2010_NUMBER, await server.request('DELETE', numberPath(pn.sid)));
    });

    test('CreatePhoneNumber (v1): the 201 body matches, for every capability mix and a non-US number', async () => {
      const service = await addService(server);
      const mixes: Record<string, string | string[]>[] = [
        {},
        { Capabilities: 'SMS' },
        { Capabilities: 'MMS' },
        { Capabilities: ['SMS', 'MMS', 'Voice', 'Fax'] },
        { PhoneNumber: '+442079460960' },
      ];
      for (const values of mixes) {
        const pn = await buy(values);
        const reply = await server.request('POST', `/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: pn.sid });
        assertContract(contracts.createPhoneNumber, reply);
      }
    });

    test('FetchPhoneNumber (v1): the body matches', async () => {
      const service = await addService(server);
      const pn = await buy();
      await server.request('POST', `/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: pn.sid });
      assertContract(contracts.fetchPhoneNumber, await server.request('GET', `/v1/Services/${service.sid}/PhoneNumbers/${pn.sid}`));
    });

    test('ListPhoneNumber (v1): an empty pool and first, middle and last pages match (PageSize=2)', async () => {
      const service = await addService(server);
      const pool = `/v1/Services/${service.sid}/PhoneNumbers`;
      const empty = await server.request('GET', pool);
      assertContract(contracts.listPhoneNumber, empty);
      assert.deepEqual(empty.body.phone_numbers, []);
      for (let i = 0; i < 5; i++) await server.request('POST', pool, { PhoneNumberSid: (await buy()).sid });
      const pages = await walk(server, contracts.listPhoneNumber, `${pool}?PageSize=2`, (body) => body.meta.next_page_url);
      assert.equal(pages.length, 3);
      assert.equal(pages.flatMap((p) => p.phone_numbers).length, 5);
      assertContract(contracts.listPhoneNumber, await server.request('GET', (pages[2].meta.previous_page_url as string).slice(server.url.length)));
    });

    test('DeletePhoneNumber (v1): 204 with no body, as the spec declares', async () => {
      const service = await addService(server);
      const pn = await buy();
      await server.request('POST', `/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: pn.sid });
      assertDeleted('v1', V1_NUMBER, await server.request('DELETE', `/v1/Services/${service.sid}/PhoneNumbers/${pn.sid}`));
    });

    test('CreateAlphaSender / FetchAlphaSender / ListAlphaSender: bodies match', async () => {
      const service = await addService(server);
      const pool = `/v1/Services/${service.sid}/AlphaSenders`;
      assertContract(contracts.listAlphaSender, await server.request('GET', pool));
      const created = await server.request('POST', pool, { AlphaSender: 'A-b+c_d&e 1' });
      assert.equal(created.status, 201, created.text);
      assertContract(contracts.createAlphaSender, created);
      assertContract(contracts.fetchAlphaSender, await server.request('GET', `${pool}/${created.body.sid}`));
      const listed = await server.request('GET', `${pool}?PageSize=1`);
      assertContract(contracts.listAlphaSender, listed);
      assert.equal(listed.body.alpha_senders.length, 1);
    });

    test('DeleteAlphaSender: 204 with no body, as the spec declares', async () => {
      const service = await addService(server);
      const created = (await server.request('POST', `/v1/Services/${service.sid}/AlphaSenders`, { AlphaSender: 'Gone' })).body;
      assertDeleted('v1', V1_ALPHA, await server.request('DELETE', `/v1/Services/${service.sid}/AlphaSenders/${created.sid}`));
    });

    test('validator: rejects phone number and alpha sender bodies with a missing key, a wrong shape or a malformed value', async () => {
      const pn = await buy();
      const v2010 = (await server.request('GET', numberPath(pn.sid))).body;
      const { validate, errors } = contracts.fetchIncomingPhoneNumber;
      assert.ok(validate(v2010), errors());
      const service = await addService(server);
      const v1 = (await server.request('POST', `/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: pn.sid })).body;
      assert.ok(contracts.fetchPhoneNumber.validate(v1), contracts.fetchPhoneNumber.errors());
      const alpha = (await server.request('POST', `/v1/Services/${service.sid}/AlphaSenders`, { AlphaSender: 'Mutant' })).body;
      assert.ok(contracts.fetchAlphaSender.validate(alpha), contracts.fetchAlphaSender.errors());
      const mutants: [string, (body: unknown) => boolean, Record<string, unknown>][] = [
        ['2010: missing key', validate, Object.fromEntries(Object.entries(v2010).filter(([key]) => key !== 'emergency_address_status'))],
        ['2010: v1 capabilities array', validate, { ...v2010, capabilities: ['SMS'] }],
        ['2010: capabilities without fax', validate, { ...v2010, capabilities: { voice: true, sms: true, mms: true } }],
        ['2010: capabilities with an extra key', validate, { ...v2010, capabilities: { ...v2010.capabilities, rcs: true } }],
        ['2010: capability as a string', validate, { ...v2010, capabilities: { ...v2010.capabilities, sms: 'true' } }],
        ['2010: ISO date', validate, { ...v2010, date_created: '2026-01-01T00:00:00Z' }],
        ['2010: extra key', validate, { ...v2010, country_code: 'US' }],
        ['2010: number without +', validate, { ...v2010, phone_number: v2010.phone_number.slice(1) }],
        ['2010: sid with the wrong prefix', validate, { ...v2010, sid: `SC${v2010.sid.slice(2)}` }],
        ['2010: emergency status outside the enum', validate, { ...v2010, emergency_status: 'active' }],
        ['2010: boolean as a string', validate, { ...v2010, voice_caller_id_lookup: 'false' }],
        ['v1: 2010 capabilities object', contracts.fetchPhoneNumber.validate, { ...v1, capabilities: v2010.capabilities }],
        ['v1: relative url', contracts.fetchPhoneNumber.validate, { ...v1, url: v1.url.slice(server.url.length) }],
        ['v1: RFC 2822 date', contracts.fetchPhoneNumber.validate, { ...v1, date_created: v2010.date_created }],
        ['v1: missing country_code', contracts.fetchPhoneNumber.validate, { ...v1, country_code: undefined }],
        ['v1: alpha sender with a PN sid', contracts.fetchAlphaSender.validate, { ...alpha, sid: pn.sid }],
        ['v1: alpha sender with phone_number', contracts.fetchAlphaSender.validate, { ...alpha, phone_number: pn.phone_number }],
      ];
      for (const [what, check, body] of mutants) {
        assert.equal(check(JSON.parse(JSON.stringify(body))), false, `accepted a body with ${what}`);
      }
    });
  });
}
