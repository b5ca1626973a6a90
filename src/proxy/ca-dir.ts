import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

/**
 * Where the local CA lives unless `--ca-dir` says otherwise: per user and outside the data folder,
 * so every server of that user (`--in-memory` ones included) presents the same CA.
 */
export function defaultCaDir(env: Record<string, string | undefined>): string {
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'shortroute');
  return join(homedir(), '.config', 'shortroute');
}

export const CA_FILES = {
  /** The CA's key and certificate in one file, so that it is created (and read) whole. */
  key: 'ca-key.pem',
  ca: 'ca.pem',
  bundle: 'bundle.pem',
  tunnel: 'tunnel-key.pem',
} as const;

/** The files SDKs are pointed at (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE and the like). */
export interface CaFiles {
  caPath: string;
  bundlePath: string;
}

/** Node's public roots and the CA: what bundle.pem holds. */
export function bundleText(caPem: string): string {
  return `${rootCertificates.join('\n')}\n# Shortroute local CA\n${caPem}`;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * The CA's files when an earlier start made them and they still hold what loading the CA would
 * write (the certificate of ca-key.pem; the bundle with this Node's roots), found without loading
 * it: loading it (node-forge, the key, the tunnel certificate) took 40-50 ms of every start-up,
 * before the first answer, only to print two paths. Anything else (a file missing, a key copied
 * in, a Node upgrade) and the caller loads the CA, which rewrites them.
 */
export function existingCaFiles(dir: string): CaFiles | undefined {
  const files = { caPath: join(dir, CA_FILES.ca), bundlePath: join(dir, CA_FILES.bundle) };
  try {
    const certificate = CERTIFICATE.exec(readFileSync(join(dir, CA_FILES.key), 'utf8'))?.[0];
    // node-forge writes PEM with CRLF line ends, the last one included.
    const caPem = `${certificate}\r\n`;
    if (!certificate || readFileSync(files.caPath, 'utf8') !== caPem) return undefined;
    return readFileSync(files.bundlePath, 'utf8') === bundleText(caPem) ? files : undefined;
  } catch {
    return undefined;
  }
}
