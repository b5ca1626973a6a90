import { operations as op } from '../../generated/api.js';
import type { TwilioRoutes } from '../../http/route.js';
import { invalidSender, noMessagingCapability } from '../../http/errors.js';
import { SENDER_TYPE } from '../../storage/store.js';
import type { PoolKind } from '../sender-pool/pool.js';
import { memberParts, poolRoutes } from '../sender-pool/routes.js';

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

/** /v1/Services/{ServiceSid}/PhoneNumbers: the phone numbers in a service's sender pool. */
export function servicePhoneNumberRoutes(routes: TwilioRoutes): void {
  poolRoutes(routes, {
    kind: phoneNumberKind,
    ops: { create: op.v1CreatePhoneNumber, list: op.v1ListPhoneNumber, fetch: op.v1FetchPhoneNumber, delete: op.v1DeletePhoneNumber },
    key: 'phone_numbers',
    errors: { PhoneNumberSid: (value) => invalidSender('PhoneNumberSid', value) },
    json: (row, owner, url) => {
      const { added, capabilities } = memberParts(row);
      return { sid: row.sid, account_sid: owner.accountSid, service_sid: owner.serviceSid, date_created: added, date_updated: added, phone_number: row.address, country_code: row.country_code, capabilities, url };
    },
  });
}
