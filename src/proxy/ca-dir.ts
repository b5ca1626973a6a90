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
