import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { killAll, ROOT, runCli, startCli, TEST_CA_DIR } from '../helpers/cli.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = "it's a token";

describe('shortroute env', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'shortroute-env-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => killAll());
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('env: sh lines that a shell evaluates to exactly the values, quotes included', async () => {
    const exit = await runCli(['env', '--in-memory', '--port', '4811'], { env: { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN } });
    assert.equal(exit.code, 0, exit.stderr);
    assert.match(exit.stdout, /^export HTTP_PROXY='http:\/\/127\.0\.0\.1:4811'$/m);
    const evaluated = spawnSync('sh', ['-c', `${exit.stdout}\nprintf '%s\\n' "$TWILIO_AUTH_TOKEN" "$HTTPS_PROXY" "$NODE_EXTRA_CA_CERTS"`], {
      encoding: 'utf8',
    });
    assert.deepEqual(evaluated.stdout.trim().split('\n'), [TOKEN, 'http://127.0.0.1:4811', join(TEST_CA_DIR, 'ca.pem')]);
  });

  test('env --format json, --shell fish and powershell: the same variables', async () => {
    const env = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, PYTHONPATH: '/opt/mine', NO_PROXY: 'internal.example,.twilio.com' };
    const json = await runCli(['env', '--in-memory', '--format', 'json'], { env });
    const vars = JSON.parse(json.stdout) as Record<string, string>;
    assert.equal(vars.HTTPS_PROXY, 'http://127.0.0.1:4747');
    assert.equal(vars.TWILIO_ACCOUNT_SID, SID);
    assert.equal(vars.PYTHONPATH, `${join(ROOT, 'shims', 'python')}:/opt/mine`, "the shim first, the user's path kept");
    assert.equal(vars.NO_PROXY, 'localhost,127.0.0.1,::1,internal.example', 'an entry that would let Twilio bypass the proxy is dropped');
    const fish = await runCli(['env', '--in-memory', '--shell', 'fish'], { env });
    assert.match(fish.stdout, /^set -gx TWILIO_AUTH_TOKEN 'it\\'s a token';$/m);
    const powershell = await runCli(['env', '--in-memory', '--shell', 'powershell'], { env });
    assert.match(powershell.stdout, /^\$env:TWILIO_AUTH_TOKEN = 'it''s a token'$/m);
  });

  test('env: the account is the one the data holds, so a server started later answers for it', async () => {
    const dir = dataDir();
    const env = await runCli(['env', '--data-dir', dir, '--format', 'json']);
    assert.equal(env.code, 0, env.stderr);
    const vars = JSON.parse(env.stdout) as Record<string, string>;
    const server = await startCli(['--data-dir', dir, '--port', '0']);
    assert.equal(server.account.sid, vars.TWILIO_ACCOUNT_SID);
    assert.equal(server.account.authToken, vars.TWILIO_AUTH_TOKEN);
    await server.stop();
  });

  test('env: bound beyond loopback, the proxy URL carries the credentials the proxy will ask for', async () => {
    const exit = await runCli(['env', '--in-memory', '--host', '0.0.0.0', '--port', '4812', '--format', 'json'], {
      env: { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'plain-token-1234' },
    });
    assert.equal(JSON.parse(exit.stdout).HTTP_PROXY, `http://${SID}:plain-token-1234@127.0.0.1:4812`);
  });

  test('env: TWILIO_REGION or TWILIO_EDGE set is warned about on stderr', async () => {
    const exit = await runCli(['env', '--in-memory'], { env: { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_REGION: 'ie1' } });
    assert.equal(exit.code, 0);
    assert.match(exit.stderr, /^shortroute: warning: TWILIO_REGION=ie1 is set/m);
  });

  test('env: what it cannot know is said in one line, exit 1', async () => {
    const memory = await runCli(['env', '--in-memory']);
    assert.equal(memory.code, 1);
    assert.match(memory.stderr, /in-memory server makes up its account at start/);
    const port0 = await runCli(['env', '--port', '0'], { env: { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN } });
    assert.equal(port0.code, 1);
    assert.match(port0.stderr, /needs the port/);
    const shell = await runCli(['env', '--shell', 'tcsh'], { env: { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN } });
    assert.equal(shell.code, 1);
  });

  test('start: the banner shows the same lines, for the port it listens on', async () => {
    const server = await startCli(['--in-memory', '--port', '0']);
    const port = new URL(server.url).port;
    await server.waitForStdout(/^ {2}export TWILIO_AUTH_TOKEN=/m);
    assert.match(server.stdout, new RegExp(`^  export HTTPS_PROXY='http://127\\.0\\.0\\.1:${port}'$`, 'm'));
    assert.match(server.stdout, /shortroute env, given the same options, prints them/);
    await server.stop();
  });
});
