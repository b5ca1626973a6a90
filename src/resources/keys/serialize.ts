import type { ApiKeyRow } from '../../storage/store.js';
import { toRfc2822 } from '../../http/dates.js';

/** api.v2010.account.key: the spec gives a key neither `account_sid` nor `uri`. */
export function keyJson(row: ApiKeyRow) {
  return {
    sid: row.sid,
    friendly_name: row.friendly_name,
    date_created: toRfc2822(row.date_created),
    date_updated: toRfc2822(row.date_updated),
  };
}

/** api.v2010.account.new_key: the create answer, the one time the secret is shown. */
export function newKeyJson(row: ApiKeyRow, secret: string) {
  return { ...keyJson(row), secret };
}
