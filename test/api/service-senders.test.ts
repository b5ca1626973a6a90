import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, form, send, startTestServer, type TestServer } from '../helpers/server.js';
import { addService, addShortCode, assertTwilioError, addTopLevelAccount } from '../helpers/fixtures.js';

type Server = TestServer & { cleanup(): Promise<void> };

const ISO_8601 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const OTHER_SID = 'AC33333333333333333333333333333333';
const OTHER_TOKEN = 'other-auth-token-3333';
const UNKNOWN_SERVICE = 'MG00000000000000000000000000000000';

const phonePool = (service: string) => `/v1/Services/${service}/PhoneNumbers`;
const alphaPool = (service: string) => `/v1/Services/${service}/AlphaSenders`;
const shortCodePool = (service: string) => `/v1/Services/${service}/ShortCodes`;

let nextNumber = 1000 + Math.floor(Math.random() * 8000);

/** A phone number on the server's main account (the 2010 create); returns its JSON. */
async function addPhoneNumber(server: TestServer, values: Record<string, string | string[]> = {}) {
  const reply = await server.request('POST', `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers.json`, {
    PhoneNumber: `+1206555${nextNumber++}`,
    ...values,
  });
  assert.equal(reply.status, 201, reply.text);
  return reply.body as { sid: string; phone_number: string };
}

