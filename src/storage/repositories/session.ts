import type { Kysely } from 'kysely';
import type { Backend } from '../backend.js';
import type { Database } from '../schema.js';
import type { AccountCache } from '../account-cache.js';
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
  /** Accounts by SID, on the backends where this process is the only writer. */
  readonly accountCache: AccountCache | undefined;
  /** Told before an account row is written, so the cache is cleared now and when the transaction ends. */
  accountsWritten(): void;
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
