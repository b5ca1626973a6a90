import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batcher } from '../../src/background/batcher.js';

/** A write the test finishes by hand, so what arrives meanwhile is under the test's control. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

test('the first item is written at once; items arriving during a write are the next batch', async () => {
  const batches: number[][] = [];
  const gates: ReturnType<typeof gate>[] = [];
  const batcher = new Batcher<number>(async (items) => {
    batches.push(items);
    const g = gate();
    gates.push(g);
    await g.promise;
  });
  const settled: number[] = [];
  const add = (n: number) => batcher.add(n).then(() => settled.push(n));
  const first = add(1);
  assert.deepEqual(batches, [[1]]);
  const rest = [add(2), add(3), add(4)];
  await Promise.resolve();
  assert.deepEqual(batches, [[1]], 'nothing else is written while the first write runs');
  gates[0]!.open();
  await first;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(batches, [[1], [2, 3, 4]]);
  assert.deepEqual(settled, [1], "the second batch's items wait for their own write");
  gates[1]!.open();
  await Promise.all(rest);
  assert.deepEqual(settled, [1, 2, 3, 4]);
});

test("a failed write rejects its own batch's items only; the next batch is written", async () => {
  const gates: ReturnType<typeof gate>[] = [];
  const batcher = new Batcher<string>(async () => {
    const g = gate();
    gates.push(g);
    await g.promise;
  });
  const a = batcher.add('a');
  const b = batcher.add('b');
  gates[0]!.fail(new Error('disk full'));
  await assert.rejects(a, /disk full/);
  await new Promise((resolve) => setImmediate(resolve));
  gates[1]!.open();
  await b;
  // Idle again: a new item starts a write of its own.
  const c = batcher.add('c');
  assert.equal(gates.length, 3);
  gates[2]!.open();
  await c;
});
