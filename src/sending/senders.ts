import type { Store } from '../storage/store.js';
import { CAPABILITY_LIST } from '../storage/codecs.js';
import { SENDER_TYPE, type ShortCodeRow } from '../storage/store.js';
import { nanpAreaCode, parseE164, US_AND_CANADA } from '../phone/numbering.js';
import type { Candidate, Recipient } from './sender-selection.js';

/**
 * Senders as the simulated network sees them: who they are, whom they can reach, and how fast
 * they send. Rates are Twilio's defaults (https://www.twilio.com/docs/messaging/guides/best-practices-at-scale,
 * "Message queuing and rate limits"): a short code 100 segments/s, a
 * US/Canadian long code 1, a toll-free number 3, an alphanumeric sender and long codes elsewhere 10.
 */
export const RATES = { shortCode: 100, nanpLongCode: 1, tollFree: 3, alphaSender: 10, otherLongCode: 10 } as const;

export function rateOf(sender: Candidate): number {
  switch (sender.kind) {
    case 'short_code':
      return RATES.shortCode;
    case 'alpha_sender':
      return RATES.alphaSender;
    case 'phone_number':
      if (sender.numberType === 'tollfree') return RATES.tollFree;
      return US_AND_CANADA.has(sender.country) ? RATES.nanpLongCode : RATES.otherLongCode;
  }
}

/** Twilio's test-credential From number that always passes (twilio.com/docs/iam/test-credentials). */
export const MAGIC_FROM_VALID = '+15005550006';

/** A sender outside any account: Twilio's magic test From number, a US long code. */
const magicSender: Candidate = {
  sid: '',
  kind: 'phone_number',
  address: MAGIC_FROM_VALID,
  country: 'US',
  capabilities: ['SMS', 'MMS'],
  numberType: 'local',
};

const ALPHA = /^(?=.*[A-Za-z])[A-Za-z0-9 \-+_&]{1,11}$/;

/**
 * The account's sender a `From` names: a short code (digits), a phone number (E.164, `+` optional
 * as Twilio's forms often lose it) or an alphanumeric sender ID in one of its services.
 */
export async function resolveFrom(store: Store, accountSid: string, from: string, recipientCountry?: string): Promise<Candidate | undefined> {
  const text = from.trim();
  if (text === MAGIC_FROM_VALID) return magicSender;
  if (/^\d{3,8}$/.test(text)) {
    const row = await shortCodeByDigits(store, accountSid, text, recipientCountry);
    if (row)
      return { sid: row.sid, kind: 'short_code', address: row.short_code, country: row.country_code, capabilities: CAPABILITY_LIST.decode(row.capabilities) };
  }
  const parsed = /^\+?\d{6,15}$/.test(text) ? parseE164(text) : undefined;
  if (parsed) {
    const row = await store.phoneNumbers.fetchByNumber(parsed.number);
    if (!row || row.account_sid !== accountSid) return undefined;
    const capabilities = [row.sms ? 'SMS' : '', row.mms ? 'MMS' : ''].filter(Boolean);
    return { sid: row.sid, kind: 'phone_number', address: row.phone_number, country: row.country_code, capabilities, numberType: row.number_type };
  }
  if (ALPHA.test(text)) {
    const row = await store.pools.fetchAlphaSender(accountSid, text);
    if (row) return { sid: row.sender_sid, kind: 'alpha_sender', address: row.address, country: '', capabilities: CAPABILITY_LIST.decode(row.capabilities) };
  }
  return undefined;
}

/**
 * The account's short code with these digits. The same digits can be a short code in several
 * countries: the one of `country` (the other party's) first, else the lowest SID.
 */
export async function shortCodeByDigits(store: Store, accountSid: string, digits: string, country?: string): Promise<ShortCodeRow | undefined> {
  const rows = await store.shortCodes.listByDigits(accountSid, digits);
  return rows.find((r) => r.country_code === country) ?? rows[0];
}

/** A service's pool as selection candidates, phone numbers with their type (toll-free or not). */
export async function poolOf(store: Store, serviceSid: string): Promise<Candidate[]> {
  const rows = await store.pools.candidates(serviceSid);
  return rows.map((r) => ({
    sid: r.sender_sid,
    kind: r.sender_type as Candidate['kind'],
    address: r.address,
    country: r.sender_type === SENDER_TYPE.alphaSender ? '' : r.country_code,
    capabilities: CAPABILITY_LIST.decode(r.capabilities),
    numberType: r.number_type ?? undefined,
  }));
}

/** The recipient of an E.164 number: its country, and its area code in the US and Canada. */
export function recipientOf(e164: string): Recipient | undefined {
  const parsed = parseE164(e164);
  if (!parsed?.country) return undefined;
  return { country: parsed.country, areaCode: parsed.countryCallingCode === '1' ? nanpAreaCode(parsed.number) : undefined };
}
