import type { Deps } from '../deps.js';
import { ATTEMPT_REQUEST, HEADERS, WEBHOOK_PARAMS } from '../storage/codecs.js';
import type { Job } from '../background/worker.js';
import { WORK } from '../background/notify.js';
import type { WebhookRow } from '../storage/store.js';
import { toStored } from '../http/dates.js';
import { webhookRequest, type WebhookRequest } from './signature.js';
import { MAX_RESPONSE_BYTES, type ResponseHandler, UnusableAnswer, type WebhookKind, type WebhookResponse } from './outbox.js';

/**
 * Delivers the outbox: claims due webhooks (a compare-and-set on the attempt count, so two nodes
 * never send the same attempt), sends them signed like Twilio's, records every attempt with its
 * request and response, and retries with backoff. Sending never happens on an API request's path.
 */
export class WebhookDispatcher implements Job {
  readonly #deps: Deps;
  readonly #handlers = new Map<string, ResponseHandler>();
  readonly #inFlight = new Set<Promise<void>>();
  /** The webhooks this node is delivering: never claimed again here while in flight. */
  readonly #inFlightSids = new Set<string>();

  /** `handlers` say what an answer means per kind; a kind without one wants a 2xx. */
  constructor(deps: Deps, handlers: Partial<Record<WebhookKind, ResponseHandler>> = {}) {
    this.#deps = deps;
    for (const [kind, handler] of Object.entries(handlers)) this.#handlers.set(kind, handler);
  }

