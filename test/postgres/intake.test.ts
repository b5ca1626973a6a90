// The send intake on PostgreSQL: sends accepted together are written together, but an account's
// sends never wait on another account's row (locked while that account is being changed).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { BACKENDS, TEST_DATABASE_URL } from '../helpers/backends.js';
import { addSubaccount } from '../helpers/fixtures.js';
import { buyNumber, usNumber } from '../helpers/messaging.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const skip = BACKENDS.includes('postgres') ? false : 'SHORTROUTE_TEST_BACKENDS leaves out postgres';

describe('[postgres] the send intake', { skip }, () => {
  let server: TestServer & { cleanup(): Promise<void> };
  let locker: pg.Client | undefined;
  before(async () => {
    server = await startTestServer('postgres');
  });
  after(async () => {
    // Ending the locking connection releases its lock, whatever the test got to.
    await locker?.end();
    await server.cleanup();
  });

  // Bounded: with one intake for every account, the main account's send waits as long as the lock.
  test("an account whose row is locked holds up its own sends only, not another account's", { timeout: 15_000 }, async () => {
    const sub = await addSubaccount(server);
    const mainFrom = await buyNumber(server);
    const subFrom = await buyNumber(server, {}, sub.sid);
    const sendFrom = (account: string, from: string) =>
      server.request('POST', `/2010-04-01/Accounts/${account}/Messages.json`, { From: from, To: usNumber('312'), Body: 'hi' });

    // Another connection locks the subaccount's row, as a change to that account does.
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${server.options.databaseSchema}` });
    locker = client;
    await client.connect();
    await client.query('begin');
    await client.query('select sid from accounts where sid = $1 for update', [sub.sid]);
    const held = sendFrom(sub.sid, subFrom.phone_number);
    let heldAnswered = false;
    void held.then(() => {
      heldAnswered = true;
    });
    // The subaccount's send has reached the intake once a backend waits on this connection's lock.
    const waiting = async () =>
      Number((await client.query('select count(*) as n from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))')).rows[0].n);
    while ((await waiting()) === 0) await new Promise((resolve) => setImmediate(resolve));
    // The main account's send is answered while the subaccount's still waits on the lock.
    const reply = await sendFrom(server.account.sid, mainFrom.phone_number);
    assert.equal(reply.status, 201, reply.text);
    assert.equal(heldAnswered, false);
    await client.query('commit');
    assert.equal((await held).status, 201);
  });
});
