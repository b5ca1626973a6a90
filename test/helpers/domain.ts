import { after, before } from 'node:test';
import { pino } from 'pino';
import { FakeClock } from '../../src/clock.js';
import type { Deps } from '../../src/deps.js';
import { ensureMainAccount } from '../../src/resources/accounts/accounts.js';
import type { Backend } from '../../src/storage/backend.js';
import { postgresBackend } from '../../src/storage/dialects/postgres.js';
import { sqliteBackend } from '../../src/storage/dialects/sqlite.js';
import { Store } from '../../src/storage/store.js';
import { DEFAULT_WEBHOOK_POLICY } from '../../src/webhooks/outbox.js';
import { type BackendName, createTestSchema, TEST_DATABASE_URL } from './backends.js';

/**
 * The domain tier: domain functions called directly, with no HTTP at all, on SQLite in memory (or
 * a PostgreSQL schema of their own) and a FakeClock. Background work is not running: what a
 * domain function notifies is counted, not done.
 */
export interface DomainEnv {
  deps: Deps;
  clock: FakeClock;
  accountSid: string;
  /** How often each kind of background work was notified. */
  notified: Map<string, number>;
}

export function useDomain(backend: BackendName, options: { maxSenders?: number } = {}): DomainEnv {
  const env = { notified: new Map<string, number>() } as DomainEnv;
  let drop = async () => {};
  before(async () => {
    let made: Backend;
    if (backend === 'postgres') {
      const { schema, drop: dropSchema } = await createTestSchema();
      made = postgresBackend({ url: TEST_DATABASE_URL, poolSize: 2, schema });
      drop = dropSchema;
    } else {
      made = sqliteBackend({ dataDir: '', inMemory: true });
    }
    env.clock = new FakeClock('2026-03-01T09:00:00.000Z');
    env.deps = {
      store: await Store.open(made),
      clock: env.clock,
      limits: { maxSenders: options.maxSenders ?? 400 },
      notify: (kind) => env.notified.set(kind, (env.notified.get(kind) ?? 0) + 1),
      logger: pino({ level: 'silent' }),
      webhookPolicy: DEFAULT_WEBHOOK_POLICY,
      nodeId: 'domain-test',
    };
    env.accountSid = (await ensureMainAccount(env.deps, {})).sid;
  });
  after(async () => {
    await env.deps.store.close();
    await drop();
  });
  return env;
}
