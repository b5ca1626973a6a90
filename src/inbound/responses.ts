import type { Store } from '../storage/store.js';
import { isHttpUrl } from '../http/params.js';
import { WEBHOOK_PARAMS, WEBHOOK_TARGET } from '../storage/codecs.js';
import { mediaItem, type MediaItem } from '../sending/message.js';
import { resolveFrom } from '../sending/senders.js';
import { reachProblem } from '../sending/sender-selection.js';
import { parseE164 } from '../phone/numbering.js';
import { enqueueWebhook, type ResponseHandler, UnusableAnswer, WEBHOOK_KIND, type WebhookResponse } from '../webhooks/outbox.js';
import { signingUrl } from '../webhooks/signature.js';
import { parseMessagingTwiml, type TwimlMessage, type TwimlVerb } from './twiml.js';
import { queueReply } from './inbound.js';

/** Redirects one inbound message may follow before Twilio gives up (11215 "too many redirects"). */
export const MAX_REDIRECTS = 10;

const TWIML_TYPES = ['text/xml', 'application/xml'];

/** What a webhook's answer means: TwiML to run, nothing to do, or Twilio's error code. */
function readAnswer(response: WebhookResponse, base: string): { verbs: TwimlVerb[] } | { errorCode: number; connection?: boolean } {
  if (response.status === undefined) return { errorCode: response.errorCode ?? 11205, connection: true };
  if (response.status < 200 || response.status >= 300) return { errorCode: 11200 };
  if (response.errorCode === 11750) return { errorCode: 11750 };
  const body = response.body ?? '';
  // An empty answer asks for nothing.
  if (body.trim() === '') return { verbs: [] };
  const type = (response.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!TWIML_TYPES.includes(type)) return { errorCode: 12300 };
  const twiml = parseMessagingTwiml(body);
  if (!twiml.ok) return { errorCode: twiml.code };
  refuseUnfetchableUrls(twiml.verbs, base);
  return { verbs: twiml.verbs };
}

/**
 * Every URL the TwiML brings in must be one Shortroute can request, as the API's URLs must
 * (http or https, absolute once resolved against the webhook's): a `<Redirect>` elsewhere is
 * 11200 (it cannot be fetched), an `action`, `statusCallback` or `<Media>` elsewhere makes the
 * document invalid (12100). Either way the webhook fails and nothing of the answer is applied.
 */
function refuseUnfetchableUrls(verbs: TwimlVerb[], base: string): void {
  const fetchable = (url: string) => {
    try {
      return isHttpUrl(new URL(url, base).href);
    } catch {
      return false;
    }
  };
  for (const verb of verbs) {
    if (verb.verb === 'Redirect') {
      if (!fetchable(verb.url)) throw new UnusableAnswer(11200, `<Redirect> to ${verb.url}, which is not an http(s) URL`);
      continue;
    }
    const bad = [verb.action, verb.statusCallback, ...verb.media].find((url) => url !== undefined && !fetchable(url));
    if (bad !== undefined) throw new UnusableAnswer(12100, `<Message> with ${bad}, which is not an http(s) URL`);
  }
}

/**
 * How Shortroute handles the answer to an inbound message request
 * (https://www.twilio.com/docs/messaging/twiml, https://www.twilio.com/docs/errors/11200, /11205):
 * `<Message>` replies go out through the network from the receiving number; `<Redirect>` asks
 * another URL; an error (no answer in time, a 4xx/5xx, a body that is not TwiML, invalid TwiML)
 * sends the same request to the fallback URL, if there is one. A receiver that cannot be reached
 * is tried once more first. It all commits with the attempt's record.
 */
