import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { OPTIONS } from '../../src/config.js';
import { form, send } from '../helpers/server.js';
import { Receiver } from '../helpers/receiver.js';
import { assertOneLineFailure, freePort, inParallel, killAll, listenSomewhere, ROOT, runCli, startCli, type RunningCli } from '../helpers/cli.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'cli-test-auth-token-0123456789';
const CREDENTIALS = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN };
const VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const SQLITE_FILE = 'shortroute.db';

/** A request to a CLI-started server with its main account's credentials. */
const call = (server: RunningCli, method: string, path: string, values?: Record<string, string | string[]>) =>
  send(server.url + path, method, server.auth, values ? form(values) : undefined);

const shortCodesPath = (server: RunningCli) => `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`;

/** Every temp dir a test made, removed after it. */
let dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shortroute-cli-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await killAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});
after(killAll);

describe('shortroute start --help', () => {
  test('start --help: prints every option with its SHORTROUTE_* twin, and examples; exit 0', async () => {
    const exit = await runCli(['start', '--help']);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stderr, '');
    const out = exit.stdout;
    assert.match(out, /^Usage: shortroute start \[options\]/);
    const lines = out.split('\n');
    // The options the README promises, then whatever else config.ts declares.
    const required = ['port', 'host', 'data-dir', 'in-memory', 'public-url', 'database-url', 'database-schema', 'pool-size', 'seed', 'log-level', 'help'];
    for (const name of new Set([...required, ...Object.keys(OPTIONS)])) {
      const line = lines.find((l) => new RegExp(`^\\s+--${name}\\b`).test(l));
      assert.ok(line, `--${name} is missing from the help:\n${out}`);
      const env = OPTIONS[name as keyof typeof OPTIONS]?.env;
      if (name !== 'help') {
        assert.ok(env, `--${name} has no env twin in OPTIONS`);
        assert.ok(line.includes(env), `--${name} does not name its env twin ${env}: ${line}`);
        assert.match(env, /^SHORTROUTE_[A-Z_]+$/);
      }
    }
    assert.match(out, /TWILIO_ACCOUNT_SID/);
    assert.match(out, /TWILIO_AUTH_TOKEN/);
    const examples = out.slice(out.indexOf('\nExamples:\n'));
    assert.ok(out.includes('\nExamples:\n'), `no Examples section:\n${out}`);
    assert.ok(examples.split('\n').filter((l) => /^\s+(\S+=\S+ )?shortroute start/.test(l)).length >= 3, examples);
  });

  test('--help without a command: prints the same help; exit 0', async () => {
    const exit = await runCli(['--help']);
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stdout, /^Usage: shortroute start \[options\]/);
    assert.match(exit.stdout, /--database-url/);
  });
});

