import type { Updateable } from 'kysely';
import { MEDIA } from '../storage/codecs.js';
import type { Deps } from '../deps.js';
import type { MessageTable } from '../storage/schema.js';
import { toStored } from '../http/dates.js';
import type { MessageRow, WebhookRow } from '../storage/store.js';
import { selectSender, type Candidate } from '../sending/sender-selection.js';
import { rateOf, recipientOf, resolveFrom } from '../sending/senders.js';
import { countSegments } from '../sending/segments.js';
import { StepBatch } from './step-batch.js';
import type { Job } from '../background/worker.js';
import { WORK } from '../background/notify.js';
import { STEP } from '../storage/states.js';
import { deliveryErrorTitle, magicRecipientError, statusForError } from './errors.js';
import type { WebhookHandOff } from '../webhooks/dispatcher.js';

export interface NetworkOptions {
  /** From `sent` to the carrier's receipt. */
  deliveryDelayMs: number;
  /** How often a node looks for work other nodes wrote (and for due work, with the system clock). */
  pollMs: number;
  /** Copilot: whether a sticky mapping outranks a short code or alpha sender. */
  stickySenderFirst: boolean;
}

export const DEFAULT_NETWORK_OPTIONS: NetworkOptions = { deliveryDelayMs: 1_000, pollMs: 250, stickySenderFirst: true };

/**
 * Steps taken in one transaction. On SQLite the API's writes wait while a batch holds the one
 * writer, and a batch waits for its commit's sync before the next: measured with the network end to
 * end (4,000 messages), 4 steps took 15–16 s, 8 took 13–14 s, 16 took 11–12 s and 32 no less, while
 * the API accepted 1,000–1,200, 850, 700 and 550 sends a second alongside.
 */
const STEPS_PER_TRANSACTION = { postgres: 25, sqlite: 16 } as const;

/** How long a step that failed alone waits before it is tried again. */
export const STEP_RETRY_MS = 5_000;

/**
 * The simulated carrier network's work: every message carries its next step and when it is due;
 * a round takes due steps in time order, a batch per transaction, read with its rows locked
 * (PostgreSQL's SKIP LOCKED; on SQLite the one writer), so any number of nodes can share the work
 * on one database. Status callbacks are
 * written to the outbox in the same transaction as the status they report. A Worker runs it.
 *
 * Time is the injected clock's: with a hand-moved clock a round runs as soon as it moves, so tests
 * walk a message through its life without waiting.
 */
export class MessageStepper implements Job {
  readonly #deps: Deps;
  readonly #options: NetworkOptions;
  readonly #handOff?: (rows: WebhookRow[]) => WebhookHandOff;

  /** `handOff`: this node's dispatcher, which starts status callbacks as they are written. */
  constructor(deps: Deps, options: Partial<NetworkOptions> = {}, handOff?: (rows: WebhookRow[]) => WebhookHandOff) {
    this.#deps = deps;
    this.#options = { ...DEFAULT_NETWORK_OPTIONS, ...options };
    this.#handOff = handOff;
  }

  get options(): NetworkOptions {
    return this.#options;
  }

  get #batch(): number {
    return STEPS_PER_TRANSACTION[this.#deps.store.backend.name];
  }

  /**
   * The earliest step as last read (nextDue(), or a round that looked first), until the next
   * round takes steps: the worker's timer aims at it, and a round at or after it knows a step is
   * due without looking.
   */
  #known: { next: string | undefined } | undefined;
  /**
   * Whether #known is what the round that found nothing due just read: the worker's nextDue()
   * that follows the round (its timer) takes it, so an idle poll reads it once, not twice.
   */
  #justRead = false;

