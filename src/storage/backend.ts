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
  /**
   * Whether concurrent transactions already share one commit (SQLite's group commit): then
   * gathering writes into fewer transactions saves nothing, and only adds a wait.
   */
  readonly commitsTogether: boolean;
  /** Whether `SELECT … FOR UPDATE` is needed (and understood) to serialize writers. */
  readonly lockRows: boolean;
  /** PostgreSQL schema holding Shortroute's tables (created when missing); none for SQLite. */
  readonly schema?: string;
  /**
   * Where other nodes write too: the channel on which writes to the cached tables (accounts, and
   * services' send settings) are announced (NOTIFY in the writing transaction) and a way to hear
   * them, so each node can keep those rows cached (row-cache.ts).
   */
  readonly cachedChanges?: {
    channel: string;
    /** Calls `onChange` for every announcement and `onListening` as hearing starts and stops; returns a stop function. */
    listen(onChange: () => void, onListening: (listening: boolean) => void): () => Promise<void>;
  };
  /** Reads outside transactions straight on the driver, where the backend offers them (prepared.ts). */
  readonly reads?: DirectReads;
  /**
   * What about the database an operator should hear at start-up, as sentences: settings under
   * which Shortroute still works but degrades (PostgreSQL without autovacuum).
   */
  warnings?(): Promise<string[]>;
  isUniqueViolation(error: unknown): boolean;
  /** Whether an error means the database cannot be reached (answered as 503, not 500). */
  isConnectionError(error: unknown): boolean;
}

/**
 * Selects run on the driver itself, outside any transaction, each statement prepared once (a
 * better-sqlite3 statement; a named statement on every PostgreSQL connection). Kysely's executor
 * costs a connection hand-off and several promise hops per statement, which the hot read paths
 * (authentication, fetches, pages) do not need.
 */
export interface DirectReads {
  /** Rows as objects keyed by column name. */
  all(sql: string, parameters: readonly unknown[]): unknown[] | Promise<unknown[]>;
  /** Rows as arrays of their values in the select's order: no object a row, for the longest pages. */
  arrays(sql: string, parameters: readonly unknown[]): unknown[][] | Promise<unknown[][]>;
}
