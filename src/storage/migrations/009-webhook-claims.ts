import { type Kysely, sql } from 'kysely';
import { receivingHost } from '../../webhooks/receiving-host.js';

/**
 * Two facts about each webhook, for the dispatcher:
 * - `host`, the receiving host (host:port of its URL): deliveries are shared fairly across hosts
 *   and accounts, so one slow receiver cannot hold every delivery slot;
 * - `claimed_by`, the node holding the attempt in flight (null when none is): a node that
 *   restarts takes its own claims back at once instead of waiting out their lease.
 * Webhooks still pending get their host; finished ones keep '' (they are never delivered again).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('webhooks')
    .addColumn('host', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.alterTable('webhooks').addColumn('claimed_by', 'text').execute();
  const pending = await sql<{ sid: string; url: string }>`select sid, url from webhooks where status = 'pending'`.execute(db);
  for (const { sid, url } of pending.rows) {
    await sql`update webhooks set host = ${receivingHost(url)} where sid = ${sid}`.execute(db);
  }
  await db.schema.createIndex('webhooks_claimed_by').on('webhooks').columns(['claimed_by']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('webhooks_claimed_by').execute();
  await db.schema.alterTable('webhooks').dropColumn('claimed_by').execute();
  await db.schema.alterTable('webhooks').dropColumn('host').execute();
}
