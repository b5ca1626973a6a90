import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { useDomain } from '../helpers/domain.js';
import { newMessage } from '../../src/sending/message.js';
import { webhookRow } from '../../src/webhooks/outbox.js';
import { WEBHOOK_KIND } from '../../src/storage/states.js';
import { IDLE } from '../../src/storage/repositories/sender-queues.js';
import { createConnector } from '../../src/resources/connectors/connectors.js';

/**
 * The network's and the outbox's writes of many rows in one statement (storage/bulk.ts), on each
 * backend: the rows travel as one JSON parameter, which each database unpacks its own way.
 */
for (const backend of BACKENDS) {
  describe(`[${backend}] many rows in one statement`, () => {
    const env = useDomain(backend);
    const at = '2026-03-01T09:00:00.000Z';
    /** `count` status callbacks of the message, numbered from 1 in their URL and params, not yet written. */
    const statusCallbacks = (messageSid: string, count: number, maxAttempts: number) =>
      Array.from({ length: count }, (_, i) =>
        webhookRow(
          {
            accountSid: env.accountSid,
            messageSid,
            kind: WEBHOOK_KIND.statusCallback,
            url: `http://127.0.0.1:9/${i + 1}`,
            method: 'POST',
            params: [['N', String(i + 1)]],
            maxAttempts,
          },
          new Date(at),
        ),
      );
    /** The message's webhooks as [status, attempts, claimed_by, next_attempt_at, error_code], in order. */
    const outboxStates = async (messageSid: string) =>
      (await env.deps.store.webhooks.list(env.accountSid, { messageSid })).map((r) => [r.status, r.attempts, r.claimed_by, r.next_attempt_at, r.error_code]);
    const message = async (to: string) => {
      const row = newMessage({ account_sid: env.accountSid, direction: 'outbound-api', to_address: to, body: 'hi', status: 'accepted', media: [], at });
      await env.deps.store.messages.insert(row);
      return row;
    };

    test('patches of different columns update their own messages; untouched columns keep their values', async () => {
      const a = await message('+15005550101');
      const b = await message('+15005550102');
      const c = await message('+15005550103');
      await env.deps.store.messages.updateMany(
        new Map([
          [a.sid, { status: 'sent', num_segments: 2, date_sent: at }],
          [b.sid, { status: 'failed', error_code: 30003, error_message: 'it\'s "quoted" and ünïcode ✓' }],
          [c.sid, { status: 'sent', num_segments: 1, date_sent: at }],
        ]),
      );
      const [ra, rb, rc] = await Promise.all([a, b, c].map((m) => env.deps.store.messages.fetch(env.accountSid, m.sid)));
      assert.deepEqual([ra?.status, ra?.num_segments, ra?.date_sent, ra?.error_code], ['sent', 2, at, null]);
      assert.deepEqual([rb?.status, rb?.error_code, rb?.error_message, rb?.num_segments], ['failed', 30003, 'it\'s "quoted" and ünïcode ✓', b.num_segments]);
      assert.deepEqual([rc?.status, rc?.num_segments, rc?.body], ['sent', 1, 'hi']);
    });

    test("history rows continue each message's own numbering, in the order given", async () => {
      const a = await message('+15005550104');
      const b = await message('+15005550105');
      await env.deps.store.messages.addEvent({ message_sid: a.sid, status: 'accepted', date: at });
      await env.deps.store.messages.addEvents([
        { message_sid: b.sid, status: 'queued', date: at },
        { message_sid: a.sid, status: 'queued', error_code: null, detail: 'from 12345 by short_code', date: at },
      ]);
      // Several rows of one message in one call (a step that routes and sends at once).
      await env.deps.store.messages.addEvents([
        { message_sid: a.sid, status: 'sending', date: at },
        { message_sid: b.sid, status: 'sending', date: at },
        { message_sid: a.sid, status: 'failed', error_code: 30007, date: at },
      ]);
      const history = await env.deps.store.messages.listEvents(a.sid);
      assert.deepEqual(
        history.map((e) => [e.seq, e.status, e.error_code, e.detail]),
        [
          [1, 'accepted', null, null],
          [2, 'queued', null, 'from 12345 by short_code'],
          [3, 'sending', null, null],
          [4, 'failed', 30007, null],
        ],
      );
      assert.deepEqual(
        (await env.deps.store.messages.listEvents(b.sid)).map((e) => [e.seq, e.status]),
        [
          [1, 'queued'],
          [2, 'sending'],
        ],
      );
    });

    test('webhooks inserted together keep their order; claims and answers count only at the attempt count read', async () => {
      const m = await message('+15005550106');
      const rows = statusCallbacks(m.sid, 3, 2);
      await env.deps.store.webhooks.insertMany(rows);
      const stored = await env.deps.store.webhooks.list(env.accountSid, { messageSid: m.sid });
      assert.deepEqual(
        stored.map((r) => r.url),
        rows.map((r) => r.url),
      );
      assert.deepEqual(
        stored.map((r) => [r.attempts, r.max_attempts, r.fallback, r.claimed_by]),
        rows.map(() => [0, 2, null, null]),
      );

      // The second row was read at an attempt count it no longer has: another node claimed it.
      const stale = { ...rows[1]!, attempts: 1 };
      const won = await env.deps.store.webhooks.claimMany([rows[0]!, stale, rows[2]!], 'node-a', '2026-03-01T09:01:00.000Z', at);
      assert.deepEqual([...won].sort(), [rows[0]!.sid, rows[2]!.sid].sort());
      const after = await env.deps.store.webhooks.list(env.accountSid, { messageSid: m.sid });
      assert.deepEqual(
        after.map((r) => [r.attempts, r.claimed_by, r.next_attempt_at]),
        [
          [1, 'node-a', '2026-03-01T09:01:00.000Z'],
          [0, null, at],
          [1, 'node-a', '2026-03-01T09:01:00.000Z'],
        ],
      );
      // Answers settle a webhook only at the attempt they answer, while it is pending: the second
      // row's attempt 1 was never claimed here (it is at 0), and a finished one stays finished.
      const later = '2026-03-01T09:00:02.000Z';
      await env.deps.store.webhooks.settleMany([
        { sid: rows[0]!.sid, attempts: 1, patch: { status: 'delivered', next_attempt_at: null, claimed_by: null, date_updated: later } },
        { sid: rows[1]!.sid, attempts: 1, patch: { status: 'delivered', next_attempt_at: null, claimed_by: null, date_updated: later } },
        { sid: rows[2]!.sid, attempts: 1, patch: { next_attempt_at: later, claimed_by: null, error_code: 11200, date_updated: later } },
      ]);
      await env.deps.store.webhooks.settleMany([
        { sid: rows[0]!.sid, attempts: 1, patch: { status: 'failed', next_attempt_at: null, claimed_by: null, error_code: 11205, date_updated: later } },
      ]);
      assert.deepEqual(await outboxStates(m.sid), [
        ['delivered', 1, null, null, null],
        ['pending', 0, null, at, null],
        ['pending', 1, null, later, 11200],
      ]);

      // Past the one claim beyond the last attempt, nothing is claimed.
      await env.deps.store.webhooks.update(rows[0]!.sid, { attempts: 3, status: 'pending' });
      assert.equal((await env.deps.store.webhooks.claimMany([{ ...rows[0]!, attempts: 3 }], 'node-b', at, at)).size, 0);
    });

    test("answered attempts are recorded with their webhooks' next states: each at the attempt it answers, once", async () => {
      const m = await message('+15005550108');
      const rows = statusCallbacks(m.sid, 3, 3);
      await env.deps.store.webhooks.insertMany(rows);
      await env.deps.store.webhooks.claimMany([rows[0]!, rows[1]!, rows[2]!], 'node-a', '2026-03-01T09:01:00.000Z', at);
      const later = '2026-03-01T09:00:02.000Z';
      const attempt = (sid: string, n: number, status: number) => ({
        webhook_sid: sid,
        attempt: n,
        date: later,
        request: '{}',
        response_status: status,
        response_headers: null,
        response_body: null,
        error: null,
        duration_ms: 3,
      });
      const delivered = { status: 'delivered', next_attempt_at: null, claimed_by: null, error_code: null, date_updated: later } as const;
      // One shape (on PostgreSQL, one statement): the third answers an attempt it is not at.
      await env.deps.store.webhooks.record(
        [attempt(rows[0]!.sid, 1, 200), attempt(rows[1]!.sid, 1, 204), attempt(rows[2]!.sid, 2, 200)],
        [
          { sid: rows[0]!.sid, attempts: 1, patch: delivered },
          { sid: rows[1]!.sid, attempts: 1, patch: delivered },
          { sid: rows[2]!.sid, attempts: 2, patch: delivered },
        ],
      );
      // The same attempt again changes neither its record nor a finished webhook.
      await env.deps.store.webhooks.record(
        [attempt(rows[0]!.sid, 1, 500)],
        [{ sid: rows[0]!.sid, attempts: 1, patch: { ...delivered, status: 'failed', error_code: 11200 } }],
      );
      // Two shapes: a retry and a give-up, in a transaction.
      await env.deps.store.webhooks.record(
        [attempt(rows[2]!.sid, 1, 500)],
        [
          { sid: rows[2]!.sid, attempts: 1, patch: { next_attempt_at: later, claimed_by: null, error_code: 11200, date_updated: later } },
          { sid: rows[1]!.sid, attempts: 1, patch: { ...delivered, status: 'failed', error_code: 11200 } },
        ],
      );
      assert.deepEqual(await outboxStates(m.sid), [
        ['delivered', 1, null, null, null],
        ['delivered', 1, null, null, null],
        ['pending', 1, null, later, 11200],
      ]);
      const attempts = await env.deps.store.webhooks.listAttempts(rows.map((r) => r.sid));
      assert.deepEqual(attempts.map((a) => [rows.findIndex((r) => r.sid === a.webhook_sid), a.attempt, a.response_status]).sort(), [
        [0, 1, 200],
        [1, 1, 204],
        [2, 1, 500],
        [2, 2, 200],
      ]);
    });

    test('attempts recorded together skip one already recorded', async () => {
      const m = await message('+15005550107');
      const row = webhookRow(
        {
          accountSid: env.accountSid,
          messageSid: m.sid,
          kind: WEBHOOK_KIND.statusCallback,
          url: 'http://127.0.0.1:9/',
          method: 'POST',
          params: [],
          maxAttempts: 5,
        },
        new Date(at),
      );
      await env.deps.store.webhooks.insert(row);
      const attempt = (n: number, error: string | null) => ({
        webhook_sid: row.sid,
        attempt: n,
        date: at,
        request: '{}',
        response_status: 503,
        response_headers: null,
        response_body: 'busy',
        error,
        duration_ms: 4,
      });
      await env.deps.store.webhooks.insertAttempt(attempt(1, 'first'));
      await env.deps.store.webhooks.insertAttempts([attempt(1, 'again'), attempt(2, null)]);
      const attempts = await env.deps.store.webhooks.listAttempts([row.sid]);
      assert.deepEqual(
        attempts.map((a) => [a.attempt, a.error, a.response_status, a.duration_ms]),
        [
          [1, 'first', 503, 4],
          [2, null, 503, 4],
        ],
      );
    });

    test("a pool's queues and connectors are read in one statement past SQLite's 32,766 bound values", async () => {
      const { store } = env.deps;
      const senders = Array.from({ length: 40_000 }, (_, i) => `PN${String(i).padStart(32, '0')}`);
      const busy = senders[39_999]!;
      await store.transaction(async (tx) => {
        await tx.senderQueues.lockMany(senders);
        await tx.senderQueues.saveMany(new Map([[busy, '2026-03-01T09:00:05.000Z']]));
      });
      const queues = await store.transaction((tx) => tx.senderQueues.lockMany(senders));
      assert.equal(queues.size, senders.length);
      assert.equal(queues.get(busy), '2026-03-01T09:00:05.000Z');
      assert.equal(queues.get(senders[0]!), IDLE);

      const connector = await createConnector(env.deps, env.accountSid, { Host: '127.0.0.1', SystemId: 'pool', Password: 'secret' });
      await store.connectors.assign({ sender_sid: busy, connector_sid: connector.sid, account_sid: env.accountSid, date_created: at });
      const through = await store.transaction((tx) => tx.connectors.connectorsOf(senders));
      assert.deepEqual([...through], [[busy, connector.sid]]);
    });
  });
}