  get #policy() {
    return this.#deps.webhookPolicy;
  }

  /** Starts the due deliveries there is room for; they go on after the round. */
  async run(): Promise<boolean> {
    await this.startDue();
    return false;
  }

  async nextDue(): Promise<Date | undefined> {
    const due = await this.#deps.store.webhooks.nextDue();
    return due === undefined ? undefined : new Date(due);
  }

  /** Starts every due delivery there is room for; returns how many started. */
  async startDue(): Promise<number> {
    const room = this.#policy.concurrency - this.#inFlight.size;
    if (room <= 0) return 0;
    const now = this.#deps.clock.now();
    // A delivery that outlives its lease on the clock (a hand-moved clock jumping ahead while the
    // receiver is slow) is due again, but it is still this node's: skipped here, not sent twice.
    const due = await this.#deps.store.webhooks.due(toStored(now), room + this.#inFlightSids.size);
    let started = 0;
    for (const hook of due) {
      if (started >= room) break;
      if (this.#inFlightSids.has(hook.sid)) continue;
      // Every attempt was claimed, and the one more a lost attempt gets: given up.
      if (hook.attempts > hook.max_attempts) {
        await this.#deps.store.webhooks.exhaust(hook, toStored(now));
        continue;
      }
      const leaseUntil = toStored(new Date(now.getTime() + this.#policy.leaseMs));
      if (!(await this.#deps.store.webhooks.claim(hook, leaseUntil, toStored(now)))) continue;
      const claimed = { ...hook, attempts: hook.attempts + 1 };
      this.#inFlightSids.add(hook.sid);
      const delivery: Promise<void> = this.#deliver(claimed)
        .catch((error) => this.#deps.logger.error({ err: error, webhookSid: hook.sid }, 'webhook attempt could not be recorded'))
        .finally(() => {
          this.#inFlight.delete(delivery);
          this.#inFlightSids.delete(hook.sid);
          // What the attempt wrote (a TwiML reply) may be work for the network; a retry, for us.
          this.#deps.notify(WORK.messages);
          this.#deps.notify(WORK.webhooks);
        });
      this.#inFlight.add(delivery);
      started++;
    }
    return started;
  }

  /** Resolves when no delivery is in flight. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  get busy(): boolean {
    return this.#inFlight.size > 0;
  }

  async #deliver(hook: WebhookRow): Promise<void> {
    const { store, clock } = this.#deps;
    const account = await store.accounts.fetch(hook.account_sid);
    const started = clock.now();
    const realStart = performance.now();
    let request: WebhookRequest;
    let response: WebhookResponse;
    try {
      request = webhookRequest({
        url: hook.url,
        method: hook.method as 'GET' | 'POST',
        params: WEBHOOK_PARAMS.decode(hook.params),
        authToken: account?.auth_token ?? '',
      });
      request.headers['I-Twilio-Idempotency-Token'] = hook.idempotency_token;
      response = await send(request, hook.method, this.#policy.timeoutMs);
    } catch (error) {
      // A URL that cannot be requested at all (Twilio's 11100, "Invalid URL format"): no retry helps.
      request = { url: hook.url, headers: {} };
      response = { error: `invalid URL: ${(error as Error).message}`, errorCode: 11100 };
    }
    const attempt = (error?: string) => ({
      webhook_sid: hook.sid,
      attempt: hook.attempts,
      date: toStored(started),
      request: ATTEMPT_REQUEST.encode({ url: request.url, method: hook.method, headers: request.headers, body: request.body ?? null }),
      response_status: response.status ?? null,
      response_headers: response.contentType !== undefined ? HEADERS.encode({ 'content-type': response.contentType }) : null,
      response_body: response.body ?? null,
      error: error ?? null,
      duration_ms: Math.round(performance.now() - realStart),
    });
    const handler = response.errorCode === 11100 ? giveUp : (this.#handlers.get(hook.kind) ?? expect2xx);
    const now = clock.now();
    const at = toStored(now);
    try {
      await store.transaction(async (tx) => {
        // Another node may have taken the webhook over after this one's lease ran out: then this
        // attempt is only recorded, and the webhook's state is the later attempt's to set.
        const current = await tx.webhooks.fetchForUpdate(hook.sid);
        const stale = !current || current.attempts !== hook.attempts || current.status !== 'pending';
        const outcome = stale ? { done: false, retry: false } : await handler(tx, hook, response, now, this.#policy);
        await tx.webhooks.insertAttempt(
          attempt(response.error ?? (outcome.errorCode !== undefined && !outcome.done ? `error ${outcome.errorCode}` : undefined)),
        );
        if (stale) return;
        if (outcome.done) {
          await tx.webhooks.update(hook.sid, { status: 'delivered', next_attempt_at: null, error_code: null, date_updated: at });
        } else if (outcome.retry && hook.attempts < hook.max_attempts) {
          const wait = this.#policy.firstRetryMs * 2 ** (hook.attempts - 1);
          await tx.webhooks.update(hook.sid, {
            next_attempt_at: toStored(new Date(now.getTime() + wait)),
            error_code: outcome.errorCode ?? null,
            date_updated: at,
          });
        } else {
          await tx.webhooks.update(hook.sid, { status: 'failed', next_attempt_at: null, error_code: outcome.errorCode ?? null, date_updated: at });
        }
      });
    } catch (error) {
      // The answer could not be acted on (say, TwiML naming a URL that cannot exist): whatever the
      // handler wrote is rolled back; the attempt is recorded and the webhook given up.
      await store.transaction(async (tx) => {
        const current = await tx.webhooks.fetchForUpdate(hook.sid);
        await tx.webhooks.insertAttempt(attempt(`the answer could not be processed: ${(error as Error).message}`));
        if (current && current.attempts === hook.attempts && current.status === 'pending') {
          await tx.webhooks.update(hook.sid, {
            status: 'failed',
            next_attempt_at: null,
            error_code: error instanceof UnusableAnswer ? error.errorCode : 11200,
            date_updated: at,
          });
        }
      });
    }
  }
}

/** A webhook that cannot be requested is failed at once. */
const giveUp: ResponseHandler = async (_tx, _hook, response) => ({ done: false, retry: false, errorCode: response.errorCode });

/** A status callback is done at the first 2xx; anything else is retried (error 11200). */
const expect2xx: ResponseHandler = async (_tx, _hook, response) => {
  if (response.status !== undefined && response.status >= 200 && response.status < 300) return { done: true, retry: false };
  return { done: false, retry: true, errorCode: response.errorCode ?? 11200 };
};

/** One HTTP request, with Twilio's total time limit; never throws. */
async function send(request: { url: string; body?: string; headers: Record<string, string> }, method: string, timeoutMs: number): Promise<WebhookResponse> {
  try {
    const response = await fetch(request.url, { method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(timeoutMs) });
    const body = await readCapped(response);
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? undefined,
      body: body.text,
      errorCode: body.tooLarge ? 11750 : response.ok ? undefined : 11200,
    };
  } catch (error) {
    const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return { error: `no answer within ${timeoutMs} ms`, errorCode: 11205 };
    const code = e.cause?.code;
    // 11205 HTTP connection failure; 11210 HTTP bad host name.
    return { error: `${code ?? e.name}: ${e.cause?.message ?? e.message}`, errorCode: code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 11210 : 11205 };
  }
}

async function readCapped(response: Response): Promise<{ text: string; tooLarge: boolean }> {
  if (!response.body) return { text: '', tooLarge: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: true };
    }
    chunks.push(value);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}
