import type { Dialect } from 'kysely';

/**
 * What differs between the storage backends, as a few named capabilities. The queries themselves
 * are written once, in the repositories (storage/repositories/).
 */
export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  readonly dialect: Dialect;
  /** Whether this process is the database's only writer, so in-memory copies cannot go stale. */
  readonly soleWriter: boolean;
  /** Whether `SELECT … FOR UPDATE` is needed (and understood) to serialize writers. */
  readonly lockRows: boolean;
  /** PostgreSQL schema holding Shortroute's tables (created when missing); none for SQLite. */
  readonly schema?: string;
  isUniqueViolation(error: unknown): boolean;
  /** Whether an error means the database cannot be reached (answered as 503, not 500). */
  isConnectionError(error: unknown): boolean;
}
