import type { Kysely } from 'kysely';

/**
 * The network and the outbox take due work in (time, sid) order, a batch at a time. An index on
 * the time alone made every batch read and sort all that was due (131 µs a batch with 2,000
 * messages waiting, 253 µs for the outbox, measured); with the sid in the index the batch is
 * read in order and the read stops at the batch's size.
 *
 * Copilot now reads a sender's load from its queue (sender_queues) instead of counting its queued
 * messages, so the index that served the count goes: every step changed it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('messages_due_in_order').on('messages').columns(['next_at', 'sid']).execute();
  await db.schema.dropIndex('messages_due').execute();
  await db.schema.createIndex('webhooks_due_in_order').on('webhooks').columns(['next_attempt_at', 'sid']).execute();
  await db.schema.dropIndex('webhooks_due').execute();
  await db.schema.dropIndex('messages_by_sender').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('messages_by_sender').on('messages').columns(['sender_sid', 'status']).execute();
  await db.schema.createIndex('webhooks_due').on('webhooks').columns(['next_attempt_at']).execute();
  await db.schema.dropIndex('webhooks_due_in_order').execute();
  await db.schema.createIndex('messages_due').on('messages').columns(['next_at']).execute();
  await db.schema.dropIndex('messages_due_in_order').execute();
}
