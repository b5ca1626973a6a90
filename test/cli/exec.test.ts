import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { killAll, ROOT, runCli, spawnCli, TEST_CA_DIR } from '../helpers/cli.js';

const NODE = process.execPath;
const SERVING = /^shortroute: serving (http:\/\/127\.0\.0\.1:(\d+)) for account (AC[0-9a-f]{32}); running /m;

/** Whether anything accepts connections on the port (it must not, once exec has ended). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('shortroute exec', () => {
  const dirs: string[] = [];
  afterEach(() => killAll());
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("exec: exits with the command's code (0, then 3), and its server stops with it", async () => {
    const ok = await runCli(['exec', '--', NODE, '-e', 'process.stdout.write("only mine")']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'only mine', "exec's own lines go to stderr; stdout is the command's");
    const port = Number(ok.stderr.match(SERVING)![2]);
    assert.equal(await listening(port), false);

    const three = await runCli(['exec', '--', NODE, '-e', 'process.exit(3)']);
    assert.equal(three.code, 3, three.stderr);
    assert.match(three.stderr, /exited with 3; server stopped/);
  });

  test('exec: the command gets the variables of shortroute env for the server it started', async () => {
    const exit = await runCli(['exec', '--', NODE, '-e', 'process.stdout.write(JSON.stringify(process.env))']);
    assert.equal(exit.code, 0, exit.stderr);
    const [, url, , sid] = exit.stderr.match(SERVING)!;
    const env = JSON.parse(exit.stdout) as Record<string, string>;
    assert.equal(env.HTTP_PROXY, url);
    assert.equal(env.HTTPS_PROXY, url);
    assert.equal(env.https_proxy, url);
    assert.equal(env.NODE_EXTRA_CA_CERTS, join(TEST_CA_DIR, 'ca.pem'));
    assert.equal(env.REQUESTS_CA_BUNDLE, join(TEST_CA_DIR, 'bundle.pem'));
    assert.equal(env.SSL_CERT_FILE, join(TEST_CA_DIR, 'bundle.pem'));
    assert.equal(env.NO_PROXY, 'localhost,127.0.0.1,::1');
    assert.equal(env.PYTHONPATH!.split(':')[0], join(ROOT, 'shims', 'python'));
    assert.equal(env.TWILIO_ACCOUNT_SID, sid);
    assert.match(env.TWILIO_AUTH_TOKEN!, /^[0-9a-f]{32}$/);
  });

  test('exec: SIGINT is passed on; the command ends, the server stops, exit is 128 + 2', async () => {
    const proc = spawnCli(['exec', '--', NODE, '-e', 'setInterval(() => {}, 60_000)']);
    const [, , port] = (await proc.waitForStderr(SERVING))!;
    const exit = await proc.stop('SIGINT');
    assert.equal(exit.code, 130, exit.stderr);
    assert.match(exit.stderr, /SIGINT: passing it on/);
    assert.equal(await listening(Number(port)), false);
  });

  test('exec --seed: the seed is there before the command runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shortroute-exec-'));
    dirs.push(dir);
    const seed = join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ shortCodes: [{ ShortCode: '24680', CountryCode: 'US' }] }));
    const script = `
      const auth = 'Basic ' + Buffer.from(process.env.TWILIO_ACCOUNT_SID + ':' + process.env.TWILIO_AUTH_TOKEN).toString('base64');
      const url = process.env.HTTP_PROXY + '/2010-04-01/Accounts/' + process.env.TWILIO_ACCOUNT_SID + '/SMS/ShortCodes.json';
      fetch(url, { headers: { authorization: auth } }).then((r) => r.json()).then((b) => process.stdout.write(b.short_codes.map((s) => s.short_code).join()));`;
    const exit = await runCli(['exec', '--seed', seed, '--', NODE, '-e', script]);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(exit.stdout, '24680');
  });

  test('exec --data-dir: the data is kept, not replaced by memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shortroute-exec-'));
    dirs.push(dir);
    const first = await runCli(['exec', '--data-dir', dir, '--', NODE, '-e', '']);
    const second = await runCli(['exec', '--data-dir', dir, '--', NODE, '-e', '']);
    assert.equal(first.stderr.match(SERVING)![3], second.stderr.match(SERVING)![3], 'the same account both times');
  });

  test('exec: no command, or one that does not exist, is said in one line', async () => {
    const none = await runCli(['exec']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^shortroute: usage: shortroute exec \[options\] -- <command>/);
    const missing = await runCli(['exec', '--', 'no-such-command-anywhere']);
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /cannot run no-such-command-anywhere: command not found/);
  });
});
