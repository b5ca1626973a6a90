import type { Deps } from '../deps.js';
import { toIso } from '../http/dates.js';
import { deliveryErrorTitle } from '../network/errors.js';
import type { FeedPosition, MessageChangeRow, WebhookAttemptChangeRow } from '../storage/store.js';

/** A change of a message, as the stream's `message` event carries it. */
export type MessageEventData = ReturnType<typeof messageEvent>;
/** A webhook attempt, as the stream's `webhook` event carries it. */
export type WebhookEventData = ReturnType<typeof webhookEvent>;

/** One event of an account's feed, as the stream sends it. */
export interface FeedEvent {
  /**
   * Where the reader is once it has this event and those before it: resume there with
   * Last-Event-ID. Only the last event of a read carries it (events of one read are ordered by
   * time, not by number), so a reader cut off inside a read gets that read again, never loses it.
   */
  id?: string;
  type: 'message' | 'webhook';
  data: MessageEventData | WebhookEventData;
}

export interface FeedOptions {
  /** How often a subscription looks for new rows. */
  pollMs: number;
  /**
   * The longest a subscription waits for a row numbered before others it has read to commit
   * (PostgreSQL: two transactions take their numbers in one order and may commit in the other).
   * It reads such rows again until every transaction that could hold one has ended, and at most
   * this long after: 0 where one writer commits in number order (SQLite).
   */
  lateMs: number;
}

/** Four reads a second; late rows waited for up to 30 s where several writers commit (none on SQLite's one writer). */
export function defaultFeedOptions(deps: Deps): FeedOptions {
  return { pollMs: 250, lateMs: deps.store.backend.soleWriter ? 0 : 30_000 };
}

/** Rows read per table and poll; a longer backlog is read over the following polls. */
const PAGE = 500;

/** `m<message change>.a<webhook attempt>`: a position, as an event id. */
export function formatPosition(position: FeedPosition): string {
  return `m${position.messages}.a${position.attempts}`;
}

/** A position from an event id (`Last-Event-ID`), or undefined when it is not one. */
export function parsePosition(value: string | undefined): FeedPosition | undefined {
  const match = /^m(\d{1,15})\.a(\d{1,15})$/.exec(value ?? '');
  return match ? { messages: Number(match[1]), attempts: Number(match[2]) } : undefined;
}

export function messageEvent(row: MessageChangeRow) {
  return {
    message_sid: row.message_sid,
    account_sid: row.account_sid,
    messaging_service_sid: row.messaging_service_sid,
    direction: row.direction,
    from: row.from_address,
    to: row.to_address,
    seq: row.seq,
    status: row.status,
    error_code: row.error_code,
    error_message: row.error_code === null ? null : deliveryErrorTitle(row.error_code),
    detail: row.detail,
    date: toIso(row.date),
  };
}

export function webhookEvent(row: WebhookAttemptChangeRow) {
  return {
    webhook_sid: row.webhook_sid,
    message_sid: row.message_sid,
    account_sid: row.account_sid,
    kind: row.kind,
    url: row.url,
    attempt: row.attempt,
    response_status: row.response_status,
    error: row.error,
    duration_ms: row.duration_ms,
    date: toIso(row.date),
  };
}

/**
 * Where a reader is in one numbered table. On PostgreSQL two transactions take their numbers in
 * one order and may commit in the other, so a row can appear below the position after the reader
 * passed it. Besides the new rows, each read looks again at the numbers from `low` up (at most
 * LATE_PAGE of them), skipping those already handed on. `low` rises to a position once every
 * transaction that could still hold a number at or below it has ended (the transaction horizon
 * read after each read, see EventRepository.transactionHorizon), and one more read has looked;
 * or at the latest lateMs after it was read.
 */
class Cursor {
  #position: number;
  /** The look back's low end: numbers at or below it are settled. */
  #low: number;
  /** Where `low` goes after the next read (settled, not yet looked at once more). */
  #settled: number;
  /** Positions read, each with when, and the first transaction not started after the read. */
  #marks: Array<{ at: number; position: number; xmax: bigint }> = [];
  /** Numbers handed on that lie above the low end. */
  #seen = new Set<number>();

  constructor(
    start: number,
    private readonly lateMs: number,
  ) {
    this.#position = start;
    this.#low = start;
    this.#settled = start;
  }

  get position(): number {
    return this.#position;
  }

  get looksBack(): boolean {
    return this.lateMs > 0;
  }

  get low(): number {
    return this.#low;
  }

