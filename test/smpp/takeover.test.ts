// Two PostgreSQL nodes and one connector: exactly one node binds it, and when that node is killed
// (SIGKILL: no unbind, its lease left to run out) the other binds it once the lease is over, and
// the messages waiting go out through it; a node paused past its lease (SIGSTOP) gives the bind up
// when it resumes. Nodes are real processes of the built CLI.

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { BACKENDS, createTestSchema, TEST_DATABASE_URL } from '../helpers/backends.js';
import { killAll, type RunningCli, startCli } from '../helpers/cli.js';
import { ACCOUNT_SID, AUTH_TOKEN, form, type Reply, send } from '../helpers/server.js';
import { Smsc } from '../helpers/smsc.js';

const CREDENTIALS = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN };
const LEASE_MS = 3_000;

const request = (node: RunningCli, method: string, path: string, values?: Record<string, string>): Promise<Reply> =>
  send(node.url + path, method, node.auth, values ? form(values) : undefined);

if (BACKENDS.includes('postgres')) {
  describe('[postgres] an SMPP connector on two nodes', () => {
    let smsc: Smsc;
    before(async () => {
      smsc = await Smsc.start();
    });
    afterEach(killAll);
    after(() => smsc?.close());

    test('only one node binds; killing it moves the bind to the other, and waiting messages go out', async () => {
      const { a, b, nodes, drop } = await twoNodes();
      try {
        const connectors = `/_shortroute/Accounts/${ACCOUNT_SID}/Connectors`;
        const made = await request(a, 'POST', connectors, { Host: '127.0.0.1', Port: String(smsc.port), SystemId: 'shortroute', Password: 'secret' });
        assert.equal(made.status, 201, made.text);
        const code = await request(a, 'POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes.json`, { ShortCode: '55123', CountryCode: 'US' });
        assert.equal((await request(a, 'POST', `${connectors}/${made.body.sid}/Senders`, { SenderSid: code.body.sid })).status, 201);

        await smsc.until(() => smsc.sessions.size === 1, 'a bind');
        // Both nodes have looked at the connector more than once by now; still one bind.
        const holder = await boundBy(b, `${connectors}/${made.body.sid}`, (by) => by !== null);
        assert.equal(smsc.sessions.size, 1, 'one node binds the connector');
        assert.equal(smsc.binds.filter((x) => x.ok).length, 1);

        await nodes[holder as keyof typeof nodes].stop('SIGKILL');
        const other = holder === 'node-a' ? b : a;
        // Sent while no node is bound: it waits for the connector instead of failing.
        const sentAt = smsc.submits.length;
        const message = await request(other, 'POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
          From: '55123',
          To: '+14155550142',
          Body: 'Still here',
        });
        assert.equal(message.status, 201, message.text);
        const taken = await boundBy(other, `${connectors}/${made.body.sid}`, (by) => by !== null && by !== holder, 4 * LEASE_MS + 10_000);
        assert.notEqual(taken, holder);
        await smsc.until(() => smsc.submits.slice(sentAt).some((s) => s.text === 'Still here'), 'the waiting message, through the new bind');
      } finally {
        await killAll();
        await drop();
      }
    });

    test('a node paused past its lease, with submits waiting for their turn: the other binds and sends them; the paused one, resumed, sends none of them and unbinds', async () => {
      const { a, b, nodes, drop } = await twoNodes();
      try {
        const connectors = `/_shortroute/Accounts/${ACCOUNT_SID}/Connectors`;
        const sessionsBefore = smsc.sessions.size;
        // One submit a second, and no bind yet (a wrong password): the messages wait for it, and
        // the node that binds takes all four at once, sends one, and the rest wait their turn.
        const made = await request(a, 'POST', connectors, {
          Host: '127.0.0.1',
          Port: String(smsc.port),
          SystemId: 'shortroute',
          Password: 'wrong',
          Throughput: '1',
        });
        assert.equal(made.status, 201, made.text);
        const code = await request(a, 'POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes.json`, { ShortCode: '55124', CountryCode: 'US' });
        assert.equal((await request(a, 'POST', `${connectors}/${made.body.sid}/Senders`, { SenderSid: code.body.sid })).status, 201);
        const path = `${connectors}/${made.body.sid}`;
        const texts = ['Paced 1', 'Paced 2', 'Paced 3', 'Paced 4'];
        for (const [i, body] of texts.entries()) {
          const message = await request(b, 'POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, { From: '55124', To: `+1415555015${i}`, Body: body });
          assert.equal(message.status, 201, message.text);
        }
        const sending = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json?From=55124&PageSize=10`;
        for (let tries = 0; (await request(a, 'GET', sending)).body.messages.filter((m: { status: string }) => m.status === 'sending').length < 4; tries++) {
          assert.ok(tries < 200, 'the four messages waiting for the connector');
          await new Promise((go) => setTimeout(go, 50));
        }
        const sentAt = smsc.submits.length;
        assert.equal((await request(a, 'POST', path, { Password: 'secret' })).status, 200);
        await smsc.until(() => smsc.submits.length > sentAt, 'the first submit');
        const holder = await boundBy(a, path, (by) => by !== null);
        const paused = nodes[holder as keyof typeof nodes];
        const other = paused === a ? b : a;
        paused.child.kill('SIGSTOP');
        await boundBy(other, path, (by) => by !== null && by !== holder, 4 * LEASE_MS + 10_000);
        // The row says `binding` once the other node holds the lease, and `bound` once its own
        // session bound. The paused node's connection is still open then: both at once.
        await smsc.until(() => smsc.sessions.size === sessionsBefore + 2, "the other node's bind beside the paused node's open connection");
        const unbinds = smsc.unbinds;
        // Resumed: its submits' turns are long past, and their timers fire at once.
        paused.child.kill('SIGCONT');
        await smsc.until(() => smsc.unbinds > unbinds && smsc.sessions.size === sessionsBefore + 1, 'the resumed node unbinding');
        const seen = () => smsc.submits.slice(sentAt).map((s) => s.text);
        await smsc.until(() => texts.every((t) => seen().includes(t)), 'every message, through the other node', 20_000);
        // The first may go twice (its answer may have come after the pause: at least once); the
        // others only ever waited on the paused node, and went once, from the other.
        for (const text of texts.slice(1)) assert.equal(seen().filter((t) => t === text).length, 1, `${text}: ${seen().join(', ')}`);
        assert.equal(await boundBy(paused, path, (by) => by !== null), other === a ? 'node-a' : 'node-b', 'the bind stayed with the other node');
      } finally {
        await killAll();
        await drop();
      }
    });
  });
}

/** Two nodes on a new schema, with a short lease; `drop` removes the schema. */
async function twoNodes() {
  const { schema, drop } = await createTestSchema();
  const args = ['--port', '0', '--database-url', TEST_DATABASE_URL, '--database-schema', schema, '--smpp-lease', String(LEASE_MS)];
  try {
    const a = await startCli([...args, '--node-id', 'node-a'], { env: CREDENTIALS });
    const b = await startCli([...args, '--node-id', 'node-b'], { env: CREDENTIALS });
    return { a, b, nodes: { 'node-a': a, 'node-b': b }, drop };
  } catch (error) {
    await killAll();
    await drop();
    throw error;
  }
}

/** Polls a connector until its `bound_by` satisfies `ready` while it is bound; answers that node. */
async function boundBy(node: RunningCli, path: string, ready: (by: string | null) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await request(node, 'GET', path);
    assert.equal(reply.status, 200, reply.text);
    if (reply.body.status === 'bound' && ready(reply.body.bound_by)) return reply.body.bound_by;
    if (Date.now() > deadline) assert.fail(`not bound as expected within ${timeoutMs} ms: ${reply.text}`);
    await new Promise((go) => setTimeout(go, 100));
  }
}
