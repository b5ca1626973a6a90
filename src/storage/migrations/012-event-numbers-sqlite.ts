import { type Kysely, PostgresAdapter } from 'kysely';
import { rebuild } from './008-cascades.js';

/**
 * The event feed numbered SQLite's history rows by rowid (migration 011), and SQLite hands a
 * deleted newest rowid out again: after a Reset or a deleted message, new rows could take numbers
 * an open stream had passed, and it missed them. Both tables get an `id` that is never reused
 * (AUTOINCREMENT), keeping each row's rowid as its id, so positions already handed out stay
 * valid. What was the primary key stays unique. PostgreSQL's numbers come from a sequence already.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  await rebuild(
    db,
    'message_events',
    (t) =>
      t
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('message_sid', 'text', (c) => c.notNull().references('messages.sid').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error_code', 'integer')
        .addColumn('detail', 'text')
        .addColumn('date', 'text', (c) => c.notNull()),
    '012',
    'rowid',
  );
  await db.schema.createIndex('message_events_by_message').on('message_events').columns(['message_sid', 'seq']).unique().execute();
  await rebuild(
    db,
    'webhook_attempts',
    (t) =>
      t
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('webhook_sid', 'text', (c) => c.notNull().references('webhooks.sid').onDelete('cascade'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('response_status', 'integer')
        .addColumn('response_headers', 'text')
        .addColumn('response_body', 'text')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull()),
    '012',
    'rowid',
  );
  await db.schema.createIndex('webhook_attempts_by_webhook').on('webhook_attempts').columns(['webhook_sid', 'attempt']).unique().execute();
}

export async function down(): Promise<void> {
  // The numbers only make the feed exact; leaving them is harmless.
}
