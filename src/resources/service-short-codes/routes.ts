import { operations as op } from '../../generated/api.js';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v1Page } from '../../http/paging.js';
import { invalidSender } from '../../http/errors.js';
import type { ServiceShortCodeRow } from '../../storage/store.js';
import { createServiceShortCode, deleteServiceShortCode, fetchServiceShortCode, listServiceShortCodes } from './service-short-codes.js';
import { serviceShortCodeJson, type Pool } from './serialize.js';

/** /v1/Services/{ServiceSid}/ShortCodes: the short codes in a service's sender pool. */
export function serviceShortCodeRoutes(routes: TwilioRoutes): void {
  const { deps } = routes;
  const keyOf = (row: ServiceShortCodeRow) => ({ date: row.added, sid: row.sid });
  const pool = (accountSid: string, path: Record<string, string>): Pool => ({ accountSid, serviceSid: path.ServiceSid! });

  twilioRoute(routes, op.v1CreateShortCode, async ({ account, path, params, baseUrl }) =>
    serviceShortCodeJson(await createServiceShortCode(deps, account.sid, path.ServiceSid!, params.ShortCodeSid as string), pool(account.sid, path), baseUrl),
  { errors: { ShortCodeSid: (value) => invalidSender('ShortCodeSid', value) } });

  twilioRoute(routes, op.v1ListShortCode, async ({ account, path, params, baseUrl }) => {
    const request = readPaging(params);
    const result = await listServiceShortCodes(deps, account.sid, path.ServiceSid!, request.query);
    const listPath = `/v1/Services/${path.ServiceSid}/ShortCodes`;
    const owner = pool(account.sid, path);
    return v1Page({ baseUrl, path: listPath, key: 'short_codes', request, result, keyOf, serialize: (row) => serviceShortCodeJson(row, owner, baseUrl) });
  }, { errors: pagingErrors });

  twilioRoute(routes, op.v1FetchShortCode, async ({ account, path, baseUrl }) =>
    serviceShortCodeJson(await fetchServiceShortCode(deps, account.sid, path.ServiceSid!, path.Sid!), pool(account.sid, path), baseUrl));

  twilioRoute(routes, op.v1DeleteShortCode, async ({ account, path }) =>
    deleteServiceShortCode(deps, account.sid, path.ServiceSid!, path.Sid!));
}
