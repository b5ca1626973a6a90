import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Child rows go with their parent in the schema itself (ON DELETE CASCADE), instead of by hand
 * in every place that deletes a parent: a service's pool and sticky mappings, a message's
 * history, a webhook's attempts. Rows whose parent is already gone are dropped first.
 *
 * PostgreSQL adds the constraints in place. SQLite cannot add a foreign key to a table, so each
 * table is made anew with it (its documented procedure: create, copy, drop, rename), indexes too.
 */
const CHILDREN = [
  { table: 'service_senders', column: 'service_sid', parent: 'services' },
  { table: 'sticky_senders', column: 'service_sid', parent: 'services' },
  { table: 'message_events', column: 'message_sid', parent: 'messages' },
  { table: 'webhook_attempts', column: 'webhook_sid', parent: 'webhooks' },
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { table, column, parent } of CHILDREN) {
    await sql`delete from ${sql.table(table)} where ${sql.ref(column)} not in (select sid from ${sql.table(parent)})`.execute(db);
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    for (const { table, column, parent } of CHILDREN) {
      const name = `${table}_${column}_fkey`;
      await sql`alter table ${sql.table(table)} drop constraint if exists ${sql.id(name)}`.execute(db);
      await sql`alter table ${sql.table(table)} add constraint ${sql.id(name)} foreign key (${sql.ref(column)}) references ${sql.table(parent)} (sid) on delete cascade`.execute(
        db,
      );
    }
    return;
  }
  await rebuild(db, 'service_senders', (t) =>
    t
      .addColumn('sender_sid', 'text', (c) => c.primaryKey())
      .addColumn('service_sid', 'text', (c) => c.notNull().references('services.sid').onDelete('cascade'))
      .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid'))
      .addColumn('sender_type', 'text', (c) => c.notNull())
      .addColumn('date_created', 'text', (c) => c.notNull())
      .addColumn('date_updated', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('country_code', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('capabilities', 'text', (c) => c.notNull().defaultTo('')),
  );
  await db.schema
    .createIndex('service_senders_by_service')
    .on('service_senders')
    .columns(['service_sid', 'sender_type', 'date_created', 'sender_sid'])
    .execute();
  await rebuild(db, 'sticky_senders', (t) =>
    t
      .addColumn('service_sid', 'text', (c) => c.notNull().references('services.sid').onDelete('cascade'))
      .addColumn('to_address', 'text', (c) => c.notNull())
      .addColumn('sender_sid', 'text', (c) => c.notNull())
      .addColumn('date_updated', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('sticky_senders_pk', ['service_sid', 'to_address']),
  );
  await db.schema.createIndex('sticky_senders_by_sender').on('sticky_senders').columns(['sender_sid']).execute();
  await rebuild(db, 'message_events', (t) =>
    t
      .addColumn('message_sid', 'text', (c) => c.notNull().references('messages.sid').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('error_code', 'integer')
      .addColumn('detail', 'text')
      .addColumn('date', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('message_events_pk', ['message_sid', 'seq']),
  );
  await rebuild(db, 'webhook_attempts', (t) =>
    t
      .addColumn('webhook_sid', 'text', (c) => c.notNull().references('webhooks.sid').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('response_status', 'integer')
      .addColumn('response_headers', 'text')
      .addColumn('response_body', 'text')
      .addColumn('error', 'text')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_attempts_pk', ['webhook_sid', 'attempt']),
  );
}

export type TableBuilder = ReturnType<Kysely<unknown>['schema']['createTable']>;

/**
 * SQLite: the table made anew under a new name, its rows copied by column name, the old one
 * replaced. `rowidAs` names a new column that takes each old row's rowid (in rowid order).
 */
export async function rebuild(db: Kysely<unknown>, table: string, define: (t: TableBuilder) => TableBuilder, suffix = '008', rowidAs?: string): Promise<void> {
  const fresh = `${table}_${suffix}`;
  await define(db.schema.createTable(fresh)).execute();
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  const columns = rows.map((r) => sql.ref(r.name));
  const into = sql.join(rowidAs ? [sql.ref(rowidAs), ...columns] : columns);
  const from = sql.join(rowidAs ? [sql.ref('rowid'), ...columns] : columns);
  await sql`insert into ${sql.table(fresh)} (${into}) select ${from} from ${sql.table(table)} order by rowid`.execute(db);
  await db.schema.dropTable(table).execute();
  await sql`alter table ${sql.table(fresh)} rename to ${sql.table(table)}`.execute(db);
}

export async function down(): Promise<void> {
  // The cascades only take work off the code; leaving them in place is harmless.
}
