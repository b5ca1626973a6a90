import type { ShortCodeRow } from '../../storage/store.js';
import { toRfc2822 } from '../../http/dates.js';
import { shortCodePath } from './short-codes.js';

/** A short code as the 2010-04-01 API shows it: RFC 2822 dates and a relative `uri`. */
export function shortCodeJson(row: ShortCodeRow) {
  return {
    account_sid: row.account_sid,
    api_version: row.api_version,
    date_created: toRfc2822(row.date_created),
    date_updated: toRfc2822(row.date_updated),
    friendly_name: row.friendly_name,
    short_code: row.short_code,
    sid: row.sid,
    sms_fallback_method: row.sms_fallback_method,
    sms_fallback_url: row.sms_fallback_url,
    sms_method: row.sms_method,
    sms_url: row.sms_url,
    uri: shortCodePath(row.account_sid, row.sid),
  };
}
