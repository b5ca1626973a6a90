import { Kysely, Migrator, sql, type Insertable, type Selectable, type SelectQueryBuilder, type Updateable } from 'kysely';
import { KeysetList, type Page, type PageQuery } from './keyset.js';
import { prepare } from './prepared.js';
import { AccountCache } from './account-cache.js';
import type { Backend } from './backend.js';
import type { AccountTable, ApiKeyTable, Database, PhoneNumberTable, ServiceTable, ShortCodeTable } from './schema.js';
import { migrationProvider } from './migrations/index.js';

export type AccountRow = Selectable<AccountTable>;
/** An API key as the API shows it: its secret's hash never leaves the store but to authenticate. */
export type ApiKeyRow = Omit<Selectable<ApiKeyTable>, 'secret_hash'>;
export type ServiceRow = Selectable<ServiceTable>;
export type ShortCodeRow = Selectable<ShortCodeTable>;
export type PhoneNumberRow = Selectable<PhoneNumberTable>;
/**
 * A sender as a member of a service's pool, read from the pool table alone: `address` is the
 * short code, E.164 number or alpha text; `added` is when it joined (a membership is never
 * updated); the service and account are the caller's.
 */
export interface PoolMemberRow {
  sid: string;
  address: string;
  country_code: string;
  capabilities: string;
  added: string;
}

/** What a sender brings into a pool, besides which service and when. */
export type SenderDetails = {
  address: string;
  country_code: string;
  capabilities: string;
};

export const SENDER_TYPE = { shortCode: 'short_code', phoneNumber: 'phone_number', alphaSender: 'alpha_sender' } as const;
export type SenderType = (typeof SENDER_TYPE)[keyof typeof SENDER_TYPE];
/** The sender kinds a service's pool_size counts: Twilio's limit is on numbers and short codes. */
export const POOL_COUNTED: readonly SenderType[] = [SENDER_TYPE.shortCode, SENDER_TYPE.phoneNumber];

export type { Page, PageKey, PageQuery } from './keyset.js';

/** A unique constraint said no: the caller decides what that means in Twilio's terms. */
export class UniqueViolation extends Error {
  constructor(cause: unknown) {
    super('unique constraint violated', { cause });
    this.name = 'UniqueViolation';
  }
}

/**
 * All of Shortroute's reads and writes, written once for both backends. A Store opened inside
 * `transaction()` runs every call in that transaction.
 */
export class Store {
  readonly backend: Backend;
  readonly db: Kysely<Database>;
  readonly #q: Queries;
  readonly #accounts: AccountCache | undefined;
  #wroteAccounts = false;

  constructor(backend: Backend, db: Kysely<Database>, shared?: { queries: Queries; accounts?: AccountCache }) {
    this.backend = backend;
    this.db = db;
    this.#q = shared?.queries ?? buildQueries(db, backend);
    this.#accounts = shared ? shared.accounts : backend.soleWriter ? new AccountCache() : undefined;
  }

