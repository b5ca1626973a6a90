import { randomUUID } from 'node:crypto';
import { WEBHOOK_PARAMS, WEBHOOK_TARGET } from '../storage/codecs.js';
import type { Store } from '../storage/store.js';
import { newOrderedSid, SID_PREFIX } from '../sids.js';
import { toStored } from '../http/dates.js';
import type { WebhookRow } from '../storage/store.js';
import type { WebhookParams } from './signature.js';
import { receivingHost } from './receiving-host.js';

import { WEBHOOK_KIND, WEBHOOK_STATUS, type WebhookKind } from '../storage/states.js';

export { WEBHOOK_KIND, type WebhookKind };

export interface WebhookPolicy {
  /** Twilio waits at most 15 s for a webhook's answer, connection included (error 11205). */
  timeoutMs: number;
  /** Attempts of a status callback before it is given up (failures and timeouts are retried). */
  statusCallbackAttempts: number;
  /** Wait before the second attempt; each later one waits twice as long. */
  firstRetryMs: number;
  /** How long a node holds a claimed webhook before another may try it (a node that died). */
  leaseMs: number;
  /** Deliveries in flight at once, per node. */
  concurrency: number;
  /**
   * Of those, the most one account may hold, and the most one receiving host may: a tenant whose
   * receivers hang takes its share, never every slot (the rest go to the others' due webhooks).
   */
  perAccount: number;
  perHost: number;
}

export const DEFAULT_WEBHOOK_POLICY: WebhookPolicy = {
  timeoutMs: 15_000,
  statusCallbackAttempts: 5,
  firstRetryMs: 1_000,
  leaseMs: 60_000,
  concurrency: 128,
  perAccount: 64,
  perHost: 32,
};

/** Twilio answers with at most 64 kB of TwiML (error 11750); Shortroute keeps that much of any body. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface NewWebhook {
  accountSid: string;
  messageSid: string;
  kind: WebhookKind;
  url: string;
  method: 'GET' | 'POST';
  params: WebhookParams;
  maxAttempts: number;
  fallback?: { url: string; method: 'GET' | 'POST' };
}

/**
 * Writes a webhook into the outbox, in the caller's transaction: it is delivered only once that
 * commits, and it survives a restart.
 */
export async function enqueueWebhook(tx: Store, hook: NewWebhook, now: Date): Promise<string> {
  const row = webhookRow(hook, now);
  await tx.webhooks.insert(row);
  return row.sid;
}

/**
 * The outbox row of a new webhook, due now (callers writing many at once insert the rows together).
 * The idempotency token is the same on every attempt, so a receiver can tell a retry from a new
 * request.
 */
export function webhookRow(hook: NewWebhook, now: Date): WebhookRow {
  const at = toStored(now);
  return {
    sid: newOrderedSid(SID_PREFIX.webhook),
    account_sid: hook.accountSid,
    message_sid: hook.messageSid,
    kind: hook.kind,
    url: hook.url,
    host: receivingHost(hook.url),
    method: hook.method,
    params: WEBHOOK_PARAMS.encode(hook.params),
    idempotency_token: randomUUID(),
    status: WEBHOOK_STATUS.pending,
    attempts: 0,
    max_attempts: hook.maxAttempts,
    next_attempt_at: at,
    fallback: hook.fallback ? WEBHOOK_TARGET.encode(hook.fallback) : null,
    error_code: null,
    claimed_by: null,
    date_created: at,
    date_updated: at,
  };
}

/** What a receiver answered; `error` when there was no HTTP answer at all. */
export interface WebhookResponse {
  status?: number;
  contentType?: string;
  body?: string;
  error?: string;
  /** Twilio's error code for a failed attempt (11200 family), when it failed. */
  errorCode?: number;
}

/**
 * An answer that cannot be acted on, with the Twilio error to fail the webhook with: thrown by a
 * response handler, it rolls back whatever the handler wrote (see the dispatcher).
 */
export class UnusableAnswer extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'UnusableAnswer';
  }
}

/**
 * What to do once a receiver has answered (or not): a status callback only wants a 2xx; an
 * inbound request reads the TwiML it got back. Returns whether the delivery is done, and if not,
 * whether to try again and the error code to record. It runs in the transaction that records the
 * attempt, so what it writes (replies, a fallback request) commits with it or not at all.
 */
export type ResponseHandler = (
  tx: Store,
  hook: WebhookRow,
  response: WebhookResponse,
  now: Date,
  policy: WebhookPolicy,
) => Promise<{ done: boolean; retry: boolean; errorCode?: number }>;
