import type { Pdu } from 'smpp';
import type { Deps } from '../deps.js';
import { WORK } from '../background/notify.js';
import type { Job } from '../background/worker.js';
import { toStored } from '../http/dates.js';
import { expiryOf, Move } from '../network/message-stepper.js';
import { StepBatch } from '../network/step-batch.js';
import type { ConnectorRow, MessageRow, SmppPartRow, Store } from '../storage/store.js';
import { partKey } from '../storage/repositories/connectors.js';
import { RECEIPT_OUTCOMES, RETRY_LATER, submitRefusal } from './errors.js';
import { concatenation, fromSmppAddress, isReceipt, parseReceipt, type Receipt, relativeValidity, smppAddress, submitParts, TON } from './pdus.js';
import { Batcher } from '../background/batcher.js';
import { findReceiver, receiveMessage } from '../inbound/inbound.js';
import { loadNumberPlan, parseE164, parseNational } from '../phone/numbering.js';
import { TwilioError } from '../http/errors.js';
import { type Answered, NotBound, SmppSession } from './session.js';

type Smpp = typeof import('smpp');

/** How long a node's hold on a connector's bind lasts without renewal (it renews at a third). */
export const DEFAULT_LEASE_MS = 30_000;
/** How often a node looks for connectors made, changed or left by other nodes (PostgreSQL). */
const RECONCILE_MS = 2_000;
/** The share of a lease this node counts on having: nodes' clocks differ a little. */
const LEASE_TRUSTED = 0.9;
/** The first pause after ESME_RTHROTTLED or ESME_RMSGQFUL, doubled on each in a row. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;
const FAULT_PAUSE_MS = 1_000;
/** How long stopping waits for submits in flight to be answered before it unbinds. */
const STOP_GRACE_MS = 2_000;
/** Messages a connector takes at once, in windows: being submitted, answered, or written. */
const PIPELINE = 4;
/** How long the parts of a handset's concatenated text wait for the rest of it. */
const INBOUND_PARTS_KEPT_MS = 3_600_000;
/** deliver_sm_resp for a text Shortroute will never take: ESME Receiver Permanent App Error. */
const ESME_RX_P_APPN = 0x64;

/**
 * What the connectors write, gathered into one transaction with whatever else comes meanwhile:
 * a message the SMSC took (its parts' ids) or refused (a Twilio code), or a part's receipt.
 */
type Asked =
  | { kind: 'sent'; connectorSid: string; message: MessageRow; ids: string[] }
  | { kind: 'refused'; message: MessageRow; errorCode: number }
  | { kind: 'receipt'; live: Live; receipt: Receipt };
type Write = Asked & {
  /** Set when this write failed alone (its batch failed, and so did it on its own). */
  outcome: { error?: unknown };
};

interface Live {
  row: ConnectorRow;
  session: SmppSession;
  /** Messages being submitted now, by SID. */
  inFlight: Set<string>;
  /** The 8-bit reference of the next concatenated message. */
  reference: number;
  /**
   * Pauses in a row after ESME_RTHROTTLED / ESME_RMSGQFUL: each doubles the wait. Refusals of
   * submits that went before the last pause began are that same pause's (a whole window is often
   * refused at once), and do not double it again.
   */
  refusals: number;
  /** When the last of those pauses began (performance.now()). */
  pausedAt: number;
  /**
   * Each part the SMSC took whose message is not recorded yet, by its message id: a receipt that
   * outruns the record (a fast SMSC) waits for it.
   */
  recording: Map<string, Promise<void>>;
  /** No new submits before this (performance.now()), after a fault. */
  coolUntil: number;
  /**
   * The last write of a session's state to the connector's row. Shared by the connector's binds
   * one after another: a rebind's writes queue behind those of the session it replaced, whose
   * last (`unbound`, as it stops) could otherwise commit after the new session's `bound`.
   */
  statusWrites: { last: Promise<void> };
}

/**
 * Real delivery: every connector this node holds the lease on is bound (smpp/session.ts), and the
 * messages its senders hand to it (the network's step `connector`) are submitted through it. The
 * SMSC's message id of each part is stored with the `sent` status in one transaction; receipts
 * find their part by it and end the message when every part has ended. Run as a Worker's job: a
 * round renews leases, picks up changed connectors and fills the windows of bound ones.
 */
