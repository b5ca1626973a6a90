import { nanpAreaCode, overlaps, US_AND_CANADA } from '../phone/numbering.js';

/**
 * Copilot's sender selection for a Messaging Service, as one pure, deterministic function: given
 * the pool, the recipient and the service's settings, which sender sends, and by which rule.
 * The order follows Twilio's documented priorities (https://www.twilio.com/docs/messaging/services,
 * "Sender selection"; https://www.twilio.com/docs/api/errors/21703): sticky sender while still
 * eligible, then a short code of the recipient's country, then the alpha sender where alpha
 * senders are allowed, then Short Code Reroute to a phone number (country geomatch, area code
 * geomatch for US/Canada), with the load spread across equals. The network's route step calls it.
 */

export const SELECTION_RULE = {
  stickySender: 'sticky_sender',
  shortCode: 'short_code',
  alphaSender: 'alpha_sender',
  areaCodeGeomatch: 'area_code_geomatch',
  countryCodeGeomatch: 'country_code_geomatch',
  /** No number of the recipient's country: a US number, else any. */
  anyNumber: 'any_number',
} as const;
export type SelectionRule = (typeof SELECTION_RULE)[keyof typeof SELECTION_RULE];

export interface Candidate {
  sid: string;
  kind: 'short_code' | 'phone_number' | 'alpha_sender';
  /** Short code digits, E.164 number, or alpha text. */
  address: string;
  /** ISO 3166-1 alpha-2; empty for alpha senders, which belong to no country. */
  country: string;
  /** Twilio's spelling: `SMS`, `MMS`. */
  capabilities: readonly string[];
  /** Phone numbers: `local`, `mobile` or `tollfree`. */
  numberType?: string;
}

export interface Recipient {
  country: string;
  /** US/Canada only: the three-digit area code. */
  areaCode?: string;
}

export interface SelectionInput {
  pool: readonly Candidate[];
  to: Recipient;
  hasMedia: boolean;
  stickySender: boolean;
  areaCodeGeomatch: boolean;
  /** The sender this recipient was last given, when sticky sender is on. */
  stickyFor?: string;
  /**
   * Whether a sticky mapping outranks a short code or alpha sender that could now reach the
   * recipient (Twilio does not say; default yes). When not, it decides among phone numbers only,
   * ahead of the geomatches.
   */
  stickyFirst?: boolean;
  /** How long each sender's queue runs (ms, by SID), for spreading load across equal candidates. */
  load?: ReadonlyMap<string, number>;
}

export type Selection =
  /** `rerouted`: the pool has short codes, none could reach the recipient (Short Code Reroute). */
  | { ok: true; sender: Candidate; rule: SelectionRule; rerouted: boolean }
  /** 21704: nothing in the pool; 21703: nothing in it can reach the recipient. */
  | { ok: false; errorCode: 21703 | 21704 };

const NANP = US_AND_CANADA;
/** Alphanumeric sender IDs cannot reach these countries (Twilio: never the US or Canada). */
export const ALPHA_UNSUPPORTED = US_AND_CANADA;

function canCarry(sender: Candidate, hasMedia: boolean): boolean {
  return hasMedia ? sender.capabilities.includes('MMS') : sender.capabilities.includes('SMS') || sender.capabilities.includes('MMS');
}

/**
 * What keeps a sender from a recipient's country whoever chose it (Copilot, `From`, a TwiML
 * reply): a short code is bound to its country; an alphanumeric sender cannot reach the US or
 * Canada. Undefined when neither rule stands in the way.
 */
export function reachProblem(
  sender: Pick<Candidate, 'kind' | 'country'>,
  country: string | undefined,
): 'short_code_abroad' | 'alpha_sender_refused' | undefined {
  if (sender.kind === 'short_code' && sender.country !== country) return 'short_code_abroad';
  if (sender.kind === 'alpha_sender' && country !== undefined && ALPHA_UNSUPPORTED.has(country)) return 'alpha_sender_refused';
  return undefined;
}

