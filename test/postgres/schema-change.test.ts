import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { BACKENDS } from '../helpers/backends.js';
import { ACCOUNT_SID, startTestServer, type TestServer } from '../helpers/server.js';

const skip = BACKENDS.includes('postgres') ? false : 'SHORTROUTE_TEST_BACKENDS leaves out postgres';

describe('[postgres] a table changed under running nodes', { skip }, () => {
  let server: TestServer & { cleanup(): Promise<void> };
  before(async () => {
    server = await startTestServer('postgres');
  });
  after(async () => {
    await server?.cleanup();
  });

  test("reads keep working after another node's migration adds a column (prepared statements are prepared again)", async () => {
    const sent = await server.request('POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      To: '+14155550100',
      From: '+15005550006',
      Body: 'before',
    });
    assert.equal(sent.status, 201, sent.text);
    const path = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sent.body.sid}.json`;
    // Every connection of the pool gets the fetch prepared, under its name.
    await Promise.all(Array.from({ length: 8 }, () => server.request('GET', path)));
    const client = new pg.Client({ connectionString: server.options.databaseUrl });
    await client.connect();
    try {
      // What a newer node's migration could do while this one runs: `select *` now has one more column.
      await client.query(`alter table ${server.options.databaseSchema}.messages add column added_by_a_newer_node text`);
    } finally {
      await client.end();
    }
    const replies = await Promise.all(Array.from({ length: 8 }, () => server.request('GET', path)));
    for (const reply of replies) assert.equal(reply.status, 200, reply.text);
  });
});