for (const backend of BACKENDS) {
  describe(`[${backend}] /v1/Services/{ServiceSid}/PhoneNumbers`, () => {
    let server: Server;
    before(async () => {
      server = await startTestServer(backend);
    });
    after(() => server.cleanup());

    test("create: adds the account's number and answers 201 with the spec shape", async () => {
      const service = await addService(server);
      const pn = await addPhoneNumber(server);
      const reply = await server.request('POST', phonePool(service.sid), { PhoneNumberSid: pn.sid });
      assert.equal(reply.status, 201, reply.text);
      const m = reply.body;
      assert.deepEqual(Object.keys(m).sort(), [
        'account_sid',
        'capabilities',
        'country_code',
        'date_created',
        'date_updated',
        'phone_number',
        'service_sid',
        'sid',
        'url',
      ]);
      assert.equal(m.sid, pn.sid);
      assert.equal(m.account_sid, server.account.sid);
      assert.equal(m.service_sid, service.sid);
      assert.equal(m.phone_number, pn.phone_number);
      assert.match(m.phone_number, /^\+1206555\d{4}$/);
      assert.equal(m.country_code, 'US');
      assert.deepEqual(m.capabilities, ['MMS', 'SMS', 'Voice']);
      assert.match(m.date_created, ISO_8601);
      assert.equal(m.date_updated, m.date_created);
      assert.equal(m.url, `${server.url}${phonePool(service.sid)}/${pn.sid}`);
    });

    test('create: capabilities list what the number can do (Fax is not a v1 capability)', async () => {
      const service = await addService(server);
      const cases: [string[], string[]][] = [
        [['SMS'], ['SMS']],
        [['MMS'], ['MMS']],
        [
          ['SMS', 'Voice'],
          ['SMS', 'Voice'],
        ],
        [
          ['SMS', 'MMS', 'Voice', 'Fax'],
          ['MMS', 'SMS', 'Voice'],
        ],
      ];
      for (const [capabilities, shown] of cases) {
        const pn = await addPhoneNumber(server, { Capabilities: capabilities });
        const reply = await server.request('POST', phonePool(service.sid), { PhoneNumberSid: pn.sid });
        assert.equal(reply.status, 201, reply.text);
        assert.deepEqual(reply.body.capabilities, shown, capabilities.join('+'));
      }
    });

    test('fetch: returns the member as create returned it; unknown service or number is 404/20404', async () => {
      const service = await addService(server);
      const pn = await addPhoneNumber(server);
      const created = await server.request('POST', phonePool(service.sid), { PhoneNumberSid: pn.sid });
      const fetched = await server.request('GET', `${phonePool(service.sid)}/${pn.sid}`);
      assert.equal(fetched.status, 200);
      assert.deepEqual(fetched.body, created.body);
      const outside = await addPhoneNumber(server);
      const missing = await server.request('GET', `${phonePool(service.sid)}/${outside.sid}`);
      assertTwilioError(missing, 404, 20404);
      assert.equal(missing.body.message, `The requested resource /Services/${service.sid}/PhoneNumbers/${outside.sid} was not found`);
      assertTwilioError(await server.request('GET', `${phonePool(UNKNOWN_SERVICE)}/${pn.sid}`), 404, 20404);
      // A number is a member of the PhoneNumbers pool only, never of the other kinds'.
      assertTwilioError(await server.request('GET', `${shortCodePool(service.sid)}/${pn.sid}`), 404, 20404);
      assertTwilioError(await server.request('GET', `${alphaPool(service.sid)}/${pn.sid}`), 404, 20404);
    });

    test("list: exactly the pool's numbers, key phone_numbers, with v1 meta and paging", async () => {
      const service = await addService(server);
      const empty = await server.request('GET', phonePool(service.sid));
      assert.equal(empty.status, 200);
      assert.deepEqual(empty.body.phone_numbers, []);
      assert.equal(empty.body.meta.key, 'phone_numbers');
      const added: string[] = [];
      for (let i = 0; i < 3; i++) {
        const pn = await addPhoneNumber(server);
        assert.equal((await server.request('POST', phonePool(service.sid), { PhoneNumberSid: pn.sid })).status, 201);
        added.push(pn.sid);
      }
      await addPhoneNumber(server); // on the account, not in the pool
      const sc = await addShortCode(server);
      await server.request('POST', shortCodePool(service.sid), { ShortCodeSid: sc.sid });
      await server.request('POST', alphaPool(service.sid), { AlphaSender: 'Listed' });
      const all = await server.request('GET', phonePool(service.sid));
      assert.deepEqual(all.body.phone_numbers.map((m: { sid: string }) => m.sid).sort(), [...added].sort());
      const first = await server.request('GET', `${phonePool(service.sid)}?PageSize=2`);
      assert.equal(first.body.phone_numbers.length, 2);
      assert.equal(first.body.meta.page_size, 2);
      assert.ok(first.body.meta.next_page_url.startsWith(`${server.url}${phonePool(service.sid)}?`));
      const second = await server.request('GET', first.body.meta.next_page_url.slice(server.url.length));
      assert.deepEqual([...first.body.phone_numbers, ...second.body.phone_numbers], all.body.phone_numbers);
      assert.equal(second.body.meta.next_page_url, null);
      assertTwilioError(await server.request('GET', phonePool(UNKNOWN_SERVICE)), 404, 20404);
    });

    test('delete: 204 with an empty body; the number stays on the account and can join another service', async () => {
      const first = await addService(server);
      const second = await addService(server);
      const pn = await addPhoneNumber(server);
      await server.request('POST', phonePool(first.sid), { PhoneNumberSid: pn.sid });
      const reply = await server.request('DELETE', `${phonePool(first.sid)}/${pn.sid}`);
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertTwilioError(await server.request('GET', `${phonePool(first.sid)}/${pn.sid}`), 404, 20404);
      assertTwilioError(await server.request('DELETE', `${phonePool(first.sid)}/${pn.sid}`), 404, 20404);
      const onAccount = await server.request('GET', `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers/${pn.sid}.json`);
      assert.equal(onAccount.status, 200);
      assert.equal(onAccount.body.phone_number, pn.phone_number);
      assert.equal((await server.request('POST', phonePool(second.sid), { PhoneNumberSid: pn.sid })).status, 201);
      assertTwilioError(await server.request('DELETE', `${phonePool(UNKNOWN_SERVICE)}/${pn.sid}`), 404, 20404);
    });

    test('create: the same number twice is 409/21710; in another service it is 400/21712', async () => {
      const first = await addService(server);
      const second = await addService(server);
      const pn = await addPhoneNumber(server);
      assert.equal((await server.request('POST', phonePool(first.sid), { PhoneNumberSid: pn.sid })).status, 201);
      assertTwilioError(await server.request('POST', phonePool(first.sid), { PhoneNumberSid: pn.sid }), 409, 21710);
      assertTwilioError(await server.request('POST', phonePool(second.sid), { PhoneNumberSid: pn.sid }), 400, 21712);
      assert.deepEqual((await server.request('GET', phonePool(second.sid))).body.phone_numbers, []);
      assert.equal((await server.request('GET', phonePool(first.sid))).body.phone_numbers.length, 1);
    });

    test('create: a number with neither SMS nor MMS is 400/21715 and is not added', async () => {
      const service = await addService(server);
      for (const capabilities of [['Voice'], ['Voice', 'Fax'], ['Fax']]) {
        const pn = await addPhoneNumber(server, { Capabilities: capabilities });
        const reply = await server.request('POST', phonePool(service.sid), { PhoneNumberSid: pn.sid });
        assertTwilioError(reply, 400, 21715);
        assert.ok(reply.body.message.includes(pn.phone_number), reply.body.message);
      }
      assert.deepEqual((await server.request('GET', phonePool(service.sid))).body.phone_numbers, []);
    });

    test('create: PhoneNumberSid is required and must name a PN of this account (21421)', async () => {
      const service = await addService(server);
      assertTwilioError(await server.request('POST', phonePool(service.sid), {}), 400, 20001);
      for (const bad of [
        'PN123',
        'not-a-sid',
        '',
        'SC0123456789abcdef0123456789abcdef',
        'PN0123456789abcdef0123456789abcdeg',
        'PN0123456789abcdef0123456789abcdef',
      ]) {
        assertTwilioError(await server.request('POST', phonePool(service.sid), { PhoneNumberSid: bad }), 400, 21421);
      }
      // A short code SID of this account is still not a phone number.
      const sc = await addShortCode(server);
      assertTwilioError(await server.request('POST', phonePool(service.sid), { PhoneNumberSid: sc.sid }), 400, 21421);
      const pn = await addPhoneNumber(server);
      assertTwilioError(await server.request('POST', phonePool(UNKNOWN_SERVICE), { PhoneNumberSid: pn.sid }), 404, 20404);
      assert.deepEqual((await server.request('GET', phonePool(service.sid))).body.phone_numbers, []);
    });

    test("create: another account's number is 400/21421, and its service cannot take this account's number", async () => {
      await addTopLevelAccount(server, OTHER_SID, OTHER_TOKEN);
      const other = (method: string, path: string, values?: Record<string, string>) =>
        send(server.url + path, method, basicAuth(OTHER_SID, OTHER_TOKEN), values ? form(values) : undefined);
      const theirNumber = await other('POST', `/2010-04-01/Accounts/${OTHER_SID}/IncomingPhoneNumbers.json`, { PhoneNumber: '+12065550999' });
      assert.equal(theirNumber.status, 201, theirNumber.text);
      const mine = await addService(server);
      const reply = await server.request('POST', phonePool(mine.sid), { PhoneNumberSid: theirNumber.body.sid });
      assertTwilioError(reply, 400, 21421);
      const theirService = await other('POST', '/v1/Services', { FriendlyName: 'Theirs' });
      const myNumber = await addPhoneNumber(server);
      assertTwilioError(await other('POST', phonePool(theirService.body.sid), { PhoneNumberSid: myNumber.sid }), 400, 21421);
      // Nor can it reach this account's pool.
      assertTwilioError(await other('POST', phonePool(mine.sid), { PhoneNumberSid: theirNumber.body.sid }), 404, 20404);
      assert.deepEqual((await server.request('GET', phonePool(mine.sid))).body.phone_numbers, []);
      assert.equal((await other('POST', phonePool(theirService.body.sid), { PhoneNumberSid: theirNumber.body.sid })).status, 201);
    });

    test('service delete: frees its numbers (and its alpha sender) for another service; the numbers stay on the account', async () => {
      const doomed = await addService(server);
      const pn = await addPhoneNumber(server);
      const sc = await addShortCode(server);
      assert.equal((await server.request('POST', phonePool(doomed.sid), { PhoneNumberSid: pn.sid })).status, 201);
      assert.equal((await server.request('POST', shortCodePool(doomed.sid), { ShortCodeSid: sc.sid })).status, 201);
      const alpha = await server.request('POST', alphaPool(doomed.sid), { AlphaSender: 'Doomed' });
      assert.equal(alpha.status, 201);
      assert.equal((await server.request('DELETE', `/v1/Services/${doomed.sid}`)).status, 204);
      assertTwilioError(await server.request('GET', `${phonePool(doomed.sid)}/${pn.sid}`), 404, 20404);
      assertTwilioError(await server.request('GET', `${alphaPool(doomed.sid)}/${alpha.body.sid}`), 404, 20404);
      const next = await addService(server);
      assert.equal((await server.request('POST', phonePool(next.sid), { PhoneNumberSid: pn.sid })).status, 201);
      assert.equal((await server.request('POST', shortCodePool(next.sid), { ShortCodeSid: sc.sid })).status, 201);
      assert.equal((await server.request('GET', `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers/${pn.sid}.json`)).status, 200);
    });
  });

  describe(`[${backend}] /v1/Services/{ServiceSid}/AlphaSenders`, () => {
    let server: Server;
    before(async () => {
      server = await startTestServer(backend);
    });
    after(() => server.cleanup());

    test('create: answers 201 with the spec shape: an AI SID, the text, SMS only', async () => {
      const service = await addService(server);
      const reply = await server.request('POST', alphaPool(service.sid), { AlphaSender: 'Shortroute' });
      assert.equal(reply.status, 201, reply.text);
      const a = reply.body;
      assert.deepEqual(Object.keys(a).sort(), ['account_sid', 'alpha_sender', 'capabilities', 'date_created', 'date_updated', 'service_sid', 'sid', 'url']);
      assert.match(a.sid, /^AI[0-9a-f]{32}$/);
      assert.equal(a.account_sid, server.account.sid);
      assert.equal(a.service_sid, service.sid);
      assert.equal(a.alpha_sender, 'Shortroute');
      assert.deepEqual(a.capabilities, ['SMS']);
      assert.match(a.date_created, ISO_8601);
      assert.equal(a.date_updated, a.date_created);
      assert.equal(a.url, `${server.url}${alphaPool(service.sid)}/${a.sid}`);
    });

    test('fetch / list: show the alpha sender; unknown SID or service is 404/20404', async () => {
      const service = await addService(server);
      const empty = await server.request('GET', alphaPool(service.sid));
      assert.deepEqual(empty.body.alpha_senders, []);
      assert.equal(empty.body.meta.key, 'alpha_senders');
      const created = (await server.request('POST', alphaPool(service.sid), { AlphaSender: 'Fetch Me' })).body;
      const fetched = await server.request('GET', `${alphaPool(service.sid)}/${created.sid}`);
      assert.equal(fetched.status, 200);
      assert.deepEqual(fetched.body, created);
      assert.deepEqual((await server.request('GET', alphaPool(service.sid))).body.alpha_senders, [created]);
      const missing = await server.request('GET', `${alphaPool(service.sid)}/AI00000000000000000000000000000000`);
      assertTwilioError(missing, 404, 20404);
      assert.equal(missing.body.message, `The requested resource /Services/${service.sid}/AlphaSenders/AI00000000000000000000000000000000 was not found`);
      assertTwilioError(await server.request('GET', `${alphaPool(UNKNOWN_SERVICE)}/${created.sid}`), 404, 20404);
      assertTwilioError(await server.request('GET', alphaPool(UNKNOWN_SERVICE)), 404, 20404);
      assertTwilioError(await server.request('POST', alphaPool(UNKNOWN_SERVICE), { AlphaSender: 'Nowhere' }), 404, 20404);
      // An alpha sender is not a phone number.
      assertTwilioError(await server.request('GET', `${phonePool(service.sid)}/${created.sid}`), 404, 20404);
    });

    test('delete: 204, then gone; the service may take a new alpha sender', async () => {
      const service = await addService(server);
      const created = (await server.request('POST', alphaPool(service.sid), { AlphaSender: 'First' })).body;
      const reply = await server.request('DELETE', `${alphaPool(service.sid)}/${created.sid}`);
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertTwilioError(await server.request('GET', `${alphaPool(service.sid)}/${created.sid}`), 404, 20404);
      assertTwilioError(await server.request('DELETE', `${alphaPool(service.sid)}/${created.sid}`), 404, 20404);
      assert.deepEqual((await server.request('GET', alphaPool(service.sid))).body.alpha_senders, []);
      const next = await server.request('POST', alphaPool(service.sid), { AlphaSender: 'Second' });
      assert.equal(next.status, 201, next.text);
      assert.notEqual(next.body.sid, created.sid);
    });

    test('create: up to 11 of A-Z a-z 0-9 space - + _ &, with at least one letter; anything else is 400/21709', async () => {
      for (const good of ['A', 'Elevenchars', 'a-b+c_d&e 1', '2FA Code', 'X1234567890']) {
        const service = await addService(server);
        const reply = await server.request('POST', alphaPool(service.sid), { AlphaSender: good });
        assert.equal(reply.status, 201, `${good}: ${reply.text}`);
        assert.equal(reply.body.alpha_sender, good);
      }
      const service = await addService(server);
      for (const bad of ['Twelve chars', 'Shortroute12', '', '12345', '0123 456-78', 'Bad!', 'Café', 'dot.com', 'a/b', 'tab\there', '+-_& ']) {
        assertTwilioError(await server.request('POST', alphaPool(service.sid), { AlphaSender: bad }), 400, 21709);
      }
      assertTwilioError(await server.request('POST', alphaPool(service.sid), {}), 400, 20001);
      assert.deepEqual((await server.request('GET', alphaPool(service.sid))).body.alpha_senders, []);
    });

    test('create: a second alpha sender in one service is 400/21709; another service may use the same text', async () => {
      const first = await addService(server);
      const second = await addService(server);
      const kept = (await server.request('POST', alphaPool(first.sid), { AlphaSender: 'OnlyOne' })).body;
      assertTwilioError(await server.request('POST', alphaPool(first.sid), { AlphaSender: 'Another' }), 400, 21709);
      assertTwilioError(await server.request('POST', alphaPool(first.sid), { AlphaSender: 'OnlyOne' }), 400, 21709);
      assert.deepEqual((await server.request('GET', alphaPool(first.sid))).body.alpha_senders, [kept]);
      const same = await server.request('POST', alphaPool(second.sid), { AlphaSender: 'OnlyOne' });
      assert.equal(same.status, 201, same.text);
      assert.notEqual(same.body.sid, kept.sid);
    });
  });

  describe(`[${backend}] sender pool limits (--max-senders 5)`, () => {
    const LIMIT = 5;
    let server: Server;
    before(async () => {
      server = await startTestServer(backend, { maxSenders: LIMIT });
    });
    after(() => server.cleanup());

    /** A service filled to the limit with 3 short codes and 2 phone numbers. */
    async function fullService() {
      const service = await addService(server);
      const shortCodes = [];
      const numbers = [];
      for (let i = 0; i < 3; i++) {
        const sc = await addShortCode(server);
        assert.equal((await server.request('POST', shortCodePool(service.sid), { ShortCodeSid: sc.sid })).status, 201);
        shortCodes.push(sc);
      }
      for (let i = 0; i < 2; i++) {
        const pn = await addPhoneNumber(server);
        assert.equal((await server.request('POST', phonePool(service.sid), { PhoneNumberSid: pn.sid })).status, 201);
        numbers.push(pn);
      }
      return { service, shortCodes, numbers };
    }

    test('create: phone numbers and short codes count together toward the limit (21714)', async () => {
      const { service } = await fullService();
      const pn = await addPhoneNumber(server);
      const reply = await server.request('POST', phonePool(service.sid), { PhoneNumberSid: pn.sid });
      assertTwilioError(reply, 400, 21714);
      assert.match(reply.body.message, /\(5 phone numbers and short codes\)/);
      const sc = await addShortCode(server);
      assertTwilioError(await server.request('POST', shortCodePool(service.sid), { ShortCodeSid: sc.sid }), 400, 21714);
      assert.equal((await server.request('GET', phonePool(service.sid))).body.phone_numbers.length, 2);
      assert.equal((await server.request('GET', shortCodePool(service.sid))).body.short_codes.length, 3);
      // The refused number is still free for a service with room.
      const roomy = await addService(server);
      assert.equal((await server.request('POST', phonePool(roomy.sid), { PhoneNumberSid: pn.sid })).status, 201);
    });

    test('create: alpha senders do not count: a full pool still takes one', async () => {
      const { service } = await fullService();
      const reply = await server.request('POST', alphaPool(service.sid), { AlphaSender: 'FullPool' });
      assert.equal(reply.status, 201, reply.text);
      // And a pool holding an alpha sender still takes five numbers and short codes.
      const other = await addService(server);
      assert.equal((await server.request('POST', alphaPool(other.sid), { AlphaSender: 'First' })).status, 201);
      for (let i = 0; i < LIMIT; i++) {
        const pn = await addPhoneNumber(server);
        assert.equal((await server.request('POST', phonePool(other.sid), { PhoneNumberSid: pn.sid })).status, 201);
      }
      const extra = await addPhoneNumber(server);
      assertTwilioError(await server.request('POST', phonePool(other.sid), { PhoneNumberSid: extra.sid }), 400, 21714);
    });

    test('create: in a full pool, a member added again is still 409/21710 and a number of another service 21712', async () => {
      const { service, numbers } = await fullService();
      assertTwilioError(await server.request('POST', phonePool(service.sid), { PhoneNumberSid: numbers[0]!.sid }), 409, 21710);
      const elsewhere = await addService(server);
      const taken = await addPhoneNumber(server);
      await server.request('POST', phonePool(elsewhere.sid), { PhoneNumberSid: taken.sid });
      assertTwilioError(await server.request('POST', phonePool(service.sid), { PhoneNumberSid: taken.sid }), 400, 21712);
    });

    test('create: room made by removing a number from the pool, or releasing it from the account, is room', async () => {
      const { service, numbers, shortCodes } = await fullService();
      const extra = await addPhoneNumber(server);
      assertTwilioError(await server.request('POST', phonePool(service.sid), { PhoneNumberSid: extra.sid }), 400, 21714);
      assert.equal((await server.request('DELETE', `${phonePool(service.sid)}/${numbers[0]!.sid}`)).status, 204);
      assert.equal((await server.request('POST', phonePool(service.sid), { PhoneNumberSid: extra.sid })).status, 201);
      const another = await addPhoneNumber(server);
      assertTwilioError(await server.request('POST', phonePool(service.sid), { PhoneNumberSid: another.sid }), 400, 21714);
      const release = await server.request('DELETE', `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers/${numbers[1]!.sid}.json`);
      assert.equal(release.status, 204);
      assert.equal((await server.request('POST', phonePool(service.sid), { PhoneNumberSid: another.sid })).status, 201);
      // A short code removed makes room for a phone number, too.
      assert.equal((await server.request('DELETE', `${shortCodePool(service.sid)}/${shortCodes[0]!.sid}`)).status, 204);
      const last = await addPhoneNumber(server);
      assert.equal((await server.request('POST', phonePool(service.sid), { PhoneNumberSid: last.sid })).status, 201);
      const tooMany = await addShortCode(server);
      assertTwilioError(await server.request('POST', shortCodePool(service.sid), { ShortCodeSid: tooMany.sid }), 400, 21714);
    });
  });
}
