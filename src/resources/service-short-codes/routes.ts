import { operations as op } from '../../generated/api.js';
import type { TwilioRoutes } from '../../http/route.js';
import { invalidSender } from '../../http/errors.js';
import { SENDER_TYPE } from '../../storage/store.js';
import type { PoolKind } from '../sender-pool/pool.js';
import { memberParts, poolRoutes } from '../sender-pool/routes.js';

/** One of the account's short codes, named by its SID. */
export const shortCodeKind: PoolKind = {
  type: SENDER_TYPE.shortCode,
  segment: 'ShortCodes',
  param: 'ShortCodeSid',
  async resolve(tx, accountSid, sid) {
    const sc = await tx.shortCodes.fetch(accountSid, sid, { lock: true });
    if (!sc) throw invalidSender('ShortCodeSid', sid);
    return { sid, details: { address: sc.short_code, country_code: sc.country_code, capabilities: sc.capabilities } };
  },
};

/** /v1/Services/{ServiceSid}/ShortCodes: the short codes in a service's sender pool. */
export function serviceShortCodeRoutes(routes: TwilioRoutes): void {
  poolRoutes(routes, {
    kind: shortCodeKind,
    ops: { create: op.v1CreateShortCode, list: op.v1ListShortCode, fetch: op.v1FetchShortCode, delete: op.v1DeleteShortCode },
    key: 'short_codes',
    errors: { ShortCodeSid: (value) => invalidSender('ShortCodeSid', value) },
    json: (row, owner, url) => {
      const { added, capabilities } = memberParts(row);
      return { sid: row.sid, account_sid: owner.accountSid, service_sid: owner.serviceSid, date_created: added, date_updated: added, short_code: row.address, country_code: row.country_code, capabilities, url };
    },
  });
}
