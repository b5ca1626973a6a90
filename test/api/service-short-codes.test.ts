import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addService, addShortCode, assertTwilioError } from '../helpers/fixtures.js';
import { DEFAULT_LIMITS } from '../../src/deps.js';

const POOL_LIMIT = DEFAULT_LIMITS.maxSenders;

for (const backend of BACKENDS) {
  describe(`[${backend}] /v1/Services/{ServiceSid}/ShortCodes`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    before(async () => {
      server = await startTestServer(backend);
    });
    after(() => server.cleanup());

    const pool = (service: string) => `/v1/Services/${service}/ShortCodes`;

    test('create: adds the short code and answers 201 with the spec shape', async () => {
      const service = await addService(server);
      const shortCode = await addShortCode(server, { Capabilities: ['SMS', 'MMS'] });
      const reply = await server.request('POST', pool(service.sid), { ShortCodeSid: shortCode.sid });
      assert.equal(reply.status, 201, reply.text);
      assert.deepEqual(Object.keys(reply.body).sort(), [
        'account_sid',
        'capabilities',
        'country_code',
        'date_created',
        'date_updated',
        'service_sid',
        'short_code',
        'sid',
        'url',
      ]);
      assert.equal(reply.body.sid, shortCode.sid);
      assert.equal(reply.body.service_sid, service.sid);
      assert.equal(reply.body.account_sid, server.account.sid);
      assert.equal(reply.body.short_code, shortCode.short_code);
      assert.equal(reply.body.country_code, 'US');
      assert.deepEqual(reply.body.capabilities, ['SMS', 'MMS']);
      assert.equal(reply.body.url, `${server.url}${pool(service.sid)}/${shortCode.sid}`);
    });

    test('fetch: returns the member; unknown service or short code is 20404', async () => {
      const service = await addService(server);
      const shortCode = await addShortCode(server);
      const created = await server.request('POST', pool(service.sid), { ShortCodeSid: shortCode.sid });
      const fetched = await server.request('GET', `${pool(service.sid)}/${shortCode.sid}`);
      assert.equal(fetched.status, 200);
      assert.deepEqual(fetched.body, created.body);
      const other = await addShortCode(server);
      const missing = await server.request('GET', `${pool(service.sid)}/${other.sid}`);
      assertTwilioError(missing, 404, 20404);
      assert.equal(missing.body.message, `The requested resource /Services/${service.sid}/ShortCodes/${other.sid} was not found`);
      assertTwilioError(await server.request('GET', `${pool('MG00000000000000000000000000000000')}/${shortCode.sid}`), 404, 20404);
      assertTwilioError(await server.request('GET', pool('MG00000000000000000000000000000000')), 404, 20404);
    });

    test('create: ShortCodeSid is required and must be an SC SID of this account', async () => {
      const service = await addService(server);
      assertTwilioError(await server.request('POST', pool(service.sid), {}), 400, 20001);
      assertTwilioError(await server.request('POST', pool(service.sid), { ShortCodeSid: 'SC123' }), 400, 21421);
      assertTwilioError(await server.request('POST', pool(service.sid), { ShortCodeSid: 'PN0123456789abcdef0123456789abcdef' }), 400, 21421);
      assertTwilioError(await server.request('POST', pool(service.sid), { ShortCodeSid: 'SC0123456789abcdef0123456789abcdef' }), 400, 21421);
      assertTwilioError(
        await server.request('POST', pool('MG00000000000000000000000000000000'), { ShortCodeSid: 'SC0123456789abcdef0123456789abcdef' }),
        404,
        20404,
      );
      assert.equal((await server.request('GET', pool(service.sid))).body.short_codes.length, 0);
    });

    test('create: the same short code twice is 21710 (409); in another service it is 21712', async () => {
      const first = await addService(server);
      const second = await addService(server);
      const shortCode = await addShortCode(server);
      assert.equal((await server.request('POST', pool(first.sid), { ShortCodeSid: shortCode.sid })).status, 201);
      assertTwilioError(await server.request('POST', pool(first.sid), { ShortCodeSid: shortCode.sid }), 409, 21710);
      assertTwilioError(await server.request('POST', pool(second.sid), { ShortCodeSid: shortCode.sid }), 400, 21712);
      assert.equal((await server.request('GET', pool(second.sid))).body.short_codes.length, 0);
    });

    test('delete: 204 with an empty body; the short code stays on the account and can join another service', async () => {
      const first = await addService(server);
      const second = await addService(server);
      const shortCode = await addShortCode(server);
      await server.request('POST', pool(first.sid), { ShortCodeSid: shortCode.sid });
      const reply = await server.request('DELETE', `${pool(first.sid)}/${shortCode.sid}`);
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertTwilioError(await server.request('GET', `${pool(first.sid)}/${shortCode.sid}`), 404, 20404);
      assertTwilioError(await server.request('DELETE', `${pool(first.sid)}/${shortCode.sid}`), 404, 20404);
      assert.equal((await server.request('GET', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes/${shortCode.sid}.json`)).status, 200);
      assert.equal((await server.request('POST', pool(second.sid), { ShortCodeSid: shortCode.sid })).status, 201);
    });

    test('create: a service holds at most 400 senders (21714)', async () => {
      const service = await addService(server);
      for (let i = 0; i < POOL_LIMIT; i++) {
        const shortCode = await addShortCode(server);
        const reply = await server.request('POST', pool(service.sid), { ShortCodeSid: shortCode.sid });
        assert.equal(reply.status, 201, reply.text);
      }
      const extra = await addShortCode(server);
      assertTwilioError(await server.request('POST', pool(service.sid), { ShortCodeSid: extra.sid }), 400, 21714);
      const all = await server.request('GET', `${pool(service.sid)}?PageSize=1000`);
      assert.equal(all.body.short_codes.length, POOL_LIMIT);
      // Room made by removing from the pool, or by releasing a member from the account, is room.
      const [first, second] = all.body.short_codes;
      assert.equal((await server.request('DELETE', `${pool(service.sid)}/${first.sid}`)).status, 204);
      assert.equal((await server.request('POST', pool(service.sid), { ShortCodeSid: extra.sid })).status, 201);
      assert.equal((await server.request('DELETE', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes/${second.sid}.json`)).status, 204);
      assert.equal((await server.request('POST', pool(service.sid), { ShortCodeSid: first.sid })).status, 201);
      const oneMore = await addShortCode(server);
      assertTwilioError(await server.request('POST', pool(service.sid), { ShortCodeSid: oneMore.sid }), 400, 21714);
    });

    test('create: an operator-raised or lowered limit (--max-senders) is the one enforced', async () => {
      const small = await startTestServer(backend, { maxSenders: 3 });
      try {
        const service = await addService(small);
        for (let i = 0; i < 3; i++) {
          const sc = await addShortCode(small);
          assert.equal((await small.request('POST', pool(service.sid), { ShortCodeSid: sc.sid })).status, 201);
        }
        const extra = await addShortCode(small);
        const reply = await small.request('POST', pool(service.sid), { ShortCodeSid: extra.sid });
        assertTwilioError(reply, 400, 21714);
        assert.match(reply.body.message, /\(3 phone numbers and short codes\)/);
      } finally {
        await small.cleanup();
      }
    });

    test('list: keyset pages neither skip nor repeat while short codes are added and removed', async () => {
      const service = await addService(server);
      const added: string[] = [];
      for (let i = 0; i < 10; i++) {
        const sc = await addShortCode(server);
        await server.request('POST', pool(service.sid), { ShortCodeSid: sc.sid });
        added.push(sc.sid);
      }
      const first = await server.request('GET', `${pool(service.sid)}?PageSize=4`);
      assert.deepEqual(
        first.body.short_codes.map((s: { sid: string }) => s.sid),
        added.slice(0, 4),
      );
      // Remove one already seen and add a new one before following next_page_url.
      await server.request('DELETE', `${pool(service.sid)}/${added[1]}`);
      const late = await addShortCode(server);
      await server.request('POST', pool(service.sid), { ShortCodeSid: late.sid });
      const seen = first.body.short_codes.map((s: { sid: string }) => s.sid);
      let next: string | null = first.body.meta.next_page_url;
      while (next) {
        const reply = await server.request('GET', next.slice(server.url.length));
        seen.push(...reply.body.short_codes.map((s: { sid: string }) => s.sid));
        next = reply.body.meta.next_page_url;
      }
      assert.deepEqual(seen, [...added, late.sid]);
    });

    test('list: previous_page_url walks back to the same items', async () => {
      const service = await addService(server);
      for (let i = 0; i < 5; i++) {
        const sc = await addShortCode(server);
        await server.request('POST', pool(service.sid), { ShortCodeSid: sc.sid });
      }
      const first = await server.request('GET', `${pool(service.sid)}?PageSize=2`);
      const second = await server.request('GET', first.body.meta.next_page_url.slice(server.url.length));
      assert.equal(second.body.meta.page, 1);
      const back = await server.request('GET', second.body.meta.previous_page_url.slice(server.url.length));
      assert.equal(back.body.meta.page, 0);
      assert.equal(back.body.meta.previous_page_url, null);
      assert.deepEqual(back.body.short_codes, first.body.short_codes);
    });

    test('list: PageSize outside 1..1000 and bad PageToken are Twilio errors', async () => {
      const service = await addService(server);
      assertTwilioError(await server.request('GET', `${pool(service.sid)}?PageSize=1001`), 400, 20007);
      assertTwilioError(await server.request('GET', `${pool(service.sid)}?PageSize=0`), 400, 20001);
      assertTwilioError(await server.request('GET', `${pool(service.sid)}?PageSize=ten`), 400, 20001);
      assertTwilioError(await server.request('GET', `${pool(service.sid)}?PageToken=garbage`), 400, 21481);
      assertTwilioError(await server.request('GET', `${pool(service.sid)}?PageToken=PAbm90LWEta2V5`), 400, 21481);
      assert.equal((await server.request('GET', `${pool(service.sid)}?PageSize=1000`)).status, 200);
    });
  });
}
