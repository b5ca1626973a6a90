import { operations as op } from '../../generated/api.js';
import type { TwilioRoutes } from '../../http/route.js';
import { invalidSender } from '../../http/errors.js';
import { poolRoutes } from '../sender-pool/routes.js';
import { shortCodeKind } from './service-short-codes.js';

/** /v1/Services/{ServiceSid}/ShortCodes: the short codes in a service's sender pool. */
export function serviceShortCodeRoutes(routes: TwilioRoutes): void {
  poolRoutes(routes, {
    kind: shortCodeKind,
    ops: { create: op.v1CreateShortCode, list: op.v1ListShortCode, fetch: op.v1FetchShortCode, delete: op.v1DeleteShortCode },
    key: 'short_codes',
    errors: { ShortCodeSid: (value) => invalidSender('ShortCodeSid', value) },
    addressField: 'short_code',
    countryCode: true,
  });
}
