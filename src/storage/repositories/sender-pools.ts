import type { Insertable, Kysely } from 'kysely';
import type { Page, PageQuery } from '../keyset.js';
import { KeysetList } from '../keyset.js';
import { prepare } from '../prepared.js';
import type { Database, ServiceSenderTable } from '../schema.js';
import { unique, type Session } from './session.js';

import { SENDER_TYPE, type SenderType } from '../states.js';

export { SENDER_TYPE, type SenderType };
/** The sender kinds a service's pool_size counts: Twilio's limit is on numbers and short codes. */
export const POOL_COUNTED: readonly SenderType[] = [SENDER_TYPE.shortCode, SENDER_TYPE.phoneNumber];

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

/** A pool member as the array of its values, as a page holds them (no object a row). */
export type PoolMemberValues = [sid: string, address: string, country_code: string, capabilities: string, added: string];

/** What a sender brings into a pool, besides which service and when. */
export type SenderDetails = {
  address: string;
  country_code: string;
  capabilities: string;
};

/** A pool member as Copilot sees it: the phone number's type joined in. */
export interface PoolCandidateRow {
  sender_sid: string;
  sender_type: string;
  address: string;
  country_code: string;
  capabilities: string;
  number_type: string | null;
}

/** Services' sender pools (service_senders), and the sticky-sender mappings that point into them. */
export class SenderPoolRepository {
  constructor(private readonly s: Session) {}

  /** The service a sender belongs to, if any. */
  async serviceOf(senderSid: string): Promise<string | undefined> {
    return (await this.s.queries.pools.senderService.first(this.s.db, { senderSid }))?.service_sid;
  }

  /** The services whose pools hold any of these senders, by sender. */
  async servicesOf(senderSids: readonly string[]): Promise<Map<string, string>> {
    if (senderSids.length === 0) return new Map();
    const rows = await this.s.db
      .selectFrom('service_senders')
      .select(['sender_sid', 'service_sid'])
      .where('sender_sid', 'in', [...senderSids])
      .execute();
    return new Map(rows.map((r) => [r.sender_sid, r.service_sid]));
  }

  /** Adds a sender to a pool; a counted sender also raises the service's pool_size. */
  async insert(row: { sender_sid: string; service_sid: string; account_sid: string; sender_type: SenderType; date: string } & SenderDetails): Promise<void> {
    await this.s.store.transaction((tx) => tx.pools.#insertInTransaction(row));
  }

  async #insertInTransaction(row: { sender_sid: string; service_sid: string; account_sid: string; sender_type: SenderType; date: string } & SenderDetails) {
    await unique(this.s, () => this.s.queries.pools.insertSender.run(this.s.db, row));
    if (POOL_COUNTED.includes(row.sender_type)) await this.s.store.services.addToPoolSize(row.service_sid, 1);
  }

  /** Many senders of one kind into one pool at once: concurrent adds gathered (pool.ts), and the benchmarks' fixtures. */
  async insertMany(serviceSid: string, rows: Insertable<ServiceSenderTable>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.s.store.transaction((tx) => tx.pools.#insertManyInTransaction(serviceSid, rows));
  }

  async #insertManyInTransaction(serviceSid: string, rows: Insertable<ServiceSenderTable>[]): Promise<void> {
    await unique(this.s, () => this.s.db.insertInto('service_senders').values(rows).execute());
    const counted = rows.filter((r) => POOL_COUNTED.includes(r.sender_type as SenderType)).length;
    if (counted > 0) await this.s.store.services.addToPoolSize(serviceSid, counted);
  }

  /** Takes a sender out of whatever pool holds it (of the given service, when named). */
  async remove(where: { senderSid: string; serviceSid?: string; type?: SenderType; accountSid?: string }): Promise<boolean> {
    let query = this.s.db.deleteFrom('service_senders').where('sender_sid', '=', where.senderSid);
    if (where.serviceSid !== undefined) query = query.where('service_sid', '=', where.serviceSid);
    if (where.type !== undefined) query = query.where('sender_type', '=', where.type);
    if (where.accountSid !== undefined) query = query.where('account_sid', '=', where.accountSid);
    const removed = await query.returning(['service_sid', 'sender_type']).executeTakeFirst();
    // Sticky-sender mappings to a sender go with it (Twilio deletes them when it leaves the pool).
    if (removed) await this.s.db.deleteFrom('sticky_senders').where('sender_sid', '=', where.senderSid).execute();
    if (removed && POOL_COUNTED.includes(removed.sender_type as SenderType)) await this.s.store.services.addToPoolSize(removed.service_sid, -1);
    // An alpha sender exists only in its pool: out of it, it is gone, and so is its connector's hold.
    if (removed?.sender_type === SENDER_TYPE.alphaSender) await this.s.store.connectors.unassignSenders([where.senderSid]);
    return removed !== undefined;
  }

  async delete(serviceSid: string, senderSid: string, type: SenderType): Promise<boolean> {
    return this.s.store.transaction(async (tx) => {
      await tx.services.lock(serviceSid);
      return tx.pools.remove({ senderSid, serviceSid, type });
    });
  }

  /** Takes every number and short code of the account out of its pools (they are being released). */
  async removeCounted(accountSid: string): Promise<void> {
    const released = this.s.db
      .selectFrom('service_senders')
      .select('sender_sid')
      .where('account_sid', '=', accountSid)
      .where('sender_type', 'in', POOL_COUNTED);
    await this.s.db.deleteFrom('sticky_senders').where('sender_sid', 'in', released).execute();
    await this.s.db.deleteFrom('service_senders').where('account_sid', '=', accountSid).where('sender_type', 'in', POOL_COUNTED).execute();
  }

