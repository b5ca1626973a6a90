import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type Caller } from '../auth/credentials.js';
import { CONSOLE_COOKIE, type ConsoleSessions, readCookie, sessionCookie } from '../auth/console-session.js';
import { crossSiteRefused, missingParameter, notFound, unauthenticated } from '../http/errors.js';
import { fromAnotherSite, type TwilioRoutes } from '../http/route.js';
import { formValue } from '../http/params.js';
import { PACKAGE_ROOT } from '../package.js';
import { SHORTROUTE_PREFIX } from '../resources/shortroute/prefix.js';

/** Where `npm ci`'s build puts the console (scripts/bundle.mjs). */
export const CONSOLE_DIR = join(PACKAGE_ROOT, 'dist', 'web-console');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The console's page may load its own files and talk to this server, nothing else. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The built files, read once: a handful, and small. */
function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const name of ['index.html', 'app.js', 'app.css']) {
    const file = join(CONSOLE_DIR, name);
    if (!existsSync(file)) continue;
    assets.set(name, { body: readFileSync(file), type: TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream' });
  }
  return assets;
}

/** The session endpoints' path. */
export const SESSION_PATH = `${SHORTROUTE_PREFIX}/console/session`;

/**
 * The web console: its page at `/` and its files under `/console/`, and the sign-in that gives
 * the page a session cookie. Everything the page shows it reads through the API and
 * `/_shortroute/`, with that cookie (route.ts `callerOf`).
 *
 * Signing in: the form posts the account SID (or an API key's SID) and the token (or secret) to
 * SESSION_PATH. Opened as `http://AC…:token@127.0.0.1:4747/`, the page posts the credentials of
 * its own URL there (a browser sends them only when challenged, and a challenge on `/` would put
 * its own dialog in front of everyone); a request for `/` that carries Basic credentials (curl, a
 * test browser told to send them) gets its session cookie with the page.
 */
export function consoleRoutes(routes: TwilioRoutes & { sessions: ConsoleSessions }): void {
  const { app, deps, sessions } = routes;
  const assets = loadAssets();
  const secure = (request: FastifyRequest) => request.protocol === 'https';

  const sendAsset = (reply: FastifyReply, name: string, status = 200) => {
    const asset = assets.get(name);
    if (!asset) throw notFound(name === 'index.html' ? '/' : `/console/${name}`);
    return reply
      .code(status)
      .headers({ ...SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': name === 'index.html' ? 'no-store' : 'no-cache' })
      .send(asset.body);
  };

  const sessionOf = (request: FastifyRequest): Promise<Caller | undefined> => sessions.verify(deps, readCookie(request.headers.cookie, CONSOLE_COOKIE));

  app.get('/', async (request, reply) => {
    // After signing out, the page is shown signed out even if the browser still sends Basic
    // credentials for this origin (no page can make it forget them).
    const signedOut = Object.hasOwn(request.query as object, 'signed-out');
    if (!signedOut && request.headers.authorization !== undefined && !(await sessionOf(request))) {
      const caller = await authenticate(deps, request.headers.authorization).catch(() => undefined);
      if (caller) reply.header('set-cookie', sessionCookie(await sessions.issue(deps, caller), secure(request)));
    }
    return sendAsset(reply, 'index.html');
  });

  app.get('/console/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    if (file === 'index.html' || !assets.has(file)) throw notFound(`/console/${file}`);
    return sendAsset(reply, file);
  });

  // Who is signed in, by the cookie alone (Basic credentials a browser keeps do not count: the
  // console must be able to sign out). The accounts are the one signed in and, for its auth
  // token, the subaccounts it owns.
  app.get(SESSION_PATH, async (request) => {
    const caller = await sessionOf(request);
    if (!caller) throw unauthenticated('Not signed in to the console');
    const owned = caller.keySid ? [] : (await deps.store.accounts.list(caller.account.sid, {}, { size: 1000 })).items;
    const accounts = [caller.account, ...owned.filter((a) => a.sid !== caller.account.sid)];
    return {
      account_sid: caller.account.sid,
      api_key_sid: caller.keySid ?? null,
      accounts: accounts.map((a) => ({ sid: a.sid, friendly_name: a.friendly_name, status: a.status, owner_account_sid: a.owner_account_sid })),
    };
  });

  app.post(SESSION_PATH, async (request, reply) => {
    // Signing someone in to another account is a change too: the console's own header, as for
    // every change made with the cookie (browsers that send no Sec-Fetch-Site included).
    if (fromAnotherSite(request) || request.headers['x-shortroute-console'] === undefined) throw crossSiteRefused();
    const username = formValue(request.body, 'Username');
    const password = formValue(request.body, 'Password');
    if (!username) throw missingParameter('Username');
    if (!password) throw missingParameter('Password');
    const caller = await authenticate(deps, `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
    reply.header('set-cookie', sessionCookie(await sessions.issue(deps, caller), secure(request)));
    return { account_sid: caller.account.sid, api_key_sid: caller.keySid ?? null };
  });

  app.delete(SESSION_PATH, async (request, reply) => {
    if (request.headers['x-shortroute-console'] === undefined) throw crossSiteRefused();
    return reply
      .code(204)
      .header('set-cookie', sessionCookie(undefined, secure(request)))
      .send();
  });
}
