import type { Kysely } from 'kysely';

/**
 * Copilot spreads load by the messages queued on each candidate sender; without this index that
 * count read every message of every account, once per message routed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('messages_by_sender').on('messages').columns(['sender_sid', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_by_sender').execute();
}
