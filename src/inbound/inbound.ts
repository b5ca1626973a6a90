import type { Deps } from '../deps.js';
import type { Store } from '../storage/store.js';
import { toStored } from '../http/dates.js';
import { invalidParameter, missingParameter } from '../http/errors.js';
import { isHttpUrl } from '../http/params.js';
import type { MessageRow } from '../storage/store.js';
import { requireWritable } from '../auth/credentials.js';
import { loadNumberPlan, parseE164 } from '../phone/numbering.js';
import { MAX_BODY, MAX_MEDIA, mediaItem, newMessage, type MediaItem } from '../sending/message.js';
import { messageErrors } from '../http/errors.js';
import { STEP } from '../storage/states.js';
import { WORK } from '../background/notify.js';
import { enqueueWebhook, WEBHOOK_KIND } from '../webhooks/outbox.js';
import { deliveryErrorTitle } from '../network/errors.js';
import { reportStatus } from '../sending/status-callbacks.js';
import { keywordOf, type Keyword } from './keywords.js';
import { shortCodeByDigits } from '../sending/senders.js';

/** A number or short code of the account, as the receiving end of an inbound message. */
export interface Receiver {
  kind: 'short_code' | 'phone_number';
  sid: string;
  /** Short code digits, or E.164. */
  address: string;
  country: string;
  serviceSid: string | null;
  smsUrl: string | null;
  smsMethod: string;
  smsFallbackUrl: string | null;
  smsFallbackMethod: string;
}

/** Where an inbound message's request goes, and where to fall back to. */
export interface Route {
  url: string;
  method: 'GET' | 'POST';
  fallback?: { url: string; method: 'GET' | 'POST' };
}

const method = (m: string | null | undefined): 'GET' | 'POST' => (m?.toUpperCase() === 'GET' ? 'GET' : 'POST');

/** Attempts of an inbound request when the receiver cannot be reached (Twilio retries once). */
export const INBOUND_ATTEMPTS = 2;

export async function findReceiver(store: Store, accountSid: string, to: string, fromCountry?: string): Promise<Receiver | undefined> {
  const text = to.trim();
  if (/^\d{3,8}$/.test(text)) {
    const row = await shortCodeByDigits(store, accountSid, text, fromCountry);
    return row ? receiverOf(store, 'short_code', row, row.short_code) : undefined;
  }
  const parsed = parseE164(text);
  const row = parsed ? await store.phoneNumbers.fetchByNumber(parsed.number) : undefined;
  if (!row || row.account_sid !== accountSid) return undefined;
  return receiverOf(store, 'phone_number', row, row.phone_number);
}

/** A short code or number as a receiver: its own webhook settings and the service it is in. */
async function receiverOf(
  store: Store,
  kind: Receiver['kind'],
  row: { sid: string; country_code: string; sms_url: string | null; sms_method: string; sms_fallback_url: string | null; sms_fallback_method: string },
  address: string,
): Promise<Receiver> {
  return {
    kind,
    sid: row.sid,
    address,
    country: row.country_code,
    serviceSid: (await store.pools.serviceOf(row.sid)) ?? null,
    smsUrl: row.sms_url,
    smsMethod: row.sms_method,
    smsFallbackUrl: row.sms_fallback_url,
    smsFallbackMethod: row.sms_fallback_method,
  };
}

/**
 * Which webhook an inbound message goes to (https://www.twilio.com/docs/messaging/api/service-resource,
 * `inbound_request_url` and `use_inbound_webhook_on_number`): in a service, the service's
 * inbound request URL, unless the service defers to the number's own webhook and the number has
 * one; outside any service, the number's or short code's own `sms_url`. No URL: stored only.
 */
export async function routeOf(store: Store, accountSid: string, receiver: Receiver): Promise<Route | undefined> {
  const own = (): Route | undefined =>
    receiver.smsUrl
      ? {
          url: receiver.smsUrl,
          method: method(receiver.smsMethod),
          fallback: receiver.smsFallbackUrl ? { url: receiver.smsFallbackUrl, method: method(receiver.smsFallbackMethod) } : undefined,
        }
      : undefined;
  if (!receiver.serviceSid) return own();
  const service = await store.services.fetch(accountSid, receiver.serviceSid);
  if (!service) return own();
  if (service.use_inbound_webhook_on_number === 1 && receiver.smsUrl) return own();
  if (!service.inbound_request_url) return undefined;
  return {
    url: service.inbound_request_url,
    method: method(service.inbound_method),
    fallback: service.fallback_url ? { url: service.fallback_url, method: method(service.fallback_method) } : undefined,
  };
}

/** The geography fields Twilio adds for an address: the country from the numbering plan; the rest Shortroute does not know. */
function geography(prefix: 'From' | 'To', country: string): [string, string][] {
  return [
    [`${prefix}City`, ''],
    [`${prefix}State`, ''],
    [`${prefix}Zip`, ''],
    [`${prefix}Country`, country],
  ];
}

