import type { Kysely } from 'kysely';

/**
 * Messaging: messages and their history, the simulated network's per-sender queues, Copilot's
 * sticky-sender mappings, opt-outs, delivery outcome rules, and the webhook outbox with every
 * attempt. Outbox rows are written in the same transaction as the change they report.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid'))
    .addColumn('messaging_service_sid', 'text')
    /** outbound-api, outbound-reply or inbound. */
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text')
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    /** JSON: [{sid, url, content_type}]. */
    .addColumn('media', 'text', (c) => c.notNull())
    .addColumn('num_segments', 'integer', (c) => c.notNull())
    .addColumn('encoding', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'integer')
    .addColumn('error_message', 'text')
    .addColumn('status_callback', 'text')
    .addColumn('status_callback_method', 'text', (c) => c.notNull())
    .addColumn('validity_period', 'integer', (c) => c.notNull())
    /** The sender chosen (SID), and by which Copilot rule; null until chosen or when given. */
    .addColumn('sender_sid', 'text')
    .addColumn('selection_rule', 'text')
    .addColumn('rerouted', 'integer', (c) => c.notNull())
    /** How long the chosen sender takes to send it: its segments at the sender's rate. */
    .addColumn('transmit_ms', 'integer')
    /** What the simulated network does next with this message, and when; null when done. */
    .addColumn('next_step', 'text')
    .addColumn('next_at', 'text')
    .addColumn('send_at', 'text')
    .addColumn('date_sent', 'text')
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    .execute();
  // Twilio lists messages newest first.
  await db.schema.createIndex('messages_by_account').on('messages').columns(['account_sid', 'date_created', 'sid']).execute();
  await db.schema.createIndex('messages_by_recipient').on('messages').columns(['account_sid', 'to_address', 'date_created']).execute();
  await db.schema.createIndex('messages_due').on('messages').columns(['next_at']).execute();

  await db.schema
    .createTable('message_events')
    .addColumn('message_sid', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'integer')
    .addColumn('detail', 'text')
    .addColumn('date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_events_pk', ['message_sid', 'seq'])
    .execute();

  await db.schema
    .createTable('sender_queues')
    /** The sender's SID (an alpha sender's text can be another account's too). */
    .addColumn('sender', 'text', (c) => c.primaryKey())
    /** When the sender has sent everything queued on it so far. */
    .addColumn('free_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sticky_senders')
    .addColumn('service_sid', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('sender_sid', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sticky_senders_pk', ['service_sid', 'to_address'])
    .execute();
  await db.schema.createIndex('sticky_senders_by_sender').on('sticky_senders').columns(['sender_sid']).execute();

  await db.schema
    .createTable('opt_outs')
    .addColumn('account_sid', 'text', (c) => c.notNull())
    /** A service SID (the whole pool), or a sender's address outside any service. */
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('opt_outs_pk', ['scope', 'address'])
    .execute();

  await db.schema
    .createTable('delivery_rules')
    .addColumn('account_sid', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'integer', (c) => c.notNull())
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('delivery_rules_pk', ['account_sid', 'to_address'])
    .execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('account_sid', 'text', (c) => c.notNull())
    .addColumn('message_sid', 'text', (c) => c.notNull())
    /** status_callback, inbound or fallback. */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    /** JSON: [[name, value], ...] in the order sent. */
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('idempotency_token', 'text', (c) => c.notNull())
    /** pending, delivered or failed. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    /** Inbound: the fallback to try when this one fails, as JSON {url, method}. */
    .addColumn('fallback', 'text')
    .addColumn('error_code', 'integer')
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_due').on('webhooks').columns(['next_attempt_at']).execute();
  await db.schema.createIndex('webhooks_by_account').on('webhooks').columns(['account_sid', 'date_created', 'sid']).execute();
  await db.schema.createIndex('webhooks_by_message').on('webhooks').columns(['message_sid']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('webhook_sid', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    /** JSON: {url, method, headers, body}. */
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_headers', 'text')
    .addColumn('response_body', 'text')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_attempts_pk', ['webhook_sid', 'attempt'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['webhook_attempts', 'webhooks', 'delivery_rules', 'opt_outs', 'sticky_senders', 'sender_queues', 'message_events', 'messages']) {
    await db.schema.dropTable(table).execute();
  }
}