describe('environment twins', () => {
  test('SHORTROUTE_PUBLIC_URL: absolute URLs in responses start with it', async () => {
    const server = await startCli(['--port', '0', '--in-memory'], { env: { ...CREDENTIALS, SHORTROUTE_PUBLIC_URL: 'https://sms.example.test/' } });
    const reply = await call(server, 'POST', '/v1/Services', { FriendlyName: 'Behind a proxy' });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.body.url, `https://sms.example.test/v1/Services/${reply.body.sid}`);
    assert.equal(reply.body.links.short_codes, `https://sms.example.test/v1/Services/${reply.body.sid}/ShortCodes`);
    const list = await call(server, 'GET', '/v1/Services?PageSize=5');
    assert.ok(list.body.meta.url.startsWith('https://sms.example.test/v1/Services'), list.text);
  });

  test('--public-url: beats SHORTROUTE_PUBLIC_URL', async () => {
    const server = await startCli(['--port', '0', '--in-memory', '--public-url', 'https://flag.example.test'], {
      env: { ...CREDENTIALS, SHORTROUTE_PUBLIC_URL: 'https://env.example.test' },
    });
    const reply = await call(server, 'POST', '/v1/Services', { FriendlyName: 'Flag wins' });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.body.url, `https://flag.example.test/v1/Services/${reply.body.sid}`);
  });

  test('SHORTROUTE_PORT and SHORTROUTE_DATA_DIR: the server listens on that port and keeps its database in that dir', async () => {
    const port = await freePort();
    const dir = tempDir();
    const server = await startCli([], { env: { ...CREDENTIALS, SHORTROUTE_PORT: String(port), SHORTROUTE_DATA_DIR: dir } });
    assert.equal(server.url, `http://127.0.0.1:${port}`);
    assert.match(server.stdout, new RegExp(`storage: +SQLite in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
    assert.equal((await call(server, 'POST', '/v1/Services', { FriendlyName: 'On disk' })).status, 201);
    assert.ok(existsSync(join(dir, SQLITE_FILE)), `no ${SQLITE_FILE} in ${dir}`);
  });

  test('--port: beats SHORTROUTE_PORT, which is then not even read', async () => {
    const server = await startCli(['--port', '0', '--in-memory'], { env: { ...CREDENTIALS, SHORTROUTE_PORT: 'not-a-port' } });
    assert.equal((await send(`${server.url}/_shortroute/health`, 'GET', undefined)).status, 200);
    const line = assertOneLineFailure(await runCli(['start', '--in-memory'], { env: { ...CREDENTIALS, SHORTROUTE_PORT: 'not-a-port' } }));
    assert.match(line, /--port .*'not-a-port'/);
  });

  test('SHORTROUTE_IN_MEMORY: nothing is written to the data dir', async () => {
    for (const value of ['true', '1', 'TRUE']) {
      const dir = tempDir();
      const server = await startCli(['--port', '0'], { env: { ...CREDENTIALS, SHORTROUTE_IN_MEMORY: value, SHORTROUTE_DATA_DIR: join(dir, 'data') } });
      assert.match(server.stdout, /storage: +SQLite in memory/);
      assert.equal((await call(server, 'POST', '/v1/Services', { FriendlyName: 'Ephemeral' })).status, 201);
      assert.equal(existsSync(join(dir, 'data')), false, `SHORTROUTE_IN_MEMORY=${value} still created the data dir`);
      assert.equal((await server.stop()).code, 0);
    }
    const line = assertOneLineFailure(await runCli(['start', '--port', '0'], { env: { ...CREDENTIALS, SHORTROUTE_IN_MEMORY: 'maybe' } }));
    assert.match(line, /--in-memory must be true or false/);
  });

  test('--host: beats SHORTROUTE_HOST; SHORTROUTE_HOST alone is used', async () => {
    // 192.0.2.1 (TEST-NET-1) is never a local address, so listening there must fail.
    const env = { ...CREDENTIALS, SHORTROUTE_HOST: '192.0.2.1' };
    const server = await startCli(['--port', '0', '--in-memory', '--host', '127.0.0.1'], { env });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const line = assertOneLineFailure(await runCli(['start', '--port', '0', '--in-memory'], { env }));
    assert.match(line, /^shortroute: cannot listen on 192\.0\.2\.1:0: /);
  });

  test('SHORTROUTE_DATABASE_URL and SHORTROUTE_POOL_SIZE: read from the environment', async () => {
    const unreachable = assertOneLineFailure(
      await runCli(['start', '--port', '0'], { env: { ...CREDENTIALS, SHORTROUTE_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' } }),
    );
    assert.match(unreachable, /^shortroute: cannot open PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/x: /);
    const pool = assertOneLineFailure(await runCli(['start', '--port', '0', '--in-memory'], { env: { ...CREDENTIALS, SHORTROUTE_POOL_SIZE: '0' } }));
    assert.match(pool, /--pool-size must be a whole number from 1 to 1000, not '0'/);
  });

  test('--data-dir: beats SHORTROUTE_DATA_DIR', async () => {
    const file = join(tempDir(), 'regular-file');
    writeFileSync(file, 'not a directory');
    const dir = tempDir();
    const server = await startCli(['--port', '0', '--data-dir', dir], { env: { ...CREDENTIALS, SHORTROUTE_DATA_DIR: join(file, 'data') } });
    assert.equal((await call(server, 'POST', '/v1/Services', { FriendlyName: 'Flag dir' })).status, 201);
    assert.ok(existsSync(join(dir, SQLITE_FILE)));
  });
});

describe('startup errors', () => {
  let occupied: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (occupied ? occupied.close(() => resolve()) : resolve()));
    occupied = undefined;
  });

  test('port already taken: one line on stderr naming the port, exit 1', async () => {
    occupied = await listenSomewhere();
    const port = (occupied.address() as { port: number }).port;
    const line = assertOneLineFailure(await runCli(['start', '--in-memory', '--port', String(port)], { env: CREDENTIALS }));
    assert.match(line, new RegExp(`^shortroute: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  });

  test('data dir unwritable: one line on stderr naming the dir, exit 1', async () => {
    // Tests run as root, whom chmod does not stop: a path under a regular file cannot be a folder.
    const file = join(tempDir(), 'regular-file');
    writeFileSync(file, 'not a directory');
    // And a folder sitting where the database file should be cannot be opened as one.
    const dir = tempDir();
    mkdirSync(join(dir, SQLITE_FILE));
    await inParallel([join(file, 'data'), file, dir], async (dataDir) => {
      const line = assertOneLineFailure(await runCli(['start', '--port', '0', '--data-dir', dataDir], { env: CREDENTIALS }));
      assert.ok(line.startsWith(`shortroute: cannot open SQLite in ${dataDir}: `), line);
    });
  });

  test('bad --port value: one line on stderr saying what a port must be, exit 1', async () => {
    await inParallel([['--port', 'abc'], ['--port=70000'], ['--port=1.5'], ['--port=-1'], ['--port']], async (args) => {
      const line = assertOneLineFailure(await runCli(['start', '--in-memory', ...args], { env: CREDENTIALS }));
      assert.match(line, /--port/, `${args.join(' ')}: ${line}`);
    });
  });

  test('bad TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN: one line on stderr, exit 1', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ TWILIO_ACCOUNT_SID: 'ACnope', TWILIO_AUTH_TOKEN: AUTH_TOKEN }, /TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits, not 'ACnope'/],
      [{ TWILIO_ACCOUNT_SID: 'MG0123456789abcdef0123456789abcdef', TWILIO_AUTH_TOKEN: AUTH_TOKEN }, /TWILIO_ACCOUNT_SID must be AC/],
      [{ TWILIO_ACCOUNT_SID: ACCOUNT_SID }, /TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together/],
      [{ TWILIO_AUTH_TOKEN: AUTH_TOKEN }, /TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together/],
      [{ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: 'short' }, /TWILIO_AUTH_TOKEN must be at least 8 characters/],
    ];
    await inParallel(cases, async ([env, message]) => {
      const line = assertOneLineFailure(await runCli(['start', '--in-memory', '--port', '0'], { env }));
      assert.match(line, message, JSON.stringify(env));
    });
  });

  test('unknown flag or command: one line on stderr, exit 1', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['start', '--in-memory', '--bogus'], /--bogus/],
      [['start', '--in-memory', '--port', '0', 'extra'], /extra/],
      [['stop'], /unknown command 'stop'/],
    ];
    await inParallel(cases, async ([args, message]) => {
      const line = assertOneLineFailure(await runCli(args, { env: CREDENTIALS }));
      assert.match(line, message, args.join(' '));
    });
  });

  test('unreachable --database-url: one line on stderr naming the database without its password, exit 1', async () => {
    const [line, secret, notPostgres] = await inParallel(
      ['postgres://postgres@127.0.0.1:1/x', 'postgres://me:s3cret@127.0.0.1:1/x', 'mysql://127.0.0.1/x'],
      async (url) => assertOneLineFailure(await runCli(['start', '--port', '0', '--database-url', url], { env: CREDENTIALS })),
    );
    assert.match(line!, /^shortroute: cannot open PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/x: ECONNREFUSED\b/);
    assert.ok(!secret!.includes('s3cret'), secret);
    assert.match(secret!, /postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/x/);
    assert.match(notPostgres!, /--database-url must start with postgres:\/\//);
  });

  test('bad --public-url: one line on stderr, exit 1', async () => {
    const line = assertOneLineFailure(await runCli(['start', '--in-memory', '--port', '0', '--public-url', 'sms.example.test'], { env: CREDENTIALS }));
    assert.match(line, /--public-url must be an http\(s\) URL/);
  });
});

