import type { Backend } from './backend.js';
import type { WriterTurn } from './dialects/sqlite-writer-turn.js';

export interface StorageConfig {
  databaseUrl?: string;
  databaseSchema?: string;
  poolSize?: number;
  dataDir?: string;
  inMemory?: boolean;
}

/**
 * Opens the configured backend. Each driver is loaded only when it is used: loading pg costs
 * ~100 ms of start-up. `turn`: this thread's, where two threads of the node write one SQLite file.
 */
export async function openBackend(config: StorageConfig, turn?: WriterTurn): Promise<Backend> {
  if (config.databaseUrl) {
    const { postgresBackend } = await import('./dialects/postgres.js');
    return postgresBackend({ url: config.databaseUrl, poolSize: config.poolSize ?? 10, schema: config.databaseSchema ?? 'public' });
  }
  const { sqliteBackend } = await import('./dialects/sqlite.js');
  return sqliteBackend({ dataDir: config.dataDir ?? './.shortroute', inMemory: config.inMemory ?? false, turn });
}
