import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS, createTestSchema, TEST_DATABASE_URL } from '../helpers/backends.js';
import { killAll, startCli, type RunningCli } from '../helpers/cli.js';
import { ACCOUNT_SID, AUTH_TOKEN, basicAuth, form, send, type Reply } from '../helpers/server.js';
import { assertTwilioError } from '../helpers/fixtures.js';
import { DEFAULT_LIMITS } from '../../src/deps.js';

const POOL_LIMIT = DEFAULT_LIMITS.maxSenders;

const skip = BACKENDS.includes('postgres') ? false : 'SHORTROUTE_TEST_BACKENDS leaves out postgres';

describe('[postgres] several nodes on one database', { skip }, () => {
  /** A node as the tests use it: where it is and a request with the main account's credentials. */
  type Node = RunningCli & { request(method: string, path: string, values?: Record<string, string>): Promise<Reply> };
  let nodes: Node[] = [];
  const asNode = (cli: RunningCli): Node =>
    Object.assign(cli, {
      request: (method: string, path: string, values?: Record<string, string>) => send(cli.url + path, method, cli.auth, values ? form(values) : undefined),
    });
  let drop: () => Promise<void>;
  let nextNumber = 30000;

  before(async () => {
    const created = await createTestSchema();
    drop = created.drop;
    const args = ['--port', '0', '--database-url', TEST_DATABASE_URL, '--database-schema', created.schema, '--pool-size', '8'];
    const env = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN };
    // Started together: migrations and the main account must cope with a simultaneous start.
    nodes = (await Promise.all([startCli(args, { env }), startCli(args, { env })])).map(asNode);
  });
  after(async () => {
    await killAll();
    await drop?.();
  });

  const [a, b] = [() => nodes[0]!, () => nodes[1]!];
  const shortCodes = `/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes.json`;
  const newShortCode = async (node: Node) => {
    const reply = await node.request('POST', shortCodes, { ShortCode: String(nextNumber++) });
    assert.equal(reply.status, 201, reply.text);
    return reply.body.sid as string;
  };
  const newService = async (node: Node) => {
    const reply = await node.request('POST', '/v1/Services', { FriendlyName: 'Shared' });
    assert.equal(reply.status, 201, reply.text);
    return reply.body.sid as string;
  };

  test('nodes: two processes on different ports serve what either creates, at once', async () => {
    assert.notEqual(a().url, b().url);
    const service = await newService(a());
    const fromB = await b().request('GET', `/v1/Services/${service}`);
    assert.equal(fromB.status, 200);
    assert.equal(fromB.body.friendly_name, 'Shared');
    const renamed = await b().request('POST', `/v1/Services/${service}`, { FriendlyName: 'Renamed on B' });
    assert.equal(renamed.status, 200);
    assert.equal((await a().request('GET', `/v1/Services/${service}`)).body.friendly_name, 'Renamed on B');
    assert.equal((await a().request('DELETE', `/v1/Services/${service}`)).status, 204);
    assertTwilioError(await b().request('GET', `/v1/Services/${service}`), 404, 20404);
  });

  test('accounts: a subaccount suspended through one node is refused by the other at once (its account cache hears the change)', async (t) => {
    const made = await a().request('POST', '/2010-04-01/Accounts.json', { FriendlyName: 'Cached on B' });
    assert.equal(made.status, 201, made.text);
    const sub = made.body as { sid: string; auth_token: string };
    const asSub = basicAuth(sub.sid, sub.auth_token);
    const own = `${b().url}/2010-04-01/Accounts/${sub.sid}.json`;
    // B reads the subaccount for this request and keeps it.
    assert.equal((await send(own, 'GET', asSub)).status, 200);
    assert.equal((await send(own, 'GET', asSub)).status, 200);
    const suspended = await a().request('POST', `/2010-04-01/Accounts/${sub.sid}.json`, { Status: 'suspended' });
    assert.equal(suspended.status, 200, suspended.text);
    // The announcement travels from A's commit to B's listening connection: give it a moment,
    // no more (a cache that never heard it would answer 200 for as long as it runs).
    const started = performance.now();
    let reply = await send(own, 'GET', asSub);
    while (reply.status === 200 && performance.now() - started < 2000) reply = await send(own, 'GET', asSub);
    assertTwilioError(reply, 401, 20003);
    t.diagnostic(`refused on B ${(performance.now() - started).toFixed(0)} ms after A answered`);
    // And back: reactivated on A, B lets it in again.
    assert.equal((await a().request('POST', `/2010-04-01/Accounts/${sub.sid}.json`, { Status: 'active' })).status, 200);
    reply = await send(own, 'GET', asSub);
    while (reply.status !== 200 && performance.now() - started < 4000) reply = await send(own, 'GET', asSub);
    assert.equal(reply.status, 200, reply.text);
  });

  test('services: a service deleted through one node is refused for sends by the other at once (its cache hears the change)', async (t) => {
    const service = await newService(a());
    const messages = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
    const sendThroughB = () => b().request('POST', messages, { MessagingServiceSid: service, To: '+16505550123', Body: 'Hi' });
    // B reads the service's settings for this send and keeps them.
    assert.equal((await sendThroughB()).status, 201);
    assert.equal((await sendThroughB()).status, 201);
    assert.equal((await a().request('DELETE', `/v1/Services/${service}`)).status, 204);
    const started = performance.now();
    let reply = await sendThroughB();
    while (reply.status === 201 && performance.now() - started < 2000) reply = await sendThroughB();
    assertTwilioError(reply, 404, 21701);
    t.diagnostic(`refused on B ${(performance.now() - started).toFixed(0)} ms after A answered`);
  });

  test('nodes: a page token from one node continues the walk on the other', async () => {
    const service = await newService(a());
    const members: string[] = [];
    for (let i = 0; i < 7; i++) {
      const sc = await newShortCode(i % 2 ? a() : b());
      assert.equal((await (i % 2 ? b() : a()).request('POST', `/v1/Services/${service}/ShortCodes`, { ShortCodeSid: sc })).status, 201);
      members.push(sc);
    }
    const seen: string[] = [];
    let next: string | null = `${a().url}/v1/Services/${service}/ShortCodes?PageSize=3`;
    let turn = 0;
    while (next) {
      const node = turn++ % 2 ? b() : a();
      // Follow the other node's absolute URL on this node: same path and token, another host.
      const path = new URL(next).pathname + new URL(next).search;
      const reply = await node.request('GET', path);
      assert.equal(reply.status, 200, reply.text);
      assert.ok(reply.body.meta.url.startsWith(node.url), 'meta URLs point at the node that answered');
      seen.push(...reply.body.short_codes.map((s: { sid: string }) => s.sid));
      next = reply.body.meta.next_page_url;
    }
    assert.deepEqual(seen, members);
  });

  test('race: one short code raced into two services through two nodes: one wins, the other gets 21712', async () => {
    const rounds = 40;
    for (let i = 0; i < rounds; i++) {
      const [s1, s2] = await Promise.all([newService(a()), newService(b())]);
      const sc = await newShortCode(a());
      const replies = await Promise.all([
        a().request('POST', `/v1/Services/${s1}/ShortCodes`, { ShortCodeSid: sc }),
        b().request('POST', `/v1/Services/${s2}/ShortCodes`, { ShortCodeSid: sc }),
      ]);
      const statuses = replies.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 400], `round ${i}: ${replies.map((r) => r.text).join(' | ')}`);
      const loser = replies.find((r) => r.status === 400)!;
      assert.equal(loser.body.code, 21712);
      const inFirst = (await a().request('GET', `/v1/Services/${s1}/ShortCodes`)).body.short_codes.length;
      const inSecond = (await b().request('GET', `/v1/Services/${s2}/ShortCodes`)).body.short_codes.length;
      assert.equal(inFirst + inSecond, 1);
    }
  });

  test('race: the same short code raced into one service twice: one 201, one 21710', async () => {
    for (let i = 0; i < 20; i++) {
      const service = await newService(a());
      const sc = await newShortCode(b());
      const replies = await Promise.all([
        a().request('POST', `/v1/Services/${service}/ShortCodes`, { ShortCodeSid: sc }),
        b().request('POST', `/v1/Services/${service}/ShortCodes`, { ShortCodeSid: sc }),
      ]);
      assert.deepEqual(replies.map((r) => r.status).sort(), [201, 409], replies.map((r) => r.text).join(' | '));
    }
  });

  test('race: concurrent adds through both nodes never push a pool past 400', async () => {
    const service = await newService(a());
    const filler = POOL_LIMIT - 6;
    for (let i = 0; i < filler; i++) {
      const sc = await newShortCode(i % 2 ? a() : b());
      assert.equal((await a().request('POST', `/v1/Services/${service}/ShortCodes`, { ShortCodeSid: sc })).status, 201);
    }
    const candidates = [];
    for (let i = 0; i < 30; i++) candidates.push(await newShortCode(a()));
    const replies = await Promise.all(
      candidates.map((sc, i) => (i % 2 ? a() : b()).request('POST', `/v1/Services/${service}/ShortCodes`, { ShortCodeSid: sc })),
    );
    const won = replies.filter((r) => r.status === 201).length;
    const full = replies.filter((r) => r.status === 400 && r.body.code === 21714).length;
    assert.equal(
      won,
      6,
      replies
        .filter((r) => r.status !== 201 && r.body.code !== 21714)
        .map((r) => r.text)
        .join('\n'),
    );
    assert.equal(full, 24);
    const listed = await b().request('GET', `/v1/Services/${service}/ShortCodes?PageSize=1000`);
    assert.equal(listed.body.short_codes.length, POOL_LIMIT);
  });
});
