import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery, DatabaseConnection, Dialect, Driver } from 'kysely';
import pg from 'pg';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS, createTestSchema, TEST_DATABASE_URL } from '../helpers/backends.js';
import { ensureMainAccount } from '../../src/resources/accounts/accounts.js';
import { newMessage } from '../../src/sending/message.js';
import type { Backend } from '../../src/storage/backend.js';
import { SQLITE_FILE, sqliteBackend } from '../../src/storage/dialects/sqlite.js';
import { postgresBackend } from '../../src/storage/dialects/postgres.js';
import { STEP } from '../../src/storage/states.js';
import { Store } from '../../src/storage/store.js';

/** The backend with every statement its connections run recorded, as Kysely compiled it. */
function recorded(backend: Backend, statements: CompiledQuery[]): Backend {
  const dialect = backend.dialect;
  // The driver's own connection objects, each watched once: drivers know them by identity.
  const watchedConnections = new WeakSet<DatabaseConnection>();
  const watch = (connection: DatabaseConnection): DatabaseConnection => {
    if (watchedConnections.has(connection)) return connection;
    watchedConnections.add(connection);
    const execute = connection.executeQuery.bind(connection);
    connection.executeQuery = (query) => {
      statements.push(query);
      return execute(query);
    };
    return connection;
  };
  const driverOf = (driver: Driver): Driver => {
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async () => watch(await acquire());
    return driver;
  };
  const watched: Dialect = {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => driverOf(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
  return { ...backend, dialect: watched, reads: undefined };
}

/**
 * A connector's backlog (smpp/delivery.ts fills its window from it): the messages handed to it,
 * oldest first, read off an index of their own. Read through the connector's senders instead,
 * every fill read and sorted the whole backlog to take its oldest few.
 */
for (const backend of BACKENDS) {
  describe(`[${backend}] a connector's backlog`, () => {
    const statements: CompiledQuery[] = [];
    let store: Store;
    let accountSid: string;
    let dispose = async () => {};
    /** The plan the database makes of a statement, as text. */
    let plan: (query: CompiledQuery) => Promise<string>;
    const at = (s: number) => new Date(Date.parse('2026-03-01T09:00:00.000Z') + s * 1000).toISOString();
    const now = at(10_000);

    before(async () => {
      if (backend === 'postgres') {
        const { schema, drop } = await createTestSchema();
        store = await Store.open(recorded(postgresBackend({ url: TEST_DATABASE_URL, poolSize: 2, schema }), statements));
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        await client.query(`set search_path to "${schema}"`);
        plan = async (query) =>
          (await client.query<{ 'QUERY PLAN': string }>(`explain ${query.sql}`, [...query.parameters])).rows.map((r) => r['QUERY PLAN']).join('\n');
        dispose = async () => {
          await client.end();
          await drop();
        };
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'shortroute-backlog-'));
        store = await Store.open(recorded(sqliteBackend({ dataDir: dir, inMemory: false }), statements));
        const reader = new BetterSqlite3(join(dir, SQLITE_FILE), { readonly: true });
        plan = async (query) =>
          (reader.prepare(`explain query plan ${query.sql}`).all(...query.parameters) as { detail: string }[]).map((r) => r.detail).join('\n');
        dispose = async () => {
          reader.close();
          rmSync(dir, { recursive: true, force: true });
        };
      }
      accountSid = (await ensureMainAccount({ store, clock: new FakeClock(at(0)) }, {})).sid;
    });
    after(async () => {
      await store.close();
      await dispose();
    });

    /** A message handed to `connector` by `sender` at second `s`, valid until `until`. */
    const handed = (connector: string, sender: string, s: number, until = at(20_000)) =>
      newMessage({
        account_sid: accountSid,
        direction: 'outbound-api',
        to_address: '+14155550100',
        body: `handed at ${s}`,
        status: 'sending',
        media: [],
        at: at(s),
        sender_sid: sender,
        next_step: STEP.connector,
        next_at: until,
        connector_sid: connector,
      });

    test('oldest first, only its own, leaving out those in flight, expired, or sent back to the network', async () => {
      const mine = Array.from({ length: 12 }, (_, i) => handed('XCa', i % 2 ? 'SC1' : 'SC2', 100 + i));
      const theirs = Array.from({ length: 12 }, (_, i) => handed('XCb', 'SC3', 50 + i * 2));
      const expired = handed('XCa', 'SC1', 10, at(9_000));
      const returned = { ...handed('XCa', 'SC1', 20), next_step: STEP.send };
      await store.messages.insertMany([...mine, ...theirs, expired, returned].sort(() => Math.random() - 0.5));
      const inFlight = [mine[0]!.sid, mine[2]!.sid];
      const taken = await store.connectors.waiting('XCa', 5, inFlight, now);
      assert.deepEqual(
        taken.map((m) => m.sid),
        [mine[1], mine[3], mine[4], mine[5], mine[6]].map((m) => m!.sid),
      );
      assert.deepEqual(
        (await store.connectors.waiting('XCb', 100, [], now)).map((m) => m.sid),
        theirs.map((m) => m.sid),
      );
    });

    test('read straight off its index in order: no sort of the backlog, nor a scan of every message due', async () => {
      // A long backlog on another connector, and the planner's statistics taken while the table
      // was nearly empty, as a store loaded in bulk and analysed early has them.
      await store.analyze();
      await store.messages.insertMany(Array.from({ length: 3000 }, (_, i) => handed('XCc', 'SC4', 1000 + i)));
      if (backend === 'postgres') await store.analyze();
      statements.length = 0;
      await store.connectors.waiting('XCa', 40, [], now);
      const query = statements.find((s) => /\bconnector_sid\b/.test(s.sql) && /\blimit\b/i.test(s.sql));
      assert.ok(query, 'the backlog read was recorded');
      const text = await plan(query);
      assert.match(text, /messages_connector_backlog/, text);
      assert.doesNotMatch(text, /TEMP B-TREE|Sort\b|Seq Scan/, text);
    });
  });
}