  static async open(backend: Backend): Promise<Store> {
    const db = new Kysely<Database>({ dialect: backend.dialect });
    try {
      if (backend.schema) {
        // Two nodes starting together may both create it: the loser's duplicate is no error.
        await db.schema.createSchema(backend.schema).ifNotExists().execute().catch((error: { code?: string }) => {
          if (error.code !== '23505' && error.code !== '42P06') throw error;
        });
      }
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

  /**
   * Runs `work` in one transaction. On PostgreSQL a transaction that loses a deadlock (40P01) or
   * a serialization check (40001) is run again from the start, a few times: its work is all in
   * the database, so nothing of the failed try remains.
   */
  async transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#transactionOnce(work);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 3 || (code !== '40P01' && code !== '40001') || this.db.isTransaction) throw error;
      }
    }
  }

  #transactionOnce<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return work(this);
    let tx: Store | undefined;
    return this.db
      .transaction()
      .execute((trx) => work((tx = new Store(this.backend, trx, { queries: this.#q, accounts: this.#accounts }))))
      .finally(() => {
        if (tx && tx.#wroteAccounts) this.#accounts?.invalidate();
      });
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
    const load = () => this.#q.account.first(this.db, { sid });
    // Inside a transaction, read the database: the transaction may have changed the account.
    return this.#accounts && !this.db.isTransaction ? this.#accounts.fetch(sid, load) : load();
  }

  #accountsChanging(): void {
    this.#wroteAccounts = true;
    this.#accounts?.invalidate();
  }

  async insertAccount(row: Insertable<AccountTable>): Promise<void> {
    this.#accountsChanging();
    await this.db
      .insertInto('accounts')
      .values(row)
      .onConflict((oc) => oc.column('sid').doNothing())
      .execute();
  }

  async updateAccount(sid: string, patch: Updateable<AccountTable>): Promise<void> {
    this.#accountsChanging();
    await this.db.updateTable('accounts').set(patch).where('sid', '=', sid).execute();
  }

  /** The account read from the database, locked until the transaction ends where rows lock. */
  async fetchAccountForUpdate(sid: string): Promise<AccountRow | undefined> {
    return (this.backend.lockRows ? this.#q.accountForUpdate : this.#q.account).first(this.db, { sid });
  }

  /** The account and its subaccounts, in creation order, optionally filtered. */
  async listAccounts(accountSid: string, filters: { friendlyName?: string; status?: string }, page: PageQuery): Promise<Page<AccountRow>> {
    const list = this.#q.accounts[`${filters.friendlyName !== undefined}/${filters.status !== undefined}`]!;
    return list.page(this.db, { accountSid, ...filters }, page);
  }

  // API keys. Never cached: a deleted key must stop authenticating at once, on every node.

  async insertApiKey(row: Insertable<ApiKeyTable>): Promise<void> {
    await this.db.insertInto('api_keys').values(row).execute();
  }

  async fetchApiKey(accountSid: string, sid: string): Promise<ApiKeyRow | undefined> {
    return this.#q.apiKey.first(this.db, { accountSid, sid });
  }

  /** A key by SID alone, with its secret's hash: authentication learns the account from the key. */
  async fetchApiKeyCredentials(sid: string): Promise<{ account_sid: string; secret_hash: string } | undefined> {
    return this.#q.apiKeyCredentials.first(this.db, { sid });
  }

  async listApiKeys(accountSid: string, page: PageQuery): Promise<Page<ApiKeyRow>> {
    return this.#q.apiKeys.page(this.db, { accountSid }, page);
  }

  /** Returns the updated key, or undefined when the account has no such key. */
  async updateApiKey(accountSid: string, sid: string, patch: Updateable<ApiKeyTable>): Promise<ApiKeyRow | undefined> {
    return this.db
      .updateTable('api_keys')
      .set(patch)
      .where('sid', '=', sid)
      .where('account_sid', '=', accountSid)
      .returning(API_KEY_COLUMNS)
      .executeTakeFirst();
  }

  async deleteApiKey(accountSid: string, sid: string): Promise<boolean> {
    const result = await this.db.deleteFrom('api_keys').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  // Services

  async insertService(row: Insertable<ServiceTable>): Promise<void> {
    await this.db.insertInto('services').values(row).execute();
  }

  async fetchService(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<ServiceRow | undefined> {
    const query = options.lock && this.backend.lockRows ? this.#q.serviceForUpdate : this.#q.service;
    return query.first(this.db, { accountSid, sid });
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
    return this.#q.services.page(this.db, { accountSid }, page);
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
      await tx.db.deleteFrom('sticky_senders').where('service_sid', '=', sid).execute();
      const result = await tx.db.deleteFrom('services').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  // The account's short codes

  async insertShortCode(row: Insertable<ShortCodeTable>): Promise<void> {
    await this.unique(() => this.db.insertInto('short_codes').values(row).execute());
  }

  async fetchShortCode(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<ShortCodeRow | undefined> {
    const query = options.lock && this.backend.lockRows ? this.#q.shortCodeForUpdate : this.#q.shortCode;
    return query.first(this.db, { accountSid, sid });
  }

  async fetchShortCodeByNumber(countryCode: string, shortCode: string): Promise<ShortCodeRow | undefined> {
    return this.db
      .selectFrom('short_codes')
      .selectAll()
      .where('country_code', '=', countryCode)
      .where('short_code', '=', shortCode)
      .executeTakeFirst();
  }

  async listShortCodes(accountSid: string, filters: { numberLike?: string; friendlyName?: string }, page: PageQuery): Promise<Page<ShortCodeRow>> {
    const list = this.#q.shortCodes[`${filters.numberLike !== undefined}/${filters.friendlyName !== undefined}`]!;
    return list.page(this.db, { accountSid, ...filters }, page);
  }

  async updateShortCode(sid: string, patch: Updateable<ShortCodeTable>): Promise<void> {
    await this.db.updateTable('short_codes').set(patch).where('sid', '=', sid).execute();
  }

  /** Releases a short code from the account, and so from its service. */
  async deleteShortCode(accountSid: string, sid: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      await tx.#lockPoolOf(sid);
      if (!(await tx.fetchShortCode(accountSid, sid, { lock: true }))) return false;
      await tx.#removeSender({ senderSid: sid, accountSid });
      await tx.#forgetOptOuts(tx.db.selectFrom('short_codes').select('short_code').where('sid', '=', sid));
      const result = await tx.db.deleteFrom('short_codes').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  // The account's phone numbers

  async insertPhoneNumber(row: Insertable<PhoneNumberTable>): Promise<void> {
    await this.unique(() => this.db.insertInto('phone_numbers').values(row).execute());
  }

  async fetchPhoneNumber(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<PhoneNumberRow | undefined> {
    let query = this.db.selectFrom('phone_numbers').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid);
    if (options.lock && this.backend.lockRows) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  async fetchPhoneNumberByNumber(phoneNumber: string): Promise<PhoneNumberRow | undefined> {
    return this.db.selectFrom('phone_numbers').selectAll().where('phone_number', '=', phoneNumber).executeTakeFirst();
  }

  async listPhoneNumbers(accountSid: string, filters: { numberLike?: string; friendlyName?: string }, page: PageQuery): Promise<Page<PhoneNumberRow>> {
    const list = this.#q.phoneNumbers[`${filters.numberLike !== undefined}/${filters.friendlyName !== undefined}`]!;
    return list.page(this.db, { accountSid, ...filters }, page);
  }

  async updatePhoneNumber(sid: string, patch: Updateable<PhoneNumberTable>): Promise<void> {
    await this.db.updateTable('phone_numbers').set(patch).where('sid', '=', sid).execute();
  }

  /** Releases a phone number from the account, and so from its service. */
  async deletePhoneNumber(accountSid: string, sid: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      await tx.#lockPoolOf(sid);
      if (!(await tx.fetchPhoneNumber(accountSid, sid, { lock: true }))) return false;
      await tx.#removeSender({ senderSid: sid, accountSid });
      await tx.#forgetOptOuts(tx.db.selectFrom('phone_numbers').select('phone_number').where('sid', '=', sid));
      await tx.db.deleteFrom('phone_numbers').where('sid', '=', sid).execute();
      return true;
    });
  }

  /** Releases every short code and phone number of an account, and so their places in pools. */
  async releaseNumbers(accountSid: string): Promise<void> {
    await this.transaction(async (tx) => {
      if (tx.backend.lockRows) {
        await tx.db.selectFrom('services').select('sid').where('account_sid', '=', accountSid).orderBy('sid').forUpdate().execute();
      }
      const released = tx.db.selectFrom('service_senders').select('sender_sid').where('account_sid', '=', accountSid).where('sender_type', 'in', POOL_COUNTED);
      await tx.db.deleteFrom('sticky_senders').where('sender_sid', 'in', released).execute();
      await tx.db.deleteFrom('service_senders').where('account_sid', '=', accountSid).where('sender_type', 'in', POOL_COUNTED).execute();
      // A pool holds only its own account's senders, so the account's pools hold none now.
      await tx.db.updateTable('services').set({ pool_size: 0 }).where('account_sid', '=', accountSid).execute();
      await tx.#forgetOptOuts(tx.db.selectFrom('short_codes').select('short_code').where('account_sid', '=', accountSid));
      await tx.#forgetOptOuts(tx.db.selectFrom('phone_numbers').select('phone_number').where('account_sid', '=', accountSid));
      await tx.db.deleteFrom('short_codes').where('account_sid', '=', accountSid).execute();
      await tx.db.deleteFrom('phone_numbers').where('account_sid', '=', accountSid).execute();
    });
  }

  /**
   * Opt-outs from a number (outside any service) go with the number: whoever holds it next starts
   * with none. `addresses` selects the released numbers or short codes.
   */
  async #forgetOptOuts(addresses: SelectQueryBuilder<Database, keyof Database, { [k: string]: string }>): Promise<void> {
    await this.db.deleteFrom('opt_outs').where('scope', 'in', addresses).execute();
  }

  // Service pools

  /** The service a sender belongs to, if any. */
  async fetchSenderServiceSid(senderSid: string): Promise<string | undefined> {
    return (await this.#q.senderService.first(this.db, { senderSid }))?.service_sid;
  }

  /** Adds a sender to a pool; a counted sender also raises the service's pool_size. */
  async insertSender(row: { sender_sid: string; service_sid: string; account_sid: string; sender_type: SenderType; date: string } & SenderDetails): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.unique(() => tx.#q.insertSender.run(tx.db, row));
      if (POOL_COUNTED.includes(row.sender_type)) await tx.#q.poolSize.run(tx.db, { serviceSid: row.service_sid, delta: 1 });
    });
  }

  /** Takes a sender out of whatever pool holds it (of the given service, when named). */
  async #removeSender(where: { senderSid: string; serviceSid?: string; type?: SenderType; accountSid?: string }): Promise<boolean> {
    let query = this.db.deleteFrom('service_senders').where('sender_sid', '=', where.senderSid);
    if (where.serviceSid !== undefined) query = query.where('service_sid', '=', where.serviceSid);
    if (where.type !== undefined) query = query.where('sender_type', '=', where.type);
    if (where.accountSid !== undefined) query = query.where('account_sid', '=', where.accountSid);
    const removed = await query.returning(['service_sid', 'sender_type']).executeTakeFirst();
    // Sticky-sender mappings to a sender go with it (Twilio deletes them when it leaves the pool).
    if (removed) await this.db.deleteFrom('sticky_senders').where('sender_sid', '=', where.senderSid).execute();
    if (removed && POOL_COUNTED.includes(removed.sender_type as SenderType)) {
      await this.#q.poolSize.run(this.db, { serviceSid: removed.service_sid, delta: -1 });
    }
    return removed !== undefined;
  }

  async deleteSender(serviceSid: string, senderSid: string, type: SenderType): Promise<boolean> {
    return this.transaction(async (tx) => {
      await tx.#lockService(serviceSid);
      return tx.#removeSender({ senderSid, serviceSid, type });
    });
  }

  /*
   * Lock order on PostgreSQL, everywhere: a service row, then the rows of its pool and of the
   * senders in it. Adds lock the service first by nature; removals and releases take the service
   * of the sender's pool first, so that an add and a removal never wait on each other in a circle.
   */

  async #lockService(serviceSid: string): Promise<void> {
    if (this.backend.lockRows) await this.db.selectFrom('services').select('sid').where('sid', '=', serviceSid).forUpdate().execute();
  }

  async #lockPoolOf(senderSid: string): Promise<void> {
    const serviceSid = await this.fetchSenderServiceSid(senderSid);
    if (serviceSid) await this.#lockService(serviceSid);
  }

  /**
   * Whether the account may still take writes, read inside the write's own transaction: on
   * PostgreSQL with a share lock (so a concurrent close waits, or is waited for), on SQLite on
   * the one writer. A check at authentication alone would let a write slip in behind a close.
   */
  async accountStatusForWrite(accountSid: string): Promise<string | undefined> {
    let query = this.db.selectFrom('accounts').select('status').where('sid', '=', accountSid);
    if (this.backend.lockRows) query = query.forShare();
    return (await query.executeTakeFirst())?.status;
  }

  async fetchPoolMember(serviceSid: string, type: SenderType, sid: string): Promise<(PoolMemberRow & { account_sid: string }) | undefined> {
    return this.#q.poolMember.first(this.db, { serviceSid, type, sid });
  }

  async listPoolMembers(serviceSid: string, type: SenderType, page: PageQuery): Promise<Page<PoolMemberRow>> {
    return this.#q.poolMembers.page(this.db, { serviceSid, type }, page);
  }

  /** Whether a service holds any sender of a kind (for one-per-service kinds: alpha senders). */
  async hasPoolMember(serviceSid: string, type: SenderType): Promise<boolean> {
    return (await this.#q.poolMembers.page(this.db, { serviceSid, type }, { size: 1 })).items.length > 0;
  }

  async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (this.backend.isUniqueViolation(error)) throw new UniqueViolation(error);
      throw error;
    }
  }
}

type Queries = ReturnType<typeof buildQueries>;

/**
 * The queries on every request's path, compiled once per database (see prepared.ts). Argument
 * names stand in for the values given at each run.
 */
function buildQueries(db: Kysely<Database>, backend: Backend) {
  const service = (arg: (n: string) => unknown) =>
    db.selectFrom('services').selectAll().where('sid', '=', arg('sid') as string).where('account_sid', '=', arg('accountSid') as string);
  const shortCode = (arg: (n: string) => unknown) =>
    db.selectFrom('short_codes').selectAll().where('sid', '=', arg('sid') as string).where('account_sid', '=', arg('accountSid') as string);
  // One table, and only the columns that differ from row to row: each value of each row costs
  // (about 0.35 µs measured here), and a page of 50 is the hot path.
  const poolMembers = (arg: (n: string) => unknown) =>
    db
      .selectFrom('service_senders as m')
      .select(['m.sender_sid as sid', 'm.address', 'm.country_code', 'm.capabilities', 'm.date_created as added'])
      .where('m.service_sid', '=', arg('serviceSid') as string)
      .where('m.sender_type', '=', arg('type') as string);
  /** The account's numbers, one list per combination of the optional filters. */
  const numberLists = <T>(table: 'short_codes' | 'phone_numbers', likeColumn: 'short_code' | 'phone_number') => {
    const lists: Record<string, KeysetList<T>> = {};
    for (const like of [false, true]) {
      for (const name of [false, true]) {
        lists[`${like}/${name}`] = new KeysetList<T>(
          (arg) => {
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            let q: any = db.selectFrom(table).selectAll().where('account_sid', '=', arg('accountSid') as string);
            if (like) q = q.where(likeColumn, 'like', arg('numberLike'));
            if (name) q = q.where('friendly_name', '=', arg('friendlyName'));
            return q;
          },
          'date_created',
          'sid',
        );
      }
    }
    return lists;
  };
  const shortCodes = numberLists<ShortCodeRow>('short_codes', 'short_code');
  const phoneNumbers = numberLists<PhoneNumberRow>('phone_numbers', 'phone_number');
  return {
    account: prepare<{ sid: string }, AccountRow>((arg) => db.selectFrom('accounts').selectAll().where('sid', '=', arg('sid'))),
    ...accountAndKeyQueries(db, backend),
    service: prepare<{ accountSid: string; sid: string }, ServiceRow>((arg) => service(arg as (n: string) => unknown)),
    // Only dialects that lock rows get FOR UPDATE (SQLite has no such clause).
    serviceForUpdate: prepare<{ accountSid: string; sid: string }, ServiceRow>((arg) =>
      backend.lockRows ? service(arg as (n: string) => unknown).forUpdate() : service(arg as (n: string) => unknown),
    ),
    services: new KeysetList<ServiceRow>((arg) => db.selectFrom('services').selectAll().where('account_sid', '=', arg('accountSid') as string), 'date_created', 'sid'),
    shortCode: prepare<{ accountSid: string; sid: string }, ShortCodeRow>((arg) => shortCode(arg as (n: string) => unknown)),
    shortCodeForUpdate: prepare<{ accountSid: string; sid: string }, ShortCodeRow>((arg) =>
      backend.lockRows ? shortCode(arg as (n: string) => unknown).forUpdate() : shortCode(arg as (n: string) => unknown),
    ),
    shortCodes,
    phoneNumbers,
    senderService: prepare<{ senderSid: string }, { service_sid: string }>((arg) =>
      db.selectFrom('service_senders').select('service_sid').where('sender_sid', '=', arg('senderSid')),
    ),
    poolMember: prepare<{ serviceSid: string; type: SenderType; sid: string }, PoolMemberRow & { account_sid: string }>((arg) =>
      poolMembers(arg as (n: string) => unknown).select('m.account_sid').where('m.sender_sid', '=', arg('sid')),
    ),
    insertSender: prepare<{ sender_sid: string; service_sid: string; account_sid: string; sender_type: string; date: string } & SenderDetails, never>((arg) =>
      db.insertInto('service_senders').values({
        sender_sid: arg('sender_sid'),
        service_sid: arg('service_sid'),
        account_sid: arg('account_sid'),
        sender_type: arg('sender_type'),
        address: arg('address'),
        country_code: arg('country_code'),
        capabilities: arg('capabilities'),
        date_created: arg('date'),
        date_updated: arg('date'),
      }),
    ),
    poolSize: prepare<{ serviceSid: string; delta: number }, never>((arg) =>
      db.updateTable('services').set((eb) => ({ pool_size: eb('pool_size', '+', arg('delta')) })).where('sid', '=', arg('serviceSid'))),
    poolMembers: new KeysetList<PoolMemberRow>((arg) => poolMembers(arg), 'm.date_created', 'm.sender_sid'),
  };
}

const API_KEY_COLUMNS = ['sid', 'account_sid', 'friendly_name', 'date_created', 'date_updated'] as const;

/** The prepared queries of the Accounts and API keys sections. */
function accountAndKeyQueries(db: Kysely<Database>, backend: Backend) {
  const account = (arg: (n: string) => unknown) => db.selectFrom('accounts').selectAll().where('sid', '=', arg('sid') as string);
  /** An account and its subaccounts, one list per combination of the optional filters. */
  const accounts: Record<string, KeysetList<AccountRow>> = {};
  for (const name of [false, true]) {
    for (const status of [false, true]) {
      accounts[`${name}/${status}`] = new KeysetList<AccountRow>(
        (arg) => {
          // Not `sid`: the keyset cursor's own argument has that name.
          const accountSid = arg('accountSid') as string;
          let q = db.selectFrom('accounts').selectAll().where((eb) => eb.or([eb('sid', '=', accountSid), eb('owner_account_sid', '=', accountSid)]));
          if (name) q = q.where('friendly_name', '=', arg('friendlyName') as string);
          if (status) q = q.where('status', '=', arg('status') as string);
          return q;
        },
        'date_created',
        'sid',
      );
    }
  }
  return {
    accountForUpdate: prepare<{ sid: string }, AccountRow>((arg) =>
      backend.lockRows ? account(arg as (n: string) => unknown).forUpdate() : account(arg as (n: string) => unknown),
    ),
    accounts,
    apiKey: prepare<{ accountSid: string; sid: string }, ApiKeyRow>((arg) =>
      db.selectFrom('api_keys').select(API_KEY_COLUMNS).where('sid', '=', arg('sid')).where('account_sid', '=', arg('accountSid')),
    ),
    apiKeyCredentials: prepare<{ sid: string }, { account_sid: string; secret_hash: string }>((arg) =>
      db.selectFrom('api_keys').select(['account_sid', 'secret_hash']).where('sid', '=', arg('sid')),
    ),
    apiKeys: new KeysetList<ApiKeyRow>(
      (arg) => db.selectFrom('api_keys').select(API_KEY_COLUMNS).where('account_sid', '=', arg('accountSid') as string),
      'date_created',
      'sid',
    ),
  };
}
