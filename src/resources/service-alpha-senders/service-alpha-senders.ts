import { invalidAlphaSender } from '../../http/errors.js';
import { SENDER_TYPE } from '../../storage/store.js';
import { newOrderedSid, SID_PREFIX } from '../../sids.js';
import type { PoolKind } from '../sender-pool/pool.js';

/**
 * Twilio's rules for an alphanumeric sender ID: up to 11 characters of A–Z, a–z, 0–9, space,
 * `-`, `+`, `_` and `&`, with at least one letter (not all digits).
 */
export function checkAlphaSender(text: string): void {
  if (text.length === 0 || text.length > 11) throw invalidAlphaSender(`'${text}' must be 1 to 11 characters`);
  if (!/^[A-Za-z0-9 \-+_&]+$/.test(text)) throw invalidAlphaSender(`'${text}' may hold only letters, digits, spaces and - + _ &`);
  if (!/[A-Za-z]/.test(text)) throw invalidAlphaSender(`'${text}' must contain at least one letter`);
}

/** An alpha sender exists only in its service: adding one creates it. One per service. */
export const alphaSenderKind: PoolKind = {
  type: SENDER_TYPE.alphaSender,
  segment: 'AlphaSenders',
  param: 'AlphaSender',
  async resolve(_tx, _accountSid, text) {
    checkAlphaSender(text);
    // Alpha senders are not country-bound; they carry SMS only.
    return { sid: newOrderedSid(SID_PREFIX.alphaSender), details: { address: text, country_code: '', capabilities: 'SMS' } };
  },
  onePerService: () => invalidAlphaSender('this Messaging Service already has an alpha sender'),
};
