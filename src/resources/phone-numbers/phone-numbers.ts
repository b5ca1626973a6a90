import { randomInt } from 'node:crypto';
import { columnsFrom, type ColumnField } from '../columns.js';
import { SETTINGS as SETTINGS_CODEC } from '../../storage/codecs.js';
import type { operations as op } from '../../generated/api.js';
import type { ParamsOf } from '../../http/operation.js';
import type { createPhoneNumberOp } from './operations.js';
import type { PhoneNumber } from 'libphonenumber-js/max';
import type { Deps } from '../../deps.js';
import { UniqueViolation, type Page, type PageQuery, type PhoneNumberRow } from '../../storage/store.js';
import type { Params } from '../../http/params.js';
import { toStored } from '../../http/dates.js';
import { invalidAreaCode, invalidParameter, missingParameter, notFound, notImplemented, phoneNumberUnavailable } from '../../http/errors.js';
import { newOrderedSid, SID_PREFIX } from '../../sids.js';
import { checkNumberFields, NUMBER_COLUMNS, numberLike } from '../numbers.js';
import { requireWritable } from '../../auth/credentials.js';
import { loadNumberPlan, numberPlanLoaded, parseE164 } from '../../phone/numbering.js';

// Every exported async entry point here awaits loadNumberPlan(); the synchronous helpers may then parse.
const plan = numberPlanLoaded;

export const CAPABILITIES = ['Voice', 'SMS', 'MMS', 'Fax'] as const;

export const phoneNumberPath = (accountSid: string, sid: string) => `/2010-04-01/Accounts/${accountSid}/IncomingPhoneNumbers/${sid}.json`;

/**
 * The voice, emergency and regulatory settings: accepted, kept and shown, with nothing behind them
 * (Shortroute carries messages, not calls). Parameter → response property, with its default.
 */
export const SETTINGS = {
  SmsApplicationSid: ['sms_application_sid', null],
  VoiceApplicationSid: ['voice_application_sid', null],
  VoiceCallerIdLookup: ['voice_caller_id_lookup', false],
  VoiceUrl: ['voice_url', null],
  VoiceMethod: ['voice_method', 'POST'],
  VoiceFallbackUrl: ['voice_fallback_url', null],
  VoiceFallbackMethod: ['voice_fallback_method', 'POST'],
  VoiceReceiveMode: ['voice_receive_mode', 'voice'],
  EmergencyStatus: ['emergency_status', 'Inactive'],
  EmergencyAddressSid: ['emergency_address_sid', null],
  TrunkSid: ['trunk_sid', null],
  IdentitySid: ['identity_sid', null],
  AddressSid: ['address_sid', null],
  BundleSid: ['bundle_sid', null],
} as const;

/** Parameters with a column of their own: messaging behaviour reads them. */
const COLUMNS: readonly ColumnField[] = [
  ...NUMBER_COLUMNS,
  { param: 'StatusCallback', column: 'status_callback', kind: 'url' },
  { param: 'StatusCallbackMethod', column: 'status_callback_method', kind: 'text' },
];

/** Twilio's `type`, from the numbering plan: toll-free numbers queue at 3 segments/s, not 1. */
function numberType(parsed: PhoneNumber): string {
  const type = parsed.getType();
  if (type === 'TOLL_FREE') return 'tollfree';
  if (type === 'MOBILE') return 'mobile';
  return 'local';
}

function columns(params: Params, current?: PhoneNumberRow): Partial<PhoneNumberRow> {
  const out = columnsFrom(params, COLUMNS, current ? formatted(current.phone_number) : undefined);
  const settings = current ? SETTINGS_CODEC.decode(current.settings) : defaultSettings();
  let changed = false;
  for (const [param, [property]] of Object.entries(SETTINGS)) {
    const value = params[param];
    if (value === undefined) continue;
    settings[property] = value === '' ? null : value;
    changed = true;
  }
  if (changed || !current) out.settings = SETTINGS_CODEC.encode(settings);
  return out as Partial<PhoneNumberRow>;
}

function defaultSettings(): Record<string, unknown> {
  return Object.fromEntries(Object.values(SETTINGS).map(([property, value]) => [property, value]));
}

/** Twilio's default friendly name: the number in its national format, `(808) 925-5327`. */
function formatted(e164: string): string {
  return plan().parsePhoneNumberFromString(e164)?.formatNational() ?? e164;
}

/** A number in the area code that no account holds: random subscriber digits, checked against the plan. */
async function pickInAreaCode({ store }: Deps, areaCode: string): Promise<PhoneNumber> {
  if (!/^[2-9]\d\d$/.test(areaCode)) throw invalidAreaCode(areaCode);
  for (let attempt = 0; attempt < 50; attempt++) {
    // Exchange codes 200–999 except N11 and 555; subscriber 0000–9999.
    const exchange = randomInt(200, 1000);
    if (exchange % 100 === 11 || exchange === 555) continue;
    const candidate = plan().parsePhoneNumberFromString(`+1${areaCode}${exchange}${String(randomInt(0, 10_000)).padStart(4, '0')}`);
    if (!candidate?.isValid()) {
      // An area code the numbering plan does not know never yields a valid number.
      if (attempt >= 10) break;
      continue;
    }
    if (!(await store.phoneNumbers.fetchByNumber(candidate.number))) return candidate;
  }
  throw invalidAreaCode(areaCode);
}

