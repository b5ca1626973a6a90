import type { Kysely } from 'kysely';

/**
 * Subaccounts and API keys. Accounts already carry owner_account_sid and status (001); listing
 * an account's subaccounts needs an index on the owner. API keys keep only a SHA-256 of their
 * secret (see resources/keys/keys.ts for why a plain hash is enough).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('accounts_by_owner').on('accounts').columns(['owner_account_sid', 'date_created', 'sid']).execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid'))
    .addColumn('friendly_name', 'text')
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_keys_by_account').on('api_keys').columns(['account_sid', 'date_created', 'sid']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_keys').execute();
  await db.schema.dropIndex('accounts_by_owner').execute();
}
