import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { WAIT_MS } from '../helpers/cli.js';
import { rawRequest, readResponse } from '../helpers/proxy.js';
import { capturedLog, startTestServer, type TestServer } from '../helpers/server.js';

/** A Twilio error body: the four fields and this status. */
function assertTwilioBody(text: string, status: number): void {
  const body = JSON.parse(text);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'more_info', 'status']);
  assert.equal(body.status, status);
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket)).once('error', reject);
  });
}

/** Waits for a condition the server brings about, checking every few ms, for WAIT_MS at most. */
async function until(condition: () => boolean): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Resolves when the server closes the socket (or it errors): a refused connection. */
function closedByServer(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error('the server kept a connection beyond its limit open')), WAIT_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.resume();
  });
}

for (const backend of BACKENDS) {
  describe(`[${backend}] HTTP server limits: what Node refuses is Twilio-shaped too`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    let port: number;
    before(async () => {
      // A short request timeout, so that a request that never completes is answered in the test's time.
      server = await startTestServer(backend, { requestTimeoutMs: 500, maxConnections: 4 });
      port = Number(new URL(server.url).port);
    });
    after(() => server.cleanup());

    test('headers over 16 KB: 431, Twilio-shaped', async () => {
      const reply = await rawRequest(port, `GET /v1/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`);
      assert.equal(reply.status, 431);
      assertTwilioBody(reply.body, 431);
    });

    test('a URL over 16 KB: 431, Twilio-shaped', async () => {
      const reply = await rawRequest(port, `GET /v1/Services?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      assert.equal(reply.status, 431);
      assertTwilioBody(reply.body, 431);
    });

    test('malformed HTTP (a bad chunk size, two Content-Length headers): 400, Twilio-shaped', async () => {
      const chunked = await rawRequest(
        port,
        `POST /v1/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${server.auth}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
      );
      assert.equal(chunked.status, 400);
      assertTwilioBody(chunked.body, 400);
      const twoLengths = await rawRequest(port, 'POST /v1/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabc');
      assert.equal(twoLengths.status, 400);
      assertTwilioBody(twoLengths.body, 400);
    });

    test('an HTTP/1.1 request without Host: 400, Twilio-shaped', async () => {
      const reply = await rawRequest(port, `GET /v1/Services HTTP/1.1\r\nAuthorization: ${server.auth}\r\n\r\n`);
      assert.equal(reply.status, 400);
      assertTwilioBody(reply.body, 400);
      assert.match(JSON.parse(reply.body).message, /Host/);
    });

    test('a body that never completes: 408 once the request timeout passes, Twilio-shaped', async () => {
      const socket = await open(port);
      try {
        socket.write(
          `POST /v1/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${server.auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nFriendlyName=half`,
        );
        const reply = await readResponse(socket);
        assert.equal(reply.status, 408);
        assertTwilioBody(reply.body, 408);
      } finally {
        socket.destroy();
      }
    });

    test('connections beyond --max-connections are closed as they arrive; the API answers again once one closes', async () => {
      const held = await Promise.all([open(port), open(port), open(port), open(port)]);
      const extra = await open(port);
      await closedByServer(extra);
      held[0]!.destroy();
      // The server counts the closed one out on its next turn: try until it is in.
      let status = 0;
      for (let tries = 0; tries < 50 && status !== 200; tries++) {
        status = (await rawRequest(port, 'GET /_shortroute/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n').catch(() => ({ status: 0 })))
          .status;
      }
      assert.equal(status, 200);
      for (const socket of held) socket.destroy();
    });
  });
}

for (const backend of BACKENDS) {
  describe(`[${backend}] NUL characters: one rule on both backends`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    before(async () => {
      server = await startTestServer(backend);
    });
    after(() => server.cleanup());

    test('a NUL in a body parameter: 400 naming it, and nothing is written', async () => {
      const reply = await server.request('POST', '/v1/Services', { FriendlyName: 'a\0b' });
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.body.code, 20001);
      assert.match(reply.body.message, /FriendlyName/);
      const list = await server.request('GET', '/v1/Services');
      assert.deepEqual(list.body.services, []);
    });

    test('a NUL in a query value: 400 naming it', async () => {
      const reply = await server.request('GET', `/2010-04-01/Accounts/${server.account.sid}/Messages.json?To=%00`);
      assert.equal(reply.status, 400, reply.text);
      assert.match(reply.body.message, /To/);
    });

    test('a NUL in a path SID: 404, 20404 (nothing has that SID)', async () => {
      for (const path of [`/v1/Services/MG${'0'.repeat(31)}%00`, `/2010-04-01/Accounts/${server.account.sid}/Keys/SK%00.json`]) {
        const reply = await server.request('GET', path);
        assert.equal(reply.status, 404, `${path}: ${reply.text}`);
        assert.equal(reply.body.code, 20404);
      }
    });
  });
}

for (const backend of BACKENDS) {
  describe(`[${backend}] a client that aborts mid-body`, () => {
    const { logger, lines } = capturedLog('debug');
    let server: TestServer & { cleanup(): Promise<void> };
    before(async () => {
      server = await startTestServer(backend, { logger });
    });
    after(() => server.cleanup());

    test('is logged as the client going away, never as a database outage or an error', async () => {
      const socket = await open(Number(new URL(server.url).port));
      socket.write(
        `POST /v1/Services HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${server.auth}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nFriendlyName=half`,
      );
      // The server has the headers once it logs the request (at info); then the client resets.
      await until(() => lines.some((l) => l.msg === 'incoming request'));
      socket.resetAndDestroy();
      await until(() => lines.some((l) => /went away|request failed/.test(l.msg)));
      assert.ok(
        lines.some((l) => /went away/.test(l.msg)),
        JSON.stringify(lines.map((l) => l.msg)),
      );
      assert.deepEqual(
        lines.filter((l) => l.level >= 50),
        [],
      );
      const health = await server.request('GET', '/_shortroute/health');
      assert.equal(health.status, 200);
    });
  });
}