/**
 * Provisions a number on the account, as buying one does: by `PhoneNumber` (E.164), or any free
 * number in a US/Canadian `AreaCode`. Shortroute's extension `Capabilities` (repeat: Voice, SMS,
 * MMS, Fax; default Voice, SMS, MMS) makes numbers that cannot message, for testing error 21715.
 */
export async function createPhoneNumber(deps: Deps, accountSid: string, params: ParamsOf<typeof createPhoneNumberOp>): Promise<PhoneNumberRow> {
  await loadNumberPlan();
  checkNumberFields(params);
  let parsed: PhoneNumber | undefined;
  if (params.PhoneNumber !== undefined) {
    parsed = parseE164(params.PhoneNumber);
    if (!parsed) throw invalidParameter('PhoneNumber', `'${params.PhoneNumber}' is not a valid E.164 phone number`);
  } else if (params.AreaCode !== undefined) {
    parsed = await pickInAreaCode(deps, params.AreaCode);
  } else {
    throw missingParameter('PhoneNumber or AreaCode');
  }
  const capabilities = params.Capabilities ?? ['Voice', 'SMS', 'MMS'];
  const has = (c: string) => (capabilities.includes(c) ? 1 : 0);
  const now = toStored(deps.clock.now());
  const row: PhoneNumberRow = {
    sid: newOrderedSid(SID_PREFIX.phoneNumber),
    account_sid: accountSid,
    phone_number: parsed.number,
    country_code: parsed.country ?? 'US',
    number_type: numberType(parsed),
    friendly_name: formatted(parsed.number),
    api_version: '2010-04-01',
    voice: has('Voice'),
    sms: has('SMS'),
    mms: has('MMS'),
    fax: has('Fax'),
    sms_url: null,
    sms_method: 'POST',
    sms_fallback_url: null,
    sms_fallback_method: 'POST',
    status_callback: null,
    status_callback_method: 'POST',
    settings: '{}',
    date_created: now,
    date_updated: now,
    ...columns(params),
  };
  if (!row.friendly_name) row.friendly_name = formatted(parsed.number);
  try {
    await deps.store.transaction(async (tx) => {
      await requireWritable(tx, accountSid);
      await tx.phoneNumbers.insert(row);
    });
  } catch (error) {
    if (error instanceof UniqueViolation) throw phoneNumberUnavailable(parsed.number);
    throw error;
  }
  return row;
}

export async function fetchPhoneNumber({ store }: Deps, accountSid: string, sid: string): Promise<PhoneNumberRow> {
  const row = await store.phoneNumbers.fetch(accountSid, sid);
  if (!row) throw notFound(phoneNumberPath(accountSid, sid));
  return row;
}

/** `PhoneNumber` matches any part of the number, `*` standing for one digit, as Twilio documents. */
export async function listPhoneNumbers(
  { store }: Deps,
  accountSid: string,
  params: ParamsOf<typeof op.v2010ListIncomingPhoneNumber>,
  page: PageQuery,
): Promise<Page<PhoneNumberRow>> {
  // Every number here was bought through the API (origin `twilio`), and none is in beta, which
  // `Beta` (default true) only ever adds: so `Origin=hosted` matches none and `Beta` changes nothing.
  if (params.Origin !== undefined && params.Origin !== 'twilio') return { items: [], hasNext: false, hasPrevious: false };
  const pattern = params.PhoneNumber;
  return store.phoneNumbers.list(
    accountSid,
    {
      numberLike: numberLike(pattern),
      friendlyName: params.FriendlyName,
    },
    page,
  );
}

export async function updatePhoneNumber(
  deps: Deps,
  accountSid: string,
  sid: string,
  params: ParamsOf<typeof op.v2010UpdateIncomingPhoneNumber>,
): Promise<PhoneNumberRow> {
  checkNumberFields(params);
  if (params.AccountSid !== undefined && params.AccountSid !== accountSid) {
    throw notImplemented('Moving a phone number to another account (AccountSid)');
  }
  await loadNumberPlan();
  return deps.store.transaction(async (tx) => {
    const current = await tx.phoneNumbers.fetch(accountSid, sid);
    if (!current) throw notFound(phoneNumberPath(accountSid, sid));
    const patch = { ...columns(params, current), date_updated: toStored(deps.clock.now()) };
    await tx.phoneNumbers.update(sid, patch);
    return { ...current, ...patch };
  });
}

/** Releases the number from the account, and so from its service. */
export async function deletePhoneNumber({ store }: Deps, accountSid: string, sid: string): Promise<void> {
  if (!(await store.phoneNumbers.delete(accountSid, sid))) throw notFound(phoneNumberPath(accountSid, sid));
}