  /**
   * One batch of due steps; true when the batch was full (more may be due). `told` (work was
   * written, or the last round found more): the round goes straight to its transaction.
   */
  async run(told = false): Promise<boolean> {
    const now = toStored(this.#deps.clock.now());
    // A round that only a timer started (every poll, four a second, and each due time) and that
    // knows of no step due now first reads the earliest step, and stops there unless one is due:
    // no transaction and no locked read of the due steps for a poll that finds nothing. The
    // timer of a due time it read knows without looking.
    this.#justRead = false;
    const known = this.#known?.next;
    if (!told && (known === undefined || known > now)) {
      const next = await this.#deps.store.messages.nextDue();
      this.#known = { next };
      if (next === undefined || next > now) {
        this.#justRead = true;
        return false;
      }
    }
    this.#known = undefined;
    const { taken, webhooksDue, toConnectors } = await this.#steps(now);
    // The steps just taken may have written status callbacks, due now (those not handed off), and
    // handed messages to SMPP connectors.
    if (webhooksDue) this.#deps.notify(WORK.webhooks);
    if (toConnectors) this.#deps.notify(WORK.connectors);
    if (taken >= this.#batch) return true;
    // A hand-moved clock dates each step at its due time, so a step may have made the next one
    // due already (a `sent` 10 ms after its send, with the clock moved a second on): the round
    // goes on until nothing is due at the clock's present, not until the next poll or move.
    if (taken === 0 || !this.#deps.clock.onMove) return false;
    const next = await this.#deps.store.messages.nextDue();
    return next !== undefined && next <= now;
  }

  async nextDue(): Promise<Date | undefined> {
    const due = this.#justRead && this.#known ? this.#known.next : await this.#deps.store.messages.nextDue();
    this.#justRead = false;
    this.#known = { next: due };
    return due === undefined ? undefined : new Date(due);
  }

  /**
   * Takes up to a batch of due steps in one transaction and returns how many were due:
   * a commit costs more than a step (an fsync on SQLite, round trips on PostgreSQL), and one
   * sender alone moves 100 messages a second. On PostgreSQL the due rows are locked with SKIP
   * LOCKED, so nodes take different messages instead of queueing behind each other. If the batch
   * fails (one bad message, or a deadlock that outlasted its retries), each step is tried alone,
   * so one message never holds up the others. The status callbacks the batch wrote are handed to
   * this node's dispatcher claimed, as many as it can start (`webhooksDue` says whether others
   * wait in the outbox).
   */
  async #steps(now: string): Promise<{ taken: number; webhooksDue: boolean; toConnectors: boolean }> {
    let due: MessageRow[] = [];
    let handOff: WebhookHandOff | undefined;
    let webhooksDue = false;
    let toConnectors = false;
    try {
      await this.#deps.store.transaction(async (tx) => {
        // A transaction run again (a retried deadlock) hands off anew.
        handOff?.release();
        // Read in this transaction, on the one writer (SQLite) or locked (PostgreSQL): these
        // steps are this transaction's, with no compare-and-set to take them.
        due = await tx.messages.due(now, this.#batch, { lock: tx.backend.lockRows });
        const batch = new StepBatch(tx, this.#deps.webhookPolicy.statusCallbackAttempts, this.#handOff);
        await batch.load(due);
        for (const message of due) await this.#step(batch, message, { read: 'in this transaction' });
        const written = await batch.flush();
        handOff = written.handOff;
        webhooksDue = written.due > 0;
        toConnectors = batch.toConnectors;
      });
      handOff?.start();
    } catch {
      handOff?.release();
      webhooksDue = true;
      for (const message of due) {
        try {
          await this.#deps.store.transaction(async (tx) => {
            const batch = new StepBatch(tx, this.#deps.webhookPolicy.statusCallbackAttempts);
            await this.#step(batch, message, { read: 'before' });
            await batch.flush();
            toConnectors ||= batch.toConnectors;
          });
        } catch (error) {
          this.#deps.logger.error({ err: error, messageSid: message.sid, step: message.next_step }, 'message step failed');
          await this.#postpone(message);
        }
      }
    }
    return { taken: due.length, webhooksDue, toConnectors };
  }

  /**
   * A step that failed alone is tried again STEP_RETRY_MS later, not at once: a step that fails
   * every time (a fault, not a busy database) would otherwise be taken again and again, keeping a
   * core busy, and a settle() waiting for it would never end.
   */
  async #postpone(message: MessageRow): Promise<void> {
    const later = toStored(new Date(this.#deps.clock.now().getTime() + STEP_RETRY_MS));
    try {
      await this.#deps.store.messages.advance(message.sid, { next_step: message.next_step, next_at: message.next_at }, { next_at: later });
    } catch (error) {
      this.#deps.logger.error({ err: error, messageSid: message.sid }, 'a failed message step could not be postponed');
    }
  }

  /**
   * One due step of one message, in the caller's transaction. A message read before it is first
   * claimed by compare-and-set: a step another node (or round) took meanwhile is skipped.
   */
  async #step(batch: StepBatch, message: MessageRow, how: { read: 'in this transaction' | 'before' }): Promise<void> {
    // A step takes effect at its due time, not whenever a pass gets to it: with a hand-moved
    // clock that jumps ahead, `sent` is still dated at the sender's rate and the receipt follows
    // it by deliveryDelayMs (a later pass of the same settle() takes it when that is due too).
    // With the system clock a late step (a node that was down) happens now: its messages are not
    // backdated past their validity nor sent faster than their sender's rate.
    const present = this.#deps.clock.now();
    const due = message.next_at === null ? present : new Date(message.next_at);
    const now = this.#deps.clock.onMove && due < present ? due : present;
    {
      const at = toStored(now);
      if (how.read === 'before') {
        const claimed = await batch.tx.messages.advance(message.sid, { next_step: message.next_step, next_at: message.next_at }, { date_updated: at });
        if (!claimed) return;
      }
      const move = new Move(batch, { ...message, date_updated: at }, now);
      switch (message.next_step) {
        case STEP.route:
          return this.#route(move);
        case STEP.send:
          return this.#send(move);
        case STEP.sent:
          return move.to({
            status: 'sent',
            date_sent: at,
            next_step: STEP.deliver,
            next_at: toStored(new Date(now.getTime() + this.#options.deliveryDelayMs)),
          });
        case STEP.deliver:
          return this.#deliver(move);
        case STEP.expire:
        case STEP.connector:
          return move.fail(30036);
        default:
          return move.to({ next_step: null, next_at: null });
      }
    }
  }

  async #route(move: Move): Promise<void> {
    const { batch, message } = move;
    const { tx } = batch;
    let sender: Candidate | undefined;
    let body = message.body;
    const media = MEDIA.decode(message.media);
    let asMms = media.length > 0;
    const patch: Updateable<MessageTable> = {};
    if (message.from_address === null) {
      const service = message.messaging_service_sid ? await batch.service(message.account_sid, message.messaging_service_sid) : undefined;
      if (!service) return move.fail(21704);
      if (await batch.isOptedOut(service.sid, message.to_address)) return move.fail(21610);
      const magic = magicRecipientError(message.to_address);
      if (magic !== undefined) return move.fail(magic);
      const recipient = recipientOf(message.to_address);
      if (!recipient) return move.fail(21211);
      const pool = await batch.pool(service.sid);
      const input = {
        pool,
        to: recipient,
        hasMedia: asMms,
        stickySender: service.sticky_sender === 1,
        areaCodeGeomatch: service.area_code_geomatch === 1,
        stickyFor: service.sticky_sender === 1 ? await batch.sticky(service.sid, message.to_address) : undefined,
        stickyFirst: this.#options.stickySenderFirst,
        load: await batch.backlog(
          pool.map((s) => s.sid),
          move.at,
        ),
      };
      let selection = selectSender(input);
      // MMS Converter: no sender can carry the media, so the media goes as links in an SMS.
      if (!selection.ok && asMms && service.mms_converter === 1) {
        selection = selectSender({ ...input, hasMedia: false });
        if (selection.ok) {
          asMms = false;
          body = [body, ...media.map((m) => m.url)].filter((part) => part !== '').join('\n');
        }
      }
      if (!selection.ok) return move.fail(selection.errorCode);
      sender = selection.sender;
      if (service.sticky_sender === 1) batch.saveSticky(service.sid, message.to_address, sender.sid, move.at);
      Object.assign(patch, {
        from_address: sender.address,
        sender_sid: sender.sid,
        selection_rule: selection.rule,
        rerouted: selection.rerouted ? 1 : 0,
        body,
      });
    } else {
      sender = await resolveFrom(tx, message.account_sid, message.from_address, recipientOf(message.to_address)?.country);
      // The sender left the account after the message was accepted.
      if (!sender) return move.fail(21606);
      if (await optedOutSince(batch, message, sender.sid)) return move.fail(21610);
      if (asMms && !sender.capabilities.includes('MMS')) asMms = false;
      if (sender.sid) patch.sender_sid = sender.sid;
    }
    const count = countSegments(body);
    const segments = asMms ? 1 : count.segments;
    const transmitMs = Math.ceil((segments * 1000) / rateOf(sender));
    Object.assign(patch, { num_segments: segments, encoding: count.encoding, transmit_ms: transmitMs });

    const expiresAt = expiryOf(message);
    // A sender's queue is its own: alpha sender IDs (and short codes of different countries)
    // can share their text with another account's, so the queue is keyed by the sender's SID.
    // Twilio's magic test sender belongs to no account: each account gets a queue of its own.
    const queue = sender.sid || `${message.account_sid}:${sender.address}`;
    const slot = await batch.reserveSlot(queue, { now: move.at, notAfter: toStored(expiresAt), durationMs: transmitMs });
    if (!slot) {
      // It would wait past its validity period: it stays queued until then, and then fails.
      const failAt = new Date(Math.max(expiresAt.getTime(), move.now.getTime()));
      return move.to({ ...patch, status: 'queued', next_step: STEP.expire, next_at: toStored(failAt) });
    }
    move.to({ ...patch, status: 'queued', next_step: STEP.send, next_at: slot.start });
    // The sender is free now: its send step is due at once, so it is taken in this step too
    // (a step less for most messages; what happens, and when, is the same as taken apart).
    if (slot.start <= move.at) return this.#send(move);
  }

  async #send(move: Move): Promise<void> {
    if (await optedOutSince(move.batch, move.message, move.message.sender_sid)) return move.fail(21610);
    // A sender with an SMPP connector goes out through it (smpp/), not the simulated carrier.
    const connector = move.message.sender_sid ? await move.batch.connectorOf(move.message.sender_sid) : undefined;
    if (connector) {
      // SMPP carries text: media cannot go this way (docs/compatibility.md).
      if (MEDIA.decode(move.message.media).length > 0) return move.fail(30008, 'failed');
      return move.to({ status: 'sending', next_step: STEP.connector, next_at: toStored(expiryOf(move.message)), connector_sid: connector });
    }
    const outcome = await this.#outcome(move.batch, move.message);
    if (outcome && outcome.status === 'failed') return move.fail(outcome.errorCode, 'failed');
    const transmit = move.message.transmit_ms ?? 0;
    move.to({ status: 'sending', next_step: STEP.sent, next_at: toStored(new Date(move.now.getTime() + transmit)) });
  }

  async #deliver(move: Move): Promise<void> {
    const outcome = await this.#outcome(move.batch, move.message);
    if (outcome) return move.fail(outcome.errorCode, 'undelivered');
    move.to({ status: 'delivered', next_step: null, next_at: null });
  }

