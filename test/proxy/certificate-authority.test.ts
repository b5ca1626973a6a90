import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { connect, createServer, rootCertificates } from 'node:tls';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { CA_FILES, loadCertificateAuthority } from '../../src/proxy/certificate-authority.js';
import { existingCaFiles } from '../../src/proxy/ca-dir.js';
import { ROOT } from '../helpers/cli.js';

const run = promisify(execFile);
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'shortroute-ca-'));
  dirs.push(dir);
  return join(dir, 'nested', 'shortroute');
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Serves one TLS handshake with `cert`/`key` and reports what a client trusting `ca` thinks of it. */
async function verdict(certPem: string, keyPem: string, ca: string, servername: string): Promise<string> {
  const server = createServer({ cert: certPem, key: keyPem }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    return await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername, ca });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('trusted');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(`${error.code}: ${error.message}`));
    });
  } finally {
    server.close();
  }
}

/** A leaf for `host`, signed with the CA's own key: what a thief of that key could make. */
function leafSignedByCa(dir: string, host: string): { certPem: string; keyPem: string } {
  const pem = readFileSync(join(dir, CA_FILES.key), 'utf8');
  const caKey = forge.pki.privateKeyFromPem(pem);
  const caCert = forge.pki.certificateFromPem(pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----')));
  const keys = forge.pki.rsa.generateKeyPair({ bits: 1024 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '0a';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: host }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: host }] }]);
  cert.sign(caKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

describe('local CA', () => {
  test('made on first use: folder 0700, keys 0600, ca.pem and bundle.pem beside them', () => {
    const dir = freshDir();
    const ca = loadCertificateAuthority(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, CA_FILES.key)).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, CA_FILES.tunnel)).mode & 0o777, 0o600);
    assert.equal(readFileSync(ca.caPath, 'utf8'), ca.caPem);
    const bundle = readFileSync(ca.bundlePath, 'utf8');
    assert.ok(bundle.includes(ca.caPem), 'the bundle holds the CA');
    assert.ok(
      rootCertificates.every((root) => bundle.includes(root)),
      "the bundle holds Node's public roots",
    );
    assert.doesNotMatch(readFileSync(ca.caPath, 'utf8'), /PRIVATE KEY/);
  });

  test('loaded again: the same CA and tunnel certificate; nothing is made anew', () => {
    const dir = freshDir();
    const first = loadCertificateAuthority(dir);
    const second = loadCertificateAuthority(dir);
    assert.equal(second.caPem, first.caPem);
    assert.equal(second.tunnel.certPem, first.tunnel.certPem);
  });

  test('the banner finds the files without loading the CA only while they hold what loading it writes', () => {
    const dir = freshDir();
    assert.equal(existingCaFiles(dir), undefined, 'nothing made yet');
    const ca = loadCertificateAuthority(dir);
    assert.deepEqual(existingCaFiles(dir), { caPath: ca.caPath, bundlePath: ca.bundlePath });
    // Another CA's certificate (a key file copied in), then a bundle of other roots (Node upgraded):
    // each time the CA must be loaded, which writes them again.
    writeFileSync(ca.caPath, loadCertificateAuthority(freshDir()).caPem);
    assert.equal(existingCaFiles(dir), undefined);
    loadCertificateAuthority(dir);
    assert.ok(existingCaFiles(dir));
    writeFileSync(ca.bundlePath, `${rootCertificates.slice(1).join('\n')}\n${ca.caPem}`);
    assert.equal(existingCaFiles(dir), undefined);
    loadCertificateAuthority(dir);
    assert.ok(existingCaFiles(dir));
    rmSync(join(dir, CA_FILES.key));
    assert.equal(existingCaFiles(dir), undefined, 'no key, no CA');
  });

  test('a tunnel certificate near its end is made anew, under the same CA', () => {
    const dir = freshDir();
    const first = loadCertificateAuthority(dir);
    const later = loadCertificateAuthority(dir, new Date(Date.now() + 350 * 86_400_000));
    assert.equal(later.caPem, first.caPem);
    assert.notEqual(later.tunnel.certPem, first.tunnel.certPem);
  });

  test('four processes starting at once end up with one CA', async () => {
    const dir = freshDir();
    const script = `import { loadCertificateAuthority } from './src/proxy/certificate-authority.ts'; process.stdout.write(loadCertificateAuthority(${JSON.stringify(dir)}).caPem);`;
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT })),
    );
    const pems = new Set(outputs.map((o) => o.stdout));
    assert.equal(pems.size, 1);
    assert.equal([...pems][0], readFileSync(join(dir, CA_FILES.ca), 'utf8'));
  });

  test('name constraints: the tunnel certificate is trusted, a leaf the CA signs for another site is not', async () => {
    const dir = freshDir();
    const ca = loadCertificateAuthority(dir);
    assert.equal(await verdict(ca.tunnel.certPem, ca.tunnel.keyPem, ca.caPem, 'api.twilio.com'), 'trusted');
    assert.equal(await verdict(ca.tunnel.certPem, ca.tunnel.keyPem, ca.caPem, 'messaging.twilio.com'), 'trusted');
    const forged = leafSignedByCa(dir, 'example.com');
    assert.match(await verdict(forged.certPem, forged.keyPem, ca.caPem, 'example.com'), /permitted subtree violation/i);
    const sibling = leafSignedByCa(dir, 'verify.twilio.com');
    assert.match(await verdict(sibling.certPem, sibling.keyPem, ca.caPem, 'verify.twilio.com'), /permitted subtree violation/i);
  });
});
