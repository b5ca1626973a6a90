import { type Kysely, sql } from 'kysely';
import type { Backend } from '../backend.js';
import type { Database } from '../schema.js';
import type { RowCaches } from '../row-cache.js';
import type { Queries } from './queries.js';
import type { Store } from '../store.js';

/**
 * What every repository of one Store works on: the database or the transaction the Store is bound
 * to, the backend's capabilities, the prepared queries (compiled once per database), and the
 * Store itself, whose other repositories run on the same connection.
 */
export interface Session {
  readonly db: Kysely<Database>;
  readonly backend: Backend;
  readonly queries: Queries;
  readonly store: Store;
  /** Accounts and services' send settings by SID, where every change to them is heard (row-cache.ts). */
  readonly caches: RowCaches | undefined;
  /** Told before a cached table is written, so the caches are cleared now and when the transaction ends. */
  cachedRowsWritten(): void;
}

/**
 * Tells the other nodes that a cached table was written, in the write's transaction (PostgreSQL:
 * NOTIFY, delivered when it commits, so the write and its announcement commit together or not at
 * all). Nothing to do where this process is the only writer.
 */
export async function announceCachedWrite(session: Session): Promise<void> {
  const changes = session.backend.cachedChanges;
  if (changes) await sql`select pg_notify(${changes.channel}, '')`.execute(session.db);
}

/** A unique constraint said no: the caller decides what that means in Twilio's terms. */
export class UniqueViolation extends Error {
  constructor(cause: unknown) {
    super('unique constraint violated', { cause });
    this.name = 'UniqueViolation';
  }
}

/** Runs a write, turning the backend's unique-constraint error into UniqueViolation. */
export async function unique<T>(session: Session, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (session.backend.isUniqueViolation(error)) throw new UniqueViolation(error);
    throw error;
  }
}