  /** How delivery to this recipient ends, when it does not simply succeed: the account's delivery rule. */
  async #outcome(batch: StepBatch, message: MessageRow): Promise<{ status: 'failed' | 'undelivered'; errorCode: number } | undefined> {
    const rule = await batch.rule(message.account_sid, message.to_address);
    if (!rule) return undefined;
    return { status: rule.status === 'failed' ? 'failed' : 'undelivered', errorCode: rule.error_code };
  }
}

/** The validity period is time in the outgoing queue: a scheduled message joins it at SendAt. */
export function expiryOf(message: MessageRow): Date {
  return new Date(new Date(message.send_at ?? message.date_created).getTime() + message.validity_period * 1000);
}

/**
 * Whether the recipient opted out of this message's service (or of its sender, outside one) after
 * it was accepted: a scheduled message, or one waiting in its sender's queue, fails with 21610 when
 * its turn comes. Replies were checked when their TwiML made them; keyword confirmations always go.
 */
async function optedOutSince(batch: StepBatch, message: MessageRow, senderSid: string | null): Promise<boolean> {
  if (message.direction !== 'outbound-api' || message.from_address === null) return false;
  const scope = message.messaging_service_sid ?? (senderSid ? await batch.tx.pools.serviceOf(senderSid) : undefined) ?? message.from_address;
  return batch.isOptedOut(scope, message.to_address);
}

/** One message's change of state inside a step's transaction: the row, its history, its callback. */
export class Move {
  /** `now`, as stored. */
  readonly at: string;

  constructor(
    readonly batch: StepBatch,
    public message: MessageRow,
    readonly now: Date,
  ) {
    this.at = toStored(now);
  }

  to(patch: Updateable<MessageTable>): void {
    const before = this.message.status;
    const after = { ...this.message, ...patch, date_updated: this.at } as MessageRow;
    this.batch.message(after.sid, { ...patch, date_updated: after.date_updated });
    this.message = after;
    if (after.status !== before) {
      const detail = patch.selection_rule ? `from ${after.from_address} by ${after.selection_rule}${after.rerouted ? ' (short code reroute)' : ''}` : null;
      this.batch.event({ message_sid: after.sid, status: after.status, error_code: after.error_code, detail, date: after.date_updated });
      this.batch.statusChanged(after, this.now);
    }
  }

  fail(errorCode: number, status: 'failed' | 'undelivered' = statusForError(errorCode)): void {
    this.to({ status, error_code: errorCode, error_message: deliveryErrorTitle(errorCode), next_step: null, next_at: null });
  }
}