export class SmppDelivery implements Job {
  readonly #deps: Deps;
  readonly #live = new Map<string, Live>();
  #smpp: Smpp | undefined;
  #renewedAt = Number.NEGATIVE_INFINITY;
  #reconciledAt = Number.NEGATIVE_INFINITY;
  #reconcileSoon = true;
  #stopped = false;
  /** Submits and receipts under way, for stop() to wait on. */
  readonly #tasks = new Set<Promise<void>>();
  readonly #writes = new Batcher<Write>((writes) => this.#writeAll(writes));
  /** Each connector's messages being submitted or written, its parts being written, and its status writes. */
  readonly #underWay = new Map<string, Pick<Live, 'inFlight' | 'recording' | 'statusWrites'>>();

  readonly #leaseMs: number;

  constructor(deps: Deps, leaseMs = DEFAULT_LEASE_MS) {
    this.#deps = deps;
    this.#leaseMs = leaseMs;
  }

  /** A connector was made, changed or deleted here: look again at the next round. */
  changed(): void {
    this.#reconcileSoon = true;
  }

  /** Connectors this node holds, with their live figures (the resource shows them). */
  live(sid: string): { windowInUse: number; submitsPerSecond: number } | undefined {
    const live = this.#live.get(sid);
    return live && { windowInUse: live.session.windowInUse, submitsPerSecond: live.session.submitsPerSecond };
  }

