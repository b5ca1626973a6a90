import { Kysely, Migrator, sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Backend } from './backend.js';
import type { AccountTable, Database, ServiceTable, ShortCodeTable } from './schema.js';
import { migrationProvider } from './migrations/index.js';

export type AccountRow = Selectable<AccountTable>;
export type ServiceRow = Selectable<ServiceTable>;
export type ShortCodeRow = Selectable<ShortCodeTable>;
/** A short code as a member of a service's pool. */
export type ServiceShortCodeRow = ShortCodeRow & { service_sid: string; added: string; added_updated: string };

export const SENDER_TYPE = { shortCode: 'short_code', phoneNumber: 'phone_number', alphaSender: 'alpha_sender' } as const;
export type SenderType = (typeof SENDER_TYPE)[keyof typeof SENDER_TYPE];

/** A position in a list ordered by (date_created, sid): pages are keyset cursors, never offsets. */
export interface PageKey {
  date: string;
  sid: string;
}
export interface PageQuery {
  size: number;
  /** Items strictly after this key (forward paging). */
  after?: PageKey;
  /** Items strictly before this key (backward paging). */
  before?: PageKey;
}
export interface Page<T> {
  items: T[];
  hasNext: boolean;
  hasPrevious: boolean;
}

/** A unique constraint said no: the caller decides what that means in Twilio's terms. */
export class UniqueViolation extends Error {
  constructor(cause: unknown) {
    super('unique constraint violated', { cause });
    this.name = 'UniqueViolation';
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySelect = any;

/**
 * All of Shortroute's reads and writes, written once for both backends. A Store opened inside
 * `transaction()` runs every call in that transaction.
 */
export class Store {
  readonly backend: Backend;
  readonly db: Kysely<Database>;

  constructor(backend: Backend, db: Kysely<Database>) {
    this.backend = backend;
    this.db = db;
  }

  static async open(backend: Backend): Promise<Store> {
    const db = new Kysely<Database>({ dialect: backend.dialect });
    try {
      if (backend.schema) await db.schema.createSchema(backend.schema).ifNotExists().execute();
      const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: backend.schema });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error;
    } catch (error) {
      await db.destroy().catch(() => {});
      throw error;
    }
    return new Store(backend, db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    return this.db.transaction().execute((trx) => work(new Store(this.backend, trx)));
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  // Meta: small facts about this installation, shared by every node.

  async fetchMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('shortroute_meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  /** Sets the value unless one is there already; returns the value that stands. */
  async claimMeta(key: string, value: string): Promise<string> {
    await this.db
      .insertInto('shortroute_meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.fetchMeta(key))!;
  }

  // Accounts

  async fetchAccount(sid: string): Promise<AccountRow | undefined> {
    return this.db.selectFrom('accounts').selectAll().where('sid', '=', sid).executeTakeFirst();
  }

  async insertAccount(row: Insertable<AccountTable>): Promise<void> {
    await this.db
      .insertInto('accounts')
      .values(row)
      .onConflict((oc) => oc.column('sid').doNothing())
      .execute();
  }

  async updateAccount(sid: string, patch: Updateable<AccountTable>): Promise<void> {
    await this.db.updateTable('accounts').set(patch).where('sid', '=', sid).execute();
  }

  // Services

  async insertService(row: Insertable<ServiceTable>): Promise<void> {
    await this.db.insertInto('services').values(row).execute();
  }

  async fetchService(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<ServiceRow | undefined> {
    let query = this.db.selectFrom('services').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid);
    if (options.lock && this.backend.lockRows) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  async fetchServiceByName(accountSid: string, friendlyName: string): Promise<ServiceRow | undefined> {
    return this.db
      .selectFrom('services')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('friendly_name', '=', friendlyName)
      .orderBy('date_created')
      .executeTakeFirst();
  }

  async listServices(accountSid: string, page: PageQuery): Promise<Page<ServiceRow>> {
    const base = this.db.selectFrom('services').selectAll().where('account_sid', '=', accountSid);
    return keysetPage(base, 'date_created', 'sid', page);
  }

  async updateService(sid: string, patch: Updateable<ServiceTable>): Promise<void> {
    await this.db.updateTable('services').set(patch).where('sid', '=', sid).execute();
  }

  /** Deletes the service and frees every sender in its pool. */
  async deleteService(accountSid: string, sid: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      // Locked first, so a concurrent add to this pool waits and then finds no service.
      if (!(await tx.fetchService(accountSid, sid, { lock: true }))) return false;
      await tx.db.deleteFrom('service_senders').where('service_sid', '=', sid).where('account_sid', '=', accountSid).execute();
      const result = await tx.db.deleteFrom('services').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  // The account's short codes

  async insertShortCode(row: Insertable<ShortCodeTable>): Promise<void> {
    await this.unique(() => this.db.insertInto('short_codes').values(row).execute());
  }

  async fetchShortCode(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<ShortCodeRow | undefined> {
    let query = this.db.selectFrom('short_codes').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid);
    if (options.lock && this.backend.lockRows) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  async fetchShortCodeByNumber(countryCode: string, shortCode: string): Promise<ShortCodeRow | undefined> {
    return this.db
      .selectFrom('short_codes')
      .selectAll()
      .where('country_code', '=', countryCode)
      .where('short_code', '=', shortCode)
      .executeTakeFirst();
  }

  async listShortCodes(
    accountSid: string,
    filters: { shortCodeLike?: string; friendlyName?: string },
    page: PageQuery,
  ): Promise<Page<ShortCodeRow>> {
    let base = this.db.selectFrom('short_codes').selectAll().where('account_sid', '=', accountSid);
    if (filters.shortCodeLike !== undefined) base = base.where('short_code', 'like', filters.shortCodeLike);
    if (filters.friendlyName !== undefined) base = base.where('friendly_name', '=', filters.friendlyName);
    return keysetPage(base, 'date_created', 'sid', page);
  }

  async updateShortCode(sid: string, patch: Updateable<ShortCodeTable>): Promise<void> {
    await this.db.updateTable('short_codes').set(patch).where('sid', '=', sid).execute();
  }

  /** Releases a short code from the account, and so from its service. */
  async deleteShortCode(accountSid: string, sid: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      if (!(await tx.fetchShortCode(accountSid, sid, { lock: true }))) return false;
      await tx.db.deleteFrom('service_senders').where('sender_sid', '=', sid).where('account_sid', '=', accountSid).execute();
      const result = await tx.db.deleteFrom('short_codes').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  // Service pools

  /** The service a sender belongs to, if any. */
  async fetchSenderServiceSid(senderSid: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('service_senders').select('service_sid').where('sender_sid', '=', senderSid).executeTakeFirst();
    return row?.service_sid;
  }

  async countSenders(serviceSid: string, types: readonly SenderType[]): Promise<number> {
    const row = await this.db
      .selectFrom('service_senders')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('service_sid', '=', serviceSid)
      .where('sender_type', 'in', types)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertSender(row: { sender_sid: string; service_sid: string; account_sid: string; sender_type: SenderType; date: string }): Promise<void> {
    const { date, ...rest } = row;
    await this.unique(() =>
      this.db.insertInto('service_senders').values({ ...rest, date_created: date, date_updated: date }).execute(),
    );
  }

  async deleteSender(serviceSid: string, senderSid: string, type: SenderType): Promise<boolean> {
    const result = await this.db
      .deleteFrom('service_senders')
      .where('service_sid', '=', serviceSid)
      .where('sender_sid', '=', senderSid)
      .where('sender_type', '=', type)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  #serviceShortCodes(serviceSid: string) {
    return this.db
      .selectFrom('service_senders as m')
      .innerJoin('short_codes as s', 's.sid', 'm.sender_sid')
      .selectAll('s')
      .select(['m.service_sid', 'm.date_created as added', 'm.date_updated as added_updated'])
      .where('m.service_sid', '=', serviceSid)
      .where('m.sender_type', '=', SENDER_TYPE.shortCode);
  }

  async fetchServiceShortCode(serviceSid: string, sid: string): Promise<ServiceShortCodeRow | undefined> {
    return this.#serviceShortCodes(serviceSid).where('m.sender_sid', '=', sid).executeTakeFirst();
  }

  async listServiceShortCodes(serviceSid: string, page: PageQuery): Promise<Page<ServiceShortCodeRow>> {
    return keysetPage(this.#serviceShortCodes(serviceSid), 'm.date_created', 'm.sender_sid', page);
  }

  private async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (this.backend.isUniqueViolation(error)) throw new UniqueViolation(error);
      throw error;
    }
  }
}

/**
 * One page of a list ordered by (date, sid), found by seeking to the key rather than counting an
 * offset, so the last page of a long list costs what the first one does. One extra row tells
 * whether there is more in the direction of travel.
 */
async function keysetPage<T>(
  base: AnySelect,
  dateCol: string,
  sidCol: string,
  page: PageQuery,
): Promise<Page<T>> {
  const d = sql.ref(dateCol);
  const s = sql.ref(sidCol);
  if (page.before) {
    const { date, sid } = page.before;
    const rows: T[] = await base
      .where(sql<boolean>`(${d} < ${date} or (${d} = ${date} and ${s} < ${sid}))`)
      .orderBy(dateCol, 'desc')
      .orderBy(sidCol, 'desc')
      .limit(page.size + 1)
      .execute();
    const hasPrevious = rows.length > page.size;
    const items = rows.slice(0, page.size).reverse();
    return { items, hasNext: true, hasPrevious };
  }
  let query = base;
  if (page.after) {
    const { date, sid } = page.after;
    query = query.where(sql<boolean>`(${d} > ${date} or (${d} = ${date} and ${s} > ${sid}))`);
  }
  const rows: T[] = await query.orderBy(dateCol, 'asc').orderBy(sidCol, 'asc').limit(page.size + 1).execute();
  return { items: rows.slice(0, page.size), hasNext: rows.length > page.size, hasPrevious: page.after !== undefined };
}
