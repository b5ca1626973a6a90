import { type Kysely, sql } from 'kysely';

/**
 * Real delivery over SMPP 3.4: an account's connectors (an SMSC account each), the senders that go
 * out through one, each submitted part's SMSC message id, by which a receipt finds its message,
 * and the parts of handsets' concatenated texts received so far.
 * A connector's bind is held by one node at a time: `holder` and `lease_until` are that lease.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connectors')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid').onDelete('cascade'))
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('password', 'text', (c) => c.notNull())
    .addColumn('system_type', 'text', (c) => c.notNull())
    .addColumn('tls', 'integer', (c) => c.notNull())
    /** submit_sm a second, the SMSC account's contract. */
    .addColumn('throughput', 'integer', (c) => c.notNull())
    /** submit_sm awaiting their response at most. */
    .addColumn('window_size', 'integer', (c) => c.notNull())
    /** Seconds between enquire_link. */
    .addColumn('enquire_link_interval', 'integer', (c) => c.notNull())
    /** binding, bound, unbound or error, as the node holding the bind last saw it. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('holder', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connectors_by_account').on('connectors').columns(['account_sid', 'date_created', 'sid']).execute();

  // The messages waiting for a connector, by sender, in the order they were handed over: the
  // connector's fill reads them without scanning every message.
  await db.schema
    .createIndex('messages_waiting_for_connector')
    .on('messages')
    .columns(['sender_sid', 'date_updated', 'sid'])
    .where(sql.ref('next_step'), '=', 'connector')
    .execute();

  // A sender goes out through one connector at most.
  await db.schema
    .createTable('connector_senders')
    .addColumn('sender_sid', 'text', (c) => c.primaryKey())
    .addColumn('connector_sid', 'text', (c) => c.notNull().references('connectors.sid').onDelete('cascade'))
    .addColumn('account_sid', 'text', (c) => c.notNull())
    .addColumn('date_created', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connector_senders_by_connector').on('connector_senders').columns(['connector_sid', 'date_created', 'sender_sid']).execute();

  await db.schema
    .createTable('smpp_parts')
    .addColumn('connector_sid', 'text', (c) => c.notNull())
    .addColumn('smsc_message_id', 'text', (c) => c.notNull())
    .addColumn('message_sid', 'text', (c) => c.notNull().references('messages.sid').onDelete('cascade'))
    /** 1-based, as the UDH numbers it. */
    .addColumn('part', 'integer', (c) => c.notNull())
    /** The receipt's final state (DELIVRD, UNDELIV, …); null until one comes. */
    .addColumn('state', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('smpp_parts_pk', ['connector_sid', 'smsc_message_id'])
    .execute();
  await db.schema.createIndex('smpp_parts_by_message').on('smpp_parts').columns(['message_sid', 'part']).execute();

  // A handset's concatenated text arrives a part at a time; each part is kept (and acknowledged)
  // until the last one makes the whole text a message.
  await db.schema
    .createTable('smpp_inbound_parts')
    .addColumn('connector_sid', 'text', (c) => c.notNull().references('connectors.sid').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('destination', 'text', (c) => c.notNull())
    .addColumn('reference', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('smpp_inbound_parts_pk', ['connector_sid', 'source', 'destination', 'reference', 'part'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_waiting_for_connector').execute();
  await db.schema.dropTable('smpp_inbound_parts').execute();
  await db.schema.dropTable('smpp_parts').execute();
  await db.schema.dropTable('connector_senders').execute();
  await db.schema.dropTable('connectors').execute();
}
