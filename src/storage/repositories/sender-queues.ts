import type { Kysely } from 'kysely';
import type { Backend } from '../backend.js';
import { prepare, preparedShapes } from '../prepared.js';
import type { Database } from '../schema.js';
import type { Session } from './session.js';

/** Each sender sends at its own rate: its queue is when it is next free, keyed by the sender's SID. */
export class SenderQueueRepository {
  constructor(private readonly s: Session) {}

  /**
   * Reserves the sender's next slot of `durationMs`, no earlier than `now`, and returns its start;
   * nothing is reserved (undefined) when the slot would start after `notAfter`. The queue row is
   * locked (PostgreSQL) or written by the one writer (SQLite) from the read to the reservation.
   */
  async reserveSlot(sender: string, times: { now: string; notAfter: string; durationMs: number }): Promise<{ start: string; end: string } | undefined> {
    const { db, queries } = this.s;
    const { now, notAfter, durationMs } = times;
    await queries.senderQueues.open.run(db, { sender, now });
    const row = (await queries.senderQueues.freeAt.first(db, { sender }))!;
    // ISO 8601 instants in one format compare as strings (Math.max would make them numbers).
    // biome-ignore lint/complexity/useMathMinMax: strings, not numbers.
    const start = row.free_at > now ? row.free_at : now;
    if (start > notAfter) return undefined;
    const end = new Date(new Date(start).getTime() + durationMs).toISOString();
    await queries.senderQueues.reserve.run(db, { sender, end });
    return { start, end };
  }

  /**
   * How long each sender's queue runs past `now`, in milliseconds (0 for an idle sender): the
   * load Copilot spreads across equal candidates. One primary-key read per sender, where counting
   * the messages queued on each read every one of them (128 µs a route with 2,000 queued, measured).
   */
  async backlog(senders: readonly string[], now: string): Promise<Map<string, number>> {
    if (senders.length === 0) return new Map();
    const args = Object.fromEntries(senders.map((sender, i) => [`s${i}`, sender]));
    const rows = await this.s.queries.senderQueues.freeAtOf(String(senders.length)).run(this.s.db, args);
    const at = Date.parse(now);
    return new Map(rows.map((r) => [r.sender, Math.max(0, Date.parse(r.free_at) - at)]));
  }

  /** Forgets the queues of every sender of the account, and of Twilio's test sender as it used it. */
  async deleteAllOf(accountSid: string): Promise<void> {
    const { db } = this.s;
    await db.deleteFrom('sender_queues').where('sender', 'like', `${accountSid}:%`).execute();
    // Sender queues are keyed by the sender's SID (the network's `queue`), never shared by accounts.
    for (const senders of [
      db.selectFrom('service_senders').select('sender_sid as sid').where('account_sid', '=', accountSid),
      db.selectFrom('short_codes').select('sid').where('account_sid', '=', accountSid),
      db.selectFrom('phone_numbers').select('sid').where('account_sid', '=', accountSid),
    ]) {
      await db.deleteFrom('sender_queues').where('sender', 'in', senders).execute();
    }
  }
}

/** The three statements of a reservation, compiled once per database. */
export function senderQueueQueries(db: Kysely<Database>, backend: Backend) {
  return {
    open: prepare<{ sender: string; now: string }, never>((arg) =>
      db
        .insertInto('sender_queues')
        .values({ sender: arg('sender'), free_at: arg('now') })
        .onConflict((oc) => oc.column('sender').doNothing()),
    ),
    freeAt: prepare<{ sender: string }, { free_at: string }>((arg) => {
      const query = db.selectFrom('sender_queues').select('free_at').where('sender', '=', arg('sender'));
      return backend.lockRows ? query.forUpdate() : query;
    }),
    /** Shape: how many senders (arguments s0, s1, …). */
    freeAtOf: preparedShapes<Record<string, string>, { sender: string; free_at: string }>((shape, arg) =>
      db
        .selectFrom('sender_queues')
        .select(['sender', 'free_at'])
        .where(
          'sender',
          'in',
          Array.from({ length: Number(shape) }, (_, i) => arg(`s${i}`)),
        ),
    ),
    reserve: prepare<{ sender: string; end: string }, never>((arg) =>
      db
        .updateTable('sender_queues')
        .set({ free_at: arg('end') })
        .where('sender', '=', arg('sender')),
    ),
  };
}
