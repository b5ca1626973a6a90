import { invalidSender } from '../../http/errors.js';
import { SENDER_TYPE } from '../../storage/store.js';
import type { PoolKind } from '../sender-pool/pool.js';

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
