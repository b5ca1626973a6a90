import type { Kysely } from 'kysely';

/** The account's phone numbers (IncomingPhoneNumbers), senders of a service's pool like short codes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('phone_numbers')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('account_sid', 'text', (c) => c.notNull().references('accounts.sid'))
    // E.164, unique across accounts: inbound traffic to a number must reach exactly one owner.
    .addColumn('phone_number', 'text', (c) => c.notNull().unique())
    .addColumn('country_code', 'text', (c) => c.notNull())
    /** local, mobile or tollfree (Twilio's `type`), from the number's numbering plan. */
    .addColumn('number_type', 'text', (c) => c.notNull())
    .addColumn('friendly_name', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text', (c) => c.notNull())
    .addColumn('voice', 'integer', (c) => c.notNull())
    .addColumn('sms', 'integer', (c) => c.notNull())
    .addColumn('mms', 'integer', (c) => c.notNull())
    .addColumn('fax', 'integer', (c) => c.notNull())
    .addColumn('sms_url', 'text')
    .addColumn('sms_method', 'text', (c) => c.notNull())
    .addColumn('sms_fallback_url', 'text')
    .addColumn('sms_fallback_method', 'text', (c) => c.notNull())
    .addColumn('status_callback', 'text')
    .addColumn('status_callback_method', 'text', (c) => c.notNull())
    // The voice, emergency and regulatory settings: kept and shown, with no behaviour behind them.
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('date_created', 'text', (c) => c.notNull())
    .addColumn('date_updated', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('phone_numbers_by_account').on('phone_numbers').columns(['account_sid', 'date_created', 'sid']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('phone_numbers').execute();
}
