import type { ServiceShortCodeRow } from '../../storage/store.js';
import { toIso } from '../../http/dates.js';

/** A short code as a member of a service (v1): its dates are those of the membership. */
export function serviceShortCodeJson(row: ServiceShortCodeRow, baseUrl: string) {
  return {
    sid: row.sid,
    account_sid: row.account_sid,
    service_sid: row.service_sid,
    date_created: toIso(row.added),
    date_updated: toIso(row.added_updated),
    short_code: row.short_code,
    country_code: row.country_code,
    capabilities: row.capabilities === '' ? [] : row.capabilities.split(','),
    url: `${baseUrl}/v1/Services/${row.service_sid}/ShortCodes/${row.sid}`,
  };
}
