import { type Kysely, sql } from 'kysely';

/**
 * The indexes the network and the outbox take their work by hold only the rows that have work:
 * a message with a next step, a webhook with a next attempt, an attempt in flight. A finished row
 * (nearly every row of a busy store) leaves them instead of moving into their run of nulls, so each
 * step writes one index entry less and the indexes stay a few pages however many messages are
 * kept. Every query they serve compares the column, which tells SQLite and PostgreSQL alike that
 * it is not null.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_due_in_order').execute();
  await db.schema.createIndex('messages_due_in_order').on('messages').columns(['next_at', 'sid']).where(sql.ref('next_at'), 'is not', null).execute();
  await db.schema.dropIndex('webhooks_due_in_order').execute();
  await db.schema
    .createIndex('webhooks_due_in_order')
    .on('webhooks')
    .columns(['next_attempt_at', 'sid'])
    .where(sql.ref('next_attempt_at'), 'is not', null)
    .execute();
  await db.schema.dropIndex('webhooks_claimed_by').execute();
  await db.schema.createIndex('webhooks_claimed_by').on('webhooks').columns(['claimed_by']).where(sql.ref('claimed_by'), 'is not', null).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('webhooks_claimed_by').execute();
  await db.schema.createIndex('webhooks_claimed_by').on('webhooks').columns(['claimed_by']).execute();
  await db.schema.dropIndex('webhooks_due_in_order').execute();
  await db.schema.createIndex('webhooks_due_in_order').on('webhooks').columns(['next_attempt_at', 'sid']).execute();
  await db.schema.dropIndex('messages_due_in_order').execute();
  await db.schema.createIndex('messages_due_in_order').on('messages').columns(['next_at', 'sid']).execute();
}
