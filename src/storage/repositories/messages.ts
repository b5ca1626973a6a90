import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Backend } from '../backend.js';
import { keysetPage, type Page, type PageQuery } from '../keyset.js';
import { argsFor, columnsOf, PreparedRowWrites, prepare, preparedShapes, slotsFor } from '../prepared.js';
import type { Database, MessageTable } from '../schema.js';
import type { Session } from './session.js';
import type { MessageDirection, MessageStatus, Step } from '../states.js';

export type MessageRow = Selectable<MessageTable>;

/** A row of a message's history; its number (`seq`) is the next of that message's. */
export interface MessageEvent {
  message_sid: string;
  status: string;
  error_code?: number | null;
  detail?: string | null;
  date: string;
}

const EVENT_COLUMNS = ['message_sid', 'status', 'error_code', 'detail', 'date'] as const;

export interface MessageFilters {
  to?: string;
  from?: string;
  /** Stored-form bounds on date_sent: [from, to). */
  sentFrom?: string;
  sentBefore?: string;
  /** Shortroute's own list only (the 2010 list has no such filters). */
  status?: MessageStatus;
  directions?: readonly MessageDirection[];
  messagingServiceSid?: string;
}

/** Messages, their history (message_events), and what the network and the handsets read of them. */
export class MessageRepository {
  constructor(private readonly s: Session) {}

  async insert(row: Insertable<MessageTable>): Promise<void> {
    await this.s.queries.messages.rows.insert(this.s.db, row);
  }

  /** Many messages in one statement; each row sets every column the first sets. */
  async insertMany(rows: readonly Insertable<MessageTable>[]): Promise<void> {
    if (rows.length > 0) await this.s.queries.bulk.insert(this.s.db, 'messages', columnsOf(rows[0]!).split(','), rows);
  }

