import { operations as op } from '../../generated/api.js';
import type { TwilioRoutes } from '../../http/route.js';
import { invalidSender } from '../../http/errors.js';
import { poolRoutes } from '../sender-pool/routes.js';
import { phoneNumberKind } from './service-phone-numbers.js';

/** /v1/Services/{ServiceSid}/PhoneNumbers: the phone numbers in a service's sender pool. */
export function servicePhoneNumberRoutes(routes: TwilioRoutes): void {
  poolRoutes(routes, {
    kind: phoneNumberKind,
    ops: { create: op.v1CreatePhoneNumber, list: op.v1ListPhoneNumber, fetch: op.v1FetchPhoneNumber, delete: op.v1DeletePhoneNumber },
    key: 'phone_numbers',
    errors: { PhoneNumberSid: (value) => invalidSender('PhoneNumberSid', value) },
    addressField: 'phone_number',
    countryCode: true,
  });
}
