import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, send, startTestServer, type TestServer } from '../helpers/server.js';
import { addService, addShortCode, assertTwilioError, addTopLevelAccount } from '../helpers/fixtures.js';
import { rawRequest } from '../helpers/proxy.js';

const OTHER_SID = 'ACfedcba9876543210fedcba9876543210';
const OTHER_TOKEN = 'other-account-token-000';

for (const backend of BACKENDS) {
  describe(`[${backend}] HTTP: authentication, isolation and error shapes`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    const other = basicAuth(OTHER_SID, OTHER_TOKEN);
    before(async () => {
      server = await startTestServer(backend);
      // A second top-level account, as the accounts API (a later issue) will create them.
      await addTopLevelAccount(server, OTHER_SID, OTHER_TOKEN);
    });
    after(() => server.cleanup());

    test('auth: credentials are checked before the body is read (a 1 MB body promised, never sent, is refused at once)', async () => {
      const port = Number(new URL(server.url).port);
      const head = (auth: string) =>
        `POST /v1/Services HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n`;
      const refused = await rawRequest(port, head(''));
      assert.equal(refused.status, 401);
      assert.equal(JSON.parse(refused.body).code, 20003);
      const wrong = await rawRequest(port, head(`Authorization: ${basicAuth(server.account.sid, 'not-the-token')}\r\n`));
      assert.equal(wrong.status, 401);
    });

    test('auth: missing, malformed or wrong credentials are 401 with code 20003', async () => {
      const url = `${server.url}/v1/Services`;
      assertTwilioError(await send(url, 'GET', undefined), 401, 20003);
      assertTwilioError(await send(url, 'GET', 'Bearer abc'), 401, 20003);
      assertTwilioError(await send(url, 'GET', 'Basic !!!'), 401, 20003);
      assertTwilioError(await send(url, 'GET', basicAuth(server.account.sid, 'wrong')), 401, 20003);
      assertTwilioError(await send(url, 'GET', basicAuth(server.account.sid, `${server.account.auth_token}x`)), 401, 20003);
      assertTwilioError(await send(url, 'GET', basicAuth('AC00000000000000000000000000000000', 'x')), 401, 20003);
      assertTwilioError(await send(url, 'GET', basicAuth('not-a-sid', 'x')), 401, 20003);
      assertTwilioError(await send(url, 'POST', undefined, 'FriendlyName=x'), 401, 20003);
      assert.equal((await send(url, 'GET', server.auth)).status, 200);
    });

    test('auth: a suspended account is refused', async () => {
      const sid = 'AC11111111111111111111111111111111';
      const now = new Date().toISOString();
      await server.store.accounts.insert({
        sid,
        auth_token: 'suspended-token',
        friendly_name: 'S',
        status: 'suspended',
        owner_account_sid: null,
        date_created: now,
        date_updated: now,
      });
      assertTwilioError(await send(`${server.url}/v1/Services`, 'GET', basicAuth(sid, 'suspended-token')), 401, 20003);
    });

    test("isolation: an account never sees or uses another account's resources", async () => {
      const service = await addService(server);
      const shortCode = await addShortCode(server);
      assertTwilioError(await send(`${server.url}/v1/Services/${service.sid}`, 'GET', other), 404, 20404);
      assertTwilioError(await send(`${server.url}/v1/Services/${service.sid}`, 'POST', other, 'FriendlyName=stolen'), 404, 20404);
      assertTwilioError(await send(`${server.url}/v1/Services/${service.sid}`, 'DELETE', other), 404, 20404);
      assertTwilioError(await send(`${server.url}/v1/Services/${service.sid}/ShortCodes`, 'GET', other), 404, 20404);
      const list = await send(`${server.url}/v1/Services`, 'GET', other);
      assert.equal(list.body.services.length, 0);
      // The other account's own service cannot take this account's short code.
      const theirs = await send(`${server.url}/v1/Services`, 'POST', other, 'FriendlyName=theirs');
      assertTwilioError(await send(`${server.url}/v1/Services/${theirs.body.sid}/ShortCodes`, 'POST', other, `ShortCodeSid=${shortCode.sid}`), 400, 21421);
      assertTwilioError(await send(`${server.url}/2010-04-01/Accounts/${OTHER_SID}/SMS/ShortCodes/${shortCode.sid}.json`, 'GET', other), 404, 20404);
      assert.equal((await server.request('GET', `/v1/Services/${service.sid}`)).body.friendly_name, service.friendly_name);
    });

    test('isolation: a 2010 path naming another account is refused with 20003', async () => {
      const reply = await server.request('GET', `/2010-04-01/Accounts/${OTHER_SID}/SMS/ShortCodes.json`);
      assertTwilioError(reply, 401, 20003);
      assertTwilioError(await server.request('GET', '/2010-04-01/Accounts/ACnot-a-sid/SMS/ShortCodes.json'), 401, 20003);
    });

    test('routing: an unknown path is 404/20404 in Twilio JSON, never HTML', async () => {
      const reply = await server.request('GET', '/v1/Nope');
      assertTwilioError(reply, 404, 20404);
      assert.match(reply.headers.get('content-type') ?? '', /application\/json/);
      // `/` is the console's page; any other path nothing serves is Twilio's 404.
      assertTwilioError(await send(`${server.url}/nothing-here`, 'GET', undefined), 404, 20404);
    });

    test('routing: a known path with the wrong method is 405/20004', async () => {
      assertTwilioError(await server.request('PUT', '/v1/Services', { FriendlyName: 'x' }), 405, 20004);
      assertTwilioError(await server.request('DELETE', '/v1/Services'), 405, 20004);
      assertTwilioError(await server.request('PATCH', '/v1/Services/MG00000000000000000000000000000000'), 405, 20004);
      assertTwilioError(
        await server.request('POST', `/v1/Services/MG00000000000000000000000000000000/ShortCodes/SC00000000000000000000000000000000`),
        405,
        20004,
      );
      assertTwilioError(await server.request('DELETE', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`), 405, 20004);
    });

    test('bodies: oversized is 413, a non-form content type is 415, both in Twilio JSON', async () => {
      const big = `FriendlyName=${'x'.repeat(1024 * 1024 + 10)}`;
      assertTwilioError(await send(`${server.url}/v1/Services`, 'POST', server.auth, big), 413, 20413);
      const json = await send(`${server.url}/v1/Services`, 'POST', server.auth, JSON.stringify({ FriendlyName: 'x' }), { 'content-type': 'application/json' });
      assertTwilioError(json, 415, 20415);
      const xml = await send(`${server.url}/v1/Services`, 'POST', server.auth, '<a/>', { 'content-type': 'text/xml' });
      assertTwilioError(xml, 415, 20415);
    });

    test("routing: a URL that cannot be decoded is a Twilio 400, not Fastify's body", async () => {
      const reply = await server.request('GET', '/v1/Services/%E0%A4%A');
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.body.code, 20001);
      assert.deepEqual(Object.keys(reply.body).sort(), ['code', 'message', 'more_info', 'status']);
    });

    test('bodies: the 415 names the content type it refused', async () => {
      const reply = await send(`${server.url}/v1/Services`, 'POST', server.auth, '{}', { 'content-type': 'application/json' });
      assertTwilioError(reply, 415, 20415);
      assert.match(reply.body.message, /application\/json/);
    });

    test('bodies: repeated scalar keys take the last value; unknown parameters are ignored', async () => {
      const reply = await send(`${server.url}/v1/Services`, 'POST', server.auth, 'FriendlyName=first&FriendlyName=second&Color=blue');
      assert.equal(reply.status, 201, reply.text);
      assert.equal(reply.body.friendly_name, 'second');
    });

    test('health: /_shortroute/health answers without credentials', async () => {
      const reply = await send(`${server.url}/_shortroute/health`, 'GET', undefined);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.status, 'ok');
      assert.equal(reply.body.backend, backend);
    });
  });
}