  /** Locks the service whose pool holds the sender (the lock order's first step). */
  async lockPoolOf(senderSid: string): Promise<void> {
    const serviceSid = await this.serviceOf(senderSid);
    if (serviceSid) await this.s.store.services.lock(serviceSid);
  }

  async fetchMember(serviceSid: string, type: SenderType, sid: string): Promise<(PoolMemberRow & { account_sid: string }) | undefined> {
    return this.s.queries.pools.member.first(this.s.db, { serviceSid, type, sid });
  }

  /** A page of the pool, of the account's service only: another account's service lists as empty. */
  async listMembers(accountSid: string, serviceSid: string, type: SenderType, page: PageQuery): Promise<Page<PoolMemberValues>> {
    return this.s.queries.pools.members.pageOfArrays(this.s.db, { accountSid, serviceSid, type }, page);
  }

  /** Whether a service holds any sender of a kind (for one-per-service kinds: alpha senders). */
  async hasMember(serviceSid: string, type: SenderType): Promise<boolean> {
    return (await this.s.queries.pools.anyMember.first(this.s.db, { serviceSid, type })) !== undefined;
  }

  /** The account's alpha sender with this text, in whichever service holds it. */
  async fetchAlphaSender(accountSid: string, text: string): Promise<{ sender_sid: string; address: string; capabilities: string } | undefined> {
    return this.s.db
      .selectFrom('service_senders')
      .select(['sender_sid', 'address', 'capabilities'])
      .where('account_sid', '=', accountSid)
      .where('sender_type', '=', SENDER_TYPE.alphaSender)
      .where('address', '=', text)
      .executeTakeFirst();
  }

  /** A service's whole pool as Copilot's candidates, in SID order. */
  async candidates(serviceSid: string): Promise<PoolCandidateRow[]> {
    return this.s.queries.pools.candidates.run(this.s.db, { serviceSid });
  }

  // Sticky sender: the sender a recipient last got from a service.

  async fetchSticky(serviceSid: string, to: string): Promise<string | undefined> {
    return (await this.s.queries.pools.sticky.first(this.s.db, { serviceSid, to }))?.sender_sid;
  }

  /** The sticky senders of these services for any of these recipients, in one read. */
  async stickyAmongst(serviceSids: readonly string[], to: readonly string[]): Promise<{ service_sid: string; to_address: string; sender_sid: string }[]> {
    if (serviceSids.length === 0 || to.length === 0) return [];
    return this.s.db
      .selectFrom('sticky_senders')
      .select(['service_sid', 'to_address', 'sender_sid'])
      .where('service_sid', 'in', [...serviceSids])
      .where('to_address', 'in', [...to])
      .execute();
  }

  /** Many sticky mappings written (or rewritten) in one statement. */
  async saveStickies(rows: readonly { service_sid: string; to_address: string; sender_sid: string; date_updated: string }[]): Promise<void> {
    await this.s.queries.bulk.insert(this.s.db, 'sticky_senders', ['service_sid', 'to_address', 'sender_sid', 'date_updated'], rows, {
      replace: { key: ['service_sid', 'to_address'], columns: ['sender_sid', 'date_updated'] },
    });
  }
}

export function senderPoolQueries(db: Kysely<Database>) {
  // One table, and only the columns that differ from row to row: each value of each row costs
  // (about 0.35 µs measured here), and a page of 50 is the hot path. The columns are in
  // PoolMemberValues' order, which pages read them in.
  const members = (arg: (n: string) => unknown) =>
    db
      .selectFrom('service_senders as m')
      .select(['m.sender_sid as sid', 'm.address', 'm.country_code', 'm.capabilities', 'm.date_created as added'])
      .where('m.service_sid', '=', arg('serviceSid') as string)
      .where('m.sender_type', '=', arg('type') as SenderType);
  return {
    senderService: prepare<{ senderSid: string }, { service_sid: string }>((arg) =>
      db.selectFrom('service_senders').select('service_sid').where('sender_sid', '=', arg('senderSid')),
    ),
    member: prepare<{ serviceSid: string; type: SenderType; sid: string }, PoolMemberRow & { account_sid: string }>((arg) =>
      members(arg as (n: string) => unknown)
        .select('m.account_sid')
        .where('m.sender_sid', '=', arg('sid')),
    ),
    insertSender: prepare<{ sender_sid: string; service_sid: string; account_sid: string; sender_type: SenderType; date: string } & SenderDetails, never>(
      (arg) =>
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
    anyMember: prepare<{ serviceSid: string; type: SenderType }, { sid: string }>((arg) =>
      db.selectFrom('service_senders').select('sender_sid as sid').where('service_sid', '=', arg('serviceSid')).where('sender_type', '=', arg('type')).limit(1),
    ),
    candidates: prepare<{ serviceSid: string }, PoolCandidateRow>((arg) =>
      db
        .selectFrom('service_senders as m')
        .leftJoin('phone_numbers as p', 'p.sid', 'm.sender_sid')
        .select(['m.sender_sid', 'm.sender_type', 'm.address', 'm.country_code', 'm.capabilities', 'p.number_type'])
        .where('m.service_sid', '=', arg('serviceSid'))
        .orderBy('m.sender_sid'),
    ),
    sticky: prepare<{ serviceSid: string; to: string }, { sender_sid: string }>((arg) =>
      db.selectFrom('sticky_senders').select('sender_sid').where('service_sid', '=', arg('serviceSid')).where('to_address', '=', arg('to')),
    ),
    // The account's condition lets a page stand for the service's ownership check (pool.ts).
    members: new KeysetList<PoolMemberRow>((arg) => members(arg).where('m.account_sid', '=', arg('accountSid') as string), 'm.date_created', 'm.sender_sid'),
  };
}
