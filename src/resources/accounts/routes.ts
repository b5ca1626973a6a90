import { operations as op } from '../../generated/api.js';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v2010Page } from '../../http/paging.js';
import type { AccountRow } from '../../storage/store.js';
import { createAccount, fetchAccount, listAccounts, updateAccount } from './accounts.js';
import { accountJson } from './serialize.js';

/**
 * /2010-04-01/Accounts: the caller's account and its subaccounts. These paths name no
 * {AccountSid}, so `account` is the caller; Standard API keys may not use them.
 */
export function accountRoutes(routes: TwilioRoutes): void {
  const { deps } = routes;
  const keyOf = (row: AccountRow) => ({ date: row.date_created, sid: row.sid });
  const authTokenOnly = { refuseApiKeys: true };

  twilioRoute(routes, op.v2010CreateAccount, async ({ account, params }) => accountJson(await createAccount(deps, account, params)), authTokenOnly);

  twilioRoute(
    routes,
    op.v2010ListAccount,
    async ({ account, params }) => {
      const request = readPaging(params);
      const result = await listAccounts(deps, account, params, request.query);
      const filters = { FriendlyName: params.FriendlyName, Status: params.Status };
      return v2010Page({ path: '/2010-04-01/Accounts.json', key: 'accounts', filters, request, result, keyOf, serialize: accountJson });
    },
    { ...authTokenOnly, errors: pagingErrors },
  );

  twilioRoute(routes, op.v2010FetchAccount, async ({ account, path }) => accountJson(await fetchAccount(deps, account, path.Sid)), authTokenOnly);

  twilioRoute(
    routes,
    op.v2010UpdateAccount,
    async ({ account, path, params }) => accountJson(await updateAccount(deps, account, path.Sid, params)),
    authTokenOnly,
  );
}