export const inboundResponseHandler: ResponseHandler = async (tx, hook, response, now, policy) => {
  const answer = readAnswer(response, hook.url);
  if ('errorCode' in answer) {
    if (answer.connection && hook.attempts < hook.max_attempts) return { done: false, retry: true, errorCode: answer.errorCode };
    if (hook.kind === WEBHOOK_KIND.inbound && hook.fallback) {
      const fallback = WEBHOOK_TARGET.decode(hook.fallback);
      const params = WEBHOOK_PARAMS.decode(hook.params);
      await enqueueWebhook(
        tx,
        {
          accountSid: hook.account_sid,
          messageSid: hook.message_sid,
          kind: WEBHOOK_KIND.fallback,
          url: fallback.url,
          method: fallback.method,
          // The URL as signed: credentials in it are not passed on to the fallback.
          params: [...params, ['ErrorCode', String(answer.errorCode)], ['ErrorUrl', signingUrl(hook.url)]],
          maxAttempts: hook.max_attempts,
        },
        now,
      );
    }
    return { done: false, retry: false, errorCode: answer.errorCode };
  }
  const message = await tx.messages.fetch(hook.account_sid, hook.message_sid);
  if (!message) return { done: true, retry: false };
  for (const verb of answer.verbs) {
    if (verb.verb === 'Redirect') {
      const followed = (await tx.webhooks.list(hook.account_sid, { messageSid: hook.message_sid })).filter(
        (h) => h.kind !== WEBHOOK_KIND.statusCallback,
      ).length;
      if (followed > MAX_REDIRECTS) return { done: false, retry: false, errorCode: 11215 };
      await enqueueWebhook(
        tx,
        {
          accountSid: hook.account_sid,
          messageSid: hook.message_sid,
          kind: hook.kind === WEBHOOK_KIND.fallback ? WEBHOOK_KIND.fallback : WEBHOOK_KIND.inbound,
          url: new URL(verb.url, hook.url).href,
          method: verb.method,
          params: WEBHOOK_PARAMS.decode(hook.params),
          maxAttempts: hook.max_attempts,
          fallback: hook.fallback ? WEBHOOK_TARGET.decode(hook.fallback) : undefined,
        },
        now,
      );
      break;
    }
    await reply(tx, message, verb, hook.url, now, policy.statusCallbackAttempts);
  }
  return { done: true, retry: false };
};

/** One `<Message>`: from the receiving number (or `from`, if the account's) to the sender (or `to`). */
async function reply(
  tx: Store,
  inbound: { account_sid: string; messaging_service_sid: string | null; to_address: string; from_address: string | null },
  verb: TwimlMessage,
  base: string,
  now: Date,
  callbackAttempts: number,
): Promise<void> {
  let to = verb.to ?? inbound.from_address ?? '';
  // A number without `+` takes the country code of the number that received the message: +1 here.
  if (verb.to && !verb.to.startsWith('+') && inbound.from_address?.startsWith('+1')) to = `+1${verb.to}`;
  // An invalid `to` sends nothing (Twilio's warning 14101).
  const recipient = parseE164(to);
  if (!recipient) return;
  to = recipient.number;
  const from = verb.from ?? inbound.to_address;
  // A `from` that is not the account's sender sends nothing (Twilio's <Message> rule).
  const sender = await resolveFrom(tx, inbound.account_sid, from, recipient.country);
  if (!sender) return;
  // What the API refuses with From is recorded failed here: the reply cannot reach the handset.
  const problem = reachProblem(sender, recipient.country);
  const unreachable = problem === 'short_code_abroad' ? 21606 : problem === 'alpha_sender_refused' ? 21612 : undefined;
  const media: MediaItem[] = verb.media.map((url) => {
    const absolute = new URL(url, base).href;
    return mediaItem(absolute);
  });
  const callback = verb.action ?? verb.statusCallback;
  const service = inbound.messaging_service_sid ? await tx.services.fetch(inbound.account_sid, inbound.messaging_service_sid) : undefined;
  // A recipient who opted out of the sender's service (or of the sender, outside one) gets nothing: 21610.
  const scope = (await tx.pools.serviceOf(sender.sid)) ?? sender.address;
  const optedOut = await tx.optOuts.isOptedOut(scope, to);
  await queueReply(
    tx,
    {
      accountSid: inbound.account_sid,
      serviceSid: inbound.messaging_service_sid,
      from: sender.address,
      to,
      body: verb.body,
      media,
      statusCallback: callback ? new URL(callback, base).href : (service?.status_callback ?? null),
      statusCallbackMethod: verb.action ? verb.method : 'POST',
      errorCode: optedOut ? 21610 : unreachable,
      callbackAttempts,
    },
    now,
  );
}
