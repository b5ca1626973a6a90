import { operations as op } from '../../generated/api.js';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v2010Page } from '../../http/paging.js';
import type { ApiKeyRow } from '../../storage/store.js';
import { createKey, deleteKey, fetchKey, keyListPath, listKeys, updateKey } from './keys.js';
import { keyJson, newKeyJson } from './serialize.js';

/**
 * /2010-04-01/Accounts/{AccountSid}/Keys: the account's API keys. Keys made here are Twilio's
 * "Standard" keys, which may not manage keys themselves, so every route refuses key credentials.
 */
export function keyRoutes(routes: TwilioRoutes): void {
  const { deps } = routes;
  const keyOf = (row: ApiKeyRow) => ({ date: row.date_created, sid: row.sid });
  const authTokenOnly = { refuseApiKeys: true };

  twilioRoute(
    routes,
    op.v2010CreateNewKey,
    async ({ account, params }) => {
      const { key, secret } = await createKey(deps, account.sid, params);
      return newKeyJson(key, secret);
    },
    authTokenOnly,
  );

  twilioRoute(
    routes,
    op.v2010ListKey,
    async ({ account, params }) => {
      const request = readPaging(params);
      const result = await listKeys(deps, account.sid, request.query);
      return v2010Page({ path: keyListPath(account.sid), key: 'keys', filters: {}, request, result, keyOf, serialize: keyJson });
    },
    { ...authTokenOnly, errors: pagingErrors },
  );

  twilioRoute(routes, op.v2010FetchKey, async ({ account, path }) => keyJson(await fetchKey(deps, account.sid, path.Sid)), authTokenOnly);

  twilioRoute(routes, op.v2010UpdateKey, async ({ account, path, params }) => keyJson(await updateKey(deps, account.sid, path.Sid, params)), authTokenOnly);

  twilioRoute(routes, op.v2010DeleteKey, async ({ account, path }) => deleteKey(deps, account.sid, path.Sid), authTokenOnly);
}
