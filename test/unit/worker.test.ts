// The background worker tells its job why a round runs: asked for (work was written, or the last
// round found more), or only a timer (the poll, a due time). The network's stepper reads the
// earliest step first on a timer's round and goes straight to its transaction otherwise.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { pino } from 'pino';
import { Worker } from '../../src/background/worker.js';
import { systemClock } from '../../src/clock.js';

const POLL_MS = 250;

/** Lets the worker's promise callbacks run (its timer is set once nextDue() answers). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A worker polling every POLL_MS on the system clock, whose job's round is `run`, with no due times. */
const workerOf = (run: (told: boolean | undefined) => Promise<boolean>) =>
  new Worker({ name: 'messages', clock: systemClock, logger: pino({ level: 'silent' }), pollMs: POLL_MS, job: { run, nextDue: async () => undefined } });

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

test('rounds asked for, those that follow a round with more to do, and timer rounds, each told which they are', async () => {
  const told: boolean[] = [];
  let more = 0;
  const worker = workerOf(async (asked) => {
    told.push(asked ?? false);
    return more-- > 0;
  });
  worker.start();
  await worker.idle();
  await settle();
  assert.deepEqual(told, [true], 'start asks for a round');

  mock.timers.tick(POLL_MS);
  await worker.idle();
  await settle();
  assert.deepEqual(told, [true, false], 'the poll');

  more = 2;
  worker.notify();
  await worker.idle();
  await settle();
  assert.deepEqual(told, [true, false, true, true, true], 'asked for, then twice more while the job had more');

  mock.timers.tick(POLL_MS);
  await worker.idle();
  await settle();
  assert.deepEqual(told.at(-1), false, 'the poll again');
  await worker.stop();
});

test('a notification during a round, at any point of it, gets a round of its own at once, told', async () => {
  // The notification comes `depth` microtasks after the round's work resolves: inside the
  // round, or between the loop's end and the worker noticing it ended.
  for (let depth = 0; depth < 8; depth++) {
    const told: boolean[] = [];
    const worker: Worker = workerOf(async (asked) => {
      told.push(asked ?? false);
      if (told.length === 2) {
        const later = (n: number): void => (n === 0 ? worker.notify() : queueMicrotask(() => later(n - 1)));
        later(depth);
      }
      return false;
    });
    worker.start();
    await worker.idle();
    await settle();
    mock.timers.tick(POLL_MS);
    for (let i = 0; i < 4; i++) {
      await worker.idle();
      await settle();
    }
    assert.deepEqual(told, [true, false, true], `notified ${depth} microtasks after the round's work`);
    await worker.stop();
  }
});
