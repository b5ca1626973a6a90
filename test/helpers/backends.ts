import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The storage backends every suite runs on: SHORTROUTE_TEST_BACKENDS=sqlite,postgres (the default). */
export type BackendName = 'sqlite' | 'postgres';

export const TEST_DATABASE_URL = process.env.SHORTROUTE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const BACKENDS: BackendName[] = (process.env.SHORTROUTE_TEST_BACKENDS ?? 'sqlite,postgres')
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean)
  .map((name) => {
    if (name !== 'sqlite' && name !== 'postgres') throw new Error(`SHORTROUTE_TEST_BACKENDS: unknown backend '${name}'`);
    return name;
  });

/** A PostgreSQL schema of its own for one test server, dropped with everything in it afterwards. */
export async function createTestSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  return {
    schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
