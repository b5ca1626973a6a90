import { operations as op } from '../../generated/api.js';
import type { TwilioRoutes } from '../../http/route.js';
import { invalidAlphaSender } from '../../http/errors.js';
import { SENDER_TYPE } from '../../storage/store.js';
import { newSid, SID_PREFIX } from '../../sids.js';
import type { PoolKind } from '../sender-pool/pool.js';
import { memberParts, poolRoutes } from '../sender-pool/routes.js';

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
    return { sid: newSid(SID_PREFIX.alphaSender), details: { address: text, country_code: '', capabilities: 'SMS' } };
  },
  onePerService: () => invalidAlphaSender('this Messaging Service already has an alpha sender'),
};

/** /v1/Services/{ServiceSid}/AlphaSenders: the alpha sender in a service's sender pool. */
export function serviceAlphaSenderRoutes(routes: TwilioRoutes): void {
  poolRoutes(routes, {
    kind: alphaSenderKind,
    ops: { create: op.v1CreateAlphaSender, list: op.v1ListAlphaSender, fetch: op.v1FetchAlphaSender, delete: op.v1DeleteAlphaSender },
    key: 'alpha_senders',
    json: (row, owner, url) => {
      const { added, capabilities } = memberParts(row);
      return { sid: row.sid, account_sid: owner.accountSid, service_sid: owner.serviceSid, date_created: added, date_updated: added, alpha_sender: row.address, capabilities, url };
    },
  });
}
