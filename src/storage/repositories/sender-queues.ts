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
    const { db, backend } = this.s;
    const { now, notAfter, durationMs } = times;
    await db
      .insertInto('sender_queues')
      .values({ sender, free_at: now })
      .onConflict((oc) => oc.column('sender').doNothing())
      .execute();
    let query = db.selectFrom('sender_queues').select('free_at').where('sender', '=', sender);
    if (backend.lockRows) query = query.forUpdate();
    const row = await query.executeTakeFirstOrThrow();
    // ISO 8601 instants in one format compare as strings (Math.max would make them numbers).
    // biome-ignore lint/complexity/useMathMinMax: strings, not numbers.
    const start = row.free_at > now ? row.free_at : now;
    if (start > notAfter) return undefined;
    const end = new Date(new Date(start).getTime() + durationMs).toISOString();
    await db.updateTable('sender_queues').set({ free_at: end }).where('sender', '=', sender).execute();
    return { start, end };
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
