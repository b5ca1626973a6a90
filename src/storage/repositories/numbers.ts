import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Backend } from '../backend.js';
import { keysetPage, type Page, type PageQuery } from '../keyset.js';
import { prepare } from '../prepared.js';
import type { Database, PhoneNumberTable, ShortCodeTable } from '../schema.js';
import { unique, type Session } from './session.js';

export type ShortCodeRow = Selectable<ShortCodeTable>;
export type PhoneNumberRow = Selectable<PhoneNumberTable>;

export interface NumberFilters {
  numberLike?: string;
  friendlyName?: string;
}

/** The account's rows of a numbers table among these SIDs, locked in SID order when asked (on PostgreSQL). */
async function ofAccount(s: Session, table: 'short_codes' | 'phone_numbers', accountSid: string, sids: readonly string[], lock: boolean) {
  if (sids.length === 0) return [];
  let query = s.db
    .selectFrom(table)
    .selectAll()
    .where('account_sid', '=', accountSid)
    .where('sid', 'in', [...sids])
    .orderBy('sid');
  if (lock && s.backend.lockRows) query = query.forUpdate();
  return query.execute();
}

/** The account's short codes. */
export class ShortCodeRepository {
  constructor(private readonly s: Session) {}

  async insert(row: Insertable<ShortCodeTable>): Promise<void> {
    await unique(this.s, () => this.s.db.insertInto('short_codes').values(row).execute());
  }

  /** Many at once, in one statement: for building large data sets (the benchmarks' fixtures). */
  async insertMany(rows: Insertable<ShortCodeTable>[]): Promise<void> {
    if (rows.length > 0) await unique(this.s, () => this.s.db.insertInto('short_codes').values(rows).execute());
  }

