import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { startTestServer, type Reply, type TestServer } from '../helpers/server.js';
import { addApiKey, addService, addShortCode, addSubaccount } from '../helpers/fixtures.js';
import { isRfc2822, responseContract, type ResponseContract } from './openapi.js';

const V1_SERVICES = '/v1/Services';
const V1_SERVICE = '/v1/Services/{Sid}';
const V1_SHORT_CODES = '/v1/Services/{ServiceSid}/ShortCodes';
const V1_SHORT_CODE = '/v1/Services/{ServiceSid}/ShortCodes/{Sid}';
const V2010_SHORT_CODES = '/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes.json';
const V2010_SHORT_CODE = '/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes/{Sid}.json';
const V2010_ACCOUNTS = '/2010-04-01/Accounts.json';
const V2010_ACCOUNT = '/2010-04-01/Accounts/{Sid}.json';
const V2010_KEYS = '/2010-04-01/Accounts/{AccountSid}/Keys.json';
const V2010_KEY = '/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json';

const contracts = {
  createService: responseContract('v1', 'POST', V1_SERVICES),
  listService: responseContract('v1', 'GET', V1_SERVICES),
  fetchService: responseContract('v1', 'GET', V1_SERVICE),
  updateService: responseContract('v1', 'POST', V1_SERVICE),
  createServiceShortCode: responseContract('v1', 'POST', V1_SHORT_CODES),
  listServiceShortCode: responseContract('v1', 'GET', V1_SHORT_CODES),
  fetchServiceShortCode: responseContract('v1', 'GET', V1_SHORT_CODE),
  listShortCode: responseContract('v2010', 'GET', V2010_SHORT_CODES),
  fetchShortCode: responseContract('v2010', 'GET', V2010_SHORT_CODE),
  updateShortCode: responseContract('v2010', 'POST', V2010_SHORT_CODE),
  createAccount: responseContract('v2010', 'POST', V2010_ACCOUNTS),
  listAccount: responseContract('v2010', 'GET', V2010_ACCOUNTS),
  fetchAccount: responseContract('v2010', 'GET', V2010_ACCOUNT),
  updateAccount: responseContract('v2010', 'POST', V2010_ACCOUNT),
  createNewKey: responseContract('v2010', 'POST', V2010_KEYS),
  listKey: responseContract('v2010', 'GET', V2010_KEYS),
  fetchKey: responseContract('v2010', 'GET', V2010_KEY),
  updateKey: responseContract('v2010', 'POST', V2010_KEY),
};

/** The reply has a status the spec declares for the operation, and a body its schema accepts. */
function assertContract(contract: ResponseContract, reply: Reply): void {
  assert.ok(contract.statuses.includes(reply.status), `status ${reply.status} is not one of ${contract.statuses.join(', ')}: ${reply.text}`);
  assert.ok(contract.validate(reply.body), `${contract.errors()}\nbody: ${reply.text}`);
}

/** GETs every page of a list, following the given next-link field, checking each against the contract. */
async function walk(server: TestServer, contract: ResponseContract, first: string, next: (body: any) => string | null): Promise<any[]> {
  const pages = [];
  let path: string | null = first;
  while (path) {
    const reply = await server.request('GET', path);
    assertContract(contract, reply);
    pages.push(reply.body);
    assert.ok(pages.length < 50, 'paging did not stop');
    const link = next(reply.body);
    path = link === null ? null : link.startsWith(server.url) ? link.slice(server.url.length) : link;
  }
  return pages;
}

