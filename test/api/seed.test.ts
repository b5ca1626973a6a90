import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, send, startAnother, startTestServer, type TestServer } from '../helpers/server.js';
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

    test('seed: phone numbers, short codes and an alpha sender join a service, once however often it is applied', async () => {
      const file = join(dir, 'pool.json');
      writeFileSync(
        file,
        JSON.stringify({
          shortCodes: [{ ShortCode: '45678' }],
          phoneNumbers: [{ PhoneNumber: '+14155550100', FriendlyName: 'Front desk' }, { PhoneNumber: '442071838750' }],
          services: [{ FriendlyName: 'Pool', ShortCodes: ['45678'], PhoneNumbers: ['+14155550100', '442071838750'], AlphaSender: 'Shortroute' }],
        }),
      );
      const listing = async (node: TestServer) => {
        const service = (await node.request('GET', '/v1/Services')).body.services[0];
        const get = async (segment: string, key: string) =>
          (await node.request('GET', `/v1/Services/${service.sid}/${segment}`)).body[key].map((m: { sid: string }) => m.sid);
        return {
          services: (await node.request('GET', '/v1/Services')).body.services.length,
          shortCodes: await get('ShortCodes', 'short_codes'),
          phoneNumbers: await get('PhoneNumbers', 'phone_numbers'),
          alphaSenders: await get('AlphaSenders', 'alpha_senders'),
        };
      };
      const first = await startAnother(server, { seedFile: file });
      let before: Awaited<ReturnType<typeof listing>>;
      try {
        before = await listing(first);
        assert.equal(before.services, 1);
        assert.equal(before.shortCodes.length, 1);
        assert.equal(before.phoneNumbers.length, 2);
        assert.equal(before.alphaSenders.length, 1);
        const numbers = await first.request('GET', `/2010-04-01/Accounts/${first.account.sid}/IncomingPhoneNumbers.json?FriendlyName=Front%20desk`);
        assert.equal(numbers.body.incoming_phone_numbers[0].phone_number, '+14155550100');
      } finally {
        await first.close();
      }
      const again = await startAnother(server, { seedFile: file });
      try {
        assert.deepEqual(await listing(again), before);
      } finally {
        await again.close();
      }
    });

    test('seed: a connector with its senders, once however often it is applied; changed settings are taken on', async () => {
      const file = join(dir, 'connector.json');
      const seed = (password: string) =>
        JSON.stringify({
          shortCodes: [{ ShortCode: '46789' }],
          phoneNumbers: [{ PhoneNumber: '+14155550177' }],
          connectors: [{ FriendlyName: 'Carrier', Host: 'smsc.invalid', Port: 2775, SystemId: 'acme', Password: password, Senders: ['46789', '+14155550177'] }],
        });
      const listing = async (node: TestServer) => {
        const path = `/_shortroute/Accounts/${node.account.sid}/Connectors`;
        const connectors = (await node.request('GET', path)).body.connectors;
        const senders = (await node.request('GET', `${path}/${connectors[0].sid}/Senders`)).body.senders.map((x: { address: string }) => x.address).sort();
        return { connectors: connectors.map((c: { sid: string; host: string }) => [c.sid, c.host]), senders, updated: connectors[0].date_updated };
      };
      writeFileSync(file, seed('one'));
      const first = await startAnother(server, { seedFile: file });
      let before: Awaited<ReturnType<typeof listing>>;
      try {
        before = await listing(first);
        assert.equal(before.connectors.length, 1);
        assert.deepEqual(before.senders, ['+14155550177', '46789']);
      } finally {
        await first.close();
      }
      const again = await startAnother(server, { seedFile: file });
      try {
        assert.deepEqual(await listing(again), before, 'nothing changes');
      } finally {
        await again.close();
      }
      writeFileSync(file, seed('two'));
      const changed = await startAnother(server, { seedFile: file });
      try {
        const sid = before.connectors[0][0];
        const row = await changed.store.connectors.fetch(changed.account.sid, sid);
        assert.equal(row?.password, 'two', 'the new password is taken on');
      } finally {
        await changed.close();
      }
    });

    test('seed: subaccounts get their own senders and services, found again by name', async () => {
      const file = join(dir, 'subaccounts.json');
      writeFileSync(
        file,
        JSON.stringify({
          subaccounts: [{ FriendlyName: 'Team A', shortCodes: [{ ShortCode: '56789' }], services: [{ FriendlyName: 'Team A alerts', ShortCodes: ['56789'] }] }],
        }),
      );
      for (let start = 0; start < 2; start++) {
        const node = await startAnother(server, { seedFile: file });
        try {
          const accounts = (await node.request('GET', '/2010-04-01/Accounts.json?FriendlyName=Team%20A')).body.accounts;
          assert.equal(accounts.length, 1, 'one subaccount, however often the seed runs');
          const sub = accounts[0];
          assert.equal(sub.owner_account_sid, node.account.sid);
          const codes = await node.request('GET', `/2010-04-01/Accounts/${sub.sid}/SMS/ShortCodes.json`);
          assert.deepEqual(
            codes.body.short_codes.map((c: { short_code: string }) => c.short_code),
            ['56789'],
          );
          const asSub = await send(`${node.url}/v1/Services`, 'GET', basicAuth(sub.sid, sub.auth_token));
          assert.deepEqual(
            asSub.body.services.map((x: { friendly_name: string }) => x.friendly_name),
            ['Team A alerts'],
          );
          const pool = await send(`${node.url}/v1/Services/${asSub.body.services[0].sid}/ShortCodes`, 'GET', basicAuth(sub.sid, sub.auth_token));
          assert.equal(pool.body.short_codes.length, 1);
          // The main account's own services do not include the subaccount's.
          assert.ok(!(await node.request('GET', '/v1/Services')).body.services.some((x: { friendly_name: string }) => x.friendly_name === 'Team A alerts'));
        } finally {
          await node.close();
        }
      }
    });

    test('seed: a phone number given by area code is refused, since every start would buy another', async () => {
      const file = join(dir, 'area.json');
      writeFileSync(file, JSON.stringify({ phoneNumbers: [{ AreaCode: '415' }] }));
      await assert.rejects(startAnother(server, { seedFile: file }), /give PhoneNumber/);
    });
  });
}

for (const backend of BACKENDS) {
  describe(`[${backend}] the main account`, () => {
    test('start: a TWILIO_ACCOUNT_SID other than the one the data belongs to is one clear start-up error', async () => {
      const server = await startTestServer(backend);
      try {
        await server.close();
        await assert.rejects(
          startAnother(server, { accountSid: 'AC99999999999999999999999999999999' }),
          (e: Error) => e instanceof StartupError && e.message.includes(`this data belongs to account ${server.account.sid}`) && !e.message.includes('\n'),
        );
        // The data's own account still answers with its own token.
        const again = await startAnother(server);
        try {
          assert.equal((await again.request('GET', '/v1/Services')).status, 200);
        } finally {
          await again.close();
        }
      } finally {
        await server.cleanup();
      }
    });
  });
}
