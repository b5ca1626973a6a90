import { invalidSender, noMessagingCapability } from '../../http/errors.js';
import { SENDER_TYPE, type PhoneNumberRow } from '../../storage/store.js';
import { type Joining, type PoolKind, resolvedEach } from '../sender-pool/pool.js';

/** What a phone number brings into a pool, or the add's error: none such, or one that cannot message. */
function joining(sid: string, pn: PhoneNumberRow | undefined): Joining {
  if (!pn) throw invalidSender('PhoneNumberSid', sid);
  if (!pn.sms && !pn.mms) throw noMessagingCapability(pn.phone_number);
  // v1 spells capabilities as strings, in the order of Twilio's examples.
  const capabilities = [pn.mms && 'MMS', pn.sms && 'SMS', pn.voice && 'Voice'].filter(Boolean).join(',');
  return { sid, details: { address: pn.phone_number, country_code: pn.country_code, capabilities } };
}

/** One of the account's phone numbers, named by its SID; it must be able to message (21715). */
export const phoneNumberKind: PoolKind = {
  type: SENDER_TYPE.phoneNumber,
  segment: 'PhoneNumbers',
  param: 'PhoneNumberSid',
  async resolve(tx, accountSid, sid) {
    return joining(sid, await tx.phoneNumbers.fetch(accountSid, sid, { lock: true }));
  },
  async resolveMany(tx, accountSid, sids) {
    const rows = new Map((await tx.phoneNumbers.fetchMany(accountSid, sids, { lock: true })).map((pn) => [pn.sid, pn]));
    return resolvedEach(sids, (sid) => joining(sid, rows.get(sid)));
  },
};
