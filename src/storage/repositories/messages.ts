import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import { keysetPage, type Page, type PageQuery } from '../keyset.js';
import type { MessageTable } from '../schema.js';
import type { Session } from './session.js';
import type { Step } from '../states.js';

export type MessageRow = Selectable<MessageTable>;

export interface MessageFilters {
  to?: string;
  from?: string;
  /** Stored-form bounds on date_sent: [from, to). */
  sentFrom?: string;
  sentBefore?: string;
}

/** Messages, their history (message_events), and what the network and the handsets read of them. */
export class MessageRepository {
  constructor(private readonly s: Session) {}

  async insert(row: Insertable<MessageTable>): Promise<void> {
    await this.s.db.insertInto('messages').values(row).execute();
  }

  /** Many messages at once: for building large data sets (the benchmarks' million-message store). */
  async insertMany(rows: Insertable<MessageTable>[]): Promise<void> {
    if (rows.length > 0) await this.s.db.insertInto('messages').values(rows).execute();
  }

  async fetch(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<MessageRow | undefined> {
    let query = this.s.db.selectFrom('messages').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid);
    if (options.lock && this.s.backend.lockRows) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** An account's messages, newest first (as Twilio lists them), keyset-paged on (date_created, sid). */
  async list(accountSid: string, filters: MessageFilters, page: PageQuery): Promise<Page<MessageRow>> {
    let query = this.s.db.selectFrom('messages').selectAll().where('account_sid', '=', accountSid);
    if (filters.to !== undefined) query = query.where('to_address', '=', filters.to);
    if (filters.from !== undefined) query = query.where('from_address', '=', filters.from);
    if (filters.sentFrom !== undefined) query = query.where('date_sent', '>=', filters.sentFrom);
    if (filters.sentBefore !== undefined) query = query.where('date_sent', '<', filters.sentBefore);
    // Newest first, as Twilio lists messages.
    return keysetPage<MessageRow>(query, { date: 'date_created', sid: 'sid', order: 'desc' }, page);
  }

  /** What a simulated handset received (sent or delivered to it), oldest first, a page at a time. */
  async pageReceivedBy(accountSid: string, number: string, page: PageQuery): Promise<Page<MessageRow>> {
    const query = this.s.db
      .selectFrom('messages')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('to_address', '=', number)
      .where('direction', '!=', 'inbound')
      .where('status', 'in', ['sent', 'delivered', 'read']);
    return keysetPage<MessageRow>(query, { date: 'date_sent', sid: 'sid', order: 'asc' }, page);
  }

  /**
   * Moves a message on, if it still stands where the caller read it: the compare-and-set that lets
   * every node run the network without two of them taking the same step.
   */
  async advance(sid: string, expected: { next_step: Step | null; next_at: string | null }, patch: Updateable<MessageTable>): Promise<boolean> {
    let query = this.s.db.updateTable('messages').set(patch).where('sid', '=', sid);
    query = expected.next_step === null ? query.where('next_step', 'is', null) : query.where('next_step', '=', expected.next_step);
    query = expected.next_at === null ? query.where('next_at', 'is', null) : query.where('next_at', '=', expected.next_at);
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async update(sid: string, patch: Updateable<MessageTable>): Promise<void> {
    await this.s.db.updateTable('messages').set(patch).where('sid', '=', sid).execute();
  }

  /** Deletes a message; its history goes with it (ON DELETE CASCADE). */
  async delete(accountSid: string, sid: string): Promise<boolean> {
    const result = await this.s.db.deleteFrom('messages').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** Empties the account's messages, and so their history. */
  async deleteAllOf(accountSid: string): Promise<void> {
    await this.s.db.deleteFrom('messages').where('account_sid', '=', accountSid).execute();
  }

  /** Locks every message of the account (PostgreSQL), so a step in flight on another node ends first. */
  async lockAllOf(accountSid: string): Promise<void> {
    if (this.s.backend.lockRows) await this.s.db.selectFrom('messages').select('sid').where('account_sid', '=', accountSid).forUpdate().execute();
  }

  /**
   * Messages whose next step is due, oldest due first. `lock` (PostgreSQL): lock them for the
   * caller's transaction, skipping rows another node has locked.
   */
  async due(now: string, limit: number, options: { lock?: boolean } = {}): Promise<MessageRow[]> {
    let query = this.s.db.selectFrom('messages').selectAll().where('next_at', '<=', now).orderBy('next_at').orderBy('sid').limit(limit);
    if (options.lock) query = query.forUpdate().skipLocked();
    return query.execute();
  }

  /** When the earliest message step falls due, if any is waiting. */
  async nextDue(): Promise<string | undefined> {
    const row = await this.s.db
      .selectFrom('messages')
      .select((eb) => eb.fn.min('next_at').as('at'))
      .executeTakeFirst();
    return typeof row?.at === 'string' ? row.at : undefined;
  }

  /** Messages queued per sender, for spreading load across equal candidates. */
  async queuedPerSender(senderSids: readonly string[]): Promise<Map<string, number>> {
    if (senderSids.length === 0) return new Map();
    const rows = await this.s.db
      .selectFrom('messages')
      .select(['sender_sid', (eb) => eb.fn.countAll<number>().as('n')])
      .where('sender_sid', 'in', [...senderSids])
      .where('status', 'in', ['queued', 'sending'])
      .groupBy('sender_sid')
      .execute();
    return new Map(rows.map((r) => [r.sender_sid!, Number(r.n)]));
  }

  // The message's history, for inspection.

  async addEvent(event: { message_sid: string; status: string; error_code?: number | null; detail?: string | null; date: string }): Promise<void> {
    // One statement: the next number in the message's history is read where it is written.
    await this.s.db
      .insertInto('message_events')
      .columns(['message_sid', 'seq', 'status', 'error_code', 'detail', 'date'])
      .expression((eb) =>
        eb
          .selectFrom('message_events')
          .select([
            eb.val(event.message_sid).as('message_sid'),
            sql<number>`coalesce(max(seq), 0) + 1`.as('seq'),
            eb.val(event.status).as('status'),
            eb.val(event.error_code ?? null).as('error_code'),
            eb.val(event.detail ?? null).as('detail'),
            eb.val(event.date).as('date'),
          ])
          .where('message_sid', '=', event.message_sid),
      )
      .execute();
  }

  async listEvents(sid: string) {
    return this.s.db.selectFrom('message_events').selectAll().where('message_sid', '=', sid).orderBy('seq').execute();
  }
}
