import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { Backend } from '../backend.js';

export const SQLITE_FILE = 'shortroute.db';

/**
 * The embedded backend: one file under the data dir, or memory only. WAL with synchronous=FULL
 * makes every commit reach the disk before the API answers, so a 2xx survives even a power cut.
 */
export function sqliteBackend(options: { dataDir: string; inMemory: boolean }): Backend {
  let file = ':memory:';
  if (!options.inMemory) {
    mkdirSync(options.dataDir, { recursive: true });
    file = join(options.dataDir, SQLITE_FILE);
  }
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return {
    name: 'sqlite',
    dialect: new SqliteDialect({ database }),
    // One connection serializes every transaction, so there is nothing to lock row by row.
    lockRows: false,
    isUniqueViolation: (error) => {
      const code = (error as { code?: string }).code ?? '';
      return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
    },
    isConnectionError: () => false,
  };
}
