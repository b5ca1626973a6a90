import { operations as op } from '../../generated/api.js';
import { shortCodeExtensions as extension } from './operations.js';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v2010Page } from '../../http/paging.js';
import type { ShortCodeRow } from '../../storage/store.js';
import { createShortCode, deleteShortCode, fetchShortCode, listShortCodes, updateShortCode } from './short-codes.js';
import { shortCodeJson } from './serialize.js';

/** /2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes: the account's short codes. */
export function shortCodeRoutes(routes: TwilioRoutes): void {
  const { deps } = routes;
  const keyOf = (row: ShortCodeRow) => ({ date: row.date_created, sid: row.sid });

  twilioRoute(routes, extension.create, async ({ account, params }) => shortCodeJson(await createShortCode(deps, account.sid, params)));

  twilioRoute(
    routes,
    op.v2010ListShortCode,
    async ({ account, params }) => {
      const request = readPaging(params);
      const result = await listShortCodes(deps, account.sid, params, request.query);
      const filters = { ShortCode: params.ShortCode, FriendlyName: params.FriendlyName };
      const path = `/2010-04-01/Accounts/${account.sid}/SMS/ShortCodes.json`;
      return v2010Page({ path, key: 'short_codes', filters, request, result, keyOf, serialize: shortCodeJson });
    },
    { errors: pagingErrors },
  );

  twilioRoute(routes, op.v2010FetchShortCode, async ({ account, path }) => shortCodeJson(await fetchShortCode(deps, account.sid, path.Sid)));

  twilioRoute(routes, op.v2010UpdateShortCode, async ({ account, path, params }) => shortCodeJson(await updateShortCode(deps, account.sid, path.Sid, params)));

  twilioRoute(routes, extension.delete, async ({ account, path }) => deleteShortCode(deps, account.sid, path.Sid));
}
