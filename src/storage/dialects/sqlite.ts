import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { Backend } from '../backend.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';
import type { WriterTurn } from './sqlite-writer-turn.js';

export const SQLITE_FILE = 'shortroute.db';

/**
 * The embedded backend: one file under the data dir, or memory only. On disk, every commit
 * reaches the disk before the API answers, so a 2xx survives even a power cut; group commit keeps
 * that affordable and off the event loop (see sqlite-group-commit.ts).
 */
export function sqliteBackend(options: { dataDir: string; inMemory: boolean; turn?: WriterTurn }): Backend {
  const common = {
    name: 'sqlite' as const,
    // One writer serializes every transaction, so there is nothing to lock row by row.
    lockRows: false,
    // One node: its network's thread, where it has one, writes in turns with the API's.
    soleWriter: true,
    commitsTogether: true,
    isUniqueViolation: (error: unknown) => {
      const code = (error as { code?: string }).code ?? '';
      return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
    },
    isConnectionError: () => false,
  };
  if (options.inMemory) {
    const database = new BetterSqlite3(':memory:');
    database.pragma('foreign_keys = ON');
    return { ...common, dialect: new SqliteDialect({ database }) };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, SQLITE_FILE);
  const writer = new BetterSqlite3(file);
  // First: a second connection (the network's thread) opening while the first writes must wait
  // for its lock, even to read the journal mode, rather than fail at once with SQLITE_BUSY.
  writer.pragma('busy_timeout = 5000');
  writer.pragma('journal_mode = WAL');
  // NORMAL: COMMIT does not wait for the disk; the group-commit driver syncs the WAL itself, off
  // the event loop, before any request whose writes it holds is answered.
  writer.pragma('synchronous = NORMAL');
  writer.pragma('foreign_keys = ON');
  const reader = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  const dialect = new GroupCommitSqliteDialect(writer, reader, options.turn);
  return { ...common, dialect, reads: dialect.reads };
}
