import type { Deps } from '../../deps.js';
import { MEDIA, type MediaItem } from '../../storage/codecs.js';
import type { operations as op } from '../../generated/api.js';
import type { ParamsOf } from '../../http/operation.js';
import type { createMessageOp } from './operations.js';

type CreateParams = ParamsOf<typeof createMessageOp>;
import { isHttpUrl, type Params } from '../../http/params.js';
import { toStored } from '../../http/dates.js';
import { invalidParameter, invalidValidityPeriod, notFound } from '../../http/errors.js';
import { isSid, SID_PREFIX } from '../../sids.js';
import type { Page, PageQuery } from '../../storage/store.js';
import type { MessageRow } from '../../storage/store.js';
import { requireWritable } from '../../auth/credentials.js';
import { loadNumberPlan, parseE164 } from '../../phone/numbering.js';
import { MAGIC_FROM_VALID, resolveFrom } from '../../sending/senders.js';
import { reachProblem } from '../../sending/sender-selection.js';
import { encodingOf, smartEncode } from '../../sending/segments.js';
import { reportStatus } from '../../sending/status-callbacks.js';
import { acceptMessage } from '../../sending/intake.js';
import { magicRecipientError } from '../../network/errors.js';
import { STEP } from '../../storage/states.js';
import { WORK } from '../../background/notify.js';
import { messageErrors as e } from '../../http/errors.js';
import { DEFAULT_VALIDITY, MAX_BODY, MAX_MEDIA, MIN_VALIDITY, mediaItem, newMessage, SCHEDULE_MAX_MS, SCHEDULE_MIN_MS } from '../../sending/message.js';

export { contentTypeOf, MAX_BODY, MAX_MEDIA, type MediaItem, newMessage } from '../../sending/message.js';

export const messagePath = (accountSid: string, sid: string) => `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`;

/** What a magic From number of Twilio's test credentials answers. */
const MAGIC_FROM_ERRORS: Record<string, (from: string) => Error> = {
  '+15005550001': e.invalidFrom,
  '+15005550007': e.fromNotOwned,
  '+15005550008': e.queueFull,
};
const MAGIC_TO_ERRORS: Record<number, (to: string) => Error> = {
  21211: e.invalidTo,
  21612: e.unreachable,
  21408: e.regionBlocked,
  21610: () => e.unsubscribed(),
  21614: e.notMobile,
};

function readMedia(params: CreateParams): MediaItem[] {
  const urls = params.MediaUrl ?? [];
  if (urls.length > MAX_MEDIA) throw e.tooManyMedia();
  return urls.map((url) => {
    if (!isHttpUrl(url)) throw e.invalidMediaUrl(url);
    return mediaItem(url);
  });
}

function readSchedule(params: CreateParams, hasService: boolean, now: Date): string | undefined {
  if (params.ScheduleType === undefined) return undefined;
  if (!hasService) throw e.scheduleNeedsService();
  const sendAt = params.SendAt;
  if (sendAt === undefined || sendAt === '') throw e.sendAtMissing();
  const at = Date.parse(sendAt);
  if (Number.isNaN(at) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(sendAt)) {
    throw e.sendAtUnsupported(`'${sendAt}' is not an ISO 8601 date-time with a time zone`);
  }
  const ahead = at - now.getTime();
  if (ahead <= SCHEDULE_MIN_MS) throw e.sendAtUnsupported('SendAt must be more than 300 seconds ahead');
  if (ahead > SCHEDULE_MAX_MS) throw e.sendAtUnsupported('SendAt must be at most 35 days ahead');
  return toStored(new Date(at));
}

/**
 * Parameters that would change what Twilio does in ways Shortroute does not simulate: refused
 * with 501 naming them, rather than accepted and ignored. Reserved, obsolete and retention
 * settings (MaxPrice, ForceDelivery, Attempt, ContentRetention, AddressRetention, TrafficType,
 * RiskCheck) change nothing a test can see, and are accepted.
 */
const UNSIMULATED: [param: string, applies: (value: unknown) => boolean, why: string][] = [
  ['ContentSid', (v) => v !== undefined, 'Content templates are not simulated; send Body or MediaUrl'],
  ['ApplicationSid', (v) => v !== undefined, 'TwiML Apps are not simulated; use StatusCallback'],
  ['ShortenUrls', (v) => v === true, 'link shortening is not simulated'],
  ['SendAsMms', (v) => v === true, 'sending SMS as MMS is not simulated'],
  ['FallbackFrom', (v) => v !== undefined, 'RCS senders are not simulated'],
  ['PersistentAction', (v) => v !== undefined, 'WhatsApp actions are not simulated'],
  ['ProvideFeedback', (v) => v === true, 'the Feedback resource is not served'],
];

function refuseUnsimulated(params: Params): void {
  for (const [param, applies, why] of UNSIMULATED) if (applies(params[param])) throw e.unsupported(param, why);
}

/**
 * Sends a message, as Twilio's Messages create does: everything Twilio checks at once is checked
 * here and answered 4xx; with a Messaging Service and no From the answer is `accepted` and the
 * sender is chosen afterwards by the network (Copilot), whose errors arrive as a failed message.
 * The 201 goes out once the message and its first history entry are committed.
 */
