import type { MessageRow } from '../storage/store.js';
import type { Store } from '../storage/store.js';
import { enqueueWebhook, type NewWebhook, WEBHOOK_KIND } from '../webhooks/outbox.js';

/** The statuses Twilio reports to a status callback (the initial one and `sending` are not). */
const REPORTED = new Set(['queued', 'sent', 'delivered', 'undelivered', 'failed', 'canceled', 'read']);

/** Twilio's RawDlrDoneDate: the carrier's receipt time, `YYMMDDhhmm` in UTC. */
function dlrDate(at: Date): string {
  return at.toISOString().replace(/[-T:]/g, '').slice(2, 12);
}

/**
 * The parameters of a status callback, as Twilio sends them: the SIDs, both status names, the
 * addresses and API version, the service when there is one, the error code on failure, and the
 * carrier's receipt date once there is a receipt. No Body or NumMedia (receivers tell callbacks
 * from inbound messages by that).
 */
export function statusCallbackParams(message: MessageRow, at: Date): [string, string][] {
  const params: [string, string][] = [];
  if (message.error_code !== null && (message.status === 'failed' || message.status === 'undelivered')) {
    params.push(['ErrorCode', String(message.error_code)]);
  }
  if (message.status === 'delivered' || message.status === 'undelivered') params.push(['RawDlrDoneDate', dlrDate(at)]);
  params.push(['SmsSid', message.sid], ['SmsStatus', message.status], ['MessageStatus', message.status], ['To', message.to_address]);
  if (message.messaging_service_sid) params.push(['MessagingServiceSid', message.messaging_service_sid]);
  params.push(['MessageSid', message.sid], ['AccountSid', message.account_sid]);
  if (message.from_address) params.push(['From', message.from_address]);
  params.push(['ApiVersion', '2010-04-01']);
  return params;
}

/** Queues the status callback for the message's new status, in the caller's transaction. */
export async function reportStatus(tx: Store, message: MessageRow, at: Date, maxAttempts: number): Promise<void> {
  const hook = statusCallback(message, at, maxAttempts);
  if (hook) await enqueueWebhook(tx, hook, at);
}

/** The status callback for the message's new status, if it has a callback URL and Twilio reports that status. */
export function statusCallback(message: MessageRow, at: Date, maxAttempts: number): NewWebhook | undefined {
  if (!message.status_callback || !REPORTED.has(message.status)) return undefined;
  return {
    accountSid: message.account_sid,
    messageSid: message.sid,
    kind: WEBHOOK_KIND.statusCallback,
    url: message.status_callback,
    method: message.status_callback_method === 'GET' ? 'GET' : 'POST',
    params: statusCallbackParams(message, at),
    maxAttempts,
  };
}
