import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Backend } from '../backend.js';
import { KeysetList, type Page, type PageQuery } from '../keyset.js';
import { prepare } from '../prepared.js';
import type { Database, ServiceTable } from '../schema.js';
import { announceCachedWrite, type Session } from './session.js';
import type { ServiceSendSettings } from '../row-cache.js';

export type ServiceRow = Selectable<ServiceTable>;

/** Messaging Services. */
export class ServiceRepository {
  constructor(private readonly s: Session) {}

  async insert(row: Insertable<ServiceTable>): Promise<void> {
    // In a transaction, so the caches are cleared again once it commits (a read meanwhile keeps
    // nothing), and its announcement commits with it.
    if (!this.s.db.isTransaction) return this.s.store.transaction((tx) => tx.services.insert(row));
    this.s.cachedRowsWritten();
    await this.s.db.insertInto('services').values(row).execute();
    await announceCachedWrite(this.s);
  }

  /**
   * What a send reads of the account's service, or undefined when the account has no such
   * service. Outside a transaction it comes from memory where every change is heard (row-cache.ts):
   * every write of those settings, and the service's removal, clears it.
   */
  async sendSettings(accountSid: string, sid: string): Promise<ServiceSendSettings | undefined> {
    const load = () => this.s.queries.services.sendSettings.first(this.s.db, { sid });
    const row = this.s.caches && !this.s.db.isTransaction ? await this.s.caches.services.fetch(sid, load) : await load();
    return row?.account_sid === accountSid ? row : undefined;
  }

  async fetch(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<ServiceRow | undefined> {
    const q = this.s.queries.services;
    return (options.lock && this.s.backend.lockRows ? q.serviceForUpdate : q.service).first(this.s.db, { accountSid, sid });
  }

  /** Several services by SID, of whichever accounts (callers compare each row's account). */
  async fetchMany(sids: readonly string[]): Promise<ServiceRow[]> {
    if (sids.length === 0) return [];
    return this.s.db
      .selectFrom('services')
      .selectAll()
      .where('sid', 'in', [...sids])
      .execute();
  }

  async fetchByName(accountSid: string, friendlyName: string): Promise<ServiceRow | undefined> {
    return this.s.db
      .selectFrom('services')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('friendly_name', '=', friendlyName)
      .orderBy('date_created')
      .executeTakeFirst();
  }

  async list(accountSid: string, page: PageQuery): Promise<Page<ServiceRow>> {
    return this.s.queries.services.list.page(this.s.db, { accountSid }, page);
  }

  async update(sid: string, patch: Updateable<ServiceTable>): Promise<void> {
    if (!this.s.db.isTransaction) return this.s.store.transaction((tx) => tx.services.update(sid, patch));
    this.s.cachedRowsWritten();
    await this.s.db.updateTable('services').set(patch).where('sid', '=', sid).execute();
    await announceCachedWrite(this.s);
  }

  /** Deletes the service and frees every sender in its pool. */
  async delete(accountSid: string, sid: string): Promise<boolean> {
    return this.s.store.transaction((tx) => tx.services.#deleteInTransaction(accountSid, sid));
  }

  async #deleteInTransaction(accountSid: string, sid: string): Promise<boolean> {
    // Locked first, so a concurrent add to this pool waits and then finds no service.
    if (!(await this.fetch(accountSid, sid, { lock: true }))) return false;
    // Its pool and sticky mappings go with it (ON DELETE CASCADE, migration 008).
    this.s.cachedRowsWritten();
    const result = await this.s.db.deleteFrom('services').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    await announceCachedWrite(this.s);
    return result.numDeletedRows > 0n;
  }

  /*
   * Lock order on PostgreSQL, everywhere: a service row, then the rows of its pool and of the
   * senders in it. Adds lock the service first by nature; removals and releases take the service
   * of the sender's pool first, so that an add and a removal never wait on each other in a circle.
   */

  async lock(serviceSid: string): Promise<void> {
    if (this.s.backend.lockRows) await this.s.db.selectFrom('services').select('sid').where('sid', '=', serviceSid).forUpdate().execute();
  }

  /** Every service of the account, locked in SID order (before its pools are changed wholesale). */
  async lockAll(accountSid: string): Promise<void> {
    if (this.s.backend.lockRows) {
      await this.s.db.selectFrom('services').select('sid').where('account_sid', '=', accountSid).orderBy('sid').forUpdate().execute();
    }
  }

  /** Sets every pool of the account to hold no counted sender. */
  async emptyPools(accountSid: string): Promise<void> {
    await this.s.db.updateTable('services').set({ pool_size: 0 }).where('account_sid', '=', accountSid).execute();
  }

  /** Adds `delta` to a service's count of numbers and short codes. */
  async addToPoolSize(serviceSid: string, delta: number): Promise<void> {
    await this.s.queries.services.poolSize.run(this.s.db, { serviceSid, delta });
  }

  async deleteAll(accountSid: string): Promise<void> {
    this.s.cachedRowsWritten();
    await this.s.db.deleteFrom('services').where('account_sid', '=', accountSid).execute();
    await announceCachedWrite(this.s);
  }
}

export function serviceQueries(db: Kysely<Database>, backend: Backend) {
  const service = (arg: (n: string) => unknown) =>
    db
      .selectFrom('services')
      .selectAll()
      .where('sid', '=', arg('sid') as string)
      .where('account_sid', '=', arg('accountSid') as string);
  return {
    service: prepare<{ accountSid: string; sid: string }, ServiceRow>((arg) => service(arg as (n: string) => unknown)),
    // Only dialects that lock rows get FOR UPDATE (SQLite has no such clause).
    serviceForUpdate: prepare<{ accountSid: string; sid: string }, ServiceRow>((arg) =>
      backend.lockRows ? service(arg as (n: string) => unknown).forUpdate() : service(arg as (n: string) => unknown),
    ),
    sendSettings: prepare<{ sid: string }, ServiceSendSettings>((arg) =>
      db
        .selectFrom('services')
        .select(['sid', 'account_sid', 'smart_encoding', 'status_callback', 'validity_period'])
        .where('sid', '=', arg('sid') as string),
    ),
    list: new KeysetList<ServiceRow>(
      (arg) =>
        db
          .selectFrom('services')
          .selectAll()
          .where('account_sid', '=', arg('accountSid') as string),
      'date_created',
      'sid',
    ),
    poolSize: prepare<{ serviceSid: string; delta: number }, never>((arg) =>
      db
        .updateTable('services')
        .set((eb) => ({ pool_size: eb('pool_size', '+', arg('delta')) }))
        .where('sid', '=', arg('serviceSid')),
    ),
  };
}
