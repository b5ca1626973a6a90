import { invalidSender, noMessagingCapability } from '../../http/errors.js';
import { SENDER_TYPE } from '../../storage/store.js';
import type { PoolKind } from '../sender-pool/pool.js';

/** One of the account's phone numbers, named by its SID; it must be able to message (21715). */
export const phoneNumberKind: PoolKind = {
  type: SENDER_TYPE.phoneNumber,
  segment: 'PhoneNumbers',
  param: 'PhoneNumberSid',
  async resolve(tx, accountSid, sid) {
    const pn = await tx.phoneNumbers.fetch(accountSid, sid, { lock: true });
    if (!pn) throw invalidSender('PhoneNumberSid', sid);
    if (!pn.sms && !pn.mms) throw noMessagingCapability(pn.phone_number);
    // v1 spells capabilities as strings, in the order of Twilio's examples.
    const capabilities = [pn.mms && 'MMS', pn.sms && 'SMS', pn.voice && 'Voice'].filter(Boolean).join(',');
    return { sid, details: { address: pn.phone_number, country_code: pn.country_code, capabilities } };
  },
};
