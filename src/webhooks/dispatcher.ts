import type { Deps } from '../deps.js';
import { ATTEMPT_REQUEST, HEADERS, WEBHOOK_PARAMS } from '../storage/codecs.js';
import type { Job } from '../background/worker.js';
import { WORK } from '../background/notify.js';
import type { Updateable } from 'kysely';
import type { Store, WebhookAttemptRow, WebhookRow } from '../storage/store.js';
import type { WebhookTable } from '../storage/schema.js';
import type { BusyTargets, SettledWebhook } from '../storage/repositories/webhooks.js';
import { toStored } from '../http/dates.js';
import { webhookRequest, type WebhookRequest } from './signature.js';
import { type ResponseHandler, UnusableAnswer, type WebhookKind, type WebhookResponse } from './outbox.js';
import { WebhookClient } from './http-client.js';
import { Batcher } from '../background/batcher.js';

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
  /** Deliveries in flight per account and per receiving host: their shares of the slots. */
  readonly #byAccount = new Map<string, number>();
  readonly #byHost = new Map<string, number>();
  readonly #client = new WebhookClient();
  readonly #recorder = new Batcher<Answer>((answers) => this.#recordTogether(answers));
  /** Slots held for webhooks handed off claimed by a transaction that has not yet committed. */
  #held = 0;
  /**
   * Whether the last read of the due list left due webhooks behind, for want of room: then new
   * webhooks wait their turn in the outbox instead of being handed off ahead of them.
   */
  #behind = false;
  #closed = false;
  /**
   * The earliest attempt as the round that found nothing due just read it, for the worker's
   * nextDue() that follows the round (its timer): an idle poll reads the outbox once, not twice.
   */
  #justRead: { next: string | undefined } | undefined;

  /** `handlers` say what an answer means per kind; a kind without one wants a 2xx. */
  constructor(deps: Deps, handlers: Partial<Record<WebhookKind, ResponseHandler>> = {}) {
    this.#deps = deps;
    for (const [kind, handler] of Object.entries(handlers)) this.#handlers.set(kind, handler);
  }

  get #policy() {
    return this.#deps.webhookPolicy;
  }

  /**
   * Starts the due deliveries there is room for; they go on after the round. A round only a timer
   * started (every poll) first reads when the earliest attempt falls due, and stops there when
   * none is due yet; one asked for (webhooks written, a slot freed) reads the due list at once.
   */
  async run(told = false): Promise<boolean> {
    this.#justRead = undefined;
    if (!told && this.#inFlight.size < this.#policy.concurrency) {
      const next = await this.#deps.store.webhooks.nextDue(this.#busy());
      if (next === undefined || next > toStored(this.#deps.clock.now())) {
        this.#justRead = { next };
        return false;
      }
    }
    await this.startDue();
    return false;
  }

  async nextDue(): Promise<Date | undefined> {
    const read = this.#justRead;
    this.#justRead = undefined;
    // Every slot taken: nothing can start before one frees, and a finishing delivery wakes the
    // worker itself (a due time in the past here would have it poll without pause meanwhile).
    if (this.#inFlight.size >= this.#policy.concurrency) return undefined;
    const due = read ? read.next : await this.#deps.store.webhooks.nextDue(this.#busy());
    return due === undefined ? undefined : new Date(due);
  }

  /**
   * Starts every due delivery there is room for; returns how many started. Slots are shared: an
   * account holds at most `perAccount` of them and a receiving host `perHost`, so due webhooks of
   * others are not stuck behind a tenant whose receivers hang. Once one fills its share the due
   * list is read again without it, until the room is used or nothing else is due.
   */
  async startDue(): Promise<number> {
    const { store, clock, nodeId } = this.#deps;
    const now = clock.now();
    const at = toStored(now);
    let started = 0;
    for (;;) {
      const room = this.#policy.concurrency - this.#inFlight.size - this.#held;
      if (room <= 0) {
        this.#behind = true;
        return started;
      }
      // A delivery that outlives its lease on the clock (a hand-moved clock jumping ahead while the
      // receiver is slow) is due again, but it is still this node's: skipped here, not sent twice.
      // No more than can start: one host takes at most its share (the read goes on without a host
      // once it is full), and this node's own deliveries may be among them.
      const limit = Math.min(room, this.#policy.perHost) + this.#inFlightSids.size;
      const due = await store.webhooks.due(at, limit, this.#busy());
      const picked: WebhookRow[] = [];
      const exhausted: WebhookRow[] = [];
      const byAccount = new Map(this.#byAccount);
      const byHost = new Map(this.#byHost);
      let filled = false;
      for (const hook of due) {
        if (picked.length >= room) break;
        if (this.#inFlightSids.has(hook.sid)) continue;
        if ((byAccount.get(hook.account_sid) ?? 0) >= this.#policy.perAccount || (byHost.get(hook.host) ?? 0) >= this.#policy.perHost) {
          filled = true;
          continue;
        }
        // Every attempt was claimed, and the one more a lost attempt gets: given up.
        if (hook.attempts > hook.max_attempts) {
          exhausted.push(hook);
          continue;
        }
        picked.push(hook);
        adjust(byAccount, hook.account_sid, 1);
        adjust(byHost, hook.host, 1);
      }
      // Left behind: more due than this read took (a full share's webhooks are not: the read
      // leaves them out, and a hand-off to that account or host waits for its share too).
      this.#behind = due.length >= limit;
      if (picked.length + exhausted.length === 0) return started;
      // Every claim of the round in one transaction: one durable commit, not one per webhook
      // (claimed one by one, the commits' wait capped deliveries near 650 a second on SQLite).
      const leaseUntil = toStored(new Date(now.getTime() + this.#policy.leaseMs));
      const claimed = await store.transaction(async (tx) => {
        for (const hook of exhausted) await tx.webhooks.exhaust(hook, at);
        const won = await tx.webhooks.claimMany(picked, nodeId, leaseUntil, at);
        return picked.filter((hook) => won.has(hook.sid));
      });
      for (const hook of claimed) this.#share(hook, 1);
      this.#startAll(claimed.map((hook) => ({ ...hook, attempts: hook.attempts + 1 })));
      started += claimed.length;
      // Read again when a share filled up here (the next read leaves that one out), or when the
      // read stopped at its limit with room left.
      if (!filled && (due.length < limit || claimed.length === 0)) return started;
    }
  }

  /**
   * Takes for this node, claimed for their first attempt, those of the new webhooks a transaction
   * is about to write (`rows`, changed in place) that can start at once: while there is room and
   * the account's and host's shares allow, and no due webhook is waiting for a slot (those go
   * first). They are written claimed, so they are never read as due nor sent by another node; once
   * the transaction commits, `start()` sends them, and if it does not, `release()` gives their
   * slots back. A status callback taken this way skips the due read and its claim's transaction.
   */
  handOff(rows: WebhookRow[]): WebhookHandOff {
    const taken: WebhookRow[] = [];
    const { concurrency, leaseMs } = this.#policy;
    if (!this.#closed && !this.#behind) {
      const now = this.#deps.clock.now();
      const leaseUntil = toStored(new Date(now.getTime() + leaseMs));
      for (const row of rows) {
        if (this.#inFlight.size + this.#held >= concurrency) break;
        if (this.#atShare(row)) continue;
        if (row.attempts !== 0 || row.max_attempts < 1) continue;
        Object.assign(row, { attempts: 1, claimed_by: this.#deps.nodeId, next_attempt_at: leaseUntil });
        this.#share(row, 1);
        this.#held += 1;
        taken.push(row);
      }
    }
    let settled = taken.length === 0;
    const settle = (start: boolean) => {
      if (settled) return;
      settled = true;
      this.#held -= taken.length;
      if (start && !this.#closed) this.#startAll(taken);
      else for (const row of taken) this.#share(row, -1);
    };
    return { taken: taken.length, start: () => settle(true), release: () => settle(false) };
  }

  /**
   * Takes back at start the attempts this node claimed before it stopped without recording them
   * (killed, or the machine went down): they are sent again now, not after their lease. SQLite
   * has one process, so every claim there is a previous run's; on PostgreSQL only the claims
   * made under this node's identity are, the others' wait out their lease.
   */
  async reclaim(): Promise<number> {
    const { store, clock, nodeId } = this.#deps;
    const taken = await store.webhooks.reclaim(store.backend.soleWriter ? undefined : nodeId, toStored(clock.now()));
    if (taken > 0) this.#deps.logger.warn({ webhooks: taken, node: nodeId }, 'webhook attempts left in flight by the previous run are sent again');
    return taken;
  }

  /** The accounts and hosts at their share of the slots, left out of the next read of the due list. */
  #busy(): BusyTargets {
    const full = (counts: Map<string, number>, share: number) => [...counts].filter(([, n]) => n >= share).map(([key]) => key);
    return { accounts: full(this.#byAccount, this.#policy.perAccount), hosts: full(this.#byHost, this.#policy.perHost) };
  }

  /** Whether the webhook's account or receiving host holds its whole share of the slots. */
  #atShare(hook: Pick<WebhookRow, 'account_sid' | 'host'>): boolean {
    return (this.#byAccount.get(hook.account_sid) ?? 0) >= this.#policy.perAccount || (this.#byHost.get(hook.host) ?? 0) >= this.#policy.perHost;
  }

  /** Counts a delivery in (1) or out (-1) of its account's and its receiving host's shares. */
  #share(hook: WebhookRow, by: 1 | -1): void {
    adjust(this.#byAccount, hook.account_sid, by);
    adjust(this.#byHost, hook.host, by);
  }

  /**
   * Sends claimed webhooks; their accounts' and hosts' shares already count them. Their accounts
   * (whose auth tokens sign the requests) are read once for all of them, as they are now: a token
   * changed since is used from the next start on.
   */
  #startAll(claimed: WebhookRow[]): void {
    if (claimed.length === 0) return;
    const tokens = this.#deps.store.accounts
      .fetchMany([...new Set(claimed.map((hook) => hook.account_sid))])
      .then((accounts) => new Map(accounts.map((account) => [account.sid, account.auth_token])));
    for (const hook of claimed) this.#start(hook, tokens);
  }

  /** Sends a claimed webhook, signed with its account's token from `tokens`. */
  #start(claimed: WebhookRow, tokens: Promise<Map<string, string>>): void {
    // The shares bound requests waiting on receivers: a delivery gives its share back once the
    // receiver has answered, while its attempt is being recorded (that wait is the database's).
    let answered = false;
    // Whether due webhooks may be waiting for this delivery's share or slot (those at their share,
    // or with no room left, are left out of the due reads).
    let freesWaiting = false;
    const onAnswer = () => {
      if (answered) return;
      answered = true;
      freesWaiting = this.#atShare(claimed);
      this.#share(claimed, -1);
    };
    this.#inFlightSids.add(claimed.sid);
    const delivery: Promise<void> = this.#deliver(claimed, tokens, onAnswer)
      .catch((error) => this.#deps.logger.error({ err: error, webhookSid: claimed.sid }, 'webhook attempt could not be recorded'))
      .finally(() => {
        freesWaiting ||= this.#inFlight.size + this.#held >= this.#policy.concurrency || this.#behind;
        this.#inFlight.delete(delivery);
        this.#inFlightSids.delete(claimed.sid);
        onAnswer();
        // What a handler wrote (a TwiML reply, a fallback request) is work for the network and
        // for us. A status callback's record writes no new work (its retry, if any, is later: the
        // worker's timer finds it), so its end wakes the worker only when its slot or its share
        // can start a waiting one.
        if (this.#handlers.has(claimed.kind)) {
          this.#deps.notify(WORK.messages);
          this.#deps.notify(WORK.webhooks);
        } else if (freesWaiting) this.#deps.notify(WORK.webhooks);
      });
    this.#inFlight.add(delivery);
  }

  /** Resolves when no delivery is in flight. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  get busy(): boolean {
    return this.#inFlight.size > 0 || this.#held > 0;
  }

  /** Waits for the deliveries in flight, then closes the connections kept open to receivers. */
  async close(): Promise<void> {
    // Webhooks handed off from now on are left claimed: the next start takes them back (reclaim).
    this.#closed = true;
    await this.drain();
    await this.#client.close();
  }

  /** One attempt: the request, then its record; `onAnswer` is called between the two. */
  async #deliver(hook: WebhookRow, tokens: Promise<Map<string, string>>, onAnswer: () => void): Promise<void> {
    const { clock } = this.#deps;
    const authToken = (await tokens).get(hook.account_sid) ?? '';
    const started = clock.now();
    const realStart = performance.now();
    let request: WebhookRequest;
    let response: WebhookResponse;
    try {
      request = webhookRequest({
        url: hook.url,
        method: hook.method as 'GET' | 'POST',
        params: WEBHOOK_PARAMS.decode(hook.params),
        authToken,
      });
      request.headers['I-Twilio-Idempotency-Token'] = hook.idempotency_token;
      response = await this.#client.send(request, hook.method, this.#policy.timeoutMs);
    } catch (error) {
      // A URL that cannot be requested at all (Twilio's 11100, "Invalid URL format"): no retry helps.
      request = { url: hook.url, headers: {} };
      response = { error: `invalid URL: ${(error as Error).message}`, errorCode: 11100 };
    }
    onAnswer();
    // The request's own time, not the wait for its record's turn.
    const durationMs = Math.round(performance.now() - realStart);
    const attempt = (error?: string): WebhookAttemptRow => ({
      webhook_sid: hook.sid,
      attempt: hook.attempts,
      date: toStored(started),
      request: ATTEMPT_REQUEST.encode({ url: request.url, method: hook.method, headers: request.headers, body: request.body ?? null }),
      response_status: response.status ?? null,
      response_headers: response.contentType !== undefined ? HEADERS.encode({ 'content-type': response.contentType }) : null,
      response_body: response.body ?? null,
      error: error ?? null,
      duration_ms: durationMs,
    });
    const handler = response.errorCode === 11100 ? giveUp : (this.#handlers.get(hook.kind) ?? expect2xx);
    const answer: Answer = { hook, response, attempt, handler, now: clock.now() };
    // An answer whose handler writes nothing (a status callback's) is recorded with the others that
    // came in meanwhile, in one transaction; one whose handler writes (TwiML replies) alone.
    if (handler === giveUp || handler === expect2xx) return this.#recorder.add(answer);
    return this.#recordAlone(answer);
  }

  /** Records one answer in a transaction of its own, with what its handler writes. */
  async #recordAlone(answer: Answer): Promise<void> {
    try {
      await this.#deps.store.transaction(async (tx) => {
        const [current] = await tx.webhooks.fetchManyForUpdate([answer.hook.sid]);
        const record = await this.#recordOf(tx, answer, isStale(answer.hook, current));
        await tx.webhooks.insertAttempt(record.attempt);
        if (record.patch) await tx.webhooks.update(answer.hook.sid, record.patch);
      });
    } catch (error) {
      await this.#recordUnusable(answer, error);
    }
  }

  /**
   * Records the answers queued meanwhile together, atomically (`WebhookRepository.record`: on
   * PostgreSQL usually one statement); if that fails, each alone. Their handlers write nothing, so
   * the webhooks are not read first: each one's next state is written only where its attempt is
   * still the one answered.
   */
  async #recordTogether(answers: Answer[]): Promise<void> {
    try {
      const { store } = this.#deps;
      const attempts: WebhookAttemptRow[] = [];
      const settled: SettledWebhook[] = [];
      for (const answer of answers) {
        // These handlers write nothing: the store they get is never written through.
        const record = await this.#recordOf(store, answer, false);
        attempts.push(record.attempt);
        if (record.patch) settled.push({ sid: answer.hook.sid, attempts: answer.hook.attempts, patch: record.patch });
      }
      await store.webhooks.record(attempts, settled);
    } catch (error) {
      this.#deps.logger.warn({ err: error, webhooks: answers.length }, 'recording attempts together failed; recording each alone');
      // Each alone: one that cannot be recorded at all (its webhook deleted meanwhile) is logged
      // and the others are still recorded.
      for (const answer of answers) {
        try {
          await this.#recordAlone(answer);
        } catch (alone) {
          this.#deps.logger.error({ err: alone, webhookSid: answer.hook.sid }, 'webhook attempt could not be recorded');
        }
      }
    }
  }

  /**
   * What an answer writes: the attempt's record, and the webhook's next state unless it is `stale`:
   * another node took the webhook over after this one's lease ran out (then the attempt is only
   * recorded, and the webhook's state is the later attempt's to set).
   */
  async #recordOf(
    tx: Store,
    { hook, response, attempt, handler, now }: Answer,
    stale: boolean,
  ): Promise<{ attempt: WebhookAttemptRow; patch?: Updateable<WebhookTable> }> {
    const outcome = stale ? { done: false, retry: false } : await handler(tx, hook, response, now, this.#policy);
    const row = attempt(response.error ?? (outcome.errorCode !== undefined && !outcome.done ? `error ${outcome.errorCode}` : undefined));
    if (stale) return { attempt: row };
    const at = toStored(now);
    if (outcome.done) return { attempt: row, patch: { status: 'delivered', next_attempt_at: null, claimed_by: null, error_code: null, date_updated: at } };
    if (outcome.retry && hook.attempts < hook.max_attempts) {
      const wait = this.#policy.firstRetryMs * 2 ** (hook.attempts - 1);
      const next = toStored(new Date(now.getTime() + wait));
      return { attempt: row, patch: { next_attempt_at: next, claimed_by: null, error_code: outcome.errorCode ?? null, date_updated: at } };
    }
    return { attempt: row, patch: { status: 'failed', next_attempt_at: null, claimed_by: null, error_code: outcome.errorCode ?? null, date_updated: at } };
  }

  /**
   * The answer could not be acted on (say, TwiML naming a URL that cannot exist): whatever the
   * handler wrote is rolled back; the attempt is recorded and the webhook given up.
   */
  async #recordUnusable({ hook, attempt, now }: Answer, error: unknown): Promise<void> {
    await this.#deps.store.transaction(async (tx) => {
      const [current] = await tx.webhooks.fetchManyForUpdate([hook.sid]);
      await tx.webhooks.insertAttempt(attempt(`the answer could not be processed: ${(error as Error).message}`));
      if (current && current.attempts === hook.attempts && current.status === 'pending') {
        await tx.webhooks.update(hook.sid, {
          status: 'failed',
          next_attempt_at: null,
          claimed_by: null,
          error_code: error instanceof UnusableAnswer ? error.errorCode : 11200,
          date_updated: toStored(now),
        });
      }
    });
  }
}

/**
 * Webhooks a transaction writes already claimed by this node's dispatcher: `start()` once it has
 * committed, `release()` if it did not (either, once, whichever comes first).
 */
export interface WebhookHandOff {
  readonly taken: number;
  start(): void;
  release(): void;
}

/** An attempt's answer, waiting to be recorded. */
interface Answer {
  hook: WebhookRow;
  response: WebhookResponse;
  /** The attempt's record, with the error to note. */
  attempt: (error?: string) => WebhookAttemptRow;
  handler: ResponseHandler;
  now: Date;
}

/** Whether another attempt of the webhook was claimed since this one, or it is gone or finished. */
function isStale(hook: WebhookRow, current: WebhookRow | undefined): boolean {
  return !current || current.attempts !== hook.attempts || current.status !== 'pending';
}

/** Moves a count of deliveries in flight; a key at zero is dropped. */
function adjust(counts: Map<string, number>, key: string, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

/** A webhook that cannot be requested is failed at once. */
const giveUp: ResponseHandler = async (_tx, _hook, response) => ({ done: false, retry: false, errorCode: response.errorCode });

/** A status callback is done at the first 2xx; anything else is retried (error 11200). */
const expect2xx: ResponseHandler = async (_tx, _hook, response) => {
  if (response.status !== undefined && response.status >= 200 && response.status < 300) return { done: true, retry: false };
  return { done: false, retry: true, errorCode: response.errorCode ?? 11200 };
};
