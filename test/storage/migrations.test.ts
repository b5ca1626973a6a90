import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Kysely, Migrator } from 'kysely';
import { BACKENDS, type BackendName, createTestSchema, TEST_DATABASE_URL } from '../helpers/backends.js';
import { newMessage } from '../../src/sending/message.js';
import { sqliteBackend } from '../../src/storage/dialects/sqlite.js';
import { postgresBackend } from '../../src/storage/dialects/postgres.js';
import { migrationProvider } from '../../src/storage/migrations/index.js';
import { Store } from '../../src/storage/store.js';
import type { Backend } from '../../src/storage/backend.js';

const now = '2026-01-01T00:00:00.000Z';

/**
 * A database as an earlier release left it: migrated up to `migration`, then given data by
 * `fill`; `check` then runs on a Store opened on it, which migrates it the rest of the way.
 */
async function upgraded(
  backend: BackendName,
  migration: string,
  fill: (db: Kysely<any>) => Promise<void>,
  check: (store: Store) => Promise<void>,
): Promise<void> {
  let make: () => Backend;
  let dispose: () => Promise<void>;
  if (backend === 'postgres') {
    const { schema, drop } = await createTestSchema();
    make = () => postgresBackend({ url: TEST_DATABASE_URL, poolSize: 2, schema });
    dispose = drop;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'shortroute-migrate-'));
    make = () => sqliteBackend({ dataDir: dir, inMemory: false });
    dispose = async () => rmSync(dir, { recursive: true, force: true });
  }
  try {
    const old = make();
    const db = new Kysely<any>({ dialect: old.dialect });
    const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: old.schema });
    assert.equal((await migrator.migrateTo(migration)).error, undefined);
    await db
      .insertInto('accounts')
      .values({ sid: 'AC1', auth_token: 't', friendly_name: 'a', status: 'active', owner_account_sid: null, date_created: now, date_updated: now })
      .execute();
    await fill(db);
    await db.destroy();
    const store = await Store.open(make());
    try {
      await check(store);
    } finally {
      await store.close();
    }
  } finally {
    await dispose();
  }
}

for (const backend of BACKENDS) {
  describe(`[${backend}] migrations`, () => {
    test("002, 003: existing pools get their size and their members' details", async () => {
      // A database as the first release left it, with data in it.
      await upgraded(
        backend,
        '001-initial',
        async (db) => {
          const service = (sid: string) => ({
            sid,
            account_sid: 'AC1',
            friendly_name: sid,
            inbound_request_url: null,
            inbound_method: 'POST',
            fallback_url: null,
            fallback_method: 'POST',
            status_callback: null,
            sticky_sender: 1,
            mms_converter: 1,
            smart_encoding: 1,
            scan_message_content: 'inherit',
            fallback_to_long_code: 0,
            area_code_geomatch: 1,
            validity_period: 36000,
            synchronous_validation: 1,
            usecase: 'undeclared',
            us_app_to_person_registered: 0,
            use_inbound_webhook_on_number: 0,
            date_created: now,
            date_updated: now,
          });
          await db
            .insertInto('services')
            .values([service('MG1'), service('MG2')])
            .execute();
          const member = (sender_sid: string, service_sid: string, sender_type: string) => ({
            sender_sid,
            service_sid,
            account_sid: 'AC1',
            sender_type,
            date_created: now,
            date_updated: now,
          });
          await db
            .insertInto('short_codes')
            .values({
              sid: 'SC1',
              account_sid: 'AC1',
              short_code: '12345',
              country_code: 'CA',
              friendly_name: 'x',
              api_version: '2010-04-01',
              sms_url: null,
              sms_method: 'POST',
              sms_fallback_url: null,
              sms_fallback_method: 'POST',
              capabilities: 'SMS,MMS',
              date_created: now,
              date_updated: now,
            })
            .execute();
          await db
            .insertInto('service_senders')
            .values([
              member('SC1', 'MG1', 'short_code'),
              member('SC2', 'MG1', 'short_code'),
              member('AI1', 'MG1', 'alpha_sender'),
              member('SC3', 'MG2', 'short_code'),
            ])
            .execute();
        },
        async (store) => {
          assert.equal((await store.services.fetch('AC1', 'MG1'))!.pool_size, 2);
          assert.equal((await store.services.fetch('AC1', 'MG2'))!.pool_size, 1);
          // 003: the members carry their short code's number, country and capabilities.
          const member = await store.pools.fetchMember('MG1', 'short_code', 'SC1');
          assert.deepEqual([member?.address, member?.country_code, member?.capabilities], ['12345', 'CA', 'SMS,MMS']);
        },
      );
    });

    test('015: messages already waiting for a connector are taken from its backlog after the upgrade', async () => {
      const later = '2026-01-02T00:00:00.000Z';
      await upgraded(
        backend,
        '014-active-indexes',
        async (db) => {
          const connector = (sid: string) => ({
            sid,
            account_sid: 'AC1',
            friendly_name: sid,
            host: '127.0.0.1',
            port: 2775,
            system_id: 'x',
            password: 'y',
            system_type: '',
            tls: 0,
            throughput: 10,
            window_size: 1,
            enquire_link_interval: 30,
            status: 'unbound',
            date_created: now,
            date_updated: now,
          });
          await db
            .insertInto('connectors')
            .values([connector('XC1'), connector('XC2')])
            .execute();
          await db
            .insertInto('connector_senders')
            .values([
              { sender_sid: 'SC1', connector_sid: 'XC1', account_sid: 'AC1', date_created: now },
              { sender_sid: 'SC2', connector_sid: 'XC2', account_sid: 'AC1', date_created: now },
            ])
            .execute();
          const message = (sid: string, sender: string, next_step: string | null) => ({
            ...newMessage({ account_sid: 'AC1', direction: 'outbound-api', to_address: '+14155550100', body: sid, status: 'sending', media: [], at: now }),
            sid,
            sender_sid: sender,
            next_step,
            next_at: next_step ? later : null,
            connector_sid: undefined,
          });
          await db
            .insertInto('messages')
            .values([message('SM1', 'SC1', 'connector'), message('SM2', 'SC2', 'connector'), message('SM3', 'SC1', null)])
            .execute();
        },
        async (store) => {
          const waiting = async (connector: string) => (await store.connectors.waiting(connector, 10, [], now)).map((m) => [m.sid, m.connector_sid]);
          assert.deepEqual(await waiting('XC1'), [['SM1', 'XC1']]);
          assert.deepEqual(await waiting('XC2'), [['SM2', 'XC2']]);
          // A message that was not waiting is left as it was.
          assert.equal((await store.messages.fetch('AC1', 'SM3'))?.connector_sid, null);
        },
      );
    });
  });
}
