import type { Updateable } from 'kysely';
import type { Candidate } from '../sending/sender-selection.js';
import { poolOf } from '../sending/senders.js';
import { statusCallback } from '../sending/status-callbacks.js';
import type { MessageTable } from '../storage/schema.js';
import type { DeliveryRuleRow, MessageEvent, MessageRow, ServiceRow, Store, WebhookRow } from '../storage/store.js';
import { STEP } from '../storage/states.js';
import { webhookRow } from '../webhooks/outbox.js';
import type { WebhookHandOff } from '../webhooks/dispatcher.js';
import { IDLE } from '../storage/repositories/sender-queues.js';

/**
 * One transaction's steps, read and written a table at a time. Before the steps it reads what they
 * will ask about, for all of them at once: their services and pools, the pools' sender queues
 * (locked), sticky senders, opt-outs and delivery rules. The steps then run against those, and
 * what they write (the messages' new state, their history, their status callbacks, the queues'
 * reservations and sticky senders) is written after the last one, one statement per table
 * (storage/bulk.ts).
 *
 * Nothing a step writes is read by another step of the same batch except the sender queues and
 * sticky senders, which the batch keeps up to date itself; and nothing else writes what it read
 * while the transaction holds its locks (PostgreSQL) or the one writer (SQLite). On PostgreSQL,
 * where each statement is a round trip, a batch of 25 steps went from about 250 statements to 15.
 */
export class StepBatch {
  readonly #messages = new Map<string, Updateable<MessageTable>>();
  readonly #events: MessageEvent[] = [];
  readonly #webhooks: WebhookRow[] = [];
  readonly #services = new Map<string, ServiceRow>();
  readonly #pools = new Map<string, Candidate[]>();
  /** Each loaded sender queue's free time; those a step reserved are written back. */
  readonly #queues = new Map<string, string>();
  readonly #reserved = new Set<string>();
  /** Sticky senders by `service \0 to` (undefined: loaded, none), and those saved in this batch. */
  readonly #sticky = new Map<string, string | undefined>();
  readonly #stickySaved = new Map<string, { service_sid: string; to_address: string; sender_sid: string; date_updated: string }>();
  /** Opt-outs of the scopes read up front, as `scope \0 address`. */
  readonly #optOutScopes = new Set<string>();
  readonly #optedOut = new Set<string>();
  /** Delivery rules by `account \0 to`, for every message of the batch. */
  readonly #rules = new Map<string, DeliveryRuleRow>();
  #rulesLoaded = false;
  /** The SMPP connector of each sender read up front that has one, and which senders were read. */
  #connectors = new Map<string, string>();
  readonly #connectorsRead = new Set<string>();

  /**
   * `handOff`, when this node delivers webhooks: takes the status callbacks it can start at once,
   * written claimed (webhooks/dispatcher.ts).
   */
  constructor(
    readonly tx: Store,
    readonly callbackAttempts: number,
    readonly handOff?: (rows: WebhookRow[]) => WebhookHandOff,
  ) {}

