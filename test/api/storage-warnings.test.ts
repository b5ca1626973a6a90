import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { BACKENDS, TEST_DATABASE_URL } from '../helpers/backends.js';
import { capturedLog, startTestServer, type TestServer } from '../helpers/server.js';

/** What PostgreSQL itself says of autovacuum, read apart from Shortroute. */
async function autovacuumOn(): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<{ on: boolean }>(`select current_setting('autovacuum') = 'on' as on`)).rows[0]!.on;
  } finally {
    await client.end();
  }
}

for (const backend of BACKENDS) {
  describe(`[${backend}] start-up warnings about the database's settings`, () => {
    const { logger, lines } = capturedLog('warn');
    let server: TestServer & { cleanup(): Promise<void> };
    before(async () => {
      server = await startTestServer(backend, { logger });
    });
    after(() => server.cleanup());

    test('autovacuum off is told to the operator, in the banner and the log; otherwise nothing', async () => {
      const expected = backend === 'postgres' && !(await autovacuumOn()) ? 1 : 0;
      const autovacuum = server.warnings.filter((w) => /autovacuum is off/.test(w));
      assert.equal(autovacuum.length, expected, server.warnings.join('\n'));
      assert.equal(lines.filter((l) => l.level === 40 && /autovacuum is off/.test(l.msg)).length, expected);
      if (backend === 'sqlite') assert.deepEqual(server.warnings, []);
    });
  });
}
