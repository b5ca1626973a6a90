import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

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

/**
 * The CA's files when an earlier start made them, found without loading the CA: loading it
 * (node-forge, the key, the tunnel certificate) took 40–50 ms of every start-up, before the first
 * answer, only to print two paths. The first tunnel loads it, and rewrites the files if they
 * changed (the bundle after a Node upgrade brings new public roots).
 */
export function existingCaFiles(dir: string): CaFiles | undefined {
  const files = { caPath: join(dir, CA_FILES.ca), bundlePath: join(dir, CA_FILES.bundle) };
  return existsSync(join(dir, CA_FILES.key)) && existsSync(files.caPath) && existsSync(files.bundlePath) ? files : undefined;
}