  async run(): Promise<boolean> {
    if (this.#stopped) return false;
    const now = performance.now();
    // A lease that ran out here (its renewals failed: the database out of reach, the process
    // paused) may be another node's by now: the bind goes at once, and nothing more is submitted.
    for (const live of [...this.#live.values()]) if (now >= live.session.submitUntil) await this.#drop(live, false);
    const renew = now - this.#renewedAt >= this.#leaseMs / 3;
    if (this.#reconcileSoon || renew || now - this.#reconciledAt >= Math.min(RECONCILE_MS, this.#leaseMs / 3)) {
      this.#reconcileSoon = false;
      await this.#reconcile(renew);
    }
    for (const live of this.#live.values()) await this.#fill(live);
    return false;
  }

  /**
   * Unbinds every connector and gives up its lease. Submits awaiting their answer get a moment to
   * have it (and be recorded); those still waiting then stay for the next bind, on any node. The
   * leases go last, once every answer that came is written: a node that binds next finds each
   * part the SMSC took, and so its receipts.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    // Nothing new is sent while the answers to what was come back.
    for (const live of this.#live.values()) live.session.drain();
    const settled = Promise.allSettled([...this.#tasks]);
    await Promise.race([settled, new Promise((go) => setTimeout(go, STOP_GRACE_MS).unref())]);
    const held = [...this.#live.values()];
    await Promise.all(held.map((live) => this.#drop(live, false)));
    await Promise.allSettled([...this.#tasks]);
    const { store, nodeId } = this.#deps;
    await Promise.all(held.map((live) => store.connectors.release(live.row.sid, nodeId).catch(() => {})));
  }

  /** Takes (or renews) the lease of each connector, and binds, rebinds or unbinds to match. */
  async #reconcile(renew: boolean): Promise<void> {
    const { store, nodeId } = this.#deps;
    const started = performance.now();
    const rows = await store.connectors.all();
    this.#reconciledAt = started;
    if (rows.length === 0 && this.#live.size === 0) {
      // Nothing to hold, so nothing to renew: a node with no connectors reads them again at the
      // next reconcile (every 2 s, for those made on other nodes), not at every round.
      if (renew) this.#renewedAt = started;
      return;
    }
    const present = new Set(rows.map((r) => r.sid));
    for (const live of [...this.#live.values()]) if (!present.has(live.row.sid)) await this.#drop(live, false);
    for (const [sid, underWay] of this.#underWay) if (!present.has(sid) && underWay.inFlight.size === 0) this.#underWay.delete(sid);
    for (const row of rows) {
      const live = this.#live.get(row.sid);
      if (live && !renew && sameSettings(live.row, row)) continue;
      // Leases are on the system clock: a hand-moved clock must not hand a bind to another node.
      // Both clocks read right before the lease is written: what was written, and how long it holds here.
      const wall = Date.now();
      const asked = performance.now();
      const held = await store.connectors.lease(row.sid, nodeId, new Date(wall).toISOString(), new Date(wall + this.#leaseMs).toISOString());
      if (!held) {
        if (live) await this.#drop(live, false);
        continue;
      }
      // Counted from before it was asked for, and a little short: nodes' clocks differ a little.
      const heldUntil = asked + this.#leaseMs * LEASE_TRUSTED;
      if (live && sameSettings(live.row, row)) {
        live.session.submitUntil = heldUntil;
        continue;
      }
      if (live) await this.#drop(live, false);
      await this.#bind(row, heldUntil);
    }
    // Only once every lease is renewed: a round that failed midway tries again at the next one.
    if (renew) this.#renewedAt = started;
  }

  async #bind(row: ConnectorRow, heldUntil: number): Promise<void> {
    if (!this.#smpp) {
      // A CommonJS module: bundled or not, its exports may arrive as `default` only.
      const loaded = (await import('smpp')) as Smpp & { default?: Smpp };
      this.#smpp = loaded.default ?? loaded;
    }
    // A round still under way when stop() began binds nothing more.
    if (this.#stopped) return;
    // What is under way outlives a bind: after a rebind (a changed setting, a lost lease) the
    // messages the previous bind still writes are not taken again, and their receipts wait.
    let underWay = this.#underWay.get(row.sid);
    if (!underWay) {
      underWay = { inFlight: new Set(), recording: new Map(), statusWrites: { last: Promise.resolve() } };
      this.#underWay.set(row.sid, underWay);
    }
    const live: Live = {
      row,
      ...underWay,
      reference: Math.floor(Math.random() * 256),
      refusals: 0,
      pausedAt: Number.NEGATIVE_INFINITY,
      coolUntil: 0,
      session: new SmppSession(
        this.#smpp,
        {
          host: row.host,
          port: row.port,
          tls: row.tls === 1,
          systemId: row.system_id,
          password: row.password,
          systemType: row.system_type,
          windowSize: row.window_size,
          throughput: row.throughput,
          enquireLinkSeconds: row.enquire_link_interval,
        },
        {
          status: (status, error) => {
            const log = this.#deps.logger;
            if (status === 'error') log.warn({ connectorSid: row.sid, error }, 'SMPP connector not bound');
            else log.info({ connectorSid: row.sid, status }, 'SMPP connector');
            // One write at a time for the connector, each of the state as it is then: two
            // writes in flight could commit in either order (PostgreSQL) and leave an older
            // state shown.
            const writes = live.statusWrites;
            writes.last = writes.last
              .catch(() => {})
              .then(() =>
                this.#deps.store.connectors.setStatus(row.sid, this.#deps.nodeId, { status: live.session.status, last_error: live.session.lastError }),
              );
            this.#track(writes.last);
            if (status === 'bound') this.#deps.notify(WORK.connectors);
          },
          deliver: (pdu) => this.#delivered(live, pdu),
        },
      ),
    };
    // Until the lease runs out, unless renewed: a submit woken after a pause of the whole process
    // (its timers fire before any round can look at the lease) does not go either.
    live.session.submitUntil = heldUntil;
    this.#live.set(row.sid, live);
    live.session.start();
  }

  async #drop(live: Live, release = true): Promise<void> {
    this.#live.delete(live.row.sid);
    await live.session.stop();
    if (release) await this.#deps.store.connectors.release(live.row.sid, this.#deps.nodeId).catch(() => {});
  }

  /** Takes as many waiting messages as the window has room for, and submits each. */
  async #fill(live: Live): Promise<void> {
    if (live.session.status !== 'bound' || performance.now() < live.coolUntil) return;
    // The session holds the SMSC's window; up to PIPELINE windows' worth are taken at once, so
    // the next submits go while the answered ones are being written.
    const room = live.row.window_size * PIPELINE - live.inFlight.size;
    if (room <= 0) return;
    const waiting = await this.#deps.store.connectors.waiting(live.row.sid, room, [...live.inFlight], toStored(this.#deps.clock.now()));
    for (const message of waiting) {
      live.inFlight.add(message.sid);
      this.#track(
        this.#submit(live, message)
          .catch((error) => {
            // Not the SMSC's answer (those are handled): a fault here. The message waits, and
            // the connector takes nothing new for a moment rather than spin on it.
            live.coolUntil = performance.now() + FAULT_PAUSE_MS;
            this.#deps.logger.error({ err: error, messageSid: message.sid, connectorSid: live.row.sid }, 'SMPP submit failed');
          })
          .finally(() => {
            live.inFlight.delete(message.sid);
            this.#deps.notify(WORK.connectors);
          }),
      );
    }
  }

  /**
   * Submits every part of one message, then records them and `sent` in one transaction. A
   * connection lost midway leaves the message waiting: it is submitted again, whole (the parts
   * the SMSC took before reach the handset twice: at least once, as docs/compatibility.md says).
   */
  async #submit(live: Live, message: MessageRow): Promise<void> {
    const smpp = this.#smpp!;
    const reference = live.reference;
    live.reference = (live.reference + 1) & 0xff;
    const parts = submitParts(message.body, reference, { gsm7: (text) => smpp.encodings.ASCII.encode(text) });
    const ids: string[] = [];
    let recorded = () => {};
    const record = new Promise<void>((done) => (recorded = done));
    try {
      await this.#submitParts(live, message, parts, ids, record);
    } finally {
      recorded();
      for (const id of ids) live.recording.delete(id);
    }
  }

  async #submitParts(live: Live, message: MessageRow, parts: ReturnType<typeof submitParts>, ids: string[], record: Promise<void>): Promise<void> {
    const source = smppAddress(message.from_address ?? '');
    const destination = smppAddress(message.to_address);
    for (const part of parts) {
      for (;;) {
        let answered: Answered;
        try {
          answered = await live.session.submit(
            {
              source_addr_ton: source.ton,
              source_addr_npi: source.npi,
              source_addr: source.addr,
              dest_addr_ton: destination.ton,
              dest_addr_npi: destination.npi,
              destination_addr: destination.addr,
              registered_delivery: 0x01,
              // What is left of its validity period: the time it waited here counts.
              validity_period: relativeValidity((expiryOf(message).getTime() - this.#deps.clock.now().getTime()) / 1000),
              ...part,
              // The SMSC may send the part's receipt right behind its answer, handled before this
              // function resumes: the id is known as being recorded from the answer itself.
            },
            (taken) => taken.command_status === 0 && live.recording.set(String(taken.message_id), record),
            // A message some of whose parts the SMSC has taken is finished while stopping, so
            // they are written rather than sent twice.
            { continuing: ids.length > 0 },
          );
        } catch (error) {
          if (error instanceof NotBound) return;
          throw error;
        }
        const { answer, sentAt } = answered;
        const afterPause = sentAt >= live.pausedAt;
        if (answer.command_status === 0) {
          if (afterPause) live.refusals = 0;
          ids.push(String(answer.message_id));
          break;
        }
        if (!RETRY_LATER.has(answer.command_status)) return this.#refused(message, answer.command_status);
        if (afterPause) {
          // Still busy after the last pause (or the first refusal): pause again, twice as long.
          live.refusals++;
          live.pausedAt = performance.now();
          live.session.pause(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (live.refusals - 1)));
        }
        if (this.#stopped) return;
      }
    }
    await this.#sent(live, message, ids);
  }

  async #sent(live: Live, message: MessageRow, ids: string[]): Promise<void> {
    await this.#write({ kind: 'sent', connectorSid: live.row.sid, message, ids });
  }

  async #refused(message: MessageRow, commandStatus: number): Promise<void> {
    const refusal = submitRefusal(commandStatus);
    this.#deps.logger.warn({ messageSid: message.sid, commandStatus: refusal.name, errorCode: refusal.errorCode }, 'SMSC refused a submit');
    await this.#write({ kind: 'refused', message, errorCode: refusal.errorCode });
  }

  async #write(write: Asked): Promise<void> {
    const outcome: { error?: unknown } = {};
    await this.#writes.add({ ...write, outcome });
    if ('error' in outcome) throw outcome.error;
    this.#deps.notify(WORK.webhooks);
  }

  /**
   * One transaction for what arrived together (a window's answers and receipts: one commit, and
   * a handful of statements whatever their number). Should the database refuse it, each is
   * written alone, so one bad write never holds up the others.
   */
  async #writeAll(writes: Write[]): Promise<void> {
    try {
      await this.#deps.store.transaction((tx) => this.#writeIn(tx, writes));
    } catch {
      for (const write of writes) {
        try {
          await this.#deps.store.transaction((tx) => this.#writeIn(tx, [write]));
        } catch (error) {
          write.outcome.error = error;
        }
      }
    }
  }

  async #writeIn(tx: Store, writes: Write[]): Promise<void> {
    const { clock, webhookPolicy, logger } = this.#deps;
    const now = clock.now();
    const at = toStored(now);
    const batch = new StepBatch(tx, webhookPolicy.statusCallbackAttempts);

    // Answers first: each message is taken from the `connector` step (compare-and-set), so one
    // whose validity ran out meanwhile stays failed.
    const answers = writes.filter((w) => w.kind !== 'receipt');
    const taken = await tx.connectors.claimWaiting(
      answers.map((w) => w.message.sid),
      at,
    );
    const parts: SmppPartRow[] = [];
    for (const write of answers) {
      if (!taken.has(write.message.sid)) continue;
      const move = new Move(batch, { ...write.message, date_updated: at }, now);
      if (write.kind === 'refused') {
        move.fail(write.errorCode, 'failed');
        continue;
      }
      write.ids.forEach((id, at) => {
        parts.push({ connector_sid: write.connectorSid, smsc_message_id: id, message_sid: write.message.sid, part: at + 1, state: null, error: null });
      });
      move.to({ status: 'sent', date_sent: toStored(now), next_step: null, next_at: null });
    }
    await tx.connectors.addParts(parts);

    // Then receipts: each part's state, and each message whose every part has ended ends. Its row
    // is locked before its parts are read, so the receipts of its other parts in another
    // transaction (PostgreSQL) wait, and the last of them sees every state.
    const receipts = writes.flatMap((w) => (w.kind === 'receipt' ? [w] : []));
    if (receipts.length > 0) {
      const named = await tx.connectors.partsNamed(receipts.map(({ live, receipt }) => ({ connector_sid: live.row.sid, smsc_message_id: receipt.id })));
      const states = receipts.flatMap(({ live, receipt }) => {
        if (named.has(partKey({ connector_sid: live.row.sid, smsc_message_id: receipt.id })))
          return [{ connector_sid: live.row.sid, smsc_message_id: receipt.id, state: receipt.state, error: receipt.error }];
        logger.warn({ connectorSid: live.row.sid, smscMessageId: receipt.id }, 'SMPP receipt for no submitted part');
        return [];
      });
      const messageSids = [...new Set([...named.values()].map((p) => p.message_sid))];
      const messages = await tx.messages.fetchMany(messageSids, { lock: true });
      await tx.connectors.setPartStates(states);
      const partsOf = new Map<string, SmppPartRow[]>();
      for (const part of await tx.connectors.partsOf(messageSids)) partsOf.set(part.message_sid, [...(partsOf.get(part.message_sid) ?? []), part]);
      for (const message of messages) {
        const all = partsOf.get(message.sid) ?? [];
        if (message.status !== 'sent' || all.some((p) => p.state === null)) continue;
        // The message ends as its first part that did not arrive, else delivered.
        const ending = all.map((p) => RECEIPT_OUTCOMES[p.state!]!).find((o) => o.status !== 'delivered');
        const move = new Move(batch, message, now);
        if (!ending) move.to({ status: 'delivered' });
        else move.fail(ending.errorCode!, ending.status === 'delivered' ? 'undelivered' : ending.status);
      }
    }
    await batch.flush();
  }

