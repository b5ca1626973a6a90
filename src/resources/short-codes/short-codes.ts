import type { Updateable } from 'kysely';
import { columnsFrom } from '../columns.js';
import type { ParamsOf } from '../../http/operation.js';
import type { operations as op } from '../../generated/api.js';
import type { shortCodeExtensions } from './operations.js';
import type { Deps } from '../../deps.js';
import { UniqueViolation, type Page, type PageQuery, type ShortCodeRow } from '../../storage/store.js';
import type { ShortCodeTable } from '../../storage/schema.js';
import type { Params } from '../../http/params.js';
import { toStored } from '../../http/dates.js';
import { invalidParameter, notFound, shortCodeUnavailable } from '../../http/errors.js';
import { newOrderedSid, SID_PREFIX } from '../../sids.js';
import { checkNumberFields, NUMBER_COLUMNS, numberLike } from '../numbers.js';
import { requireWritable } from '../../auth/credentials.js';

export const SHORT_CODE_DIGITS = /^\d{3,8}$/;
export const CAPABILITIES = ['SMS', 'MMS'] as const;

const regions = new Intl.DisplayNames(['en'], { type: 'region' });

/** ISO 3166-1 alpha-2, as the platform's ICU data knows it (`ZZ` and unassigned codes fail). */
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || code === 'ZZ') return false;
  try {
    return regions.of(code) !== code;
  } catch {
    return false;
  }
}

export const shortCodePath = (accountSid: string, sid: string) => `/2010-04-01/Accounts/${accountSid}/SMS/ShortCodes/${sid}.json`;

/**
 * Shortroute's extension: Twilio provisions short codes by application, so there is no API to
 * obtain one. This creates one on the account, as if the application had been approved.
 */
export async function createShortCode({ store, clock }: Deps, accountSid: string, params: ParamsOf<typeof shortCodeExtensions.create>): Promise<ShortCodeRow> {
  const shortCode = params.ShortCode;
  if (!SHORT_CODE_DIGITS.test(shortCode)) throw invalidParameter('ShortCode', `'${shortCode}' must be 3 to 8 digits`);
  const country = (params.CountryCode ?? 'US').toUpperCase();
  if (!isCountryCode(country)) throw invalidParameter('CountryCode', `'${country}' is not an ISO 3166-1 alpha-2 country code`);
  checkNumberFields(params);
  const capabilities = params.Capabilities ?? ['SMS'];
  const now = toStored(clock.now());
  const row: ShortCodeRow = {
    sid: newOrderedSid(SID_PREFIX.shortCode),
    account_sid: accountSid,
    short_code: shortCode,
    country_code: country,
    // Twilio's default friendly name for a short code is the short code itself.
    friendly_name: params.FriendlyName || shortCode,
    api_version: '2010-04-01',
    sms_url: null,
    sms_method: 'POST',
    sms_fallback_url: null,
    sms_fallback_method: 'POST',
    capabilities: CAPABILITIES.filter((c) => capabilities.includes(c)).join(','),
    date_created: now,
    date_updated: now,
  };
  try {
    await store.transaction(async (tx) => {
      await requireWritable(tx, accountSid);
      await tx.shortCodes.insert(row);
    });
  } catch (error) {
    if (error instanceof UniqueViolation) throw shortCodeUnavailable(shortCode, country);
    throw error;
  }
  return row;
}

export async function fetchShortCode({ store }: Deps, accountSid: string, sid: string): Promise<ShortCodeRow> {
  const row = await store.shortCodes.fetch(accountSid, sid);
  if (!row) throw notFound(shortCodePath(accountSid, sid));
  return row;
}

/** `ShortCode` matches any part of the number, with `*` standing for one digit, as Twilio documents. */
export function listShortCodes(
  { store }: Deps,
  accountSid: string,
  params: ParamsOf<typeof op.v2010ListShortCode>,
  page: PageQuery,
): Promise<Page<ShortCodeRow>> {
  const pattern = params.ShortCode;
  return store.shortCodes.list(
    accountSid,
    {
      numberLike: numberLike(pattern),
      friendlyName: params.FriendlyName,
    },
    page,
  );
}

const UPDATABLE = NUMBER_COLUMNS;

export async function updateShortCode({ store, clock }: Deps, accountSid: string, sid: string, params: Params): Promise<ShortCodeRow> {
  checkNumberFields(params);
  return store.transaction(async (tx) => {
    const current = await tx.shortCodes.fetch(accountSid, sid);
    if (!current) throw notFound(shortCodePath(accountSid, sid));
    // An empty URL clears it; an empty friendly name falls back to the number, as on create.
    const patch = { ...columnsFrom(params, UPDATABLE, current.short_code), date_updated: toStored(clock.now()) };
    await tx.shortCodes.update(sid, patch as Updateable<ShortCodeTable>);
    return { ...current, ...patch } as ShortCodeRow;
  });
}

/** Shortroute's extension: releases the short code from the account, and so from its service. */
export async function deleteShortCode({ store }: Deps, accountSid: string, sid: string): Promise<void> {
  if (!(await store.shortCodes.delete(accountSid, sid))) throw notFound(shortCodePath(accountSid, sid));
}
