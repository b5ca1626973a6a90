import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { BACKENDS, createTestSchema, TEST_DATABASE_URL, type BackendName } from '../helpers/backends.js';
import { ACCOUNT_SID, AUTH_TOKEN, basicAuth, form, send, startAnother, startTestServer, type Reply, type TestServer } from '../helpers/server.js';
import { addService, addShortCode, assertTwilioError } from '../helpers/fixtures.js';
import { inParallel, killAll, startCli, type RunningCli } from '../helpers/cli.js';

/** Safety net per test: every wait inside has its own, shorter one. */
const TIMEOUT = { timeout: 180_000 };
const CREDENTIALS = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN };

/** Anything that answers HTTP for the main account: an in-process server or a CLI process. */
interface Client {
  url: string;
  request(method: string, path: string, values?: Record<string, string | string[]>): Promise<Reply>;
}

const cliClient = (cli: RunningCli): Client => ({
  url: cli.url,
  request: (method, path, values) => send(cli.url + path, method, cli.auth, values ? form(values) : undefined),
});

const shortCodesPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes`;

async function ok(reply: Promise<Reply>, status = 200): Promise<any> {
  const r = await reply;
  assert.equal(r.status, status, r.text);
  return r.body;
}

/**
 * Everything the API shows about the account: every list (whole, and as pages with their
 * cursors) and every fetch. URLs with the server's own address are written relative to `<base>`,
 * so two servers on different ports compare equal.
 */
async function snapshot(client: Client) {
  const services = await ok(client.request('GET', '/v1/Services?PageSize=1000'));
  const firstServicePage = await ok(client.request('GET', '/v1/Services?PageSize=1'));
  const shortCodes = await ok(client.request('GET', `${shortCodesPath}.json?PageSize=1000`));
  const firstShortCodePage = await ok(client.request('GET', `${shortCodesPath}.json?PageSize=2`));
  const fetched: Record<string, unknown> = {};
  for (const service of services.services as Array<{ sid: string }>) {
    fetched[service.sid] = await ok(client.request('GET', `/v1/Services/${service.sid}`));
    const pool = await ok(client.request('GET', `/v1/Services/${service.sid}/ShortCodes?PageSize=1000`));
    fetched[`${service.sid}/ShortCodes`] = pool;
    for (const member of pool.short_codes as Array<{ sid: string }>) {
      fetched[`${service.sid}/ShortCodes/${member.sid}`] = await ok(client.request('GET', `/v1/Services/${service.sid}/ShortCodes/${member.sid}`));
    }
  }
  for (const shortCode of shortCodes.short_codes as Array<{ sid: string }>) {
    fetched[shortCode.sid] = await ok(client.request('GET', `${shortCodesPath}/${shortCode.sid}.json`));
  }
  const all = { services, firstServicePage, shortCodes, firstShortCodePage, fetched };
  return JSON.parse(JSON.stringify(all).replaceAll(client.url, '<base>')) as typeof all;
}

/** Fresh storage for CLI processes: a temp data dir, or a PostgreSQL schema of its own. */
async function freshData(backend: BackendName): Promise<{ args: string[]; drop(): Promise<void>; dir?: string }> {
  if (backend === 'postgres') {
    const { schema, drop } = await createTestSchema();
    return { args: ['--database-url', TEST_DATABASE_URL, '--database-schema', schema], drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'shortroute-persistence-'));
  return { args: ['--data-dir', dir], dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

for (const backend of BACKENDS) {
  describe(`[${backend}] persistence`, () => {
    /** Run after each test, once its processes are gone: servers to close, data to drop. */
    let cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      await killAll();
      for (const cleanup of cleanups.reverse()) await cleanup();
      cleanups = [];
    });

    test('restart: services, short codes, pools and updates read back identical from a new server on the same data', TIMEOUT, async () => {
      const first = await startTestServer(backend);
      cleanups.push(() => first.cleanup());

      const alerts = await addService(first, {
        FriendlyName: 'Alerts',
        InboundRequestUrl: 'https://hooks.example.test/in',
        InboundMethod: 'GET',
        FallbackUrl: 'https://hooks.example.test/fallback',
        StatusCallback: 'https://hooks.example.test/status',
        ScanMessageContent: 'enable',
        ValidityPeriod: '600',
        Usecase: 'notifications',
      });
      const marketing = await addService(first, { FriendlyName: 'Marketing', Usecase: 'marketing', AreaCodeGeomatch: 'false' });
      const doomed = await addService(first, { FriendlyName: 'Doomed' });
      const codes = [
        await addShortCode(first, { FriendlyName: 'Main line' }),
        await addShortCode(first, { CountryCode: 'GB', Capabilities: ['SMS', 'MMS'] }),
        await addShortCode(first, { Capabilities: ['MMS'] }),
        await addShortCode(first),
        await addShortCode(first, { CountryCode: 'ca' }),
        await addShortCode(first, { FriendlyName: 'Unpooled' }),
        await addShortCode(first, { FriendlyName: 'Released' }),
      ];
      const pool = async (service: { sid: string }, code: { sid: string }) =>
        ok(first.request('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: code.sid }), 201);
      await pool(alerts, codes[0]!);
      await pool(alerts, codes[1]!);
      await pool(alerts, codes[2]!);
      await pool(marketing, codes[3]!);
      await pool(doomed, codes[4]!);
      await pool(marketing, codes[6]!);

      // Updates, removals and deletions must persist as much as creations.
      await ok(first.request('POST', `/v1/Services/${alerts.sid}`, { FriendlyName: 'Alerts (renamed)', StickySender: 'false', SmartEncoding: 'false' }));
      await ok(first.request('POST', `/v1/Services/${marketing.sid}`, { InboundRequestUrl: 'https://hooks.example.test/m' }));
      await ok(
        first.request('POST', `${shortCodesPath}/${codes[0]!.sid}.json`, {
          SmsUrl: 'https://hooks.example.test/sms',
          SmsMethod: 'GET',
          FriendlyName: 'Main line v2',
        }),
      );
      await ok(first.request('POST', `${shortCodesPath}/${codes[1]!.sid}.json`, { ApiVersion: '2008-08-01', SmsFallbackUrl: 'https://hooks.example.test/fb' }));
      await ok(first.request('DELETE', `/v1/Services/${alerts.sid}/ShortCodes/${codes[2]!.sid}`), 204);
      await ok(first.request('DELETE', `/v1/Services/${doomed.sid}`), 204);
      await ok(first.request('DELETE', `${shortCodesPath}/${codes[6]!.sid}.json`), 204);

      const before = await snapshot(first);
      assert.equal(before.services.services.length, 2);
      assert.equal(before.shortCodes.short_codes.length, 6);
      assert.equal((before.fetched[`${alerts.sid}/ShortCodes`] as { short_codes: unknown[] }).short_codes.length, 2);
      const nextServicePage = before.firstServicePage.meta.next_page_url as string | null;
      assert.ok(nextServicePage?.startsWith('<base>/v1/Services?'), String(nextServicePage));
      const nextShortCodePage = before.firstShortCodePage.next_page_uri as string | null;
      assert.ok(nextShortCodePage?.startsWith(`${shortCodesPath}.json?`), String(nextShortCodePage));
      await first.close();

      const second = await startAnother(first as TestServer);
      cleanups.push(() => second.close());
      assert.equal(second.account.sid, first.account.sid);
      assert.equal(second.account.auth_token, first.account.auth_token);
      const after = await snapshot(second);
      assert.deepEqual(after, before);

      // Page cursors handed out before the restart still continue the walk after it.
      const sids = (items: Array<{ sid: string }>) => items.map((item) => item.sid);
      const servicePage = await ok(second.request('GET', nextServicePage!.slice('<base>'.length)));
      assert.deepEqual(sids(servicePage.services), sids(before.services.services.slice(1, 2)));
      const shortCodePage = await ok(second.request('GET', nextShortCodePage!));
      assert.deepEqual(sids(shortCodePage.short_codes), sids(before.shortCodes.short_codes.slice(2, 4)));

      // What was removed stays removed.
      assertTwilioError(await second.request('GET', `/v1/Services/${doomed.sid}`), 404, 20404);
      assertTwilioError(await second.request('GET', `${shortCodesPath}/${codes[6]!.sid}.json`), 404, 20404);
      assertTwilioError(await second.request('GET', `/v1/Services/${alerts.sid}/ShortCodes/${codes[2]!.sid}`), 404, 20404);
      // And what was freed can be pooled again.
      await ok(second.request('POST', `/v1/Services/${marketing.sid}/ShortCodes`, { ShortCodeSid: codes[4]!.sid }), 201);
    });

    test('kill -9: every write acknowledged before SIGKILL is there after a new start', TIMEOUT, async () => {
      const data = await freshData(backend);
      cleanups.push(data.drop);
      const first = await startCli(['--port', '0', ...data.args], { env: CREDENTIALS });
      const client = cliClient(first);
      const services = [
        await ok(client.request('POST', '/v1/Services', { FriendlyName: 'Burst A' }), 201),
        await ok(client.request('POST', '/v1/Services', { FriendlyName: 'Burst B' }), 201),
      ];

      // A burst of writes, eight at a time so that several share a commit; each one's answer
      // is awaited and recorded only once it is a 2xx.
      const WRITES = 50;
      const acknowledged = await inParallel(
        Array.from({ length: WRITES }, (_, i) => i),
        async (i) => {
          const service = services[i % 2]!;
          const shortCode = await ok(client.request('POST', `${shortCodesPath}.json`, { ShortCode: String(40000 + i), FriendlyName: `Burst ${i}` }), 201);
          const member = await ok(client.request('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: shortCode.sid }), 201);
          const updated = await ok(client.request('POST', `${shortCodesPath}/${shortCode.sid}.json`, { SmsUrl: `https://hooks.example.test/${i}` }));
          return { shortCode: updated, member };
        },
        8,
      );
      const renamed = await ok(client.request('POST', `/v1/Services/${services[0]!.sid}`, { FriendlyName: 'Burst A, renamed last' }));
      // Immediately after the last 2xx: no chance to close anything.
      const exit = await first.stop('SIGKILL');
      assert.equal(exit.signal, 'SIGKILL');
      if (data.dir) assert.ok(existsSync(join(data.dir, 'shortroute.db-wal')), 'SQLite was closed before the kill: the test proves nothing');

      const second = await startCli(['--port', '0', ...data.args], { env: CREDENTIALS });
      const after = cliClient(second);
      const relocate = (body: unknown) => JSON.parse(JSON.stringify(body).replaceAll(first.url, second.url));
      assert.deepEqual(await ok(after.request('GET', `/v1/Services/${services[0]!.sid}`)), relocate(renamed));
      assert.deepEqual(await ok(after.request('GET', `/v1/Services/${services[1]!.sid}`)), relocate(services[1]));
      for (const { shortCode, member } of acknowledged) {
        assert.deepEqual(await ok(after.request('GET', `${shortCodesPath}/${shortCode.sid}.json`)), shortCode);
        assert.deepEqual(await ok(after.request('GET', `/v1/Services/${member.service_sid}/ShortCodes/${member.sid}`)), relocate(member));
      }
      const listed = await ok(after.request('GET', `${shortCodesPath}.json?PageSize=1000`));
      assert.equal(listed.short_codes.length, WRITES);
      for (const service of services) {
        const pool = await ok(after.request('GET', `/v1/Services/${service.sid}/ShortCodes?PageSize=1000`));
        assert.equal(pool.short_codes.length, WRITES / 2);
      }
    });

    test(
      'the generated account: without TWILIO_* the first start makes one; the next start on the same data prints the same SID and token',
      TIMEOUT,
      async () => {
        const data = await freshData(backend);
        cleanups.push(data.drop);
        // childEnv() strips TWILIO_* from what the child inherits.
        const first = await startCli(['--port', '0', ...data.args]);
        assert.match(first.account.sid, /^AC[0-9a-f]{32}$/);
        assert.ok(first.account.authToken.length >= 32, first.account.authToken);
        assert.notEqual(first.account.sid, ACCOUNT_SID);
        const service = await ok(cliClient(first).request('POST', '/v1/Services', { FriendlyName: 'Made with a generated account' }), 201);
        assert.equal(service.account_sid, first.account.sid);
        assert.equal((await first.stop('SIGTERM')).code, 0);

        const second = await startCli(['--port', '0', ...data.args]);
        assert.equal(second.account.sid, first.account.sid);
        assert.equal(second.account.authToken, first.account.authToken);
        // The old credentials still work, and see what was made with them.
        const fetched = await send(`${second.url}/v1/Services/${service.sid}`, 'GET', basicAuth(first.account.sid, first.account.authToken));
        assert.equal(fetched.status, 200, fetched.text);
        assert.equal(fetched.body.friendly_name, 'Made with a generated account');
        // Even a crash right after the banner keeps the account.
        assert.equal((await second.stop('SIGKILL')).signal, 'SIGKILL');
        const third = await startCli(['--port', '0', ...data.args]);
        assert.deepEqual(third.account, first.account);
      },
    );
  });
}
