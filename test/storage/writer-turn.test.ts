// Two writers of one SQLite file taking turns (the API's thread and the network's): the turn is
// handed over between them, and each side's reader sees the other's commits at once. Both sides
// run in this thread here, so a writer that began without its turn would find SQLite's lock taken
// by the other and fail with SQLITE_BUSY after its busy timeout.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Kysely, sql } from 'kysely';
import { SQLITE_FILE, sqliteBackend } from '../../src/storage/dialects/sqlite.js';
import { WriterTurn } from '../../src/storage/dialects/sqlite-writer-turn.js';

/** Whether a promise has settled, after the microtasks queued so far. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('SQLite writer turns', () => {
  test('a turn given while the other side waits goes to it, and back', async () => {
    const memory = WriterTurn.memory();
    const api = new WriterTurn(memory, 0);
    const network = new WriterTurn(memory, 1);
    await api.take();
    const networkTakes = network.take();
    assert.equal(await settled(networkTakes), false);
    const before = api.commits;
    api.give();
    await networkTakes;
    assert.equal(network.holding, true);
    assert.equal(network.commits, before + 1);
    // The API side waits now, and gets it as soon as the network side gives it.
    const apiTakes = api.take();
    assert.equal(await settled(apiTakes), false);
    network.give();
    await apiTakes;
    assert.equal(api.holding, true);
    api.give();
  });

  test('a thread with nothing to do but wait for its turn stays alive until it gets it', async () => {
    // The network's thread opening its database while the API's thread writes: before, its
    // event loop held nothing but the wait, and the thread ended with code 0 (seen in a bench).
    const memory = WriterTurn.memory();
    const api = new WriterTurn(memory, 0);
    await api.take();
    const source = new URL('../../src/storage/dialects/sqlite-writer-turn.ts', import.meta.url).href;
    const body = `const { workerData, parentPort } = require('node:worker_threads');
      import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })
        .then(async ({ WriterTurn }) => { const turn = new WriterTurn(workerData, 1); await turn.take(); turn.give(); parentPort.postMessage('took'); });`;
    const thread = new Worker(body, { eval: true, workerData: memory });
    const said: string[] = [];
    thread.on('message', (message: string) => said.push(message));
    const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
    // Until the thread waits (the shared word says so), then a little longer: it must not end.
    const words = new Int32Array(memory);
    while (Atomics.load(words, 2) !== 1) await new Promise((resolve) => setImmediate(resolve));
    const early = await Promise.race([exited.then((code) => `ended with ${code}`), new Promise((resolve) => setTimeout(resolve, 200, 'still waiting'))]);
    assert.equal(early, 'still waiting');
    api.give();
    assert.equal(await exited, 0);
    assert.deepEqual(said, ['took']);
  });

  test('a side whose thread ended waiting for the turn is never handed it', async () => {
    const memory = WriterTurn.memory();
    const api = new WriterTurn(memory, 0);
    await api.take();
    const source = new URL('../../src/storage/dialects/sqlite-writer-turn.ts', import.meta.url).href;
    // The thread ends inside take(), its wish to write still on record.
    const body = `const { workerData } = require('node:worker_threads');
      import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })
        .then(({ WriterTurn }) => { void new WriterTurn(workerData, 1).take(); process.exit(0); });`;
    const thread = new Worker(body, { eval: true, workerData: memory });
    await new Promise((resolve) => thread.once('exit', resolve));
    // What the API's thread does when the network's ends (network-thread.ts).
    api.releaseOther();
    api.give();
    assert.equal(Atomics.load(new Int32Array(memory), 0), 0, 'the turn is free, not handed to the ended side');
    const again = api.take();
    assert.equal(await settled(again), true);
    api.give();
  });

  test('a side whose thread ended holding the turn is released by the other', async () => {
    const memory = WriterTurn.memory();
    const api = new WriterTurn(memory, 0);
    await new WriterTurn(memory, 1).take();
    const apiTakes = api.take();
    assert.equal(await settled(apiTakes), false);
    api.releaseOther();
    await apiTakes;
    assert.equal(api.holding, true);
  });

  describe('two group-commit writers of one file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shortroute-turns-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const memory = WriterTurn.memory();
    const apiBackend = sqliteBackend({ dataDir: dir, inMemory: false, turn: new WriterTurn(memory, 0) });
    const networkBackend = sqliteBackend({ dataDir: dir, inMemory: false, turn: new WriterTurn(memory, 1) });
    type Tables = { writes: { side: string; n: number }; pages: { body: string } };
    const api = new Kysely<Tables>({ dialect: apiBackend.dialect });
    const network = new Kysely<Tables>({ dialect: networkBackend.dialect });
    after(async () => {
      await api.destroy();
      await network.destroy();
    });
    const count = async () => (apiBackend.reads!.all('select count(*) as n from writes', []) as { n: number }[])[0]!.n;

    test('concurrent transactions of both sides all commit, in turns', async () => {
      await sql`create table writes (side text not null, n integer not null)`.execute(api);
      const write = (db: typeof api, side: string, n: number) =>
        db.transaction().execute(async (tx) => {
          await tx.insertInto('writes').values({ side, n }).execute();
          await tx.insertInto('writes').values({ side, n: -n }).execute();
        });
      const writes = [];
      for (let n = 1; n <= 40; n++) writes.push(write(api, 'api', n), write(network, 'network', n));
      await Promise.all(writes);
      const rows = await network
        .selectFrom('writes')
        .select(['side', (eb) => eb.fn.countAll<number>().as('rows')])
        .groupBy('side')
        .orderBy('side')
        .execute();
      assert.deepEqual(rows, [
        { side: 'api', rows: 80 },
        { side: 'network', rows: 80 },
      ]);
    });

    test("the API side's reader sees the network side's commit at once", async () => {
      const seen = await count();
      // The reader holds a snapshot from the read above; the other side's commit ends it.
      await network.insertInto('writes').values({ side: 'network', n: 0 }).execute();
      assert.equal(await count(), seen + 1);
    });

    test("an idle side's reader does not hold the log back: the WAL stays near its checkpoint size while the other side writes", async () => {
      // The API side reads once and then nothing (a node whose API is idle while its network
      // drains a backlog). Its snapshot, kept, would keep every frame the network side writes
      // from being checkpointed, and the log would grow by all of it: 12 MB here.
      await sql`create table pages (body text not null)`.execute(api);
      await count();
      const body = 'x'.repeat(4000);
      for (let batch = 0; batch < 120; batch++) {
        await network.transaction().execute(async (tx) => {
          for (let row = 0; row < 25; row++) await tx.insertInto('pages').values({ body }).execute();
        });
      }
      const wal = statSync(join(dir, `${SQLITE_FILE}-wal`)).size;
      assert.ok(wal < 8_000_000, `the log grew to ${wal} bytes`);
    });

    test('a failed sync on one side stops the writes of both: they share one log', async () => {
      // The last test of the group: the memory stays failed.
      new WriterTurn(memory, 1).fail();
      await assert.rejects(api.insertInto('writes').values({ side: 'api', n: 1 }).execute(), /sync of the database log failed in the other thread/);
      await assert.rejects(network.insertInto('writes').values({ side: 'network', n: 1 }).execute(), /sync of the database log failed/);
    });
  });
});
