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
