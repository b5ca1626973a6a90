// One SMPP session on its own, against real sockets: an SMSC that takes the connection and then
// says nothing is reported and dropped after one enquire-link interval (plain and TLS); stopping
// never lets a submit go after the unbind, nor does the lease's end; a pause holds submits already
// given a turn; a submit left unanswered, or ESME_RINVBNDSTS, drops the bind rather than a message.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import smpp from 'smpp';
import type { ConnectorStatus } from '../../src/storage/schema.js';
import { NotBound, type SessionSettings, SmppSession } from '../../src/smpp/session.js';
import { Smsc } from '../helpers/smsc.js';

const SETTINGS: SessionSettings = {
  host: '127.0.0.1',
  port: 0,
  tls: false,
  systemId: 'shortroute',
  password: 'secret',
  systemType: '',
  windowSize: 10,
  throughput: 1_000,
  enquireLinkSeconds: 30,
};

/** A session with its states as they came, and a way to wait for one. */
function open(settings: Partial<SessionSettings>) {
  const states: Array<{ status: ConnectorStatus; error: string | null }> = [];
  const waiters: Array<() => void> = [];
  const session = new SmppSession(
    smpp,
    { ...SETTINGS, ...settings },
    {
      status(status, error) {
        states.push({ status, error });
        for (const wake of waiters.splice(0)) wake();
      },
      deliver: async () => undefined,
    },
  );
  const until = async (ready: () => boolean) => {
    while (!ready()) await new Promise<void>((wake) => waiters.push(wake));
  };
  session.start();
  return { session, states, until };
}

const submitFields = (text: string) => ({ source_addr: '12345', destination_addr: '14155550100', short_message: text });