/**
 * Sends the headers of a POST with `Expect: 100-continue` and resolves once the server answers
 * `100 Continue`: from then on the request is in the server's hands, its body still to come.
 */
async function beginRequest(url: string, path: string, auth: string, body: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  const closed = new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
  let onData: () => void = () => {};
  const continued = new Promise<void>((resolve, reject) => {
    onData = () => {
      if (received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) resolve();
      else if (received.includes('\r\n\r\n')) reject(new Error(`expected 100 Continue, got: ${received}`));
    };
    socket.on('data', onData);
    closed.then(() => reject(new Error(`connection closed before 100 Continue: ${received}`)), reject);
  });
  socket.write(
    [
      `POST ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      `Authorization: ${auth}`,
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Expect: 100-continue',
      'Connection: close',
      '',
      '',
    ].join('\r\n'),
  );
  await continued;
  socket.off('data', onData);
  return {
    /**
     * Sends the body and resolves with the final response's status and JSON body. The socket is
     * not half-closed: Node's HTTP server drops a request whose client ends its side before the
     * answer is written (the request asked for `Connection: close`, so the server closes it).
     */
    async finish(): Promise<{ status: number; body: any }> {
      socket.write(body);
      const text = (await closed).slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const head = text.slice(0, text.indexOf('\r\n\r\n'));
      let payload = text.slice(text.indexOf('\r\n\r\n') + 4);
      if (/^transfer-encoding: chunked$/im.test(head)) payload = dechunk(payload);
      return { status, body: payload ? JSON.parse(payload) : undefined };
    },
  };
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

describe('graceful shutdown', () => {
  test('SIGTERM: exits 0 and leaves the SQLite database closed cleanly, every write readable again', async () => {
    const dir = tempDir();
    const server = await startCli(['--port', '0', '--data-dir', dir], { env: CREDENTIALS });
    const service = await call(server, 'POST', '/v1/Services', { FriendlyName: 'Kept' });
    assert.equal(service.status, 201, service.text);
    const shortCode = await call(server, 'POST', shortCodesPath(server), { ShortCode: '24680', FriendlyName: 'Kept code' });
    assert.equal(shortCode.status, 201, shortCode.text);
    const member = await call(server, 'POST', `/v1/Services/${service.body.sid}/ShortCodes`, { ShortCodeSid: shortCode.body.sid });
    assert.equal(member.status, 201, member.text);

    const exit = await server.stop('SIGTERM');
    assert.equal(exit.signal, null);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stderr, '');
    assert.match(exit.stdout, /^shortroute: SIGTERM, closing$/m);

    // A clean close checkpoints the write-ahead log into the database file and removes it.
    assert.equal(existsSync(join(dir, `${SQLITE_FILE}-wal`)), false, 'the WAL file is still there: the database was not closed');
    const db = new BetterSqlite3(join(dir, SQLITE_FILE), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.deepEqual(db.prepare('select friendly_name from services').all(), [{ friendly_name: 'Kept' }]);
    } finally {
      db.close();
    }

    const again = await startCli(['--port', '0', '--data-dir', dir], { env: CREDENTIALS });
    const fetched = await call(again, 'GET', `/v1/Services/${service.body.sid}`);
    assert.equal(fetched.status, 200, fetched.text);
    assert.equal(fetched.body.friendly_name, 'Kept');
    const code = await call(again, 'GET', `/2010-04-01/Accounts/${ACCOUNT_SID}/SMS/ShortCodes/${shortCode.body.sid}.json`);
    assert.deepEqual(code.body, shortCode.body);
    const pool = await call(again, 'GET', `/v1/Services/${service.body.sid}/ShortCodes`);
    assert.deepEqual(
      pool.body.short_codes.map((s: { sid: string }) => s.sid),
      [shortCode.body.sid],
    );
    assert.equal((await again.stop('SIGTERM')).code, 0);
  });

  test('SIGTERM: a request in flight completes and its write is kept', async () => {
    const dir = tempDir();
    const server = await startCli(['--port', '0', '--data-dir', dir], { env: CREDENTIALS });
    const inFlight = await beginRequest(server.url, '/v1/Services', server.auth, form({ FriendlyName: 'Sent before SIGTERM' }));
    server.child.kill('SIGTERM');
    await server.waitForStdout(/^shortroute: SIGTERM, closing$/m);
    const reply = await inFlight.finish();
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    assert.equal(reply.body.friendly_name, 'Sent before SIGTERM');
    // No second signal: a second SIGTERM is allowed to end the process at once.
    const exit = await server.waitForExit();
    assert.equal(exit.code, 0, exit.stderr);

    const again = await startCli(['--port', '0', '--data-dir', dir], { env: CREDENTIALS });
    const fetched = await call(again, 'GET', `/v1/Services/${reply.body.sid}`);
    assert.equal(fetched.status, 200, fetched.text);
    assert.equal(fetched.body.friendly_name, 'Sent before SIGTERM');
  });

  test('SIGINT: closes like SIGTERM, exit 0', async () => {
    const dir = tempDir();
    const server = await startCli(['--port', '0', '--data-dir', dir], { env: CREDENTIALS });
    assert.equal((await call(server, 'POST', '/v1/Services', { FriendlyName: 'x' })).status, 201);
    const exit = await server.stop('SIGINT');
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stdout, /^shortroute: SIGINT, closing$/m);
    assert.equal(existsSync(join(dir, `${SQLITE_FILE}-wal`)), false);
  });
});

describe('--seed', () => {
  const seed = {
    shortCodes: [
      { ShortCode: '12345', FriendlyName: 'Alerts line' },
      { ShortCode: '67890', CountryCode: 'gb', Capabilities: ['SMS', 'MMS'] },
      { ShortCode: 55555 },
    ],
    services: [
      { FriendlyName: 'Alerts', InboundRequestUrl: 'https://example.test/sms', StickySender: false, ValidityPeriod: 600, ShortCodes: ['12345', '67890:GB'] },
      { FriendlyName: 'Empty' },
    ],
  };

  /** Everything the seed could have made, as the API shows it. */
  async function snapshot(server: RunningCli) {
    const shortCodes = await call(server, 'GET', `${shortCodesPath(server)}?PageSize=1000`);
    assert.equal(shortCodes.status, 200, shortCodes.text);
    const services = await call(server, 'GET', '/v1/Services?PageSize=1000');
    assert.equal(services.status, 200, services.text);
    const pools: Record<string, unknown> = {};
    for (const service of services.body.services) {
      const pool = await call(server, 'GET', `/v1/Services/${service.sid}/ShortCodes?PageSize=1000`);
      assert.equal(pool.status, 200, pool.text);
      pools[service.friendly_name] = pool.body.short_codes;
    }
    // Absolute URLs carry the port, which changes between starts.
    return JSON.parse(
      JSON.stringify({ shortCodes: shortCodes.body.short_codes, services: services.body.services, pools }).replaceAll(server.url, 'http://shortroute'),
    );
  }

  test('--seed: creates the short codes, and the services with those short codes in their pools', async () => {
    const dir = tempDir();
    const file = join(dir, 'seed.json');
    writeFileSync(file, JSON.stringify(seed));
    const server = await startCli(['--port', '0', '--data-dir', join(dir, 'data'), '--seed', file], { env: CREDENTIALS });
    const { shortCodes, services, pools } = await snapshot(server);

    assert.deepEqual(shortCodes.map((s: { short_code: string; friendly_name: string }) => [s.short_code, s.friendly_name]).sort(), [
      ['12345', 'Alerts line'],
      ['55555', '55555'],
      ['67890', '67890'],
    ]);
    for (const s of shortCodes) assert.equal(s.account_sid, ACCOUNT_SID);
    assert.deepEqual(
      services.map((s: { friendly_name: string }) => s.friendly_name),
      ['Alerts', 'Empty'],
    );
    const alerts = services[0];
    assert.equal(alerts.inbound_request_url, 'https://example.test/sms');
    assert.equal(alerts.sticky_sender, false);
    assert.equal(alerts.validity_period, 600);
    assert.equal(services[1].inbound_request_url, null);

    const bySid = new Map(shortCodes.map((s: { sid: string; short_code: string }) => [s.short_code, s.sid]));
    const pool = pools.Alerts as Array<{ sid: string; short_code: string; country_code: string; capabilities: string[]; service_sid: string }>;
    assert.deepEqual(pool.map((m) => [m.short_code, m.country_code, m.capabilities, m.sid]).sort(), [
      ['12345', 'US', ['SMS'], bySid.get('12345')],
      ['67890', 'GB', ['SMS', 'MMS'], bySid.get('67890')],
    ]);
    for (const m of pool) assert.equal(m.service_sid, alerts.sid);
    assert.deepEqual(pools.Empty, []);
  });

  test('--seed: starting twice with the same seed changes nothing (same SIDs, no duplicates)', async () => {
    const dir = tempDir();
    const file = join(dir, 'seed.json');
    writeFileSync(file, JSON.stringify(seed));
    const args = ['--port', '0', '--data-dir', join(dir, 'data'), '--seed', file];
    const first = await startCli(args, { env: CREDENTIALS });
    const before = await snapshot(first);
    assert.equal((await first.stop('SIGTERM')).code, 0);

    const second = await startCli(args, { env: CREDENTIALS });
    assert.deepEqual(await snapshot(second), before);
    assert.equal((await second.stop('SIGTERM')).code, 0);

    // The env twin reads the same file, and still changes nothing.
    const third = await startCli(['--port', '0', '--data-dir', join(dir, 'data')], { env: { ...CREDENTIALS, SHORTROUTE_SEED: file } });
    assert.deepEqual(await snapshot(third), before);
  });

  test('--seed: a bad seed file gives one line on stderr and exit 1', async () => {
    const dir = tempDir();
    const cases: Array<[string, string | undefined, RegExp]> = [
      ['missing file', undefined, /cannot read seed file .*missing\.json/],
      ['not JSON', '{"shortCodes": [', /cannot read seed file .*: /],
      ['an array', '[]', /must hold a JSON object/],
      ['a bad short code', JSON.stringify({ shortCodes: [{ ShortCode: '1' }] }), /seed short code 1: .*ShortCode/],
      ['a bad country', JSON.stringify({ shortCodes: [{ ShortCode: '12345', CountryCode: 'XX' }] }), /CountryCode/],
      ['a service without a name', JSON.stringify({ services: [{ InboundRequestUrl: 'https://x.example.test' }] }), /FriendlyName/],
      ['a bad service parameter', JSON.stringify({ services: [{ FriendlyName: 'x', Usecase: 'spam' }] }), /seed service x: /],
      ['an undeclared short code', JSON.stringify({ services: [{ FriendlyName: 'x', ShortCodes: ['99999'] }] }), /short code 99999 is not declared/],
      [
        'one short code in two services',
        JSON.stringify({
          shortCodes: [{ ShortCode: '12345' }],
          services: [
            { FriendlyName: 'a', ShortCodes: ['12345'] },
            { FriendlyName: 'b', ShortCodes: ['12345'] },
          ],
        }),
        /seed service b: /,
      ],
      ['shortCodes not a list', JSON.stringify({ shortCodes: '12345' }), /seed file .*: shortCodes must be a list of objects/],
      ['a short code that is not an object', JSON.stringify({ shortCodes: [null] }), /seed file .*: shortCodes must be a list of objects/],
      ['services not a list', JSON.stringify({ services: { FriendlyName: 'x' } }), /seed file .*: services must be a list of objects/],
      [
        'a service whose ShortCodes is not a list',
        JSON.stringify({ shortCodes: [{ ShortCode: '12345' }], services: [{ FriendlyName: 'x', ShortCodes: '12345' }] }),
        /seed file .*: ShortCodes of service "x" must be a list of numbers/,
      ],
    ];
    await inParallel(cases, async ([what, content, message]) => {
      const file = join(dir, content === undefined ? 'missing.json' : `${what.replaceAll(' ', '-')}.json`);
      if (content !== undefined) writeFileSync(file, content);
      const line = assertOneLineFailure(await runCli(['start', '--in-memory', '--port', '0', '--seed', file], { env: CREDENTIALS }));
      assert.match(line, message, `${what}: ${line}`);
    });
  });
});

describe('/_shortroute/health', () => {
  test('GET /_shortroute/health: answers 200 {status: ok, backend: sqlite} without credentials', async () => {
    for (const args of [['--in-memory'], ['--data-dir', tempDir()]]) {
      const server = await startCli(['--port', '0', ...args], { env: CREDENTIALS });
      const reply = await send(`${server.url}/_shortroute/health`, 'GET', undefined);
      assert.equal(reply.status, 200, reply.text);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(reply.body, { status: 'ok', backend: 'sqlite', version: VERSION });
      assert.equal((await server.stop()).code, 0);
    }
  });
});

describe('the package as installed', () => {
  test('npm start and the shortroute bin run the bundle built at npm ci: it starts, answers, sends, calls the status callback (its lazily loaded HTTP client), and stops on SIGTERM', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.bin.shortroute, 'dist/bundle/shortroute.js');
    assert.match(pkg.scripts.start, /^node dist\/bundle\/shortroute\.js start/);
    const bundle = join(ROOT, pkg.bin.shortroute);
    assert.ok(existsSync(bundle), `${bundle} is built by npm ci (prepare); run npm run build`);
    const { spawn } = await import('node:child_process');
    const port = await freePort();
    const receiver = await Receiver.start();
    const child = spawn(process.execPath, [bundle, 'start', '--port', String(port), '--data-dir', tempDir(), '--clock', 'manual'], {
      env: { ...process.env, ...CREDENTIALS },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      let health: Response | undefined;
      for (let tries = 0; tries < 400 && !health; tries++) {
        health = await fetch(`${url}/_shortroute/health`).catch(() => undefined);
        // Polled: the bundle starts in its own process, on its own time.
        if (!health) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await health!.json()).version, VERSION);
      const server = { url, auth: `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}` } as RunningCli;
      const made = await call(server, 'POST', `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
        To: '+14155550100',
        From: '+15005550006',
        Body: 'hi',
        StatusCallback: `${receiver.url}/status`,
      });
      assert.equal(made.status, 201, made.text);
      // The manual clock answers once everything due was done, webhooks included.
      const moved = await call(server, 'POST', '/_shortroute/Clock', { Advance: '5000' });
      assert.equal(moved.status, 200, moved.text);
      const statuses = receiver.requests.map((r) => r.params.MessageStatus);
      assert.deepEqual(statuses, ['sent', 'delivered'], 'every status callback went out from the bundle');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      await receiver.close();
    }
  });
});
