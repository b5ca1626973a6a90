import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, startTestServer, type TestServer } from '../helpers/server.js';
import { addService, addShortCode } from '../helpers/fixtures.js';
import { proxyConnect, rawRequest, requestOn, TEST_CA_DIR, tlsInTunnel } from '../helpers/proxy.js';

const run = promisify(execFile);
const caPem = () => readFileSync(join(TEST_CA_DIR, 'ca.pem'), 'utf8');
const portOf = (server: TestServer) => Number(new URL(server.url).port);

/** Opens a tunnel to `host` and a verified TLS session in it. */
async function tunnel(server: TestServer, host: string, servername = host) {
  const connect = await proxyConnect(portOf(server), `${host}:443`);
  assert.equal(connect.status, 200, connect.body);
  return tlsInTunnel(connect.socket, servername, caPem());
}

for (const backend of BACKENDS) {
  describe(`[${backend}] HTTPS proxy: tunnels to Twilio's hosts`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    before(async () => {
      server = await startTestServer(backend);
      await server.certificates();
    });
    after(() => server.cleanup());

    test('CONNECT messaging.twilio.com:443: the API answers inside, and page URLs stay https://messaging.twilio.com', async () => {
      for (const name of ['One', 'Two', 'Three']) await addService(server, { FriendlyName: name });
      const tls = await tunnel(server, 'messaging.twilio.com');
      try {
        let path: string | null = '/v1/Services?PageSize=1';
        const seen: string[] = [];
        // Keep-alive: every page on the one TLS session.
        while (path) {
          const reply = await requestOn(tls, { host: 'messaging.twilio.com', path, auth: server.auth });
          assert.equal(reply.status, 200, reply.body);
          seen.push(reply.json.services[0].friendly_name);
          for (const url of [reply.json.meta.url, reply.json.meta.first_page_url, reply.json.services[0].url]) {
            assert.match(url, /^https:\/\/messaging\.twilio\.com\/v1\//);
          }
          const next: string | null = reply.json.meta.next_page_url;
          if (next) assert.match(next, /^https:\/\/messaging\.twilio\.com\/v1\/Services\?/);
          path = next ? next.slice('https://messaging.twilio.com'.length) : null;
        }
        assert.deepEqual(seen.sort(), ['One', 'Three', 'Two']);
      } finally {
        tls.destroy();
      }
    });

    test('CONNECT api.twilio.com:443: 2010 resources and /_shortroute/health answer as on the plain port', async () => {
      await addShortCode(server, { ShortCode: '44556' });
      const tls = await tunnel(server, 'api.twilio.com');
      try {
        const health = await requestOn(tls, { host: 'api.twilio.com', path: '/_shortroute/health' });
        assert.equal(health.status, 200, health.body);
        assert.equal(health.json.backend, server.store.backend.name);
        const list = await requestOn(tls, {
          host: 'api.twilio.com:443',
          path: `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`,
          auth: server.auth,
        });
        assert.equal(list.status, 200, list.body);
        assert.ok(list.json.short_codes.some((sc: { short_code: string }) => sc.short_code === '44556'));
        const refused = await requestOn(tls, {
          host: 'api.twilio.com',
          path: `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`,
          auth: basicAuth(server.account.sid, 'wrong-token-0000'),
        });
        assert.equal(refused.status, 401);
        assert.equal(refused.json.code, 20003);
      } finally {
        tls.destroy();
      }
    });

    test('curl --proxy --cacert: reaches Shortroute and reuses the tunnel for a second URL', async () => {
      const { stdout } = await run('curl', [
        '--silent',
        '--show-error',
        '--fail-with-body',
        '--proxy',
        server.url,
        '--cacert',
        join(TEST_CA_DIR, 'ca.pem'),
        '--user',
        `${server.account.sid}:${server.account.auth_token}`,
        '--write-out',
        '\n%{http_code} %{num_connects}\n',
        'https://api.twilio.com/_shortroute/health',
        'https://api.twilio.com/_shortroute/health',
      ]);
      const lines = stdout.trim().split('\n');
      assert.match(lines[0]!, /"status":"ok"/);
      assert.equal(lines[1], '200 1');
      assert.equal(lines[3], '200 0', 'the second request opened a new connection');
    });

    test('curl without the CA: the certificate is refused (Shortroute never poses as a public CA)', async () => {
      await assert.rejects(
        run('curl', [
          '--silent',
          '--show-error',
          '--proxy',
          server.url,
          '--cacert',
          '/etc/ssl/certs/ca-certificates.crt',
          'https://api.twilio.com/_shortroute/health',
        ]),
        (error: { code: number }) => error.code === 60,
      );
    });
  });
}

