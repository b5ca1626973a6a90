import { Kysely, Migrator, sql } from 'kysely';
import { RowCaches } from './row-cache.js';
import type { Backend } from './backend.js';
import { LATEST_MIGRATION, migrationProvider } from './migrations/index.js';
import { useDirectReads } from './prepared.js';
import type { Database } from './schema.js';
import { buildQueries, type Queries } from './repositories/queries.js';
import type { Session } from './repositories/session.js';
import { MetaRepository } from './repositories/meta.js';
import { AccountRepository } from './repositories/accounts.js';
import { ApiKeyRepository } from './repositories/api-keys.js';
import { ServiceRepository } from './repositories/services.js';
import { PhoneNumberRepository, ShortCodeRepository } from './repositories/numbers.js';
import { SenderPoolRepository } from './repositories/sender-pools.js';
import { OptOutRepository } from './repositories/opt-outs.js';
import { DeliveryRuleRepository } from './repositories/delivery-rules.js';
import { ConnectorRepository } from './repositories/connectors.js';
import { MessageRepository } from './repositories/messages.js';
import { SenderQueueRepository } from './repositories/sender-queues.js';
import { WebhookRepository } from './repositories/webhooks.js';
import { EventRepository } from './repositories/events.js';

export type { Page, PageKey, PageQuery } from './keyset.js';
export { UniqueViolation } from './repositories/session.js';
export type { AccountRow } from './repositories/accounts.js';
export type { ApiKeyRow } from './repositories/api-keys.js';
export type { ServiceRow } from './repositories/services.js';
export type { ShortCodeRow, PhoneNumberRow } from './repositories/numbers.js';
export { SENDER_TYPE, POOL_COUNTED, type SenderType, type PoolMemberRow, type PoolMemberValues, type SenderDetails } from './repositories/sender-pools.js';
export type { MessageRow, MessageFilters, MessageEvent } from './repositories/messages.js';
export type { WebhookRow, WebhookAttemptRow } from './repositories/webhooks.js';
export type { DeliveryRuleRow } from './repositories/delivery-rules.js';
export type { ConnectorRow, ConnectorSenderRow, SmppPartRow } from './repositories/connectors.js';
export type { FeedPosition, MessageChangeRow, WebhookAttemptChangeRow } from './repositories/events.js';

/**
 * All of Shortroute's reads and writes, one repository per aggregate, written once for both
 * backends. Every line of SQL lives under src/storage/. A Store opened by `transaction()` has the
 * same repositories, each running in that transaction.
 */
export class Store {
  readonly backend: Backend;
  readonly meta: MetaRepository;
  readonly accounts: AccountRepository;
  readonly keys: ApiKeyRepository;
  readonly services: ServiceRepository;
  readonly shortCodes: ShortCodeRepository;
  readonly phoneNumbers: PhoneNumberRepository;
  readonly pools: SenderPoolRepository;
  readonly optOuts: OptOutRepository;
  readonly deliveryRules: DeliveryRuleRepository;
  readonly messages: MessageRepository;
  readonly senderQueues: SenderQueueRepository;
  readonly webhooks: WebhookRepository;
  readonly events: EventRepository;
  readonly connectors: ConnectorRepository;

  readonly #db: Kysely<Database>;
  readonly #queries: Queries;
  readonly #caches: RowCaches | undefined;
  #wroteCached = false;
  #stopListening: (() => Promise<void>) | undefined;

  private constructor(backend: Backend, db: Kysely<Database>, shared: { queries?: Queries; caches: RowCaches | undefined }) {
    this.backend = backend;
    this.#db = db;
    this.#queries = shared.queries ?? buildQueries(db, backend);
    this.#caches = shared.caches;
    const session: Session = {
      db,
      backend,
      queries: this.#queries,
      store: this,
      caches: this.#caches,
      cachedRowsWritten: () => {
        this.#wroteCached = true;
        this.#caches?.invalidate();
      },
    };
    this.meta = new MetaRepository(session);
    this.accounts = new AccountRepository(session);
    this.keys = new ApiKeyRepository(session);
    this.services = new ServiceRepository(session);
    this.shortCodes = new ShortCodeRepository(session);
    this.phoneNumbers = new PhoneNumberRepository(session);
    this.pools = new SenderPoolRepository(session);
    this.optOuts = new OptOutRepository(session);
    this.deliveryRules = new DeliveryRuleRepository(session);
    this.messages = new MessageRepository(session);
    this.senderQueues = new SenderQueueRepository(session);
    this.webhooks = new WebhookRepository(session);
    this.events = new EventRepository(session);
    this.connectors = new ConnectorRepository(session);
  }

