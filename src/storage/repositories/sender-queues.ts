import type { Session } from './session.js';

/** A queue's free time before its first message: any past instant says "idle" (slots start no earlier than now). */
export const IDLE = '1970-01-01T00:00:00.000Z';

/** Each sender sends at its own rate: its queue is when it is next free, keyed by the sender's SID. */
export class SenderQueueRepository {
  constructor(private readonly s: Session) {}

  /**
   * Each sender's free time, its row locked for the caller's transaction (PostgreSQL; on SQLite
   * the transaction holds the one writer): a batch of steps reserves slots from these in memory and
   * writes them back with saveMany. A sender without a queue yet gets one, idle.
   */
  async lockMany(senders: readonly string[]): Promise<Map<string, string>> {
    if (senders.length === 0) return new Map();
    const { db, backend, queries } = this.s;
    const sorted = [...new Set(senders)].sort();
    await queries.bulk.insert(
      db,
      'sender_queues',
      ['sender', 'free_at'],
      sorted.map((sender) => ({ sender, free_at: IDLE })),
      { skipExisting: true },
    );
    // In one order, so two batches locking their pools' queues never wait on each other crosswise
    // (a sender named by From is locked when its step comes: a deadlock there is retried). The
    // senders travel as one parameter: a pool past SQLite's 32,766 bound values is still one read.
    const lock = backend.lockRows ? ' for update of q' : '';
    const rows = await queries.bulk.query<{ sender: string; free_at: string }>(
      db,
      'sender_queues',
      `lock${lock}`,
      ['sender'],
      sorted.map((sender) => ({ sender })),
      (from, field) => `select q.sender, q.free_at from ${from()} join sender_queues as q on q.sender = ${field('sender')} order by q.sender${lock}`,
    );
    return new Map(rows.map((row) => [row.sender, row.free_at]));
  }

  /** Writes back the free times a batch reserved (rows that lockMany made sure of). */
  async saveMany(freeAt: ReadonlyMap<string, string>): Promise<void> {
    await this.s.queries.bulk.update(
      this.s.db,
      'sender_queues',
      'sender',
      ['free_at'],
      [...freeAt].map(([sender, free_at]) => ({ sender, free_at })),
    );
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