  /** Reads up front what the steps of these messages will ask about. */
  async load(messages: readonly MessageRow[]): Promise<void> {
    const { tx } = this;
    const routed = messages.filter((m) => m.next_step === STEP.route && m.from_address === null && m.messaging_service_sid !== null);
    const serviceSids = [...new Set(routed.map((m) => m.messaging_service_sid!))];
    for (const service of await tx.services.fetchMany(serviceSids)) this.#services.set(service.sid, service);
    const senders: string[] = [];
    for (const sid of serviceSids) {
      if (!this.#services.has(sid)) continue;
      senders.push(...(await this.pool(sid)).map((s) => s.sid));
    }
    await this.#loadQueues(senders);

    const sticky = serviceSids.filter((sid) => this.#services.get(sid)?.sticky_sender === 1);
    const stickyTo = routed.filter((m) => sticky.includes(m.messaging_service_sid!)).map((m) => m.to_address);
    for (const sid of sticky) for (const to of stickyTo) this.#sticky.set(key(sid, to), undefined);
    for (const row of await tx.pools.stickyAmongst(sticky, [...new Set(stickyTo)])) this.#sticky.set(key(row.service_sid, row.to_address), row.sender_sid);

    // Opt-outs are checked by service when routing through one and before sending.
    const checked = messages.filter((m) => m.messaging_service_sid !== null && (m.next_step === STEP.route || m.next_step === STEP.send));
    const scopes = [...new Set(checked.map((m) => m.messaging_service_sid!))];
    const addresses = [...new Set(checked.map((m) => m.to_address))];
    for (const row of await tx.optOuts.amongst(scopes, addresses)) this.#optedOut.add(key(row.scope, row.address));
    for (const scope of scopes) this.#optOutScopes.add(scope);

    // A message routed to a sender that is free sends in the same step (message-stepper.ts): its
    // pool's senders may be about to send too.
    const sending = [...new Set([...messages.filter((m) => m.next_step === STEP.send && m.sender_sid).map((m) => m.sender_sid!), ...senders])];
    this.#connectors = await tx.connectors.connectorsOf(sending);
    for (const sid of sending) this.#connectorsRead.add(sid);

    const ruled = messages.filter((m) => m.next_step === STEP.route || m.next_step === STEP.send || m.next_step === STEP.deliver);
    if (ruled.length > 0) {
      const rules = await tx.deliveryRules.amongst([...new Set(ruled.map((m) => m.account_sid))], [...new Set(ruled.map((m) => m.to_address))]);
      for (const rule of rules) this.#rules.set(key(rule.account_sid, rule.to_address), rule);
      this.#rulesLoaded = true;
    }
  }

  /** The SMPP connector this sender goes out through, if it has one. */
  async connectorOf(senderSid: string): Promise<string | undefined> {
    if (this.#connectorsRead.has(senderSid)) return this.#connectors.get(senderSid);
    return (await this.tx.connectors.sender(senderSid, { share: true }))?.connector_sid;
  }

  async service(accountSid: string, sid: string): Promise<ServiceRow | undefined> {
    const service = this.#services.get(sid) ?? (await this.tx.services.fetch(accountSid, sid));
    return service?.account_sid === accountSid ? service : undefined;
  }

  async pool(serviceSid: string): Promise<Candidate[]> {
    let pool = this.#pools.get(serviceSid);
    if (!pool) {
      pool = await poolOf(this.tx, serviceSid);
      this.#pools.set(serviceSid, pool);
    }
    return pool;
  }

  async isOptedOut(scope: string, address: string): Promise<boolean> {
    if (this.#optOutScopes.has(scope)) return this.#optedOut.has(key(scope, address));
    return this.tx.optOuts.isOptedOut(scope, address);
  }

  async rule(accountSid: string, to: string): Promise<DeliveryRuleRow | undefined> {
    if (this.#rulesLoaded) return this.#rules.get(key(accountSid, to));
    return this.tx.deliveryRules.fetch(accountSid, to);
  }

  async sticky(serviceSid: string, to: string): Promise<string | undefined> {
    const k = key(serviceSid, to);
    if (this.#sticky.has(k)) return this.#sticky.get(k);
    return this.tx.pools.fetchSticky(serviceSid, to);
  }

  saveSticky(serviceSid: string, to: string, senderSid: string, date: string): void {
    this.#sticky.set(key(serviceSid, to), senderSid);
    this.#stickySaved.set(key(serviceSid, to), { service_sid: serviceSid, to_address: to, sender_sid: senderSid, date_updated: date });
  }

  /** How long each sender's queue runs past `now`, in milliseconds (0 for an idle sender). */
  async backlog(senders: readonly string[], now: string): Promise<Map<string, number>> {
    await this.#loadQueues(senders);
    const at = Date.parse(now);
    return new Map(senders.map((s) => [s, Math.max(0, Date.parse(this.#queues.get(s)!) - at)]));
  }

  /**
   * Reserves the sender's next slot of `durationMs`, no earlier than `now`, and returns its start;
   * nothing is reserved (undefined) when the slot would start after `notAfter`.
   */
  async reserveSlot(queue: string, times: { now: string; notAfter: string; durationMs: number }): Promise<{ start: string } | undefined> {
    await this.#loadQueues([queue]);
    const freeAt = this.#queues.get(queue)!;
    // ISO 8601 instants in one format compare as strings (Math.max would make them numbers).
    // biome-ignore lint/complexity/useMathMinMax: strings, not numbers.
    const start = freeAt > times.now ? freeAt : times.now;
    if (start > times.notAfter) return undefined;
    this.#queues.set(queue, new Date(Date.parse(start) + times.durationMs).toISOString());
    this.#reserved.add(queue);
    return { start };
  }

  async #loadQueues(senders: readonly string[]): Promise<void> {
    const missing = senders.filter((s) => !this.#queues.has(s));
    if (missing.length === 0) return;
    const locked = await this.tx.senderQueues.lockMany(missing);
    // A queue deleted between its insert and its lock (the account's reset) counts as idle.
    for (const sender of missing) this.#queues.set(sender, locked.get(sender) ?? IDLE);
  }

  /** Whether a step handed a message to an SMPP connector (whose worker then has work). */
  toConnectors = false;

  /** A message's new state (patches of one message merge). */
  message(sid: string, patch: Updateable<MessageTable>): void {
    this.#messages.set(sid, { ...this.#messages.get(sid), ...patch });
    if (patch.next_step === STEP.connector) this.toConnectors = true;
  }

  event(event: MessageEvent): void {
    this.#events.push(event);
  }

  /** Queues the status callback the message's new status calls for, if any. */
  statusChanged(message: MessageRow, at: Date): void {
    const hook = statusCallback(message, at, this.callbackAttempts);
    if (hook) this.#webhooks.push(webhookRow(hook, at));
  }

  /**
   * Writes what the steps wrote, a table at a time, in the batch's transaction. Returns the status
   * callbacks handed off claimed, to start once the transaction has committed (or release if not),
   * and how many were written for the outbox's due read.
   */
  async flush(): Promise<{ handOff?: WebhookHandOff; due: number }> {
    const { tx } = this;
    await tx.senderQueues.saveMany(new Map([...this.#reserved].map((q) => [q, this.#queues.get(q)!])));
    await tx.pools.saveStickies([...this.#stickySaved.values()]);
    await tx.messages.updateMany(this.#messages);
    await tx.messages.addEvents(this.#events);
    const handOff = this.#webhooks.length > 0 ? this.handOff?.(this.#webhooks) : undefined;
    try {
      await tx.webhooks.insertMany(this.#webhooks);
    } catch (error) {
      handOff?.release();
      throw error;
    }
    return { handOff, due: this.#webhooks.length - (handOff?.taken ?? 0) };
  }
}

function key(a: string, b: string): string {
  return `${a}\u0000${b}`;
}