export async function createMessage(deps: Deps, accountSid: string, params: CreateParams): Promise<MessageRow> {
  const { store, clock } = deps;
  await loadNumberPlan();
  const now = clock.now();
  const to = params.To?.trim();
  if (!to) throw e.toRequired();
  const from = params.From?.trim() || undefined;
  const serviceSid = params.MessagingServiceSid;
  if (!from && !serviceSid) throw e.senderRequired();

  let body = params.Body ?? '';
  const media = readMedia(params);
  refuseUnsimulated(params);
  if (body === '' && media.length === 0) throw serviceSid ? e.contentRequired() : e.bodyRequired();
  if ([...body].length > MAX_BODY) throw e.bodyTooLong();
  // The spec gives ValidityPeriod no bounds, so the route only checks that it is an integer.
  const validity = params.ValidityPeriod;
  if (validity !== undefined && (validity < MIN_VALIDITY || validity > DEFAULT_VALIDITY)) throw invalidValidityPeriod(String(validity));

  if (/^\d{3,8}$/.test(to)) throw e.toShortCode(to);
  const parsedTo = parseE164(to);
  const magicTo = magicRecipientError(to);
  if (!parsedTo && magicTo === undefined) throw e.invalidTo(to);
  const toAddress = parsedTo?.number ?? `+${to.replace(/^\+/, '')}`;

  const service = serviceSid ? await store.services.sendSettings(accountSid, serviceSid) : undefined;
  if (serviceSid && !service) throw e.serviceNotFound(serviceSid);
  const sendAt = readSchedule(params, service !== undefined, now);

  let fromAddress: string | undefined;
  if (from) {
    const magicKey = `+${from.replace(/^\+/, '')}`;
    const magic = Object.hasOwn(MAGIC_FROM_ERRORS, magicKey) ? MAGIC_FROM_ERRORS[magicKey] : undefined;
    if (magic) throw magic(from);
    const sender = await resolveFrom(store, accountSid, from, parsedTo?.country);
    if (!sender) throw e.fromNotOwned(from);
    if (!sender.capabilities.includes('SMS') && !sender.capabilities.includes('MMS')) throw e.fromNotOwned(from);
    if (media.length > 0 && !sender.capabilities.includes('MMS')) throw e.fromNotMmsCapable(from);
    if (magicTo !== undefined) throw MAGIC_TO_ERRORS[magicTo]!(to);
    const problem = reachProblem(sender, parsedTo?.country);
    if (problem === 'short_code_abroad') throw e.shortCodeCountry(from, parsedTo?.country ?? 'this destination');
    if (problem === 'alpha_sender_refused') throw e.unreachable(to);
    if (sender.address === toAddress) throw e.sameToFrom();
    if (service && sender.address !== MAGIC_FROM_VALID) {
      const inPool = await store.pools.serviceOf(sender.sid);
      if (inPool !== service.sid) throw e.senderNotInService(from, service.sid);
    }
    const scope = service?.sid ?? (await store.pools.serviceOf(sender.sid)) ?? sender.address;
    if (await store.optOuts.isOptedOut(scope, toAddress)) throw e.unsubscribed();
    fromAddress = sender.address;
  }

  // Smart Encoding: look-alikes become GSM-7, where that makes the whole body GSM-7.
  if ((params.SmartEncoded === true || service?.smart_encoding === 1) && params.SmartEncoded !== false) {
    const encoded = smartEncode(body);
    if (encodingOf(encoded) === 'GSM-7') body = encoded;
  }
  const statusCallback = params.StatusCallback || service?.status_callback || null;
  const at = toStored(now);
  const status = sendAt ? 'scheduled' : service ? 'accepted' : 'queued';
  const row = newMessage({
    account_sid: accountSid,
    messaging_service_sid: service?.sid ?? null,
    direction: 'outbound-api',
    from_address: fromAddress ?? null,
    to_address: toAddress,
    body,
    media,
    // Twilio shows 0 segments until a sender is chosen.
    ...(fromAddress ? {} : { num_segments: 0, encoding: null }),
    status,
    status_callback: statusCallback,
    validity_period: validity ?? service?.validity_period ?? DEFAULT_VALIDITY,
    next_step: STEP.route,
    next_at: sendAt ?? at,
    send_at: sendAt ?? null,
    at,
  });
  await acceptMessage(store, row, { message_sid: row.sid, status, detail: null, date: at });
  deps.notify(WORK.messages);
  return row;
}

export async function fetchMessage({ store }: Deps, accountSid: string, sid: string): Promise<MessageRow> {
  const row = isSid(SID_PREFIX.message, sid) || isSid(SID_PREFIX.mmsMessage, sid) ? await store.messages.fetch(accountSid, sid) : undefined;
  if (!row) throw notFound(messagePath(accountSid, sid));
  return row;
}

