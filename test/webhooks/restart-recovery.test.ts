// A node killed with a status callback in flight (SIGKILL: nothing recorded, the claim left in the
// outbox with a 60 s lease). Restarted, it sends the callback again at once, with the same
// I-Twilio-Idempotency-Token: on SQLite every claim at start is the previous run's; on PostgreSQL
// a node takes back the claims made under its own --node-id, while another node leaves them to
// their lease. The waits below give up after 20 s, well inside the lease: a callback that waited
// for it would fail them.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { BACKENDS, createTestSchema, TEST_DATABASE_URL } from '../helpers/backends.js';
import { killAll, type RunningCli, startCli } from '../helpers/cli.js';
import { ACCOUNT_SID, AUTH_TOKEN, form, type Reply, send } from '../helpers/server.js';
import type { Webhook } from '../helpers/messaging.js';
import { Receiver, type Received } from '../helpers/receiver.js';

const CREDENTIALS = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN };
const LEASE_MS = 60_000;

const request = (node: RunningCli, method: string, path: string, values?: Record<string, string>): Promise<Reply> =>
  send(node.url + path, method, node.auth, values ? form(values) : undefined);

let shortCodes = 70000 + Math.floor(Math.random() * 9000);

/** Sends one message from a new short code with a StatusCallback; the `sent` callback follows at once. */
async function sendWithCallback(node: RunningCli, callbackUrl: string): Promise<string> {
  const code = await request(node, 'POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes.json`, { ShortCode: String(shortCodes++), CountryCode: 'US' });
  assert.equal(code.status, 201, code.text);
  const message = await request(node, 'POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
    From: code.body.short_code,
    To: '+14155550123',
    Body: 'restart me',
    StatusCallback: callbackUrl,
  });
  assert.equal(message.status, 201, message.text);
  return message.body.sid;
}

async function sentCallback(node: RunningCli, messageSid: string): Promise<Webhook> {
  const reply = await request(node, 'GET', `/_shortroute/Accounts/${ACCOUNT_SID}/Webhooks?MessageSid=${messageSid}&PageSize=50`);
  assert.equal(reply.status, 200, reply.text);
  const hook = (reply.body.webhooks as Webhook[]).find((h) => h.params.MessageStatus === 'sent');
  assert.ok(hook, reply.text);
  return hook;
}

/** The receiver's `sent` callbacks for the message, in arrival order. */
const sentRequests = (receiver: Receiver, messageSid: string): Received[] =>
  receiver.requests.filter((r) => r.params.MessageSid === messageSid && r.params.MessageStatus === 'sent');

async function waitForSent(receiver: Receiver, messageSid: string, count: number): Promise<Received[]> {
  for (let seen = receiver.requests.length; sentRequests(receiver, messageSid).length < count; seen++) await receiver.waitFor(seen + 1);
  return sentRequests(receiver, messageSid);
}

/** The second `sent` request repeats the first, token and all; the log has the one recorded attempt, answered. */
async function assertSentAgain(node: RunningCli, receiver: Receiver, messageSid: string): Promise<void> {
  const [lost, again] = await waitForSent(receiver, messageSid, 2);
  assert.equal(again!.headers['i-twilio-idempotency-token'], lost!.headers['i-twilio-idempotency-token']);
  assert.equal(again!.body, lost!.body);
  assert.ok(Receiver.valid(again!, AUTH_TOKEN));
  let hook = await sentCallback(node, messageSid);
  // The attempt is recorded once its answer is: the request may have arrived a moment before.
  for (let i = 0; i < 50 && hook.status === 'pending'; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    hook = await sentCallback(node, messageSid);
  }
  assert.equal(hook.status, 'delivered', JSON.stringify(hook));
  // Attempt 1 went out with the killed node and was never recorded; attempt 2 is the answered one.
  assert.deepEqual(
    hook.attempts.map((a) => [a.attempt, a.response?.status]),
    [[2, 200]],
  );
}

describe('webhooks in flight when a node is killed', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await Receiver.start();
  });
  afterEach(killAll);
  after(async () => {
    await receiver.close();
  });

  /**
   * Starts a node with `args`, sends a message whose `sent` callback the receiver holds open,
   * SIGKILLs the node with it in flight, and has the receiver answer 200 from then on.
   */
  async function killedMidCallback(args: string[]): Promise<string> {
    const node = await startCli(args, { env: CREDENTIALS });
    receiver.answer('hang');
    const sid = await sendWithCallback(node, `${receiver.url}/status`);
    await waitForSent(receiver, sid, 1);
    await node.stop('SIGKILL');
    receiver.answer({ status: 200 });
    return sid;
  }

  if (BACKENDS.includes('sqlite')) {
    test('[sqlite] restarted on the same data, the node sends the lost callback again at once', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'shortroute-reclaim-'));
      try {
        const args = ['--port', '0', '--data-dir', dataDir, '--webhook-timeout', '50000'];
        const sid = await killedMidCallback(args);
        const second = await startCli(args, { env: CREDENTIALS });
        await assertSentAgain(second, receiver, sid);
        await second.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }

  if (BACKENDS.includes('postgres')) {
    test('[postgres] a node takes back its own claims at restart; another node leaves them to their lease', async () => {
      const { schema, drop } = await createTestSchema();
      try {
        const args = ['--port', '0', '--database-url', TEST_DATABASE_URL, '--database-schema', schema, '--webhook-timeout', '50000'];
        const nodeA = [...args, '--node-id', 'node-a'];
        const sid = await killedMidCallback(nodeA);

        // Another node starts: the claim is node-a's, so it stays leased (B would take it only after the lease).
        const b = await startCli([...args, '--node-id', 'node-b'], { env: CREDENTIALS });
        const leased = await sentCallback(b, sid);
        assert.equal(leased.status, 'pending');
        const leftMs = Date.parse(leased.next_attempt_at!) - Date.now();
        assert.ok(leftMs > LEASE_MS / 2, `the lease still holds after node-b's start (${leftMs} ms left)`);
        assert.equal(sentRequests(receiver, sid).length, 1);

        // node-a again, under its name: its claim is taken back and the callback sent (by whichever node comes first).
        const again = await startCli(nodeA, { env: CREDENTIALS });
        await assertSentAgain(again, receiver, sid);
        await Promise.all([again.stop(), b.stop()]);
      } finally {
        await drop();
      }
    });
  }
});
