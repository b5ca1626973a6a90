import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RowCache, RowCaches } from '../../src/storage/row-cache.js';
import type { AccountRow } from '../../src/storage/store.js';

const row = { sid: 'AC1', auth_token: 't', friendly_name: 'a', status: 'active', owner_account_sid: null, date_created: '', date_updated: '' } as AccountRow;

describe('RowCache', () => {
  test('fetch: an unknown SID is kept as unknown, so refusing it again costs no query, as a known one costs none', async () => {
    const cache = new RowCache<AccountRow>();
    let loads = 0;
    const load = (found: AccountRow | undefined) => async () => {
      loads++;
      return found;
    };
    assert.equal(await cache.fetch('ACunknown', load(undefined)), undefined);
    assert.equal(await cache.fetch('ACunknown', load(undefined)), undefined);
    assert.equal(await cache.fetch('AC1', load(row)), row);
    assert.equal(await cache.fetch('AC1', load(row)), row);
    assert.equal(loads, 2);
  });

  test('fetchMany: the SIDs not kept are read in one load, unknown ones included, and kept for the next', async () => {
    const cache = new RowCache<AccountRow>();
    const other = { ...row, sid: 'AC2' };
    const loads: string[][] = [];
    const load = async (missing: string[]) => {
      loads.push(missing);
      return [row, other].filter((account) => missing.includes(account.sid));
    };
    await cache.fetch('AC1', async () => row);
    const first = await cache.fetchMany(['AC1', 'AC2', 'ACunknown'], load, (account) => account.sid);
    assert.deepEqual(first.map((account) => account.sid).sort(), ['AC1', 'AC2']);
    assert.deepEqual(loads, [['AC2', 'ACunknown']]);
    const again = await cache.fetchMany(['AC2', 'ACunknown', 'AC1', 'AC2'], load, (account) => account.sid);
    assert.deepEqual(again.map((account) => account.sid).sort(), ['AC1', 'AC2'], 'each once, a SID asked twice included');
    assert.equal(loads.length, 1, 'all kept now');
    const disabled = new RowCache<AccountRow>({ enabled: false });
    await disabled.fetchMany(['AC1'], load, (account) => account.sid);
    await disabled.fetchMany(['AC1'], load, (account) => account.sid);
    assert.equal(loads.length, 3, 'kept nothing while changes cannot be heard');
  });

  test('fetchMany: a load that overlapped a write is not kept', async () => {
    const cache = new RowCache<AccountRow>();
    let loads = 0;
    const load = async () => {
      loads++;
      cache.invalidate();
      return [row];
    };
    await cache.fetchMany(['AC1'], load, (account) => account.sid);
    await cache.fetchMany(['AC1'], load, (account) => account.sid);
    assert.equal(loads, 2);
  });

  test('invalidate: an account made later is found (the unknown entry goes with every account write)', async () => {
    const cache = new RowCache<AccountRow>();
    assert.equal(await cache.fetch('AC1', async () => undefined), undefined);
    cache.invalidate();
    assert.equal(await cache.fetch('AC1', async () => row), row);
  });

  test("RowCaches: a write to any cached table clears every cache (a service's removal, an account's)", async () => {
    const caches = new RowCaches();
    const service = { sid: 'MG1', account_sid: 'AC1', smart_encoding: 0, status_callback: null, validity_period: 36000 };
    await caches.accounts.fetch('AC1', async () => row);
    await caches.services.fetch('MG1', async () => service);
    caches.invalidate();
    assert.equal(await caches.accounts.fetch('AC1', async () => undefined), undefined);
    assert.equal(await caches.services.fetch('MG1', async () => undefined), undefined);
  });
});
