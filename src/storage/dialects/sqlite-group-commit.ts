import { closeSync, fdatasync, openSync } from 'node:fs';
import { promisify } from 'node:util';
import type BetterSqlite3 from 'better-sqlite3';
import type { DirectReads } from '../backend.js';
import type { WriterTurn } from './sqlite-writer-turn.js';
import { type CompiledQuery, RawNode, SelectQueryNode, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';

const syncData = promisify(fdatasync);

/** The longest a read snapshot is kept (GroupCommitDriver.reader()). */
const SNAPSHOT_MS = 10;

/**
 * SQLite with group commit. A COMMIT that waits for the disk (0.7–2 ms here) would cap durable
 * writes near 500/s, and with better-sqlite3 it would stall the event loop each time. This driver
 * runs the writes of concurrent requests one after another inside one open transaction, each in
 * its own savepoint, and commits them together; no request is answered before the COMMIT that
 * holds its writes has reached the disk.
 *
 * The wait for the disk happens off the event loop: the writer runs with `synchronous=NORMAL`, so
 * COMMIT only hands the WAL frames to the OS, and the driver then syncs the WAL file on libuv's
 * thread pool before it lets the batch's requests answer. One sync is in flight at a time; the
 * units that run meanwhile form the next batch, committed when the sync ends. A checkpoint still
 * syncs the WAL before it copies pages into the database (SQLite does that in NORMAL mode too), so
 * what a request was told is durable is as durable as with `synchronous=FULL`.
 *
 * Reads outside transactions go to a second, read-only connection, which sees committed data only:
 * it can see a batch while that batch's sync is still running (about a millisecond), so a power
 * cut in that window can take away a row a read showed; the request that wrote it was never
 * answered. A crash of the process alone loses nothing the OS already holds.
 */
export class GroupCommitSqliteDialect extends SqliteDialect {
  readonly #driver: GroupCommitDriver;

  /** `turn`: where another thread of this process writes the same file (sqlite-writer-turn.ts). */
  constructor(writer: BetterSqlite3.Database, reader: BetterSqlite3.Database, turn?: WriterTurn) {
    super({ database: writer });
    this.#driver = new GroupCommitDriver(writer, reader, turn);
  }

  override createDriver(): Driver {
    return this.#driver;
  }

  /** Selects on the reader's snapshot, with no unit of work around them. */
  get reads(): DirectReads {
    const driver = this.#driver;
    return { all: (sql, parameters) => driver.reader().all(sql, parameters), arrays: (sql, parameters) => driver.reader().arrays(sql, parameters) };
  }
}

interface Batch {
  committed: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A queue of waiters for one holder at a time. */
class Mutex {
  #locked = false;
  #waiters: Array<() => void> = [];

  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}

class StatementCache {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  /** The same statements in raw mode (a statement's mode is its own, so each mode has its copy). */
  readonly #rawStatements = new Map<string, BetterSqlite3.Statement>();

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  #statement(sql: string, raw = false): BetterSqlite3.Statement {
    const statements = raw ? this.#rawStatements : this.#statements;
    let statement = statements.get(sql);
    if (!statement) {
      // Bounded: the queries are Shortroute's own, but `in (…)` lists vary in length.
      if (statements.size > 500) statements.clear();
      statement = this.#db.prepare(sql);
      if (raw) statement.raw(true);
      statements.set(sql, statement);
    }
    return statement;
  }

  all(sql: string, parameters: readonly unknown[]): unknown[] {
    return this.#statement(sql).all(parameters);
  }

  arrays(sql: string, parameters: readonly unknown[]): unknown[][] {
    return this.#statement(sql, true).all(parameters) as unknown[][];
  }

  run(compiled: CompiledQuery): QueryResult<unknown> {
    const statement = this.#statement(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }
}

class GroupCommitDriver implements Driver {
  readonly #writer: StatementCache;
  readonly #reader: StatementCache;
  readonly #writerDb: BetterSqlite3.Database;
  readonly #readerDb: BetterSqlite3.Database;
  /** One unit of work on the writer at a time; the batch's COMMIT takes it too. */
  readonly #mutex = new Mutex();
  #batch: Batch | undefined;
  #commitScheduled = false;
  /** The sync of the last committed batch, while it runs. */
  #syncing: Promise<void> | undefined;
  /** The WAL file, held open for syncing it (never closed before the database: see #sync). */
  #wal: number | undefined;
  /** A failed sync: what was committed since may not be on disk, so no further write is accepted. */
  #failure: unknown;
  readonly #turn: WriterTurn | undefined;
  /** The turns' commit count when the reader's snapshot began. */
  #snapshotAt = 0;

  constructor(writer: BetterSqlite3.Database, reader: BetterSqlite3.Database, turn: WriterTurn | undefined) {
    this.#writerDb = writer;
    this.#readerDb = reader;
    this.#turn = turn;
    this.#writer = new StatementCache(writer);
    this.#reader = new StatementCache(reader);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new UnitConnection(this);
  }

  /** Takes the writer for a unit, opening a batch transaction when none is open. */
  async enterWriter(): Promise<Batch> {
    this.#throwIfFailed();
    await this.#mutex.lock();
    try {
      this.#throwIfFailed();
    } catch (error) {
      this.#mutex.unlock();
      throw error;
    }
    if (this.#batch && !this.#writerDb.inTransaction) {
      // SQLite rolled the whole batch back by itself (IOERR, FULL, NOMEM): none of it is on disk,
      // and what joins now must not run outside a transaction and pass for committed.
      this.#batch.reject(new Error('SQLite rolled back the open batch'));
      this.#batch = undefined;
    }
    if (!this.#batch) {
      try {
        await this.#turn?.take();
        this.#writer.exec('begin immediate');
      } catch (error) {
        this.#turn?.give();
        this.#mutex.unlock();
        throw error;
      }
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const committed = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A batch nobody awaits (every unit failed before release) must not be an unhandled rejection.
      committed.catch(() => {});
      this.#batch = { committed, resolve, reject };
    }
    return this.#batch;
  }

  /** Hands the writer on and makes sure the open batch gets committed. */
  leaveWriter(): void {
    this.#mutex.unlock();
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    // setImmediate lets requests already read from their sockets join this batch first.
    setImmediate(() => void this.#commit());
  }

  /**
   * Commits the open batch once the previous batch's sync has ended, then syncs it. The commit
   * queues for the writer behind the units already waiting, which so join this batch; units
   * arriving later wait for it and start the next one. Under load, batches grow by themselves
   * while the disk is busy, and the event loop serves requests meanwhile.
   */
  async #commit(): Promise<void> {
    // The writer, with no sync in flight (destroy() commits beside the scheduled commit: the one
    // that comes second waits for the first one's sync).
    for (;;) {
      while (this.#syncing) await this.#syncing;
      await this.#mutex.lock();
      if (!this.#syncing) break;
      this.#mutex.unlock();
    }
    this.#commitScheduled = false;
    const batch = this.#batch;
    this.#batch = undefined;
    try {
      if (!batch) return;
      try {
        if (!this.#writerDb.inTransaction) throw new Error('SQLite rolled back the open batch');
        // A sync failed: on Linux a later sync can succeed although the failed one's pages were
        // dropped, so nothing written since may be answered as durable.
        this.#throwIfFailed();
        // The reader lets go of its snapshot first: the checkpoint after this COMMIT can then
        // take the whole log, and the next read begins a snapshot that holds the batch.
        if (this.#readerDb.inTransaction) this.#readerDb.exec('commit');
        this.#writer.exec('commit');
      } catch (error) {
        if (this.#writerDb.inTransaction) this.#writer.exec('rollback');
        batch.reject(error);
        return;
      } finally {
        this.#turn?.give();
      }
      const syncing = this.#sync().then(
        () => batch.resolve(),
        (error: unknown) => {
          this.#failure ??= error;
          this.#turn?.fail();
          batch.reject(error);
        },
      );
      this.#syncing = syncing;
      void syncing.finally(() => {
        if (this.#syncing === syncing) this.#syncing = undefined;
      });
    } finally {
      this.#mutex.unlock();
    }
  }

  /** Refuses writes once a sync failed, in this thread's driver or in the other's (one WAL file). */
  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
    if (this.#turn?.failed) throw new Error('a sync of the database log failed in the other thread: no write is taken as durable');
  }

  /**
   * Waits until the WAL file is on disk, on the thread pool. The file is opened once, after the
   * first COMMIT made sure it exists, and stays open: closing any descriptor of a file drops every
   * POSIX lock this process holds on it, and SQLite must keep its own.
   */
  async #sync(): Promise<void> {
    this.#wal ??= openSync(`${this.#writerDb.name}-wal`, 'r');
    await syncData(this.#wal);
  }

  writer(): StatementCache {
    return this.#writer;
  }

  /**
   * The reader, inside a read transaction that lasts until the writer's next COMMIT, and
   * SNAPSHOT_MS at most. A statement outside a transaction takes and drops WAL's read lock each
   * time (measured here: 8.0 µs for a primary-key lookup, against 1.9 µs inside one); this process
   * is the only writer, so it knows when a snapshot goes stale and ends it right then (#commit).
   * Where another thread writes too, the turns' shared commit count tells this reader that it
   * committed.
   */
  reader(): StatementCache {
    const turn = this.#turn;
    if (turn && this.#readerDb.inTransaction && turn.commits !== this.#snapshotAt) this.#readerDb.exec('commit');
    if (!this.#readerDb.inTransaction) {
      if (turn) this.#snapshotAt = turn.commits;
      this.#readerDb.exec('begin');
      this.#snapshotTimer ??= setTimeout(this.#endSnapshot, SNAPSHOT_MS).unref();
    }
    return this.#reader;
  }

  /**
   * Ends the reader's snapshot SNAPSHOT_MS after it began, stale or not. A snapshot is otherwise
   * ended by the next read after another thread's commit, and a thread that stops reading (the
   * API's, while the network's thread drains a backlog) would keep its snapshot for as long: no
   * checkpoint can copy past it, and the log grows by every page written meanwhile (measured:
   * 565 MB for 16,000 messages, against 5 MB with this).
   */
  readonly #endSnapshot = () => {
    this.#snapshotTimer = undefined;
    if (this.#readerDb.open && this.#readerDb.inTransaction) this.#readerDb.exec('commit');
  };
  #snapshotTimer: NodeJS.Timeout | undefined;

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as UnitConnection).begin();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as UnitConnection).end(true);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as UnitConnection).end(false);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await (connection as UnitConnection).release();
  }

  async destroy(): Promise<void> {
    await this.#commit();
    while (this.#syncing) await this.#syncing;
    clearTimeout(this.#snapshotTimer);
    this.#readerDb.close();
    this.#writerDb.close();
    if (this.#wal !== undefined) closeSync(this.#wal);
  }
}

let unitCounter = 0;

/**
 * One acquisition of the database by Kysely: a plain query, or a whole transaction. It takes the
 * writer only when it writes or opens a transaction, and its release waits for the batch COMMIT.
 */
class UnitConnection implements DatabaseConnection {
  readonly #driver: GroupCommitDriver;
  #batch: Batch | undefined;
  #savepoint: string | undefined;

  constructor(driver: GroupCommitDriver) {
    this.#driver = driver;
  }

  async begin(): Promise<void> {
    this.#batch ??= await this.#driver.enterWriter();
    this.#savepoint = `unit_${++unitCounter}`;
    this.#driver.writer().exec(`savepoint ${this.#savepoint}`);
  }

  end(commit: boolean): void {
    const name = this.#savepoint!;
    this.#savepoint = undefined;
    const writer = this.#driver.writer();
    if (!commit) writer.exec(`rollback to ${name}`);
    writer.exec(`release ${name}`);
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    // A select outside a transaction reads the reader's snapshot, whether built or written as SQL
    // (the store's check of its migrations at open): it never waits for the writer's turn.
    if (!this.#batch && (SelectQueryNode.is(compiled.query) || (RawNode.is(compiled.query) && /^\s*select\b/i.test(compiled.sql)))) {
      return this.#driver.reader().run(compiled) as QueryResult<R>;
    }
    this.#batch ??= await this.#driver.enterWriter();
    return this.#driver.writer().run(compiled) as QueryResult<R>;
  }

  // biome-ignore lint/correctness/useYield: Kysely's driver interface asks for a generator; this one only refuses.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the SQLite group-commit driver');
  }

  async release(): Promise<void> {
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = undefined;
    this.#driver.leaveWriter();
    await batch.committed;
  }
}