  /** A deliver_sm: a receipt moves its message on; anything else is a handset's text. */
  async #delivered(live: Live, pdu: Pdu): Promise<number | undefined> {
    const { text, udh } = shortMessage(pdu);
    if (isReceipt(Number(pdu.esm_class ?? 0))) return this.#receipt(live, pdu, text);
    return this.#text(live, pdu, text, udh);
  }

  /**
   * A handset's text to one of the connector's account's senders: the same inbound path as a
   * simulated handset's (the service's webhook, opt-out keywords, TwiML replies, which go back
   * out through the connector). A concatenated text's parts are kept until the last one comes.
   */
  async #text(live: Live, pdu: Pdu, text: string, udh: Buffer | undefined): Promise<number | undefined> {
    // Numbers are parsed below (a node that has only ever received may not have the plan yet).
    await loadNumberPlan();
    const { to, country } = await this.#recipient(live.row.account_sid, String(pdu.destination_addr ?? ''), Number(pdu.dest_addr_ton ?? 0));
    const from = handsetNumber(String(pdu.source_addr ?? ''), Number(pdu.source_addr_ton ?? 0), country);
    const place = concatenation(udh);
    const { store, clock } = this.#deps;
    try {
      await store.transaction(async (tx) => {
        let body = text;
        if (place && place.total > 1) {
          await tx.connectors.lock(live.row.sid);
          const key = { connector_sid: live.row.sid, source: from, destination: to, reference: place.reference };
          const now = clock.now();
          const keptSince = toStored(new Date(now.getTime() - INBOUND_PARTS_KEPT_MS));
          const parts = await tx.connectors.addInboundPart({ ...key, total: place.total, part: place.part, text, date: toStored(now) }, keptSince);
          if (parts.length < place.total) return;
          await tx.connectors.dropInboundParts(key);
          body = parts.map((p) => p.text).join('');
        }
        await receiveMessage({ ...this.#deps, store: tx }, live.row.account_sid, { from, to, body });
      });
    } catch (error) {
      if (!(error instanceof TwilioError)) throw error;
      // Not one of the account's senders, or not a text Shortroute can take: said so, for good.
      this.#deps.logger.warn({ connectorSid: live.row.sid, from, to, error: error.message }, 'SMPP text refused');
      return ESME_RX_P_APPN;
    }
    this.#deps.notify(WORK.webhooks);
    this.#deps.notify(WORK.messages);
    return undefined;
  }

  /**
   * The short code or number texted, as the account knows it, and its country when it is one of
   * the account's. A long number given as national or of unknown type is the account's number it
   * is in one of the countries of its numbers.
   */
  async #recipient(accountSid: string, addr: string, ton: number): Promise<{ to: string; country: string | undefined }> {
    const to = fromSmppAddress(addr, ton);
    const { store } = this.#deps;
    const receiver = await findReceiver(store, accountSid, to);
    if (receiver || !maybeNational(addr, ton)) return { to, country: receiver?.country };
    for (const country of await store.phoneNumbers.countriesOf(accountSid)) {
      const number = parseNational(addr, country)?.number;
      if (number && (await findReceiver(store, accountSid, number))) return { to: number, country };
    }
    return { to, country: undefined };
  }

  async #receipt(live: Live, pdu: Pdu, text: string): Promise<undefined> {
    const receipt = parseReceipt({ receipted_message_id: pdu.receipted_message_id, message_state: pdu.message_state, text });
    if (!receipt) {
      this.#deps.logger.warn({ connectorSid: live.row.sid, text }, 'SMPP receipt without an id or a state');
      return undefined;
    }
    if (!RECEIPT_OUTCOMES[receipt.state]) return undefined;
    await live.recording.get(receipt.id);
    await this.#write({ kind: 'receipt', live, receipt });
    return undefined;
  }

  #track(task: Promise<unknown>): void {
    const tracked = task.then(
      () => {},
      (error) => this.#deps.logger.error({ err: error }, 'SMPP connector bookkeeping failed'),
    );
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }
}

