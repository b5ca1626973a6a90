import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { BACKENDS, createTestSchema, TEST_DATABASE_URL, type BackendName } from '../helpers/backends.js';
import { childEnv, freePort, killAll, ROOT, runCli, startCli, type Exit } from '../helpers/cli.js';

/** Debian's python3-twilio (7.7.1 on Debian 12), the one `.ci/run` installs. */
const PYTHON = '/usr/bin/python3';
const RUN_MS = 60_000;

/** What the programs in programs/ print: everything a user would look at. */
interface Seen {
  serviceUrl: string;
  pages: string[][];
  pageUrls: string[];
  sent: { status: string; from: string | null };
  fetched: { sid: string; body: string; messagingServiceSid: string };
  expectedSid: string;
  unknown: { name: string; status: number; code: number } | 'found';
}

function parseSeen(exit: Exit): Seen {
  const context = `\n--- stdout:\n${exit.stdout}\n--- stderr:\n${exit.stderr}`;
  assert.equal(exit.code, 0, `the program failed${context}`);
  return JSON.parse(exit.stdout.trim().split('\n').pop()!) as Seen;
}

function assertSawShortroute(seen: Seen, shortCodes: string[], body: string, exceptionName: string): void {
  assert.match(seen.serviceUrl, /^https:\/\/messaging\.twilio\.com\/v1\/Services\/MG[0-9a-f]{32}$/);
  assert.deepEqual(
    seen.pages,
    shortCodes.map((code) => [code]),
    'three pages of one short code each',
  );
  assert.equal(seen.pageUrls.length, 2);
  for (const url of seen.pageUrls) assert.match(url, /^https:\/\/messaging\.twilio\.com\/v1\/Services\/MG[0-9a-f]{32}\/ShortCodes\?/);
  assert.deepEqual(seen.sent, { status: 'accepted', from: null });
  assert.equal(seen.fetched.sid, seen.expectedSid);
  assert.equal(seen.fetched.body, body);
  assert.match(seen.fetched.messagingServiceSid, /^MG/);
  assert.deepEqual(seen.unknown, { name: exceptionName, status: 404, code: 20404 });
}

/** Storage flags for a server of `backend` with data of its own; `drop` removes that data. */
async function storageFor(backend: BackendName): Promise<{ args: string[]; drop: () => Promise<void> }> {
  if (backend === 'postgres') {
    const { schema, drop } = await createTestSchema();
    return { args: ['--database-url', TEST_DATABASE_URL, '--database-schema', schema], drop };
  }
  const dir = mkdtempSync(join(tmpdir(), 'shortroute-sdk-'));
  return { args: ['--data-dir', dir], drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

for (const backend of BACKENDS) {
  describe(`[${backend}] any SDK, unchanged: the program knows nothing of Shortroute`, () => {
    // Each program provisions the same short codes: every test gets data of its own.
    let storage: { args: string[]; drop: () => Promise<void> };
    beforeEach(async () => {
      storage = await storageFor(backend);
    });
    afterEach(async () => {
      await killAll();
      await storage.drop();
    });

    test('twilio-node under shortroute exec: services, the short-code extension, three pages, a send, a fetch, a 404', async () => {
      const exit = await runCli(['exec', ...storage.args, '--', process.execPath, 'test/proxy/programs/unchanged.mjs'], {}, RUN_MS);
      assertSawShortroute(parseSeen(exit), ['11111', '22222', '33333'], 'Hello from Node', 'RestException');
    });

    test("Debian's python3-twilio under shortroute exec: the same, with only the environment", async () => {
      const exit = await runCli(['exec', ...storage.args, '--', PYTHON, 'test/proxy/programs/unchanged.py'], {}, RUN_MS);
      assertSawShortroute(parseSeen(exit), ['44444', '55555', '66666'], 'Hello from Python', 'TwilioRestException');
    });

    test('eval "$(shortroute env)" beside a running shortroute start: Python reaches that server', async () => {
      const port = String(await freePort());
      const server = await startCli([...storage.args, '--port', port]);
      const shell = `eval "$("${process.execPath}" --import tsx src/cli/main.ts env ${storage.args.map((a) => `'${a}'`).join(' ')} --port ${port})" && exec ${PYTHON} test/proxy/programs/unchanged.py`;
      const result = spawnSync('sh', ['-c', shell], { cwd: ROOT, env: childEnv(), encoding: 'utf8', timeout: RUN_MS });
      const seen = parseSeen({ code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr });
      assertSawShortroute(seen, ['44444', '55555', '66666'], 'Hello from Python', 'TwilioRestException');
      const reply = await fetch(`${server.url}/2010-04-01/Accounts/${server.account.sid}/Messages/${seen.expectedSid}.json`, {
        headers: { authorization: server.auth },
      });
      assert.equal(reply.status, 200, 'the message is in the server that env described');
      await server.stop('SIGTERM');
    });
  });
}
