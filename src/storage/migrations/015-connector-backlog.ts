import { type Kysely, sql } from 'kysely';

/**
 * A message handed to an SMPP connector names it (`connector_sid`), and the messages waiting for a
 * connector are indexed by it in the order they were handed over: a connector's fill reads the few
 * it has room for straight off the index, however long its backlog. Read through the connector's
 * senders instead, every fill read and sorted the whole backlog to take its oldest few (and, with
 * the planner's statistics of a nearly empty table, every message due). Messages already waiting
 * are stamped with their sender's connector.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('connector_sid', 'text').execute();
  await sql`update messages set connector_sid = (select c.connector_sid from connector_senders as c where c.sender_sid = messages.sender_sid)
    where next_step = 'connector'`.execute(db);
  await db.schema
    .createIndex('messages_connector_backlog')
    .on('messages')
    .columns(['connector_sid', 'date_updated', 'sid'])
    .where(sql.ref('next_step'), '=', 'connector')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_connector_backlog').execute();
  await db.schema.alterTable('messages').dropColumn('connector_sid').execute();
}
