import { sql } from 'kysely';
import type { Session } from './session.js';

/** A change to a message, with the message's account and addresses: one row of its history. */
export interface MessageChangeRow {
  id: number;
  account_sid: string;
  message_sid: string;
  seq: number;
  status: string;
  error_code: number | null;
  detail: string | null;
  date: string;
  direction: string;
  from_address: string | null;
  to_address: string;
  messaging_service_sid: string | null;
}

/** One attempt of a webhook, with the webhook's account, message, kind and URL. */
export interface WebhookAttemptChangeRow {
  id: number;
  account_sid: string;
  webhook_sid: string;
  message_sid: string;
  kind: string;
  url: string;
  attempt: number;
  date: string;
  response_status: number | null;
  error: string | null;
  duration_ms: number;
}

/** Where a reader of the feed is: the last message change and webhook attempt it has seen. */
export interface FeedPosition {
  messages: number;
  attempts: number;
}

// The numbers (migrations 011 and 012): not in schema.ts, where they would read as numbers while
// PostgreSQL's bigint arrives as a string; the reads below convert them.
const EVENT_ID = sql<number>`e.id`;
const ATTEMPT_ID = sql<number>`a.id`;

/**
 * What happened, in the order it was written: message history rows and webhook attempts, each
 * numbered by an `id` never handed out twice (on PostgreSQL a sequence, migration 011; on SQLite
 * AUTOINCREMENT, migration 012), read after a position and for one account. Both reads walk the
 * number's index and stop at the limit.
 */
export class EventRepository {
  constructor(private readonly s: Session) {}

  /**
   * PostgreSQL: the oldest transaction still running and the first not started yet, now (the
   * current snapshot's xmin and xmax). A row numbered before a read whose transaction was running
   * then has a transaction id below that read's xmax; once xmin passes it, every such row is
   * committed or gone. Undefined on SQLite, whose one writer commits in number order.
   */
  async transactionHorizon(): Promise<{ xmin: bigint; xmax: bigint } | undefined> {
    if (this.s.backend.soleWriter) return undefined;
    const { rows } = await sql<{ xmin: string; xmax: string }>`
      select pg_snapshot_xmin(pg_current_snapshot())::text as xmin, pg_snapshot_xmax(pg_current_snapshot())::text as xmax`.execute(this.s.db);
    return { xmin: BigInt(rows[0]!.xmin), xmax: BigInt(rows[0]!.xmax) };
  }

  /** The feed's present end: what a reader starting now has already seen. */
  async end(): Promise<FeedPosition> {
    const [messages, attempts] = await Promise.all([
      this.s.db.selectFrom('message_events as e').select(sql<number | string | null>`max(${EVENT_ID})`.as('n')).executeTakeFirst(),
      this.s.db.selectFrom('webhook_attempts as a').select(sql<number | string | null>`max(${ATTEMPT_ID})`.as('n')).executeTakeFirst(),
    ]);
    return { messages: Number(messages?.n ?? 0), attempts: Number(attempts?.n ?? 0) };
  }

  /** The account's message changes numbered after `after` (and at most `upTo`), in number order. */
  async messageChanges(accountSid: string, after: number, limit: number, upTo = Number.MAX_SAFE_INTEGER): Promise<MessageChangeRow[]> {
    const id = EVENT_ID;
    const rows = await this.s.db
      .selectFrom('message_events as e')
      .innerJoin('messages as m', 'm.sid', 'e.message_sid')
      .select([
        id.as('id'),
        'm.account_sid',
        'e.message_sid',
        'e.seq',
        'e.status',
        'e.error_code',
        'e.detail',
        'e.date',
        'm.direction',
        'm.from_address',
        'm.to_address',
        'm.messaging_service_sid',
      ])
      .where(id, '>', after)
      .where(id, '<=', upTo)
      .where('m.account_sid', '=', accountSid)
      .orderBy(id)
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }

  /** The account's webhook attempts numbered after `after` (and at most `upTo`), in number order. */
  async attemptChanges(accountSid: string, after: number, limit: number, upTo = Number.MAX_SAFE_INTEGER): Promise<WebhookAttemptChangeRow[]> {
    const id = ATTEMPT_ID;
    const rows = await this.s.db
      .selectFrom('webhook_attempts as a')
      .innerJoin('webhooks as w', 'w.sid', 'a.webhook_sid')
      .select([
        id.as('id'),
        'w.account_sid',
        'a.webhook_sid',
        'w.message_sid',
        'w.kind',
        'w.url',
        'a.attempt',
        'a.date',
        'a.response_status',
        'a.error',
        'a.duration_ms',
      ])
      .where(id, '>', after)
      .where(id, '<=', upTo)
      .where('w.account_sid', '=', accountSid)
      .orderBy(id)
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...row, id: Number(row.id) }));
  }
}