/** The parameters of Twilio's inbound message request (https://www.twilio.com/docs/messaging/guides/webhook-request). */
export function inboundParams(message: MessageRow, media: MediaItem[], fromCountry: string, toCountry: string, keyword?: Keyword): [string, string][] {
  const params: [string, string][] = [
    ...geography('To', toCountry),
    ['SmsMessageSid', message.sid],
    ['NumMedia', String(media.length)],
    ...geography('From', fromCountry),
    ['SmsSid', message.sid],
    ['SmsStatus', 'received'],
    ['Body', message.body],
    ['To', message.to_address],
  ];
  if (message.messaging_service_sid) params.push(['MessagingServiceSid', message.messaging_service_sid]);
  params.push(['NumSegments', String(message.num_segments)], ['MessageSid', message.sid], ['AccountSid', message.account_sid]);
  params.push(['From', message.from_address ?? ''], ['ApiVersion', '2010-04-01']);
  for (const [i, item] of media.entries()) params.push([`MediaContentType${i}`, item.content_type], [`MediaUrl${i}`, item.url]);
  if (keyword) params.push(['OptOutType', keyword.type]);
  return params;
}

/** An outbound reply from the receiving number, sent through the network like any message. */
export async function queueReply(
  tx: Store,
  reply: {
    accountSid: string;
    serviceSid: string | null;
    from: string;
    to: string;
    body: string;
    media: MediaItem[];
    statusCallback: string | null;
    statusCallbackMethod?: 'GET' | 'POST';
    errorCode?: number;
    /** The node's policy for the reply's status callbacks. */
    callbackAttempts: number;
  },
  now: Date,
): Promise<MessageRow> {
  const at = toStored(now);
  // A reply that cannot go (an opted-out recipient, 21610) is recorded failed and never sent.
  const failed = reply.errorCode !== undefined;
  const row = newMessage({
    account_sid: reply.accountSid,
    messaging_service_sid: reply.serviceSid,
    direction: 'outbound-reply',
    from_address: reply.from,
    to_address: reply.to,
    body: reply.body,
    media: reply.media,
    status: failed ? 'failed' : 'queued',
    error_code: reply.errorCode ?? null,
    error_message: failed ? deliveryErrorTitle(reply.errorCode!) : null,
    status_callback: reply.statusCallback,
    status_callback_method: reply.statusCallbackMethod ?? 'POST',
    next_step: failed ? null : STEP.route,
    next_at: failed ? null : at,
    at,
  });
  await tx.messages.insert(row);
  await tx.messages.addEvent({ message_sid: row.sid, status: 'queued', date: at });
  if (failed) {
    await tx.messages.addEvent({ message_sid: row.sid, status: 'failed', error_code: row.error_code, date: at });
    await reportStatus(tx, row, now, reply.callbackAttempts);
  }
  return row;
}

/**
 * A simulated handset sends a message to one of the account's numbers or short codes. The
 * message is stored (direction `inbound`, status `received`), opt-out keywords take effect with
 * their reply, and the webhook request is written to the outbox, all in one transaction.
 */
export async function receiveMessage(
  deps: Deps,
  accountSid: string,
  input: { from: string; to?: string; body?: string; mediaUrls?: string[] },
): Promise<MessageRow> {
  const { store, clock } = deps;
  await loadNumberPlan();
  const handset = parseE164(input.from);
  if (!handset) throw invalidParameter('From', `'${input.from}' is not a phone number in E.164`);
  if (input.to === undefined || input.to.trim() === '') throw missingParameter('To');
  const receiver = await findReceiver(store, accountSid, input.to, handset.country);
  if (!receiver) throw invalidParameter('To', `'${input.to}' is not a phone number or short code of account ${accountSid}`);
  const body = input.body ?? '';
  if ([...body].length > MAX_BODY) throw messageErrors.bodyTooLong();
  const urls = input.mediaUrls ?? [];
  if (urls.length > MAX_MEDIA) throw messageErrors.tooManyMedia();
  if (body === '' && urls.length === 0) throw messageErrors.bodyRequired();
  const media: MediaItem[] = urls.map((url) => {
    if (!isHttpUrl(url)) throw messageErrors.invalidMediaUrl(url);
    return mediaItem(url);
  });

  const now = clock.now();
  const at = toStored(now);
  const message = newMessage({
    account_sid: accountSid,
    messaging_service_sid: receiver.serviceSid,
    direction: 'inbound',
    from_address: handset.number,
    to_address: receiver.address,
    body,
    media,
    status: 'received',
    sender_sid: receiver.sid,
    date_sent: at,
    at,
  });
  const keyword = keywordOf(body);
  await store.transaction(async (tx) => {
    await requireWritable(tx, accountSid);
    await tx.messages.insert(message);
    await tx.messages.addEvent({ message_sid: message.sid, status: 'received', date: at });
    if (keyword) {
      // The whole service's pool, or the number alone outside a service.
      const scope = receiver.serviceSid ?? receiver.address;
      if (keyword.type !== 'HELP') await tx.optOuts.set({ account_sid: accountSid, scope, address: handset.number, date: at }, keyword.type === 'STOP');
      await queueReply(
        tx,
        {
          accountSid,
          serviceSid: receiver.serviceSid,
          from: receiver.address,
          to: handset.number,
          body: keyword.reply,
          media: [],
          statusCallback: null,
          callbackAttempts: deps.webhookPolicy.statusCallbackAttempts,
        },
        now,
      );
    }
    const route = await routeOf(tx, accountSid, receiver);
    if (route) {
      await enqueueWebhook(
        tx,
        {
          accountSid,
          messageSid: message.sid,
          kind: WEBHOOK_KIND.inbound,
          url: route.url,
          method: route.method,
          params: inboundParams(message, media, handset.country ?? '', receiver.country, keyword),
          maxAttempts: INBOUND_ATTEMPTS,
          fallback: route.fallback,
        },
        now,
      );
    }
  });
  // Its webhook, and any keyword reply, are work to do now.
  deps.notify(WORK.webhooks);
  deps.notify(WORK.messages);
  return message;
}
