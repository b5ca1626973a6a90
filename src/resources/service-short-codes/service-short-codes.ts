import { invalidSender } from '../../http/errors.js';
import { SENDER_TYPE, type ShortCodeRow } from '../../storage/store.js';
import { type Joining, type PoolKind, resolvedEach } from '../sender-pool/pool.js';

/** What a short code brings into a pool, or the add's error when the account has no such one. */
function joining(sid: string, sc: ShortCodeRow | undefined): Joining {
  if (!sc) throw invalidSender('ShortCodeSid', sid);
  return { sid, details: { address: sc.short_code, country_code: sc.country_code, capabilities: sc.capabilities } };
}

/** One of the account's short codes, named by its SID. */
export const shortCodeKind: PoolKind = {
  type: SENDER_TYPE.shortCode,
  segment: 'ShortCodes',
  param: 'ShortCodeSid',
  async resolve(tx, accountSid, sid) {
    return joining(sid, await tx.shortCodes.fetch(accountSid, sid, { lock: true }));
  },
  async resolveMany(tx, accountSid, sids) {
    const rows = new Map((await tx.shortCodes.fetchMany(accountSid, sids, { lock: true })).map((sc) => [sc.sid, sc]));
    return resolvedEach(sids, (sid) => joining(sid, rows.get(sid)));
  },
};
