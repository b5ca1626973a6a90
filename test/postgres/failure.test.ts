import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, createTestSchema, TEST_DATABASE_URL } from '../helpers/backends.js';
import { ACCOUNT_SID, AUTH_TOKEN, send, startTestServer, type TestServer } from '../helpers/server.js';
import { assertTwilioError } from '../helpers/fixtures.js';
import { startShortroute, StartupError } from '../../src/app.js';

const skip = BACKENDS.includes('postgres') ? false : 'SHORTROUTE_TEST_BACKENDS leaves out postgres';

/**
 * A TCP hop between Shortroute and the real PostgreSQL that the test can cut and mend: while cut,
 * open connections are reset and new ones are reset on arrival, as when the database goes away.
 */
class CuttableProxy {
  readonly #sockets = new Set<net.Socket>();
  readonly #server: net.Server;
  #cut = false;
  port = 0;

  constructor(readonly target: { host: string; port: number }) {
    this.#server = net.createServer((client) => {
      if (this.#cut) return void client.destroy();
      const upstream = net.connect(target.port, target.host);
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.#sockets.add(from);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          this.#sockets.delete(from);
          to.destroy();
        });
        from.pipe(to);
      }
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  mend(): void {
    this.#cut = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe('[postgres] losing the database', { skip }, () => {
  const target = new URL(TEST_DATABASE_URL);
  const proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
  let server: TestServer & { cleanup(): Promise<void> };

  before(async () => {
    await proxy.listen();
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.port = String(proxy.port);
    server = await startTestServer('postgres', { databaseUrl: viaProxy.toString() });
  });
  after(async () => {
    proxy.mend();
    await server?.cleanup();
    await proxy.close();
  });

  test('outage: requests answer 503/20503 at once, the node recovers by itself, no acknowledged write is lost', async () => {
    const acknowledged: string[] = [];
    for (let i = 0; i < 10; i++) {
      const reply = await server.request('POST', '/v1/Services', { FriendlyName: `Before ${i}` });
      assert.equal(reply.status, 201);
      acknowledged.push(reply.body.sid);
    }

    proxy.cut();
    const down = [
      await server.request('GET', '/v1/Services'),
      await server.request('POST', '/v1/Services', { FriendlyName: 'During' }),
      await server.request('GET', `/v1/Services/${acknowledged[0]}`),
    ];
    for (const reply of down) {
      assertTwilioError(reply, 503, 20503);
      assert.equal(reply.headers.get('retry-after'), '1');
    }
    assert.equal((await send(`${server.url}/_shortroute/health`, 'GET', undefined)).status, 503);

    proxy.mend();
    assert.equal((await send(`${server.url}/_shortroute/health`, 'GET', undefined)).status, 200);
    const after = await server.request('POST', '/v1/Services', { FriendlyName: 'After' });
    assert.equal(after.status, 201, after.text);
    acknowledged.push(after.body.sid);
    const listed = await server.request('GET', '/v1/Services?PageSize=1000');
    const sids = listed.body.services.map((s: { sid: string }) => s.sid);
    for (const sid of acknowledged) assert.ok(sids.includes(sid), `${sid} survived the outage`);
    // The write refused during the outage left nothing behind.
    assert.equal(listed.body.services.filter((s: { friendly_name: string }) => s.friendly_name === 'During').length, 0);
  });

  test('start: an unreachable database is one clear StartupError', async () => {
    const { schema, drop } = await createTestSchema();
    try {
      await assert.rejects(
        startShortroute({
          databaseUrl: 'postgres://postgres@127.0.0.1:1/test',
          databaseSchema: schema,
          port: 0,
          accountSid: ACCOUNT_SID,
          authToken: AUTH_TOKEN,
        }),
        (error: Error) =>
          error instanceof StartupError &&
          /cannot open PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test: ECONNREFUSED/.test(error.message) &&
          !error.message.includes('\n'),
      );
    } finally {
      await drop();
    }
  });
});