/**
 * The handset's number in E.164. SMSCs often give a domestic handset's number as national (TON 2)
 * or of unknown type (0): such digits are read as dialled in `country` (the short code's or
 * number's texted), else (type unknown) as a full international number without its "+".
 */
function handsetNumber(addr: string, ton: number, country: string | undefined): string {
  if (!maybeNational(addr, ton)) return fromSmppAddress(addr, ton);
  const national = country === undefined ? undefined : parseNational(addr, country);
  if (national) return national.number;
  return ton === TON.unknown && parseE164(addr) ? `+${addr}` : addr;
}

/** Digits of a national number, or of unknown type: maybe a number without its country code. */
function maybeNational(addr: string, ton: number): boolean {
  return (ton === TON.national || ton === TON.unknown) && /^\d+$/.test(addr);
}

/** Whether a connector's bind would be the same with these settings (its status aside). */
function sameSettings(a: ConnectorRow, b: ConnectorRow): boolean {
  const keys = ['host', 'port', 'system_id', 'password', 'system_type', 'tls', 'throughput', 'window_size', 'enquire_link_interval'] as const;
  return keys.every((key) => a[key] === b[key]);
}

/** A deliver_sm's text (short_message, or the message_payload TLV), as the library decoded it, and its UDH. */
function shortMessage(pdu: Pdu): { text: string; udh: Buffer | undefined } {
  const field = (pdu.short_message as { message?: unknown; udh?: Buffer[] } | undefined) ?? undefined;
  const payload = pdu.message_payload as { message?: unknown; udh?: Buffer[] } | undefined;
  const decoded = field?.message !== undefined && String(field.message) !== '' ? field : (payload ?? field);
  const udh =
    decoded?.udh && decoded.udh.length > 0 ? Buffer.concat([Buffer.from([decoded.udh.reduce((n, ie) => n + ie.length, 0)]), ...decoded.udh]) : undefined;
  return { text: decoded?.message === undefined ? '' : String(decoded.message), udh };
}
