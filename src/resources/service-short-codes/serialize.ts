import type { ServiceShortCodeRow } from '../../storage/store.js';
import { toIso } from '../../http/dates.js';

/** Where a member belongs: the service (and its account) the request named. */
export interface Pool {
  accountSid: string;
  serviceSid: string;
}

/** A short code as a member of a service (v1): its dates are those of the membership. */
export function serviceShortCodeJson(row: ServiceShortCodeRow, pool: Pool, baseUrl: string) {
  const added = toIso(row.added);
  return {
    sid: row.sid,
    account_sid: pool.accountSid,
    service_sid: pool.serviceSid,
    date_created: added,
    date_updated: added,
    short_code: row.short_code,
    country_code: row.country_code,
    capabilities: row.capabilities === '' ? [] : row.capabilities.split(','),
    url: `${baseUrl}/v1/Services/${pool.serviceSid}/ShortCodes/${row.sid}`,
  };
}
