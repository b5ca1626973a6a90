import { checkFriendlyName } from '../http/params.js';
import type { ColumnField } from './columns.js';
import { invalidParameter } from '../http/errors.js';

/** What the account's numbers (short codes and phone numbers) share on the 2010-04-01 API. */

export const API_VERSIONS = ['2010-04-01', '2008-08-01'] as const;

/** `FriendlyName` up to 64 characters and `ApiVersion` one of Twilio's two, where given. */
export function checkNumberFields(params: { FriendlyName?: string; ApiVersion?: string }): void {
  checkFriendlyName(params.FriendlyName);
  const version = params.ApiVersion;
  if (version !== undefined && !(API_VERSIONS as readonly string[]).includes(version)) {
    throw invalidParameter('ApiVersion', `'${version}' is not one of ${API_VERSIONS.join(', ')}`);
  }
}

/**
 * Twilio's number filters (`ShortCode`, `PhoneNumber` on list operations) match any part of the
 * number, with `*` standing for one digit: as a SQL LIKE pattern.
 */
export function numberLike(pattern: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  // Only digits, `+` and `*` mean anything; an unencoded `+` arrives as a space.
  return `%${pattern.replace(/[^0-9+*]/g, '').replace(/\*/g, '_')}%`;
}

/** The columns a short code and a phone number both take from the 2010 API's parameters. */
export const NUMBER_COLUMNS: readonly ColumnField[] = [
  { param: 'FriendlyName', column: 'friendly_name', kind: 'text' },
  { param: 'ApiVersion', column: 'api_version', kind: 'text' },
  { param: 'SmsUrl', column: 'sms_url', kind: 'url' },
  { param: 'SmsMethod', column: 'sms_method', kind: 'text' },
  { param: 'SmsFallbackUrl', column: 'sms_fallback_url', kind: 'url' },
  { param: 'SmsFallbackMethod', column: 'sms_fallback_method', kind: 'text' },
];
