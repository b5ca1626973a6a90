// The console's sign-in and what its cookie may do, through the whole application (inject): the
// cookie is HttpOnly, SameSite=Strict and signed; it reads like Basic credentials; a change made
// with it needs X-Shortroute-Console; a browser's change from another site is refused even with
// Basic credentials; a deleted key or a tampered cookie ends the session; SDK-style requests are
// never affected.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { addApiKey, addSubaccount, addTopLevelAccount, assertTwilioError } from '../helpers/fixtures.js';
import { useTestServer, usNumber } from '../helpers/messaging.js';
import { basicAuth, form, inject, type Reply } from '../helpers/server.js';

const SESSION = '/_shortroute/console/session';
/** The header the console's own requests carry. */
const CONSOLE = { 'x-shortroute-console': '1' };

for (const backend of BACKENDS) {
  describe(`[${backend}] console sessions`, () => {
    const env = useTestServer(backend);
    const messages = () => `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`;

    /** Signs in with the form's fields; returns the reply and the cookie to send back. */
    async function signIn(username: string, password: string): Promise<{ reply: Reply; cookie: string }> {
      const reply = await inject(env.server, 'POST', SESSION, undefined, form({ Username: username, Password: password }), CONSOLE);
      const setCookie = reply.headers.get('set-cookie') ?? '';
      return { reply, cookie: setCookie.split(';')[0]! };
    }
    const withCookie = (cookie: string, method: string, path: string, body?: Record<string, string>, headers: Record<string, string> = {}) =>
      inject(env.server, method, path, undefined, body && form(body), { cookie, ...headers });

    test('signing in sets a signed HttpOnly, SameSite=Strict cookie; wrong credentials get 401 and none', async () => {
      const wrong = await signIn(env.server.account.sid, 'wrong');
      assertTwilioError(wrong.reply, 401, 20003);
      assert.equal(wrong.reply.headers.get('set-cookie'), null);
      const missing = await inject(env.server, 'POST', SESSION, undefined, form({ Username: env.server.account.sid }), CONSOLE);
      assertTwilioError(missing, 400, 20001);
      // A form on another page cannot sign this browser in (to an account of its choosing).
      const forged = await inject(env.server, 'POST', SESSION, undefined, form({ Username: env.server.account.sid, Password: env.server.account.auth_token }));
      assertTwilioError(forged, 403, 20403);
      assert.equal(forged.headers.get('set-cookie'), null);

      const { reply, cookie } = await signIn(env.server.account.sid, env.server.account.auth_token);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.account_sid, env.server.account.sid);
      const attributes = reply.headers.get('set-cookie')!;
      assert.match(attributes, /^shortroute_console=[^;]+\.[^;]+;/);
      assert.match(attributes, /; HttpOnly/);
      assert.match(attributes, /; SameSite=Strict/);
      assert.match(attributes, /; Path=\//);
      const session = await withCookie(cookie, 'GET', SESSION);
      assert.equal(session.status, 200, session.text);
      assert.equal(session.body.account_sid, env.server.account.sid);
      assert.deepEqual(
        session.body.accounts.map((a: { sid: string }) => a.sid),
        [env.server.account.sid],
      );
    });

    test('the cookie reads like Basic credentials; a change with it needs X-Shortroute-Console', async () => {
      const { cookie } = await signIn(env.server.account.sid, env.server.account.auth_token);
      assert.equal((await withCookie(cookie, 'GET', messages())).status, 200);
      const send = { From: '+15005550006', To: usNumber('415'), Body: 'from the console' };
      assertTwilioError(await withCookie(cookie, 'POST', messages(), send), 403, 20403);
      const made = await withCookie(cookie, 'POST', messages(), send, { 'x-shortroute-console': '1' });
      assert.equal(made.status, 201, made.text);
    });

    test("a browser's change from another site is refused, whatever its credentials; SDK requests send no such header", async () => {
      const send = form({ From: '+15005550006', To: usNumber('415'), Body: 'forged' });
      for (const site of ['cross-site', 'same-site']) {
        assertTwilioError(await inject(env.server, 'POST', messages(), env.server.auth, send, { 'sec-fetch-site': site }), 403, 20403);
      }
      assert.equal((await inject(env.server, 'POST', messages(), env.server.auth, send, { 'sec-fetch-site': 'same-origin' })).status, 201);
      assert.equal((await inject(env.server, 'POST', messages(), env.server.auth, send)).status, 201);
      // Reading is never refused for it: another site's page cannot read the answer anyway.
      assert.equal((await inject(env.server, 'GET', messages(), env.server.auth, undefined, { 'sec-fetch-site': 'cross-site' })).status, 200);
      const signIn = await inject(env.server, 'POST', SESSION, undefined, form({ Username: env.server.account.sid, Password: env.server.account.auth_token }), {
        ...CONSOLE,
        'sec-fetch-site': 'cross-site',
      });
      assertTwilioError(signIn, 403, 20403);
    });

    test('X-Shortroute-Account switches the session to a subaccount it owns, for /v1 too; any other account is 401 (20003)', async () => {
      const sub = await addSubaccount(env.server, { FriendlyName: 'Switched to' });
      const other = `AC${'c0'.repeat(16)}`;
      await addTopLevelAccount(env.server, other, 'another-token');
      const { cookie } = await signIn(env.server.account.sid, env.server.account.auth_token);
      const created = await withCookie(cookie, 'POST', '/v1/Services', { FriendlyName: 'the subaccount’s' }, { ...CONSOLE, 'x-shortroute-account': sub.sid });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.account_sid, sub.sid);
      const asSub = await withCookie(cookie, 'GET', '/v1/Services', undefined, { 'x-shortroute-account': sub.sid });
      assert.deepEqual(
        asSub.body.services.map((s: { sid: string }) => s.sid),
        [created.body.sid],
      );
      const asMain = await withCookie(cookie, 'GET', '/v1/Services');
      assert.ok(!asMain.body.services.some((s: { sid: string }) => s.sid === created.body.sid), "the main account's list holds none of the subaccount's");
      assertTwilioError(await withCookie(cookie, 'GET', '/v1/Services', undefined, { 'x-shortroute-account': other }), 401, 20003);
      assertTwilioError(await withCookie(cookie, 'GET', '/v1/Services', undefined, { 'x-shortroute-account': 'not-a-sid' }), 401, 20003);
      // Only the console's session switches: Basic credentials keep their own account, as Twilio's API does.
      const basic = await inject(env.server, 'GET', '/v1/Services', env.server.auth, undefined, { 'x-shortroute-account': sub.sid });
      assert.ok(!basic.body.services.some((s: { sid: string }) => s.sid === created.body.sid));
      // An API key's session reaches its own account only, as the key does (Twilio's 21100 rule).
      const key = await addApiKey(env.server);
      const { cookie: keyCookie } = await signIn(key.sid, key.secret);
      assertTwilioError(await withCookie(keyCookie, 'GET', '/v1/Services', undefined, { 'x-shortroute-account': sub.sid }), 401, 20003);
      // A suspended subaccount cannot be switched to; active again, it can.
      const suspend = (status: string) => inject(env.server, 'POST', `/2010-04-01/Accounts/${sub.sid}.json`, env.server.auth, form({ Status: status }));
      assert.equal((await suspend('suspended')).status, 200);
      assertTwilioError(await withCookie(cookie, 'GET', '/v1/Services', undefined, { 'x-shortroute-account': sub.sid }), 401, 20003);
      assert.equal((await suspend('active')).status, 200);
      assert.equal((await withCookie(cookie, 'GET', '/v1/Services', undefined, { 'x-shortroute-account': sub.sid })).status, 200);
      // A subaccount's session cannot switch up to its owner.
      const { cookie: subCookie } = await signIn(sub.sid, sub.auth_token);
      assertTwilioError(await withCookie(subCookie, 'GET', '/v1/Services', undefined, { 'x-shortroute-account': env.server.account.sid }), 401, 20003);
    });

    test('a tampered or foreign cookie is no session; signing out clears it (and needs the header)', async () => {
      const { cookie } = await signIn(env.server.account.sid, env.server.account.auth_token);
      const [name, value] = cookie.split('=') as [string, string];
      const [payload, mac] = value.split('.') as [string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      const forged = Buffer.from(JSON.stringify({ ...claims, e: claims.e + 86_400 })).toString('base64url');
      assertTwilioError(await withCookie(`${name}=${forged}.${mac}`, 'GET', messages()), 401, 20003);
      assertTwilioError(await withCookie(`${name}=${payload}.${mac.slice(1)}x`, 'GET', SESSION), 401, 20003);

      assertTwilioError(await withCookie(cookie, 'DELETE', SESSION), 403, 20403);
      const out = await withCookie(cookie, 'DELETE', SESSION, undefined, { 'x-shortroute-console': '1' });
      assert.equal(out.status, 204);
      assert.match(out.headers.get('set-cookie')!, /^shortroute_console=; Max-Age=0/);
    });

    test('an API key signs in for its own account; deleting the key ends the session', async () => {
      const key = await addApiKey(env.server);
      const { reply, cookie } = await signIn(key.sid, key.secret);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.api_key_sid, key.sid);
      assert.equal((await withCookie(cookie, 'GET', SESSION)).status, 200);
      const deleted = await env.server.request('DELETE', `/2010-04-01/Accounts/${env.server.account.sid}/Keys/${key.sid}.json`);
      assert.equal(deleted.status, 204, deleted.text);
      assertTwilioError(await withCookie(cookie, 'GET', SESSION), 401, 20003);
      assertTwilioError(await withCookie(cookie, 'GET', messages()), 401, 20003);
    });

    test('the page: served to anyone; with Basic credentials it comes with a session', async () => {
      const page = await inject(env.server, 'GET', '/', undefined);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type')!, /^text\/html/);
      assert.match(page.headers.get('content-security-policy')!, /default-src 'self'/);
      assert.equal(page.headers.get('set-cookie'), null);
      const signedIn = await inject(env.server, 'GET', '/', basicAuth(env.server.account.sid, env.server.account.auth_token));
      assert.match(signedIn.headers.get('set-cookie') ?? '', /^shortroute_console=/);
      const out = await inject(env.server, 'GET', '/?signed-out', basicAuth(env.server.account.sid, env.server.account.auth_token));
      assert.equal(out.headers.get('set-cookie'), null);
      const script = await inject(env.server, 'GET', '/console/app.js', undefined);
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type')!, /^text\/javascript/);
      assertTwilioError(await inject(env.server, 'GET', '/console/nothing.js', undefined), 404, 20404);
    });
  });
}
