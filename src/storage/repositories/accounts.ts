import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Backend } from '../backend.js';
import { keysetPage, type Page, type PageQuery } from '../keyset.js';
import { prepare } from '../prepared.js';
import type { AccountTable, Database } from '../schema.js';
import { announceCachedWrite, type Session } from './session.js';
import type { AccountStatus } from '../states.js';

export type AccountRow = Selectable<AccountTable>;

/** Accounts: the main one and its subaccounts. Reads by SID are cached where the process is the sole writer. */
export class AccountRepository {
  constructor(private readonly s: Session) {}

  async fetch(sid: string): Promise<AccountRow | undefined> {
    const load = () => this.s.queries.accounts.account.first(this.s.db, { sid });
    // Inside a transaction, read the database: the transaction may have changed the account.
    return this.s.caches && !this.s.db.isTransaction ? this.s.caches.accounts.fetch(sid, load) : load();
  }

  /** The accounts of these SIDs (those that exist), read in one statement. */
  async fetchMany(sids: readonly string[]): Promise<AccountRow[]> {
    if (sids.length === 0) return [];
    const load = (missing: readonly string[]) => this.s.db.selectFrom('accounts').selectAll().where('sid', 'in', missing).execute();
    return this.s.caches && !this.s.db.isTransaction ? this.s.caches.accounts.fetchMany(sids, load, (account) => account.sid) : load(sids);
  }

  async insert(row: Insertable<AccountTable>): Promise<void> {
    // The write and its announcement commit together, or neither does.
    if (this.s.backend.cachedChanges && !this.s.db.isTransaction) return this.s.store.transaction((tx) => tx.accounts.insert(row));
    this.s.cachedRowsWritten();
    await this.s.db
      .insertInto('accounts')
      .values(row)
      .onConflict((oc) => oc.column('sid').doNothing())
      .execute();
    await announceCachedWrite(this.s);
  }

  async update(sid: string, patch: Updateable<AccountTable>): Promise<void> {
    if (this.s.backend.cachedChanges && !this.s.db.isTransaction) return this.s.store.transaction((tx) => tx.accounts.update(sid, patch));
    this.s.cachedRowsWritten();
    await this.s.db.updateTable('accounts').set(patch).where('sid', '=', sid).execute();
    await announceCachedWrite(this.s);
  }

  /** The account read from the database, locked until the transaction ends where rows lock. */
  async fetchForUpdate(sid: string): Promise<AccountRow | undefined> {
    const q = this.s.queries.accounts;
    return (this.s.backend.lockRows ? q.accountForUpdate : q.account).first(this.s.db, { sid });
  }

  /** The account and its subaccounts, in creation order, optionally filtered. */
  async list(accountSid: string, filters: { friendlyName?: string; status?: string }, page: PageQuery): Promise<Page<AccountRow>> {
    let query = this.s.db
      .selectFrom('accounts')
      .selectAll()
      .where((eb) => eb.or([eb('sid', '=', accountSid), eb('owner_account_sid', '=', accountSid)]));
    if (filters.friendlyName !== undefined) query = query.where('friendly_name', '=', filters.friendlyName);
    if (filters.status !== undefined) query = query.where('status', '=', filters.status as AccountStatus);
    return keysetPage<AccountRow>(query, { date: 'date_created', sid: 'sid', order: 'asc' }, page);
  }

  /**
   * Whether the account may still take writes, read inside the write's own transaction: on
   * PostgreSQL with a share lock (so a concurrent close waits, or is waited for), on SQLite on
   * the one writer. A check at authentication alone would let a write slip in behind a close.
   */
  async statusForWrite(accountSid: string): Promise<string | undefined> {
    return (await this.s.queries.accounts.statusForWrite.first(this.s.db, { sid: accountSid }))?.status;
  }

  /** Several accounts' statuses, as statusForWrite reads one (held until the transaction ends). */
  async statusesForWrite(accountSids: readonly string[]): Promise<Map<string, string>> {
    if (accountSids.length === 0) return new Map();
    let query = this.s.db
      .selectFrom('accounts')
      .select(['sid', 'status'])
      .where('sid', 'in', [...accountSids])
      .orderBy('sid');
    if (this.s.backend.lockRows) query = query.forShare();
    return new Map((await query.execute()).map((row) => [row.sid, row.status]));
  }
}

/** The accounts' hot queries, compiled once per database. */
export function accountQueries(db: Kysely<Database>, backend: Backend) {
  const account = (arg: (n: string) => unknown) =>
    db
      .selectFrom('accounts')
      .selectAll()
      .where('sid', '=', arg('sid') as string);
  return {
    account: prepare<{ sid: string }, AccountRow>((arg) => account(arg as (n: string) => unknown)),
    accountForUpdate: prepare<{ sid: string }, AccountRow>((arg) =>
      backend.lockRows ? account(arg as (n: string) => unknown).forUpdate() : account(arg as (n: string) => unknown),
    ),
    statusForWrite: prepare<{ sid: string }, { status: string }>((arg) => {
      const query = db.selectFrom('accounts').select('status').where('sid', '=', arg('sid'));
      return backend.lockRows ? query.forShare() : query;
    }),
  };
}