/** Whether a sender can reach the recipient at all, whatever the priorities. */
function reaches(sender: Candidate, input: SelectionInput): boolean {
  const { to, hasMedia, pool } = input;
  if (!canCarry(sender, hasMedia) || reachProblem(sender, to.country)) return false;
  switch (sender.kind) {
    case 'short_code':
      return true;
    case 'alpha_sender':
      // Not where the pool has a short code for the country: Copilot prefers that.
      return !pool.some((s) => s.kind === 'short_code' && s.country === to.country);
    case 'phone_number':
      // US/Canadian recipients are reached only from US/Canadian numbers (error 21703's first cause).
      return NANP.has(to.country) ? NANP.has(sender.country) : true;
  }
}

/** The least loaded of equal candidates; ties go to the lowest SID, so the choice is repeatable. */
function spread(candidates: readonly Candidate[], load?: ReadonlyMap<string, number>): Candidate {
  return [...candidates].sort((a, b) => (load?.get(a.sid) ?? 0) - (load?.get(b.sid) ?? 0) || (a.sid < b.sid ? -1 : 1))[0]!;
}

export function selectSender(input: SelectionInput): Selection {
  const { pool, to, load } = input;
  if (pool.length === 0) return { ok: false, errorCode: 21704 };
  const eligible = pool.filter((s) => reaches(s, input));

  const stickyFirst = input.stickyFirst ?? true;
  const stickyAmong = (candidates: readonly Candidate[]) =>
    input.stickySender && input.stickyFor ? candidates.find((s) => s.sid === input.stickyFor) : undefined;
  const firstSticky = stickyFirst ? stickyAmong(eligible) : undefined;
  if (firstSticky) return { ok: true, sender: firstSticky, rule: SELECTION_RULE.stickySender, rerouted: false };

  const shortCodes = eligible.filter((s) => s.kind === 'short_code');
  if (shortCodes.length) return { ok: true, sender: spread(shortCodes, load), rule: SELECTION_RULE.shortCode, rerouted: false };

  const alpha = eligible.find((s) => s.kind === 'alpha_sender');
  if (alpha) return { ok: true, sender: alpha, rule: SELECTION_RULE.alphaSender, rerouted: false };

  let numbers = eligible.filter((s) => s.kind === 'phone_number');
  if (numbers.length === 0) return { ok: false, errorCode: 21703 };
  const rerouted = pool.some((s) => s.kind === 'short_code');
  const laterSticky = stickyFirst ? undefined : stickyAmong(numbers);
  if (laterSticky) return { ok: true, sender: laterSticky, rule: SELECTION_RULE.stickySender, rerouted };
  const chosen = (candidates: readonly Candidate[], rule: SelectionRule): Selection => ({ ok: true, sender: spread(candidates, load), rule, rerouted });
  // Canada: toll-free numbers first (Twilio's documented preference for Canadian recipients).
  if (to.country === 'CA' && numbers.some((s) => s.numberType === 'tollfree')) numbers = numbers.filter((s) => s.numberType === 'tollfree');

  if (input.areaCodeGeomatch && NANP.has(to.country) && to.areaCode) {
    const area = to.areaCode;
    const same = numbers.filter((s) => nanpAreaCode(s.address) === area);
    if (same.length) return chosen(same, SELECTION_RULE.areaCodeGeomatch);
    const overlay = numbers.filter((s) => {
      const code = nanpAreaCode(s.address);
      return code !== undefined && overlaps(code, area);
    });
    if (overlay.length) return chosen(overlay, SELECTION_RULE.areaCodeGeomatch);
  }

  const sameCountry = numbers.filter((s) => s.country === to.country);
  if (sameCountry.length) return chosen(sameCountry, SELECTION_RULE.countryCodeGeomatch);
  // No number of the recipient's country: US numbers first, then any (Country Code Geomatch's fallback).
  const us = numbers.filter((s) => s.country === 'US');
  return chosen(us.length ? us : numbers, SELECTION_RULE.anyNumber);
}