  async fetch(accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<MessageRow | undefined> {
    const q = this.s.queries.messages;
    return (options.lock ? q.fetchForUpdate : q.fetch).first(this.s.db, { accountSid, sid });
  }

  /** Messages by SID, in SID order (locked in that order when asked: PostgreSQL). */
  async fetchMany(sids: readonly string[], options: { lock?: boolean } = {}): Promise<MessageRow[]> {
    if (sids.length === 0) return [];
    const query = this.s.db
      .selectFrom('messages')
      .selectAll()
      .where('sid', 'in', [...sids])
      .orderBy('sid');
    return (options.lock && this.s.backend.lockRows ? query.forUpdate() : query).execute();
  }

  /** An account's messages, newest first (as Twilio lists them), keyset-paged on (date_created, sid). */
  async list(accountSid: string, filters: MessageFilters, page: PageQuery): Promise<Page<MessageRow>> {
    let query = this.s.db.selectFrom('messages').selectAll().where('account_sid', '=', accountSid);
    if (filters.to !== undefined) query = query.where('to_address', '=', filters.to);
    if (filters.from !== undefined) query = query.where('from_address', '=', filters.from);
    if (filters.sentFrom !== undefined) query = query.where('date_sent', '>=', filters.sentFrom);
    if (filters.sentBefore !== undefined) query = query.where('date_sent', '<', filters.sentBefore);
    if (filters.status !== undefined) query = query.where('status', '=', filters.status);
    if (filters.directions !== undefined) query = query.where('direction', 'in', filters.directions);
    if (filters.messagingServiceSid !== undefined) query = query.where('messaging_service_sid', '=', filters.messagingServiceSid);
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
    const shape = `${columnsOf(patch)}|${expected.next_step === null}|${expected.next_at === null}`;
    const changed = await this.s.queries.messages.advance(shape).changes(this.s.db, { ...argsFor(patch, 'set_'), sid, ...expected });
    return changed > 0;
  }

  async update(sid: string, patch: Updateable<MessageTable>): Promise<void> {
    await this.s.queries.messages.rows.update(this.s.db, sid, patch);
  }

  /** Many messages' patches, by SID: one statement for all the patches that set the same columns. */
  async updateMany(patches: ReadonlyMap<string, Updateable<MessageTable>>): Promise<void> {
    await this.s.queries.bulk.updateEach(this.s.db, 'messages', 'sid', patches);
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
    const q = this.s.queries.messages;
    return (options.lock ? q.dueLocked : q.due).run(this.s.db, { now, limit });
  }

  /** When the earliest message step falls due, if any is waiting. */
  async nextDue(): Promise<string | undefined> {
    const row = await this.s.queries.messages.nextDue.first(this.s.db, {});
    return typeof row?.at === 'string' ? row.at : undefined;
  }

  // The message's history, for inspection.

  async addEvent(event: MessageEvent): Promise<void> {
    await this.s.queries.messages.addEvent.run(this.s.db, { ...event, error_code: event.error_code ?? null, detail: event.detail ?? null });
  }

  /** History rows of several messages (one each), in one statement. */
  async addEvents(events: readonly MessageEvent[]): Promise<void> {
    await this.s.queries.bulk.insertNumbered(this.s.db, 'message_events', 'message_sid', EVENT_COLUMNS, events);
  }

  async listEvents(sid: string) {
    return this.s.db.selectFrom('message_events').selectAll().where('message_sid', '=', sid).orderBy('seq').execute();
  }
}

type Arg = (name: string) => unknown;

/** The network's and the send path's statements, compiled once per database (prepared.ts). */
export function messageQueries(db: Kysely<Database>, backend: Backend) {
  const one = (arg: Arg) =>
    db
      .selectFrom('messages')
      .selectAll()
      .where('sid', '=', arg('sid') as string)
      .where('account_sid', '=', arg('accountSid') as string);
  const due = (arg: Arg) =>
    db
      .selectFrom('messages')
      .selectAll()
      .where('next_at', '<=', arg('now') as string)
      .orderBy('next_at')
      .orderBy('sid')
      .limit(arg('limit') as number);
  return {
    fetch: prepare<{ accountSid: string; sid: string }, MessageRow>((arg) => one(arg as Arg)),
    fetchForUpdate: prepare<{ accountSid: string; sid: string }, MessageRow>((arg) => (backend.lockRows ? one(arg as Arg).forUpdate() : one(arg as Arg))),
    rows: new PreparedRowWrites(db, 'messages'),
    /** Shape: `columns|next_step is null|next_at is null`. */
    advance: preparedShapes<Record<string, unknown>, never>((shape, arg) => {
      const [columns = '', stepIsNull, atIsNull] = shape.split('|');
      let query = db
        .updateTable('messages')
        .set(slotsFor(columns, arg, 'set_') as Updateable<MessageTable>)
        .where('sid', '=', arg('sid') as string);
      query = stepIsNull === 'true' ? query.where('next_step', 'is', null) : query.where('next_step', '=', arg('next_step') as Step);
      query = atIsNull === 'true' ? query.where('next_at', 'is', null) : query.where('next_at', '=', arg('next_at') as string);
      return query;
    }),
    due: prepare<{ now: string; limit: number }, MessageRow>((arg) => due(arg as Arg)),
    dueLocked: prepare<{ now: string; limit: number }, MessageRow>((arg) =>
      due(arg as Arg)
        .forUpdate()
        .skipLocked(),
    ),
    // In due order with the comparison, so the index of messages with a next step (partial) answers.
    nextDue: prepare<Record<string, never>, { at: string | null }>(() =>
      db.selectFrom('messages').select('next_at as at').where('next_at', 'is not', null).orderBy('next_at').limit(1),
    ),
    // One statement: the next number in the message's history is read where it is written.
    addEvent: prepare<{ message_sid: string; status: string; error_code: number | null; detail: string | null; date: string }, never>((arg) =>
      db
        .insertInto('message_events')
        .columns(['message_sid', 'seq', 'status', 'error_code', 'detail', 'date'])
        .expression((eb) =>
          eb
            .selectFrom('message_events')
            .select([
              eb.val(arg('message_sid')).as('message_sid'),
              sql<number>`coalesce(max(seq), 0) + 1`.as('seq'),
              eb.val(arg('status')).as('status'),
              eb.val(arg('error_code')).as('error_code'),
              eb.val(arg('detail')).as('detail'),
              eb.val(arg('date')).as('date'),
            ])
            .where('message_sid', '=', arg('message_sid')),
        ),
    ),
  };
}