describe('HTTPS proxy: what it refuses', () => {
  let server: TestServer & { cleanup(): Promise<void> };
  before(async () => {
    server = await startTestServer(BACKENDS[0]!);
    await server.certificates();
  });
  after(() => server.cleanup());

  test('CONNECT example.com:443: 403, Twilio-shaped, and nothing is forwarded', async () => {
    const reply = await proxyConnect(portOf(server), 'example.com:443');
    reply.socket.destroy();
    assert.equal(reply.status, 403);
    assert.match(reply.reason, /not an open proxy/);
    assert.deepEqual(Object.keys(JSON.parse(reply.body)).sort(), ['code', 'message', 'more_info', 'status']);
    assert.equal(JSON.parse(reply.body).code, 20403);
  });

  test('CONNECT api.twilio.com:80 and a target with no port: 403', async () => {
    for (const target of ['api.twilio.com:80', 'api.twilio.com', '127.0.0.1:22']) {
      const reply = await proxyConnect(portOf(server), target);
      reply.socket.destroy();
      assert.equal(reply.status, 403, target);
    }
  });

  test('CONNECT verify.twilio.com:443: 404 naming the product Shortroute does not serve', async () => {
    const reply = await proxyConnect(portOf(server), 'verify.twilio.com:443');
    reply.socket.destroy();
    assert.equal(reply.status, 404);
    const body = JSON.parse(reply.body);
    assert.equal(body.code, 20404);
    assert.match(body.message, /Twilio Verify \(verify\.twilio\.com\)/);
  });

  test('CONNECT to a regional host (TWILIO_REGION set): 404 that says which variables to unset', async () => {
    const reply = await proxyConnect(portOf(server), 'api.dublin.ie1.twilio.com:443');
    reply.socket.destroy();
    assert.equal(reply.status, 404);
    assert.match(JSON.parse(reply.body).message, /unset TWILIO_EDGE and TWILIO_REGION/);
  });

  test('GET http://example.com/ (a plain proxy request): 403, never fetched', async () => {
    const reply = await rawRequest(portOf(server), 'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n');
    assert.equal(reply.status, 403);
    assert.equal(JSON.parse(reply.body).code, 20403);
  });

  test('a TLS server name other than the tunnel host: 421 for every request', async () => {
    // The certificate names both hosts, so the handshake succeeds; the request is misdirected.
    const tls = await tunnel(server, 'api.twilio.com', 'messaging.twilio.com');
    try {
      const reply = await requestOn(tls, { host: 'api.twilio.com', path: '/_shortroute/health' });
      assert.equal(reply.status, 421);
      assert.match(reply.json.message, /this tunnel is to api\.twilio\.com/);
    } finally {
      tls.destroy();
    }
  });

  test('a Host header other than the tunnel host: 421, and the connection closes', async () => {
    const tls = await tunnel(server, 'api.twilio.com');
    try {
      const reply = await requestOn(tls, { host: 'messaging.twilio.com', path: '/_shortroute/health' });
      assert.equal(reply.status, 421);
      assert.equal(reply.headers.connection, 'close');
    } finally {
      tls.destroy();
    }
  });
});

describe('HTTPS proxy: bound beyond loopback', () => {
  let server: TestServer & { cleanup(): Promise<void> };
  before(async () => {
    server = await startTestServer(BACKENDS[0]!, { host: '0.0.0.0' });
    await server.certificates();
  });
  after(() => server.cleanup());

  test('CONNECT without Proxy-Authorization: 407 with Proxy-Authenticate', async () => {
    const reply = await proxyConnect(portOf(server), 'api.twilio.com:443');
    reply.socket.destroy();
    assert.equal(reply.status, 407);
    assert.equal(reply.headers['proxy-authenticate'], 'Basic realm="Shortroute"');
    assert.equal(JSON.parse(reply.body).status, 407);
  });

  test('CONNECT with wrong credentials: 407; before the target is even looked at', async () => {
    const reply = await proxyConnect(portOf(server), 'example.com:443', { 'Proxy-Authorization': basicAuth(server.account.sid, 'not-the-token') });
    reply.socket.destroy();
    assert.equal(reply.status, 407);
  });

  test('CONNECT with the account SID and auth token: the tunnel opens', async () => {
    const connect = await proxyConnect(portOf(server), 'api.twilio.com:443', { 'Proxy-Authorization': server.auth });
    assert.equal(connect.status, 200);
    const tls = await tlsInTunnel(connect.socket, 'api.twilio.com', caPem());
    try {
      const reply = await requestOn(tls, { host: 'api.twilio.com', path: '/_shortroute/health' });
      assert.equal(reply.status, 200);
    } finally {
      tls.destroy();
    }
  });
});

describe('absolute URLs behind a reverse proxy', () => {
  let trusting: TestServer & { cleanup(): Promise<void> };
  let plain: TestServer & { cleanup(): Promise<void> };
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sms.example.test' };
  before(async () => {
    trusting = await startTestServer(BACKENDS[0]!, { trustProxy: '127.0.0.1' });
    plain = await startTestServer(BACKENDS[0]!);
  });
  after(async () => {
    await trusting.cleanup();
    await plain.cleanup();
  });

  test('--trust-proxy names the proxy: its X-Forwarded-Proto/-Host make the page URLs', async () => {
    const reply = await trusting.request('GET', '/v1/Services?PageSize=1', undefined, forwarded);
    assert.equal(reply.status, 200, reply.text);
    assert.match(reply.body.meta.url, /^https:\/\/sms\.example\.test\/v1\/Services\?/);
  });

  test('without --trust-proxy the forwarded headers are ignored: a client cannot choose where pages lead', async () => {
    const reply = await plain.request('GET', '/v1/Services?PageSize=1', undefined, forwarded);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.meta.url.startsWith(`${plain.url}/v1/Services?`), true, reply.body.meta.url);
  });
});