  async fetch(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<ShortCodeRow | undefined> {
    const q = this.s.queries.numbers;
    return (options.lock && this.s.backend.lockRows ? q.shortCodeForUpdate : q.shortCode).first(this.s.db, { accountSid, sid });
  }

  /** The account's short codes among these SIDs, locked in SID order when asked (on PostgreSQL). */
  async fetchMany(accountSid: string, sids: readonly string[], options: { lock?: boolean } = {}): Promise<ShortCodeRow[]> {
    return (await ofAccount(this.s, 'short_codes', accountSid, sids, options.lock === true)) as ShortCodeRow[];
  }

  async fetchByNumber(countryCode: string, shortCode: string): Promise<ShortCodeRow | undefined> {
    return this.s.db.selectFrom('short_codes').selectAll().where('country_code', '=', countryCode).where('short_code', '=', shortCode).executeTakeFirst();
  }

  /** The account's short codes with these digits, in any country, lowest SID first. */
  async listByDigits(accountSid: string, digits: string): Promise<ShortCodeRow[]> {
    return this.s.db.selectFrom('short_codes').selectAll().where('account_sid', '=', accountSid).where('short_code', '=', digits).orderBy('sid').execute();
  }

  async list(accountSid: string, filters: NumberFilters, page: PageQuery): Promise<Page<ShortCodeRow>> {
    let query = this.s.db.selectFrom('short_codes').selectAll().where('account_sid', '=', accountSid);
    if (filters.numberLike !== undefined) query = query.where('short_code', 'like', filters.numberLike);
    if (filters.friendlyName !== undefined) query = query.where('friendly_name', '=', filters.friendlyName);
    return keysetPage<ShortCodeRow>(query, { date: 'date_created', sid: 'sid', order: 'asc' }, page);
  }

  async update(sid: string, patch: Updateable<ShortCodeTable>): Promise<void> {
    await this.s.db.updateTable('short_codes').set(patch).where('sid', '=', sid).execute();
  }

  /** Releases a short code from the account, and so from its service. */
  async delete(accountSid: string, sid: string): Promise<boolean> {
    return this.s.store.transaction((tx) => tx.shortCodes.#deleteInTransaction(accountSid, sid));
  }

  async #deleteInTransaction(accountSid: string, sid: string): Promise<boolean> {
    const { store, db } = this.s;
    await store.pools.lockPoolOf(sid);
    if (!(await this.fetch(accountSid, sid, { lock: true }))) return false;
    await store.pools.remove({ senderSid: sid, accountSid });
    await store.connectors.unassignSenders([sid]);
    await store.optOuts.forgetScopes(db.selectFrom('short_codes').select('short_code as scope').where('sid', '=', sid));
    const result = await db.deleteFrom('short_codes').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Deletes every short code of the account, with the opt-outs from them; pools are the caller's. */
  async deleteAllOf(accountSid: string): Promise<void> {
    const { store, db } = this.s;
    await store.optOuts.forgetScopes(db.selectFrom('short_codes').select('short_code as scope').where('account_sid', '=', accountSid));
    await db.deleteFrom('short_codes').where('account_sid', '=', accountSid).execute();
  }
}

/** The account's phone numbers. */
export class PhoneNumberRepository {
  constructor(private readonly s: Session) {}

  /** The countries the account has numbers in (ISO 3166 codes). */
  async countriesOf(accountSid: string): Promise<string[]> {
    const rows = await this.s.db
      .selectFrom('phone_numbers')
      .select('country_code')
      .distinct()
      .where('account_sid', '=', accountSid)
      .orderBy('country_code')
      .execute();
    return rows.map((r) => r.country_code);
  }

  async insert(row: Insertable<PhoneNumberTable>): Promise<void> {
    await unique(this.s, () => this.s.db.insertInto('phone_numbers').values(row).execute());
  }

  async fetch(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<PhoneNumberRow | undefined> {
    let query = this.s.db.selectFrom('phone_numbers').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid);
    if (options.lock && this.s.backend.lockRows) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** The account's phone numbers among these SIDs, locked in SID order when asked (on PostgreSQL). */
  async fetchMany(accountSid: string, sids: readonly string[], options: { lock?: boolean } = {}): Promise<PhoneNumberRow[]> {
    return (await ofAccount(this.s, 'phone_numbers', accountSid, sids, options.lock === true)) as PhoneNumberRow[];
  }

  async fetchByNumber(phoneNumber: string): Promise<PhoneNumberRow | undefined> {
    return this.s.db.selectFrom('phone_numbers').selectAll().where('phone_number', '=', phoneNumber).executeTakeFirst();
  }

  async list(accountSid: string, filters: NumberFilters, page: PageQuery): Promise<Page<PhoneNumberRow>> {
    let query = this.s.db.selectFrom('phone_numbers').selectAll().where('account_sid', '=', accountSid);
    if (filters.numberLike !== undefined) query = query.where('phone_number', 'like', filters.numberLike);
    if (filters.friendlyName !== undefined) query = query.where('friendly_name', '=', filters.friendlyName);
    return keysetPage<PhoneNumberRow>(query, { date: 'date_created', sid: 'sid', order: 'asc' }, page);
  }

  async update(sid: string, patch: Updateable<PhoneNumberTable>): Promise<void> {
    await this.s.db.updateTable('phone_numbers').set(patch).where('sid', '=', sid).execute();
  }

  /** Releases a phone number from the account, and so from its service. */
  async delete(accountSid: string, sid: string): Promise<boolean> {
    return this.s.store.transaction((tx) => tx.phoneNumbers.#deleteInTransaction(accountSid, sid));
  }

  async #deleteInTransaction(accountSid: string, sid: string): Promise<boolean> {
    const { store, db } = this.s;
    await store.pools.lockPoolOf(sid);
    if (!(await this.fetch(accountSid, sid, { lock: true }))) return false;
    await store.pools.remove({ senderSid: sid, accountSid });
    await store.connectors.unassignSenders([sid]);
    await store.optOuts.forgetScopes(db.selectFrom('phone_numbers').select('phone_number as scope').where('sid', '=', sid));
    await db.deleteFrom('phone_numbers').where('sid', '=', sid).execute();
    return true;
  }

  /** Deletes every phone number of the account, with the opt-outs from them; pools are the caller's. */
  async deleteAllOf(accountSid: string): Promise<void> {
    const { store, db } = this.s;
    await store.optOuts.forgetScopes(db.selectFrom('phone_numbers').select('phone_number as scope').where('account_sid', '=', accountSid));
    await db.deleteFrom('phone_numbers').where('account_sid', '=', accountSid).execute();
  }
}

export function numberQueries(db: Kysely<Database>, backend: Backend) {
  const shortCode = (arg: (n: string) => unknown) =>
    db
      .selectFrom('short_codes')
      .selectAll()
      .where('sid', '=', arg('sid') as string)
      .where('account_sid', '=', arg('accountSid') as string);
  return {
    shortCode: prepare<{ accountSid: string; sid: string }, ShortCodeRow>((arg) => shortCode(arg as (n: string) => unknown)),
    shortCodeForUpdate: prepare<{ accountSid: string; sid: string }, ShortCodeRow>((arg) =>
      backend.lockRows ? shortCode(arg as (n: string) => unknown).forUpdate() : shortCode(arg as (n: string) => unknown),
    ),
  };
}
