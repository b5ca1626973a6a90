import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { startAnother, startTestServer, type TestServer } from '../helpers/server.js';
import { StartupError } from '../../src/app.js';

for (const backend of BACKENDS) {
  describe(`[${backend}] --seed`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    let dir: string;
    before(async () => {
      server = await startTestServer(backend);
      await server.close();
      dir = mkdtempSync(join(tmpdir(), 'shortroute-seed-'));
    });
    after(async () => {
      await server.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    test('seed: a seed that fails part way leaves nothing behind', async () => {
      const file = join(dir, 'broken.json');
      writeFileSync(
        file,
        JSON.stringify({
          shortCodes: [{ ShortCode: '44444' }, { ShortCode: '44445' }],
          services: [
            { FriendlyName: 'Fine', ShortCodes: ['44444'] },
            { FriendlyName: 'Broken', ShortCodes: ['99999'] },
          ],
        }),
      );
      await assert.rejects(startAnother(server, { seedFile: file }), (e: Error) => e instanceof StartupError || /not declared/.test(e.message));
      const clean = await startAnother(server);
      try {
        const codes = await clean.request('GET', `/2010-04-01/Accounts/${clean.account.sid}/SMS/ShortCodes.json`);
        assert.deepEqual(codes.body.short_codes, []);
        assert.deepEqual((await clean.request('GET', '/v1/Services')).body.services, []);
      } finally {
        await clean.close();
      }
    });
  });
}