/** `DateSent` filters are days (YYYY-MM-DD, UTC); `DateSent<` and `DateSent>` are inclusive, as Twilio's are. */
function dayBounds(params: Params): { sentFrom?: string; sentBefore?: string } {
  const day = (name: string) => {
    const value = params[name] as string | undefined;
    if (value === undefined) return undefined;
    const match = /^(\d{4}-\d\d-\d\d)/.exec(value);
    const date = match ? new Date(`${match[1]}T00:00:00.000Z`) : new Date(NaN);
    // A malformed filter is a malformed parameter (20001), as everywhere else; 30400 is update's.
    if (Number.isNaN(date.getTime())) throw invalidParameter(name, `'${value}' is not a date (YYYY-MM-DD)`);
    return date.getTime();
  };
  const next = (ms: number) => new Date(ms + 86_400_000).toISOString();
  const exact = day('DateSent');
  const after = day('DateSent>');
  const before = day('DateSent<');
  const bounds: { sentFrom?: string; sentBefore?: string } = {};
  if (exact !== undefined) Object.assign(bounds, { sentFrom: new Date(exact).toISOString(), sentBefore: next(exact) });
  if (after !== undefined) bounds.sentFrom = new Date(Math.max(after, bounds.sentFrom ? Date.parse(bounds.sentFrom) : after)).toISOString();
  if (before !== undefined) bounds.sentBefore = next(Math.min(before, bounds.sentBefore ? Date.parse(bounds.sentBefore) - 86_400_000 : before));
  return bounds;
}

export async function listMessages(
  { store }: Deps,
  accountSid: string,
  params: ParamsOf<typeof op.v2010ListMessage>,
  page: PageQuery,
): Promise<Page<MessageRow>> {
  await loadNumberPlan();
  return store.messages.list(accountSid, { to: addressFilter(params.To), from: addressFilter(params.From), ...dayBounds(params) }, page);
}

/** A To or From filter as stored: a phone number in E.164 whatever its spelling, else as given. Call after loadNumberPlan. */
export function addressFilter(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  return parseE164(text)?.number ?? text;
}

const FINAL = new Set(['delivered', 'undelivered', 'failed', 'received', 'canceled', 'read']);

/**
 * Update: `Body=""` redacts a finished message's body; `Status=canceled` cancels a scheduled one
 * (Twilio reports the cancel to the status callback).
 */
export async function updateMessage(deps: Deps, accountSid: string, sid: string, params: ParamsOf<typeof op.v2010UpdateMessage>): Promise<MessageRow> {
  const { store, clock } = deps;
  const body = params.Body;
  const status = params.Status;
  if (body === undefined && status === undefined) throw e.invalidUpdate('send Body (empty, to redact) or Status=canceled');
  if (body !== undefined && status !== undefined) throw e.invalidUpdate('redact and cancel are separate requests');
  if (body !== undefined && body !== '') throw e.invalidUpdate('Body can only be set to the empty string, which redacts it');
  const row = await store.transaction(async (tx) => {
    await requireWritable(tx, accountSid);
    const row = await tx.messages.fetch(accountSid, sid, { lock: true });
    if (!row) throw notFound(messagePath(accountSid, sid));
    const now = clock.now();
    const at = toStored(now);
    if (status !== undefined) {
      if (row.status !== 'scheduled') throw e.cannotCancel(row.status);
      const canceled: MessageRow = { ...row, status: 'canceled', next_step: null, next_at: null, date_updated: at };
      await tx.messages.update(sid, { status: 'canceled', next_step: null, next_at: null, date_updated: at });
      await tx.messages.addEvent({ message_sid: sid, status: 'canceled', date: at });
      await reportStatus(tx, canceled, now, deps.webhookPolicy.statusCallbackAttempts);
      return canceled;
    }
    if (!FINAL.has(row.status)) throw e.invalidUpdate(`the message is ${row.status}; only a finished message can be redacted`);
    await tx.messages.update(sid, { body: '', date_updated: at });
    return { ...row, body: '', date_updated: at };
  });
  // A cancel wrote a status callback.
  deps.notify(WORK.webhooks);
  return row;
}

export async function deleteMessage(deps: Deps, accountSid: string, sid: string): Promise<void> {
  const row = await fetchMessage(deps, accountSid, sid);
  if (!FINAL.has(row.status)) throw e.cannotDelete();
  if (!(await deps.store.messages.delete(accountSid, sid))) throw notFound(messagePath(accountSid, sid));
}

export function mediaOf(row: MessageRow): MediaItem[] {
  return MEDIA.decode(row.media);
}

/** Removes one media item from a message (Twilio's Media delete); the message keeps its SID. */
export async function deleteMedia({ store }: Deps, accountSid: string, messageSid: string, sid: string): Promise<void> {
  await store.transaction(async (tx) => {
    const row = await tx.messages.fetch(accountSid, messageSid, { lock: true });
    if (!row) throw notFound(messagePath(accountSid, messageSid));
    const media = mediaOf(row);
    if (!media.some((m) => m.sid === sid)) throw notFound(`/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media/${sid}.json`);
    await tx.messages.update(messageSid, { media: MEDIA.encode(media.filter((m) => m.sid !== sid)) });
  });
}