describe('SMPP session', () => {
  let smsc: Smsc;
  before(async () => {
    smsc = await Smsc.start('shortroute', 'secret');
  });
  after(() => smsc?.close());

  /** A server that takes connections and never writes a byte. */
  async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { server, port: (server.address() as AddressInfo).port, sockets };
  }

  for (const tls of [false, true]) {
    test(`an SMSC that takes the connection and never answers (${tls ? 'TLS' : 'plain'}) is dropped after one enquire-link interval, with the reason`, async () => {
      const silent = await silentServer();
      const { session, states, until } = open({ port: silent.port, tls, enquireLinkSeconds: 0.2 });
      try {
        await until(() => states.some((s) => s.status === 'error'));
        const error = states.find((s) => s.status === 'error')!.error;
        assert.equal(error, tls ? 'no TLS handshake within 0.2 s' : 'no bind_transceiver_resp within 0.2 s');
        assert.ok(silent.sockets.length >= 1);
        // And it tries again: binding, after a backoff.
        await until(() => states.filter((s) => s.status === 'binding').length >= 2);
      } finally {
        await session.stop();
        for (const socket of silent.sockets) socket.destroy();
        silent.server.close();
      }
    });
  }

  test('stop(): submits waiting for the window or for their turn never go, one made after it fails at once, and the SMSC is unbound', async () => {
    const { session, states, until } = open({ port: smsc.port, windowSize: 1, throughput: 2 });
    await until(() => session.status === 'bound');
    const before = smsc.submits.length;
    const unbinds = smsc.unbinds;
    smsc.holdAnswers = true;
    try {
      const submits = ['first', 'second', 'third'].map((text) => session.submit(submitFields(text)));
      const outcomes = Promise.allSettled(submits);
      await smsc.until(() => smsc.submits.length > before, 'the first submit');
      await session.stop();
      const settled = await outcomes;
      assert.deepEqual(
        settled.map((s) => s.status === 'rejected' && s.reason instanceof NotBound),
        [true, true, true],
        'unanswered, waiting for the window, waiting for the window',
      );
      await assert.rejects(session.submit(submitFields('late')), NotBound);
      assert.deepEqual(
        smsc.submits.slice(before).map((s) => s.text),
        ['first'],
      );
      assert.equal(smsc.unbinds, unbinds + 1);
      assert.equal(states.at(-1)!.status, 'unbound');
    } finally {
      smsc.holdAnswers = false;
    }
  });

  test('stop() wakes submits waiting for their turn under the throughput: none goes after the unbind', async () => {
    const { session, until } = open({ port: smsc.port, windowSize: 10, throughput: 1 });
    await until(() => session.status === 'bound');
    const before = smsc.submits.length;
    const first = await session.submit(submitFields('now'));
    assert.equal(first.answer.command_status, 0);
    const later = assert.rejects(session.submit(submitFields('in a second')), NotBound);
    await session.stop();
    await later;
    assert.deepEqual(
      smsc.submits.slice(before).map((s) => s.text),
      ['now'],
    );
    assert.equal(session.submitsPerSecond, 1);
  });

  test('drain(): a new message is not sent, the next part of one partly sent still is, and answers still come', async () => {
    const { session, until } = open({ port: smsc.port });
    try {
      await until(() => session.status === 'bound');
      const before = smsc.submits.length;
      session.drain();
      await assert.rejects(session.submit(submitFields('a new message')), NotBound);
      const next = await session.submit(submitFields('part 2 of 2'), undefined, { continuing: true });
      assert.equal(next.answer.command_status, 0);
      assert.deepEqual(
        smsc.submits.slice(before).map((s) => s.text),
        ['part 2 of 2'],
      );
    } finally {
      await session.stop();
    }
  });

  test('a submit whose turn comes after submitUntil (the lease) does not go', async () => {
    const { session, until } = open({ port: smsc.port, throughput: 5 });
    try {
      await until(() => session.status === 'bound');
      const before = smsc.submits.length;
      await session.submit(submitFields('within the lease'));
      // The next turn is 200 ms away; the lease ends before it.
      session.submitUntil = performance.now() + 50;
      await assert.rejects(session.submit(submitFields('past the lease')), { name: 'Error', message: 'the lease ran out' });
      assert.deepEqual(
        smsc.submits.slice(before).map((s) => s.text),
        ['within the lease'],
      );
    } finally {
      await session.stop();
    }
  });

  test('a pause holds every submit already given a turn: none goes before it ends, and then they go in order at the throughput', async () => {
    const { session, until } = open({ port: smsc.port, throughput: 10 });
    try {
      await until(() => session.status === 'bound');
      const before = smsc.submits.length;
      smsc.script.push(0x58);
      const submits = ['1', '2', '3', '4', '5'].map((text) =>
        session.submit(submitFields(text), (answer) => {
          if (answer.command_status === 0x58) session.pause(500);
        }),
      );
      const answers = await Promise.all(submits);
      assert.deepEqual(
        answers.map((a) => a.answer.command_status),
        [0x58, 0, 0, 0, 0],
      );
      const [refused, ...rest] = smsc.submits.slice(before);
      assert.deepEqual(
        rest.map((s) => s.text),
        ['2', '3', '4', '5'],
        'in the order they had',
      );
      // The pause began at the refusal's answer; the next submit was booked 100 ms after the first.
      for (const s of rest) assert.ok(s.at - refused!.at >= 450, `a submit ${s.at - refused!.at} ms after the refusal, within the pause`);
      for (let i = 1; i < rest.length; i++) assert.ok(rest[i]!.at - rest[i - 1]!.at >= 90, 'spaced by the throughput after it');
    } finally {
      await session.stop();
    }
  });

  test('a submit the SMSC never answers (while it answers enquire_link) drops the bind after the interval: the submit fails as not bound', async () => {
    const { session, states, until } = open({ port: smsc.port, enquireLinkSeconds: 0.3 });
    smsc.holdAnswers = true;
    try {
      await until(() => session.status === 'bound');
      await assert.rejects(session.submit(submitFields('into the void')), { message: 'no submit_sm_resp within 0.3 s' });
      await until(() => states.some((s) => s.status === 'error' && s.error === 'no submit_sm_resp within 0.3 s'));
      assert.equal(session.windowInUse, 0, 'its place in the window is free again');
    } finally {
      smsc.holdAnswers = false;
      await session.stop();
    }
  });

  test('ESME_RINVBNDSTS drops the bind, not the message: the submit fails as not bound, and the session binds again', async () => {
    const { session, states, until } = open({ port: smsc.port });
    try {
      await until(() => session.status === 'bound');
      const binds = smsc.binds.length;
      smsc.script.push(0x04);
      await assert.rejects(session.submit(submitFields('to a forgotten bind')), NotBound);
      await until(() => states.some((s) => s.status === 'error' && /ESME_RINVBNDSTS/.test(s.error ?? '')));
      await until(() => states.at(-1)!.status === 'bound');
      assert.equal(smsc.binds.length, binds + 1);
      const again = await session.submit(submitFields('after the new bind'));
      assert.equal(again.answer.command_status, 0);
    } finally {
      await session.stop();
    }
  });
});
