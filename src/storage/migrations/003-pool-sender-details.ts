import { sql, type Kysely } from 'kysely';

/**
 * A pool member carries its sender's fixed identity (the number or alpha text, its country and
 * capabilities), copied when it joins. Listing a pool then reads one table: the join to
 * short_codes cost about as much as the rest of a page of 50 together (profiled). These values
 * never change while the sender exists, so the copies cannot drift.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['address', 'country_code', 'capabilities']) {
    await db.schema
      .alterTable('service_senders')
      .addColumn(column, 'text', (c) => c.notNull().defaultTo(''))
      .execute();
  }
  await sql`
    update service_senders set
      address = (select s.short_code from short_codes s where s.sid = service_senders.sender_sid),
      country_code = (select s.country_code from short_codes s where s.sid = service_senders.sender_sid),
      capabilities = (select s.capabilities from short_codes s where s.sid = service_senders.sender_sid)
    where sender_type = 'short_code'
      and exists (select 1 from short_codes s where s.sid = service_senders.sender_sid)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['address', 'country_code', 'capabilities']) {
    await db.schema.alterTable('service_senders').dropColumn(column).execute();
  }
}
