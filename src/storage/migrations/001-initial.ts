import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('shortroute_meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('auth_token', 'text', (c) => c.notNull())
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('owner_account_sid', 'text', (c) => c.references('accounts.sid'))
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('services')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid'))
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('inbound_request_url', 'text')
    .addColumn('inbound_method', 'text', (c) => c.notNull())
    .addColumn('fallback_url', 'text')
    .addColumn('fallback_method', 'text', (c) => c.notNull())
    .addColumn('status_callback', 'text')
    .addColumn('sticky_sender', 'integer', (c) => c.notNull())
    .addColumn('mms_converter', 'integer', (c) => c.notNull())
    .addColumn('smart_encoding', 'integer', (c) => c.notNull())
    .addColumn('scan_message_content', 'text', (c) => c.notNull())
    .addColumn('fallback_to_long_code', 'integer', (c) => c.notNull())
    .addColumn('area_code_geomatch', 'integer', (c) => c.notNull())
    .addColumn('validity_period', 'integer', (c) => c.notNull())
    .addColumn('synchronous_validation', 'integer', (c) => c.notNull())
    .addColumn('usecase', 'text', (c) => c.notNull())
    .addColumn('us_app_to_person_registered', 'integer', (c) => c.notNull())
    .addColumn('use_inbound_webhook_on_number', 'integer', (c) => c.notNull())
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('services_by_account').on('services').columns(['account_sid', 'date_created', 'sid']).execute();

  await db.schema
    .createTable('short_codes')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid'))
    .addColumn('short_code', 'text', (c) => c.notNull())
    .addColumn('country_code', 'text', (c) => c.notNull())
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text', (c) => c.notNull())
    .addColumn('sms_url', 'text')
    .addColumn('sms_method', 'text', (c) => c.notNull())
    .addColumn('sms_fallback_url', 'text')
    .addColumn('sms_fallback_method', 'text', (c) => c.notNull())
    .addColumn('capabilities', 'text', (c) => c.notNull())
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    // A short code number is unique within its country, whichever account holds it: inbound
    // traffic to it must reach exactly one owner.
    .addUniqueConstraint('short_codes_number', ['country_code', 'short_code'])
    .execute();
  await db.schema.createIndex('short_codes_by_account').on('short_codes').columns(['account_sid', 'date_created', 'sid']).execute();

  await db.schema
    .createTable('service_senders')
    // The primary key is the sender: that is what keeps a sender in at most one service.
    .addColumn('sender_sid', 'text', (c) => c.primaryKey())
    .addColumn('service_sid', 'text', (c) => c.notNull().references('services.sid'))
    .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid'))
    .addColumn('sender_type', 'text', (c) => c.notNull())
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('service_senders_by_service')
    .on('service_senders')
    .columns(['service_sid', 'sender_type', 'date_created', 'sender_sid'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['service_senders', 'short_codes', 'services', 'accounts', 'shortroute_meta']) {
    await db.schema.dropTable(table).execute();
  }
}