  /** `cacheRows: false` where the cached tables change unheard (the network's thread on SQLite). */
  static async open(backend: Backend, options: { cacheRows?: boolean } = {}): Promise<Store> {
    const db = new Kysely<Database>({ dialect: backend.dialect });
    try {
      if (!(await Store.#migrated(db, backend))) await Store.#migrate(db, backend);
    } catch (error) {
      await db.destroy().catch(() => {});
      throw error;
    }
    useDirectReads(db, backend.reads);
    // Rows are cached where every change to them is known: always on the sole writer; on
    // PostgreSQL while this node hears the others' announcements (row-cache.ts).
    const changes = backend.cachedChanges;
    const cacheable = (backend.soleWriter || changes) && options.cacheRows !== false;
    const caches = cacheable ? new RowCaches({ enabled: backend.soleWriter }) : undefined;
    const store = new Store(backend, db, { caches });
    if (changes && caches) {
      store.#stopListening = changes.listen(
        () => caches.invalidate(),
        (listening) => caches.setEnabled(listening),
      );
    }
    return store;
  }

  /**
   * Whether the database already recorded this version's last migration: a node starting on a
   * current schema then skips the migrator's tables, lock and list (about ten round trips on
   * PostgreSQL). Anything else, a database not there yet included, goes to the migrator.
   */
  static async #migrated(db: Kysely<Database>, backend: Backend): Promise<boolean> {
    const table = sql.table(backend.schema ? `${backend.schema}.kysely_migration` : 'kysely_migration');
    try {
      const { rows } = await sql<{ name: string | null }>`select max(name) as name from ${table}`.execute(db);
      return rows[0]?.name === LATEST_MIGRATION;
    } catch {
      return false;
    }
  }

  static async #migrate(db: Kysely<Database>, backend: Backend): Promise<void> {
    if (backend.schema) {
      // Two nodes starting together may both create it: the loser's duplicate is no error.
      await db.schema
        .createSchema(backend.schema)
        .ifNotExists()
        .execute()
        .catch((error: { code?: string }) => {
          if (error.code !== '23505' && error.code !== '42P06') throw error;
        });
    }
    const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: backend.schema });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.#stopListening?.();
    await this.#db.destroy();
  }

  /**
   * Runs `work` in one transaction. On PostgreSQL a transaction that loses a deadlock (40P01) or
   * a serialization check (40001) is run again from the start, a few times: its work is all in
   * the database, so nothing of the failed try remains. Inside a transaction, `work` joins it.
   */
  async transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transactionOnce(work);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001') || this.#db.isTransaction) throw error;
      }
    }
  }

  #transactionOnce<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return work(this);
    let tx: Store | undefined;
    return this.#db
      .transaction()
      .execute((trx) => {
        tx = new Store(this.backend, trx, { queries: this.#queries, caches: this.#caches });
        return work(tx);
      })
      .finally(() => {
        // biome-ignore lint/complexity/useOptionalChain: TypeScript refuses `?.` before a private name.
        if (tx && tx.#wroteCached) this.#caches?.invalidate();
      });
  }

  /**
   * Refreshes the query planner's statistics (ANALYZE), as PostgreSQL's autovacuum does in time
   * on its own: for data loaded in bulk (the benchmarks' fixtures), whose first reads would
   * otherwise be planned on empty tables' estimates (on PostgreSQL, a first page of 20,000
   * messages read all of them and sorted: 13 ms, measured).
   */
  async analyze(): Promise<void> {
    await sql`analyze`.execute(this.#db);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db);
  }

  /** When the earliest message step or webhook attempt falls due, if any is waiting. */
  async nextDue(): Promise<string | undefined> {
    const times = [await this.messages.nextDue(), await this.webhooks.nextDue()].filter((t): t is string => t !== undefined);
    return times.sort()[0];
  }

  /** Releases every short code and phone number of an account, and so their places in pools. */
  async releaseNumbers(accountSid: string): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.services.lockAll(accountSid);
      await tx.pools.removeCounted(accountSid);
      await tx.connectors.unassignNumbersOf(accountSid);
      // A pool holds only its own account's senders, so the account's pools hold none now.
      await tx.services.emptyPools(accountSid);
      await tx.shortCodes.deleteAllOf(accountSid);
      await tx.phoneNumbers.deleteAllOf(accountSid);
    });
  }

  /**
   * Empties an account for the next test: its messages and webhooks, rules and opt-outs, sender
   * queues, and its services, short codes and phone numbers. Credentials, keys and subaccounts stay.
   */
  async emptyAccount(accountSid: string): Promise<void> {
    await this.transaction(async (tx) => {
      // A network step in flight on another node holds its message's row: wait for it, so no
      // status callback of the old data lands after the reset.
      await tx.messages.lockAllOf(accountSid);
      await tx.senderQueues.deleteAllOf(accountSid);
      await tx.webhooks.deleteAllOf(accountSid);
      await tx.messages.deleteAllOf(accountSid);
      await tx.deliveryRules.deleteAllOf(accountSid);
      await tx.optOuts.deleteAllOf(accountSid);
      await tx.connectors.deleteAllOf(accountSid);
      await tx.releaseNumbers(accountSid);
      // The services' pools (alpha senders included) and sticky mappings go with them.
      await tx.services.deleteAll(accountSid);
    });
  }
}