  /** Keeps the rows not handed on yet and moves the position past them. */
  take<R extends { id: number }>(rows: R[]): R[] {
    const fresh = this.looksBack ? rows.filter((row) => !this.#seen.has(row.id)) : rows;
    for (const row of fresh) {
      if (this.looksBack) this.#seen.add(row.id);
      if (row.id > this.#position) this.#position = row.id;
    }
    return fresh;
  }

  /**
   * After a read and its look back (`lateReadTo`: the last number the look back reached, when it
   * stopped at a full page): what was settled before the read leaves the look back, and the
   * horizon read after it settles the positions whose transactions have all ended.
   */
  settle(horizon: { xmin: bigint; xmax: bigint }, now: number, lateReadTo: number | undefined): void {
    const low = Math.min(this.#settled, lateReadTo ?? Number.POSITIVE_INFINITY);
    if (low > this.#low) {
      this.#low = low;
      for (const id of this.#seen) if (id <= low) this.#seen.delete(id);
    }
    this.#marks.push({ at: now, position: this.#position, xmax: horizon.xmax });
    while (this.#marks.length > 0 && (this.#marks[0]!.xmax <= horizon.xmin || this.#marks[0]!.at <= now - this.lateMs)) {
      this.#settled = Math.max(this.#settled, this.#marks.shift()!.position);
    }
  }
}

/** Rows of the look back read per table and poll. */
const LATE_PAGE = 1_000;

/**
 * One reader of an account's feed: from a position (or the present end) on, it reads the
 * account's new message changes and webhook attempts every pollMs and hands them on in the order
 * they were written. It reads the database, not this process's memory, so it sees what every node
 * wrote. A closed subscription stops at once.
 */
export class FeedSubscription {
  readonly #deps: Deps;
  readonly #accountSid: string;
  readonly #options: FeedOptions;
  readonly #send: (event: FeedEvent) => void;
  #messages: Cursor | undefined;
  #attempts: Cursor | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: Deps, accountSid: string, send: (event: FeedEvent) => void, options: FeedOptions = defaultFeedOptions(deps)) {
    this.#deps = deps;
    this.#accountSid = accountSid;
    this.#send = send;
    this.#options = options;
  }

  /** Starts reading after `from` (a Last-Event-ID), else after what is there now. */
  async start(from?: FeedPosition): Promise<FeedPosition> {
    const start = from ?? (await this.#deps.store.events.end());
    this.#messages = new Cursor(start.messages, this.#options.lateMs);
    this.#attempts = new Cursor(start.attempts, this.#options.lateMs);
    this.#schedule(0);
    return start;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(delay: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#poll(), delay);
  }

  async #poll(): Promise<void> {
    let full = false;
    try {
      full = await this.#read();
    } catch (error) {
      this.#deps.logger.warn({ err: error, accountSid: this.#accountSid }, 'event feed read failed; trying again');
    }
    // A full page means more is waiting: read on at once.
    this.#schedule(full ? 0 : this.#options.pollMs);
  }

  /** One read of both tables; true when either gave a full page of new rows. */
  async #read(): Promise<boolean> {
    const messages = this.#messages!;
    const attempts = this.#attempts!;
    const now = Date.now();
    const { events } = this.#deps.store;
    const account = this.#accountSid;
    const [newChanges, newTries, lateChanges, lateTries] = await Promise.all([
      events.messageChanges(account, messages.position, PAGE),
      events.attemptChanges(account, attempts.position, PAGE),
      messages.looksBack ? events.messageChanges(account, messages.low, LATE_PAGE, messages.position) : [],
      attempts.looksBack ? events.attemptChanges(account, attempts.low, LATE_PAGE, attempts.position) : [],
    ]);
    // Read after the rows: every transaction that numbered one of them had begun by then.
    const horizon = messages.looksBack || attempts.looksBack ? await events.transactionHorizon() : undefined;
    const changes = [...lateChanges, ...newChanges];
    const tries = [...lateTries, ...newTries];
    if (this.#closed) return false;
    const freshChanges = messages.take(changes);
    const freshTries = attempts.take(tries);
    if (horizon) {
      const reachedTo = (late: Array<{ id: number }>) => (late.length === LATE_PAGE ? late.at(-1)!.id : undefined);
      messages.settle(horizon, now, reachedTo(lateChanges));
      attempts.settle(horizon, now, reachedTo(lateTries));
    }
    // Merged by time, a message's change before the attempt that reported it.
    const merged = [
      ...freshChanges.map((row) => ({ date: row.date, order: 0, row, type: 'message' as const })),
      ...freshTries.map((row) => ({ date: row.date, order: 1, row, type: 'webhook' as const })),
    ].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.order - b.order));
    const id = formatPosition({ messages: messages.position, attempts: attempts.position });
    for (const [i, item] of merged.entries()) {
      if (this.#closed) break;
      this.#send({
        ...(i === merged.length - 1 && { id }),
        type: item.type,
        data: item.type === 'message' ? messageEvent(item.row as MessageChangeRow) : webhookEvent(item.row as WebhookAttemptChangeRow),
      });
    }
    return newChanges.length === PAGE || newTries.length === PAGE;
  }
}
