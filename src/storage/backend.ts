import type { Dialect } from 'kysely';

/**
 * What differs between the storage backends, as a few named capabilities. The queries themselves
 * are written once, in store.ts.
 */
export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  readonly dialect: Dialect;
  /** Whether `SELECT … FOR UPDATE` is needed (and understood) to serialize writers. */
  readonly lockRows: boolean;
  isUniqueViolation(error: unknown): boolean;
  /** Whether an error means the database cannot be reached (answered as 503, not 500). */
  isConnectionError(error: unknown): boolean;
}
