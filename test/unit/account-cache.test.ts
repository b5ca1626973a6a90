import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AccountCache } from '../../src/storage/account-cache.js';
import type { AccountRow } from '../../src/storage/store.js';

const row = { sid: 'AC1', auth_token: 't', friendly_name: 'a', status: 'active', owner_account_sid: null, date_created: '', date_updated: '' } as AccountRow;

describe('AccountCache', () => {
  test('fetch: an unknown SID is kept as unknown, so refusing it again costs no query, as a known one costs none', async () => {
    const cache = new AccountCache();
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
    const cache = new AccountCache();
    assert.equal(await cache.fetch('AC1', async () => undefined), undefined);
    cache.invalidate();
    assert.equal(await cache.fetch('AC1', async () => row), row);
  });
});
