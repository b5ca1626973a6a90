// A connector with Tls=true: the bind goes over TLS and the SMSC's certificate is verified. An
// SMSC whose certificate no trusted CA signed is refused (last_error says why); the same SMSC
// binds once its CA is trusted through NODE_EXTRA_CA_CERTS (a node started with it).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import forge from 'node-forge';
import smpp, { type Pdu, type Session } from 'smpp';
import { BACKENDS } from '../helpers/backends.js';
import { killAll, type RunningCli, startCli } from '../helpers/cli.js';
import { type Reply, send, form } from '../helpers/server.js';
import { useTestServer } from '../helpers/messaging.js';

/** A self-signed certificate for localhost, its own CA. */
function selfSigned(): { certPem: string; keyPem: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: 'localhost' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** The connector's state, polled until `ready`. */
async function connectorUntil(get: () => Promise<Reply>, ready: (c: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const reply = await get();
    assert.equal(reply.status, 200, reply.text);
    if (ready(reply.body)) return reply.body;
    if (Date.now() > deadline) assert.fail(`connector not ${what}: ${reply.text}`);
    await new Promise((go) => setTimeout(go, 50));
  }
}

describe('SMPP over TLS', () => {
  const { certPem, keyPem } = selfSigned();
  let dir: string;
  let server: ReturnType<typeof smpp.createServer>;
  let port: number;
  let binds = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shortroute-smpp-tls-'));
    writeFileSync(join(dir, 'ca.pem'), certPem);
    server = smpp.createServer({ key: keyPem, cert: certPem }, (session: Session) => {
      session.on('error', () => {});
      session.on('bind_transceiver', (pdu: Pdu) => {
        binds++;
        session.send(pdu.response({ system_id: 'tls-smsc' }));
      });
      session.on('enquire_link', (pdu: Pdu) => session.send(pdu.response()));
      session.on('unbind', (pdu: Pdu) => session.send(pdu.response()));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    port = server.address().port;
  });
  afterEach(killAll);
  after(async () => {
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(dir, { recursive: true, force: true });
  });

  describe(`[${BACKENDS[0]}] an untrusted certificate`, () => {
    const env = useTestServer(BACKENDS[0]!);
    test('is refused: the connector says why, and never binds', async () => {
      const path = `/_shortroute/Accounts/${env.server.account.sid}/Connectors`;
      const made = await env.server.request('POST', path, { Host: 'localhost', Port: String(port), SystemId: 'tls', Password: 'tls', Tls: 'true' });
      assert.equal(made.status, 201, made.text);
      const failed = await connectorUntil(
        () => env.server.request('GET', `${path}/${made.body.sid}`),
        (c) => c.status === 'error',
        'in error',
      );
      assert.match(String(failed.last_error), /self[- ]signed/i);
      assert.equal(binds, 0);
      assert.equal((await env.server.request('DELETE', `${path}/${made.body.sid}`)).status, 204);
    });
  });

  test('binds once its CA is trusted (NODE_EXTRA_CA_CERTS)', async () => {
    const dataDir = join(dir, 'data');
    const node: RunningCli = await startCli(['--port', '0', '--data-dir', dataDir], { env: { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') } });
    const request = (method: string, path: string, values?: Record<string, string>) =>
      send(node.url + path, method, node.auth, values ? form(values) : undefined);
    const path = `/_shortroute/Accounts/${node.account.sid}/Connectors`;
    const made = await request('POST', path, { Host: 'localhost', Port: String(port), SystemId: 'tls', Password: 'tls', Tls: 'true' });
    assert.equal(made.status, 201, made.text);
    const bound = await connectorUntil(
      () => request('GET', `${path}/${made.body.sid}`),
      (c) => c.status === 'bound',
      'bound',
    );
    assert.equal(bound.tls, true);
    assert.equal(binds, 1);
  });
});
