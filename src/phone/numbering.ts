import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';

/**
 * The numbering rules every part of Shortroute shares: E.164 parsing and number types from the
 * numbering plan, and the North American Numbering Plan's area codes and overlays.
 */

type NumberPlan = typeof import('libphonenumber-js/max');
let numberPlan: NumberPlan | undefined;

/**
 * libphonenumber-js with its full metadata (needed for a number's type) takes about 100 ms to
 * load: it is loaded on the first use of a phone number, not at start-up. Every async entry point
 * that parses numbers awaits it; the synchronous helpers below may then use it.
 */
export async function loadNumberPlan(): Promise<NumberPlan> {
  numberPlan ??= await import('libphonenumber-js/max');
  return numberPlan;
}

/** The loaded plan; loadNumberPlan() must have been awaited. */
export function numberPlanLoaded(): NumberPlan {
  if (!numberPlan) throw new Error('the numbering plan is used before loadNumberPlan()');
  return numberPlan;
}

/**
 * A valid number in E.164, or undefined. An unencoded `+` arrives as a space (`curl -d
 * PhoneNumber=+1…`), and a seed may leave it out: the digits after it are what count.
 */
export function parseE164(text: string): PhoneNumber | undefined {
  const digits = text.trim().replace(/^\+/, '');
  const parsed = /^\d{6,15}$/.test(digits) ? numberPlanLoaded().parsePhoneNumberFromString(`+${digits}`) : undefined;
  return parsed?.isValid() ? parsed : undefined;
}

/** A valid number as dialled within `country` (an ISO 3166 code), without its country code, or undefined. */
export function parseNational(digits: string, country: string): PhoneNumber | undefined {
  if (!/^\d{3,15}$/.test(digits)) return undefined;
  const parsed = numberPlanLoaded().parsePhoneNumberFromString(digits, country as CountryCode);
  return parsed?.isValid() ? parsed : undefined;
}

/** The countries of the North American Numbering Plan that Twilio treats alike (+1). */
export const US_AND_CANADA: ReadonlySet<string> = new Set(['US', 'CA']);

/** NANP area codes that share one region (overlays): a number in any of them is a local match. */
const OVERLAYS: readonly (readonly string[])[] = [
  ['212', '646', '332', '917'],
  ['718', '347', '929', '917'],
  ['415', '628'],
  ['310', '424'],
  ['213', '323'],
  ['312', '872'],
  ['617', '857'],
  ['305', '786', '645'],
  ['416', '647', '437'],
  ['604', '778', '236'],
  ['514', '438', '263'],
];

/** Whether two NANP area codes are overlays of one region. */
export function overlaps(a: string, b: string): boolean {
  return OVERLAYS.some((group) => group.includes(a) && group.includes(b));
}

/** A NANP number's area code: `+1` then three digits. */
export function nanpAreaCode(e164: string): string | undefined {
  return /^\+1(\d{3})\d{7}$/.exec(e164)?.[1];
}
