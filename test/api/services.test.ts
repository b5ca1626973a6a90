import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addService, addShortCode, assertTwilioError } from '../helpers/fixtures.js';

for (const backend of BACKENDS) {
  describe(`[${backend}] /v1/Services`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    before(async () => {
      server = await startTestServer(backend);
    });
    after(() => server.cleanup());

    test('create: answers 201 with every property and Twilio defaults', async () => {
      const reply = await server.request('POST', '/v1/Services', { FriendlyName: 'Alerts' });
      assert.equal(reply.status, 201);
      const s = reply.body;
      assert.match(s.sid, /^MG[0-9a-f]{32}$/);
      assert.equal(s.account_sid, server.account.sid);
      assert.equal(s.friendly_name, 'Alerts');
      assert.match(s.date_created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(s.inbound_request_url, null);
      assert.equal(s.inbound_method, 'POST');
      assert.equal(s.fallback_url, null);
      assert.equal(s.fallback_method, 'POST');
      assert.equal(s.status_callback, null);
      assert.equal(s.sticky_sender, true);
      assert.equal(s.mms_converter, true);
      assert.equal(s.smart_encoding, true);
      assert.equal(s.scan_message_content, 'inherit');
      assert.equal(s.fallback_to_long_code, false);
      assert.equal(s.area_code_geomatch, true);
      assert.equal(s.validity_period, 36000);
      assert.equal(s.synchronous_validation, true);
      assert.equal(s.usecase, 'undeclared');
      assert.equal(s.us_app_to_person_registered, false);
      assert.equal(s.use_inbound_webhook_on_number, false);
      assert.equal(s.url, `${server.url}/v1/Services/${s.sid}`);
      assert.equal(s.links.short_codes, `${server.url}/v1/Services/${s.sid}/ShortCodes`);
      assert.equal(s.links.phone_numbers, `${server.url}/v1/Services/${s.sid}/PhoneNumbers`);
      assert.equal(Object.keys(s.links).length, 8);
    });

    test('create: takes every parameter of the spec', async () => {
      const reply = await server.request('POST', '/v1/Services', {
        FriendlyName: 'Everything',
        InboundRequestUrl: 'https://hooks.example.test/in',
        InboundMethod: 'GET',
        FallbackUrl: 'https://hooks.example.test/fallback',
        FallbackMethod: 'GET',
        StatusCallback: 'https://hooks.example.test/status',
        StickySender: 'false',
        MmsConverter: 'false',
        SmartEncoding: 'false',
        ScanMessageContent: 'enable',
        FallbackToLongCode: 'true',
        AreaCodeGeomatch: 'false',
        ValidityPeriod: '600',
        SynchronousValidation: 'false',
        Usecase: 'marketing',
        UseInboundWebhookOnNumber: 'true',
      });
      assert.equal(reply.status, 201, reply.text);
      assert.deepEqual(
        {
          inbound_request_url: reply.body.inbound_request_url,
          inbound_method: reply.body.inbound_method,
          fallback_url: reply.body.fallback_url,
          fallback_method: reply.body.fallback_method,
          status_callback: reply.body.status_callback,
          sticky_sender: reply.body.sticky_sender,
          mms_converter: reply.body.mms_converter,
          smart_encoding: reply.body.smart_encoding,
          scan_message_content: reply.body.scan_message_content,
          fallback_to_long_code: reply.body.fallback_to_long_code,
          area_code_geomatch: reply.body.area_code_geomatch,
          validity_period: reply.body.validity_period,
          synchronous_validation: reply.body.synchronous_validation,
          usecase: reply.body.usecase,
          use_inbound_webhook_on_number: reply.body.use_inbound_webhook_on_number,
        },
        {
          inbound_request_url: 'https://hooks.example.test/in',
          inbound_method: 'GET',
          fallback_url: 'https://hooks.example.test/fallback',
          fallback_method: 'GET',
          status_callback: 'https://hooks.example.test/status',
          sticky_sender: false,
          mms_converter: false,
          smart_encoding: false,
          scan_message_content: 'enable',
          fallback_to_long_code: true,
          area_code_geomatch: false,
          validity_period: 600,
          synchronous_validation: false,
          usecase: 'marketing',
          use_inbound_webhook_on_number: true,
        },
      );
    });

    test('create: refuses bad input with Twilio codes and writes nothing', async () => {
      const before = (await server.request('GET', '/v1/Services?PageSize=1000')).body.services.length;
      assertTwilioError(await server.request('POST', '/v1/Services', {}), 400, 20001);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: '' }), 400, 20001);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: 'x'.repeat(65) }), 400, 20001);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: 'x', Usecase: 'spam' }), 400, 21713);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: 'x', ValidityPeriod: '0' }), 400, 21624);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: 'x', ValidityPeriod: '36001' }), 400, 21624);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: 'x', ValidityPeriod: 'soon' }), 400, 21624);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: 'x', InboundMethod: 'PUT' }), 400, 20001);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: 'x', StickySender: 'yes' }), 400, 20001);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: 'x', ScanMessageContent: 'always' }), 400, 20001);
      assertTwilioError(await server.request('POST', '/v1/Services', { FriendlyName: 'x', StatusCallback: 'not a url' }), 400, 20001);
      const after = (await server.request('GET', '/v1/Services?PageSize=1000')).body.services.length;
      assert.equal(after, before);
    });

    test('fetch: returns what create returned; unknown SID is 20404 without the /v1 prefix', async () => {
      const created = await addService(server, { FriendlyName: 'Fetch me' });
      const reply = await server.request('GET', `/v1/Services/${created.sid}`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, created);
      const missing = await server.request('GET', '/v1/Services/MG00000000000000000000000000000000');
      assertTwilioError(missing, 404, 20404);
      assert.equal(missing.body.message, 'The requested resource /Services/MG00000000000000000000000000000000 was not found');
    });

    test('update: changes only what is sent and moves date_updated', async () => {
      const created = await addService(server, { FriendlyName: 'Before', Usecase: 'poll' });
      const reply = await server.request('POST', `/v1/Services/${created.sid}`, { FriendlyName: 'After', StickySender: 'false' });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.friendly_name, 'After');
      assert.equal(reply.body.sticky_sender, false);
      assert.equal(reply.body.usecase, 'poll');
      const fetched = await server.request('GET', `/v1/Services/${created.sid}`);
      assert.deepEqual(fetched.body, reply.body);
      const cleared = await server.request('POST', `/v1/Services/${created.sid}`, { InboundRequestUrl: 'https://x.example.test/a' });
      assert.equal(cleared.body.inbound_request_url, 'https://x.example.test/a');
      const emptied = await server.request('POST', `/v1/Services/${created.sid}`, { InboundRequestUrl: '' });
      assert.equal(emptied.body.inbound_request_url, null);
    });

    test('update: refuses bad input and leaves the service as it was', async () => {
      const created = await addService(server, { FriendlyName: 'Stable' });
      assertTwilioError(await server.request('POST', `/v1/Services/${created.sid}`, { FriendlyName: 'New', Usecase: 'bad' }), 400, 21713);
      assertTwilioError(await server.request('POST', `/v1/Services/${created.sid}`, { FriendlyName: '' }), 400, 20001);
      assert.equal((await server.request('GET', `/v1/Services/${created.sid}`)).body.friendly_name, 'Stable');
      assertTwilioError(await server.request('POST', '/v1/Services/MG00000000000000000000000000000000', { FriendlyName: 'x' }), 404, 20404);
    });

    test('delete: 204 with an empty body, then 404; frees its short codes for another service', async () => {
      const service = await addService(server);
      const shortCode = await addShortCode(server);
      assert.equal((await server.request('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: shortCode.sid })).status, 201);
      const reply = await server.request('DELETE', `/v1/Services/${service.sid}`);
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertTwilioError(await server.request('GET', `/v1/Services/${service.sid}`), 404, 20404);
      assertTwilioError(await server.request('DELETE', `/v1/Services/${service.sid}`), 404, 20404);
      const other = await addService(server);
      assert.equal((await server.request('POST', `/v1/Services/${other.sid}/ShortCodes`, { ShortCodeSid: shortCode.sid })).status, 201);
      // The short code itself stays on the account.
      assert.equal((await server.request('GET', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes/${shortCode.sid}.json`)).status, 200);
    });

    test('list: pages through every service in creation order, with absolute meta URLs', async () => {
      const fresh = await startTestServer(backend);
      try {
        const made = [];
        for (let i = 0; i < 7; i++) made.push((await addService(fresh, { FriendlyName: `S${i}` })).sid);
        const seen: string[] = [];
        let url: string | null = `${fresh.url}/v1/Services?PageSize=3`;
        let page = 0;
        while (url) {
          const reply = await fresh.request('GET', url.slice(fresh.url.length));
          assert.equal(reply.status, 200, reply.text);
          assert.equal(reply.body.meta.key, 'services');
          assert.equal(reply.body.meta.page, page);
          assert.equal(reply.body.meta.page_size, 3);
          assert.equal(reply.body.meta.first_page_url, `${fresh.url}/v1/Services?PageSize=3&Page=0`);
          assert.equal(reply.body.meta.previous_page_url === null, page === 0);
          seen.push(...reply.body.services.map((s: { sid: string }) => s.sid));
          url = reply.body.meta.next_page_url;
          page++;
        }
        assert.deepEqual(seen, made);
        assert.equal(page, 3);
      } finally {
        await fresh.cleanup();
      }
    });
  });
}