for (const backend of BACKENDS) {
  describe(`[${backend}] contract: responses match Twilio's OpenAPI schemas`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    let accountPath: string;
    before(async () => {
      server = await startTestServer(backend);
      accountPath = `/2010-04-01/Accounts/${server.account.sid}`;
    });
    after(() => server.cleanup());

    test('CreateService: 201 bodies match, with unset values null and with every parameter set', async () => {
      assertContract(contracts.createService, await server.request('POST', '/v1/Services', { FriendlyName: 'Minimal' }));
      const full = await server.request('POST', '/v1/Services', {
        FriendlyName: 'Everything',
        InboundRequestUrl: 'https://hooks.example.test/in',
        InboundMethod: 'GET',
        FallbackUrl: 'https://hooks.example.test/fallback',
        FallbackMethod: 'GET',
        StatusCallback: 'https://hooks.example.test/status',
        StickySender: 'false',
        MmsConverter: 'false',
        SmartEncoding: 'false',
        ScanMessageContent: 'disable',
        FallbackToLongCode: 'true',
        AreaCodeGeomatch: 'false',
        ValidityPeriod: '1',
        SynchronousValidation: 'false',
        Usecase: 'verification',
        UseInboundWebhookOnNumber: 'true',
      });
      assert.equal(full.status, 201, full.text);
      assertContract(contracts.createService, full);
    });

    test('FetchService: the body matches', async () => {
      const service = await addService(server, { FriendlyName: 'Fetched', StatusCallback: 'https://hooks.example.test/s' });
      assertContract(contracts.fetchService, await server.request('GET', `/v1/Services/${service.sid}`));
    });

    test('UpdateService: bodies match after setting and after clearing URLs', async () => {
      const service = await addService(server, { FriendlyName: 'Updated' });
      assertContract(
        contracts.updateService,
        await server.request('POST', `/v1/Services/${service.sid}`, { FallbackUrl: 'https://hooks.example.test/f', Usecase: 'poll', ValidityPeriod: '36000' }),
      );
      assertContract(contracts.updateService, await server.request('POST', `/v1/Services/${service.sid}`, { FallbackUrl: '' }));
      assertContract(contracts.updateService, await server.request('POST', `/v1/Services/${service.sid}`, {}));
    });

    test('ListService: first, middle and last pages match (PageSize=2)', async () => {
      for (let i = 0; i < 5; i++) await addService(server, { FriendlyName: `Listed ${i}` });
      const pages = await walk(server, contracts.listService, '/v1/Services?PageSize=2', (body) => body.meta.next_page_url);
      assert.ok(pages.length >= 3, 'a middle page was seen');
      assert.ok(pages.some((p) => p.meta.previous_page_url !== null && p.meta.next_page_url !== null));
      assertContract(contracts.listService, await server.request('GET', '/v1/Services?PageSize=1000'));
    });

    test('CreateShortCode (v1): the 2xx body matches, for SMS and for SMS+MMS short codes', async () => {
      const service = await addService(server);
      const sms = await addShortCode(server);
      const both = await addShortCode(server, { Capabilities: ['SMS', 'MMS'], CountryCode: 'CA' });
      for (const shortCode of [sms, both]) {
        const reply = await server.request('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: shortCode.sid });
        assertContract(contracts.createServiceShortCode, reply);
      }
    });

    test('FetchShortCode (v1): the body matches', async () => {
      const service = await addService(server);
      const shortCode = await addShortCode(server);
      await server.request('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: shortCode.sid });
      assertContract(contracts.fetchServiceShortCode, await server.request('GET', `/v1/Services/${service.sid}/ShortCodes/${shortCode.sid}`));
    });

    test('ListShortCode (v1): an empty pool and first, middle and last pages match (PageSize=2)', async () => {
      const service = await addService(server);
      const empty = await server.request('GET', `/v1/Services/${service.sid}/ShortCodes`);
      assertContract(contracts.listServiceShortCode, empty);
      assert.deepEqual(empty.body.short_codes, []);
      for (let i = 0; i < 5; i++) {
        const shortCode = await addShortCode(server);
        await server.request('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: shortCode.sid });
      }
      const pages = await walk(server, contracts.listServiceShortCode, `/v1/Services/${service.sid}/ShortCodes?PageSize=2`, (body) => body.meta.next_page_url);
      assert.equal(pages.length, 3);
      assert.equal(pages.flatMap((p) => p.short_codes).length, 5);
      // The way back is part of the contract too.
      const previous = pages[2].meta.previous_page_url as string;
      assertContract(contracts.listServiceShortCode, await server.request('GET', previous.slice(server.url.length)));
    });

    test('ListShortCode (2010): unfiltered, filtered, paged and empty results match', async () => {
      await addShortCode(server, { ShortCode: '8123401', FriendlyName: 'Contract' });
      await addShortCode(server, { ShortCode: '8123402', FriendlyName: 'Contract' });
      await addShortCode(server, { ShortCode: '8123403' });
      const path = `${accountPath}/SMS/ShortCodes.json`;
      assertContract(contracts.listShortCode, await server.request('GET', path));
      assertContract(contracts.listShortCode, await server.request('GET', `${path}?ShortCode=81234&FriendlyName=Contract`));
      const none = await server.request('GET', `${path}?ShortCode=0000000`);
      assertContract(contracts.listShortCode, none);
      assert.deepEqual(none.body.short_codes, []);
      const pages = await walk(server, contracts.listShortCode, `${path}?PageSize=2`, (body) => body.next_page_uri);
      assert.ok(pages.length >= 2);
      for (const page of pages) {
        for (const field of ['uri', 'first_page_uri']) assert.ok(page[field].startsWith(`${path}?`), `${field} ${page[field]}`);
      }
      assertContract(contracts.listShortCode, await server.request('GET', pages[1].previous_page_uri));
    });

    test('FetchShortCode (2010): the body matches', async () => {
      const shortCode = await addShortCode(server);
      const reply = await server.request('GET', `${accountPath}/SMS/ShortCodes/${shortCode.sid}.json`);
      assertContract(contracts.fetchShortCode, reply);
      assert.equal(reply.body.uri, `${accountPath}/SMS/ShortCodes/${shortCode.sid}.json`);
    });

    test('UpdateShortCode (2010): bodies match after setting and after clearing URLs', async () => {
      const shortCode = await addShortCode(server);
      const path = `${accountPath}/SMS/ShortCodes/${shortCode.sid}.json`;
      assertContract(
        contracts.updateShortCode,
        await server.request('POST', path, {
          FriendlyName: 'Updated',
          ApiVersion: '2008-08-01',
          SmsUrl: 'https://hooks.example.test/sms',
          SmsMethod: 'GET',
          SmsFallbackUrl: 'https://hooks.example.test/fallback',
          SmsFallbackMethod: 'GET',
        }),
      );
      assertContract(contracts.updateShortCode, await server.request('POST', path, { SmsUrl: '', SmsFallbackUrl: '' }));
    });

    test('CreateShortCode (2010, Shortroute extension): the body matches the spec ShortCode resource', async () => {
      const reply = await server.request('POST', `${accountPath}/SMS/ShortCodes.json`, { ShortCode: '8999001', FriendlyName: 'Extension' });
      assert.equal(reply.status, 201, reply.text);
      assert.ok(contracts.fetchShortCode.validate(reply.body), contracts.fetchShortCode.errors());
    });

    test('validator: rejects a body with a missing key, a wrong type, an extra key or a malformed value', async () => {
      const service = (await server.request('POST', '/v1/Services', { FriendlyName: 'Mutated' })).body;
      const { validate, errors } = contracts.fetchService;
      assert.ok(validate(service), errors());
      const mutants: [string, Record<string, unknown>][] = [
        ['missing key', Object.fromEntries(Object.entries(service).filter(([key]) => key !== 'usecase'))],
        ['missing nested key', { ...service, links: undefined }],
        ['wrong type', { ...service, sticky_sender: 'true' }],
        ['integer as string', { ...service, validity_period: '36000' }],
        ['null where not nullable', { ...service, validity_period: null }],
        ['extra key', { ...service, messaging_service_sid: service.sid }],
        ['value outside the enum', { ...service, inbound_method: 'PUT' }],
        ['sid with the wrong prefix', { ...service, sid: `PN${service.sid.slice(2)}` }],
        ['RFC 2822 date in a v1 resource', { ...service, date_created: 'Thu, 30 Jul 2015 20:12:31 +0000' }],
        ['relative url in a v1 resource', { ...service, url: `/v1/Services/${service.sid}` }],
        ['relative url in links', { ...service, links: { ...service.links, short_codes: '/v1/ShortCodes' } }],
      ];
      for (const [what, body] of mutants) {
        assert.equal(validate(JSON.parse(JSON.stringify(body))), false, `accepted a body with a ${what}`);
      }
      // And in the 2010 list envelope, down to its items.
      const list = (await server.request('GET', `${accountPath}/SMS/ShortCodes.json`)).body;
      const v2010 = contracts.listShortCode.validate;
      assert.ok(v2010(list), contracts.listShortCode.errors());
      assert.equal(v2010({ ...list, start: undefined }), false, 'missing start');
      assert.equal(v2010({ ...list, page: '0' }), false, 'page as a string');
      const item = list.short_codes[0];
      assert.ok(item, 'a short code to mutate');
      assert.equal(v2010({ ...list, short_codes: [{ ...item, date_created: '2015-07-30T20:12:31Z' }] }), false, 'ISO date in a 2010 resource');
      assert.equal(v2010({ ...list, short_codes: [{ ...item, sms_method: 'get' }] }), false, 'lower-case method');
      assert.equal(v2010({ ...list, short_codes: [{ ...item, capabilities: ['SMS'] }] }), false, 'v1-only key in a 2010 resource');
    });

    test('CreateAccount: 201 bodies match, named and with the default name', async () => {
      assertContract(contracts.createAccount, await server.request('POST', '/2010-04-01/Accounts.json', { FriendlyName: 'Contract tenant' }));
      assertContract(contracts.createAccount, await server.request('POST', '/2010-04-01/Accounts.json', {}));
    });

    test('FetchAccount: the main account and a subaccount match', async () => {
      assertContract(contracts.fetchAccount, await server.request('GET', `${accountPath}.json`));
      const sub = await addSubaccount(server);
      assertContract(contracts.fetchAccount, await server.request('GET', `/2010-04-01/Accounts/${sub.sid}.json`));
    });

    test('UpdateAccount: bodies match after renaming, suspending, reactivating and closing', async () => {
      const sub = await addSubaccount(server);
      const path = `/2010-04-01/Accounts/${sub.sid}.json`;
      const updates: Record<string, string>[] = [{ FriendlyName: 'Renamed' }, { Status: 'suspended' }, { Status: 'active' }, { Status: 'closed' }, {}];
      for (const values of updates) {
        assertContract(contracts.updateAccount, await server.request('POST', path, values));
      }
      assertContract(contracts.updateAccount, await server.request('POST', `${accountPath}.json`, { FriendlyName: 'Shortroute main account' }));
    });

    test('ListAccount: unfiltered, filtered, paged and empty results match', async () => {
      for (let i = 0; i < 3; i++) await addSubaccount(server, { FriendlyName: 'Contract list' });
      const path = '/2010-04-01/Accounts.json';
      assertContract(contracts.listAccount, await server.request('GET', path));
      assertContract(contracts.listAccount, await server.request('GET', `${path}?FriendlyName=Contract%20list&Status=active`));
      const none = await server.request('GET', `${path}?FriendlyName=Nobody`);
      assertContract(contracts.listAccount, none);
      assert.deepEqual(none.body.accounts, []);
      const pages = await walk(server, contracts.listAccount, `${path}?PageSize=2`, (body) => body.next_page_uri);
      assert.ok(pages.length >= 2);
      assertContract(contracts.listAccount, await server.request('GET', pages[1].previous_page_uri));
    });

    test('CreateNewKey: the 201 body matches, with and without a FriendlyName', async () => {
      const keys = `${accountPath}/Keys.json`;
      assertContract(contracts.createNewKey, await server.request('POST', keys, { FriendlyName: 'Contract key' }));
      const unnamed = await server.request('POST', keys, {});
      assertContract(contracts.createNewKey, unnamed);
      assert.equal(unnamed.body.friendly_name, null);
    });

    test('FetchKey, UpdateKey: bodies match', async () => {
      const key = await addApiKey(server, server.account.sid, { FriendlyName: 'Contract fetch' });
      const path = `${accountPath}/Keys/${key.sid}.json`;
      assertContract(contracts.fetchKey, await server.request('GET', path));
      assertContract(contracts.updateKey, await server.request('POST', path, { FriendlyName: 'Contract update' }));
      assertContract(contracts.updateKey, await server.request('POST', path, { FriendlyName: '' }));
    });

    test('ListKey: an empty list and first, middle and last pages match (PageSize=2)', async () => {
      const sub = await addSubaccount(server);
      const keys = `/2010-04-01/Accounts/${sub.sid}/Keys.json`;
      assertContract(contracts.listKey, await server.request('GET', keys));
      for (let i = 0; i < 5; i++) await addApiKey(server, sub.sid, { FriendlyName: `Contract ${i}` });
      const pages = await walk(server, contracts.listKey, `${keys}?PageSize=2`, (body) => body.next_page_uri);
      assert.equal(pages.length, 3);
      assert.equal(pages.flatMap((p) => p.keys).length, 5);
    });

    test('validator: a Key body may not carry a secret; a NewKey body must', async () => {
      const key = await addApiKey(server, server.account.sid, { FriendlyName: 'Mutated key' });
      const fetched = (await server.request('GET', `${accountPath}/Keys/${key.sid}.json`)).body;
      assert.ok(contracts.fetchKey.validate(fetched), contracts.fetchKey.errors());
      assert.equal(contracts.fetchKey.validate({ ...fetched, secret: key.secret }), false, 'a secret in a fetched key');
      assert.equal(contracts.createNewKey.validate(fetched), false, 'a new key without its secret');
      const account = (await server.request('GET', `${accountPath}.json`)).body;
      assert.equal(contracts.fetchAccount.validate({ ...account, status: 'deleted' }), false, 'a status outside the enum');
      assert.equal(contracts.fetchAccount.validate({ ...account, subresource_uris: { keys: 'not a uri' } }), false, 'a subresource that is not a URI');
    });

    test('date-time-rfc-2822 format: accepts RFC 2822 dates and rejects everything else', () => {
      for (const good of ['Thu, 30 Jul 2015 20:12:31 +0000', '30 Jul 2015 20:12 -0700', 'Sat, 29 Feb 2020 00:00:00 +0530']) {
        assert.ok(isRfc2822(good), good);
      }
      for (const bad of [
        '2015-07-30T20:12:31Z',
        'Fri, 30 Jul 2015 20:12:31 +0000', // 30 July 2015 was a Thursday
        'Sun, 29 Feb 2015 00:00:00 +0000', // no such day
        'Thu, 30 Jul 2015 24:00:00 +0000',
        'Thu, 30 July 2015 20:12:31 +0000',
        'Thu, 30 Jul 2015 20:12:31',
        'Thu, 30 Jul 2015 20:12:31 +00:00',
      ]) {
        assert.equal(isRfc2822(bad), false, bad);
      }
    });
  });
}
