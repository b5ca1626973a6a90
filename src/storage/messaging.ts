import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Store } from './store.js';
import { pageOf, type Page, type PageQuery } from './keyset.js';
import type { DeliveryRuleTable, MessageTable, WebhookAttemptTable, WebhookTable } from './schema.js';

export type MessageRow = Selectable<MessageTable>;
export type WebhookRow = Selectable<WebhookTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>;
export type DeliveryRuleRow = Selectable<DeliveryRuleTable>;

/**
 * The reads and writes of messaging: messages and their history, sender queues, sticky senders,
 * opt-outs, delivery rules and the webhook outbox. Written once for both backends, like store.ts;
 * each takes the Store (or the transaction's Store) it runs on.
 */

export async function insertMessage(store: Store, row: Insertable<MessageTable>): Promise<void> {
  await store.db.insertInto('messages').values(row).execute();
}

export async function fetchMessage(store: Store, accountSid: string, sid: string, options: { lock?: boolean } = {}): Promise<MessageRow | undefined> {
  let query = store.db.selectFrom('messages').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid);
  if (options.lock && store.backend.lockRows) query = query.forUpdate();
  return query.executeTakeFirst();
}

export interface MessageFilters {
  to?: string;
  from?: string;
  /** Stored-form bounds on date_sent: [from, to). */
  sentFrom?: string;
  sentBefore?: string;
}

/** An account's messages, newest first (as Twilio lists them), keyset-paged on (date_created, sid). */
export async function listMessages(store: Store, accountSid: string, filters: MessageFilters, page: PageQuery): Promise<Page<MessageRow>> {
  let query = store.db.selectFrom('messages').selectAll().where('account_sid', '=', accountSid);
  if (filters.to !== undefined) query = query.where('to_address', '=', filters.to);
  if (filters.from !== undefined) query = query.where('from_address', '=', filters.from);
  if (filters.sentFrom !== undefined) query = query.where('date_sent', '>=', filters.sentFrom);
  if (filters.sentBefore !== undefined) query = query.where('date_sent', '<', filters.sentBefore);
  const limit = page.size + 1;
  const key = page.before ?? page.after;
  // Reading order is descending: "after" a key is older, "before" it is newer.
  if (key) {
    query = query.where(sql<boolean>`(date_created, sid) ${page.before ? sql`>` : sql`<`} (${key.date}, ${key.sid})`);
  }
  const direction = page.before ? 'asc' : 'desc';
  return pageOf(await query.orderBy('date_created', direction).orderBy('sid', direction).limit(limit).execute(), page);
}

/**
 * Moves a message on, if it still stands where the caller read it: the compare-and-set that lets
 * every node run the network without two of them taking the same step.
 */
export async function advanceMessage(
  store: Store,
  sid: string,
  expected: { next_step: string | null; next_at: string | null },
  patch: Updateable<MessageTable>,
): Promise<boolean> {
  let query = store.db.updateTable('messages').set(patch).where('sid', '=', sid);
  query = expected.next_step === null ? query.where('next_step', 'is', null) : query.where('next_step', '=', expected.next_step);
  query = expected.next_at === null ? query.where('next_at', 'is', null) : query.where('next_at', '=', expected.next_at);
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function updateMessage(store: Store, sid: string, patch: Updateable<MessageTable>): Promise<void> {
  await store.db.updateTable('messages').set(patch).where('sid', '=', sid).execute();
}

export async function deleteMessage(store: Store, accountSid: string, sid: string): Promise<boolean> {
  return store.transaction(async (tx) => {
    await tx.db.deleteFrom('message_events').where('message_sid', '=', sid).execute();
    const result = await tx.db.deleteFrom('messages').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return result.numDeletedRows > 0n;
  });
}

/**
 * Messages whose next step is due, oldest due first. `lock` (PostgreSQL): lock them for the
 * caller's transaction, skipping rows another node has locked.
 */
export async function dueMessages(store: Store, now: string, limit: number, options: { lock?: boolean } = {}): Promise<MessageRow[]> {
  let query = store.db.selectFrom('messages').selectAll().where('next_at', '<=', now).orderBy('next_at').orderBy('sid').limit(limit);
  if (options.lock) query = query.forUpdate().skipLocked();
  return query.execute();
}

/** The earliest time any message or webhook is due, if any is waiting. */
export async function nextDue(store: Store): Promise<string | undefined> {
  const m = await store.db.selectFrom('messages').select((eb) => eb.fn.min('next_at').as('at')).executeTakeFirst();
  const w = await store.db.selectFrom('webhooks').select((eb) => eb.fn.min('next_attempt_at').as('at')).executeTakeFirst();
  const times = [m?.at, w?.at].filter((t): t is string => typeof t === 'string');
  return times.sort()[0];
}

// The message's history, for inspection.

export async function addMessageEvent(
  store: Store,
  event: { message_sid: string; status: string; error_code?: number | null; detail?: string | null; date: string },
): Promise<void> {
  // One statement: the next number in the message's history is read where it is written.
  await store.db
    .insertInto('message_events')
    .columns(['message_sid', 'seq', 'status', 'error_code', 'detail', 'date'])
    .expression((eb) =>
      eb
        .selectFrom('message_events')
        .select([
          eb.val(event.message_sid).as('message_sid'),
          sql<number>`coalesce(max(seq), 0) + 1`.as('seq'),
          eb.val(event.status).as('status'),
          eb.val(event.error_code ?? null).as('error_code'),
          eb.val(event.detail ?? null).as('detail'),
          eb.val(event.date).as('date'),
        ])
        .where('message_sid', '=', event.message_sid),
    )
    .execute();
}

export async function listMessageEvents(store: Store, sid: string) {
  return store.db.selectFrom('message_events').selectAll().where('message_sid', '=', sid).orderBy('seq').execute();
}

// Sender queues: each sender sends at its own rate; a slot is reserved when a message is queued.

/**
 * Reserves the sender's next slot of `durationMs`, no earlier than `now`, and returns its start;
 * nothing is reserved (undefined) when the slot would start after `notAfter`. The queue row is
 * locked (PostgreSQL) or written by the one writer (SQLite) from the read to the reservation.
 */
export async function reserveSlot(
  tx: Store,
  sender: string,
  times: { now: string; notAfter: string; durationMs: number },
): Promise<{ start: string; end: string } | undefined> {
  const { now, notAfter, durationMs } = times;
  await tx.db.insertInto('sender_queues').values({ sender, free_at: now }).onConflict((oc) => oc.column('sender').doNothing()).execute();
  let query = tx.db.selectFrom('sender_queues').select('free_at').where('sender', '=', sender);
  if (tx.backend.lockRows) query = query.forUpdate();
  const row = await query.executeTakeFirstOrThrow();
  const start = row.free_at > now ? row.free_at : now;
  if (start > notAfter) return undefined;
  const end = new Date(new Date(start).getTime() + durationMs).toISOString();
  await tx.db.updateTable('sender_queues').set({ free_at: end }).where('sender', '=', sender).execute();
  return { start, end };
}

/** Messages queued per sender, for spreading load across equal candidates. */
export async function queuedPerSender(store: Store, senderSids: readonly string[]): Promise<Map<string, number>> {
  if (senderSids.length === 0) return new Map();
  const rows = await store.db
    .selectFrom('messages')
    .select(['sender_sid', (eb) => eb.fn.countAll<number>().as('n')])
    .where('sender_sid', 'in', [...senderSids])
    .where('status', 'in', ['queued', 'sending'])
    .groupBy('sender_sid')
    .execute();
  return new Map(rows.map((r) => [r.sender_sid!, Number(r.n)]));
}

// Sticky sender

export async function fetchSticky(store: Store, serviceSid: string, to: string): Promise<string | undefined> {
  const row = await store.db.selectFrom('sticky_senders').select('sender_sid').where('service_sid', '=', serviceSid).where('to_address', '=', to).executeTakeFirst();
  return row?.sender_sid;
}

export async function saveSticky(store: Store, serviceSid: string, to: string, senderSid: string, date: string): Promise<void> {
  await store.db
    .insertInto('sticky_senders')
    .values({ service_sid: serviceSid, to_address: to, sender_sid: senderSid, date_updated: date })
    .onConflict((oc) => oc.columns(['service_sid', 'to_address']).doUpdateSet({ sender_sid: senderSid, date_updated: date }))
    .execute();
}

// Opt-outs

export async function isOptedOut(store: Store, scope: string, address: string): Promise<boolean> {
  return (await store.db.selectFrom('opt_outs').select('address').where('scope', '=', scope).where('address', '=', address).executeTakeFirst()) !== undefined;
}

export async function setOptOut(store: Store, row: { account_sid: string; scope: string; address: string; date: string }, out: boolean): Promise<void> {
  if (out) {
    await store.db
      .insertInto('opt_outs')
      .values({ account_sid: row.account_sid, scope: row.scope, address: row.address, date_created: row.date })
      .onConflict((oc) => oc.columns(['scope', 'address']).doNothing())
      .execute();
  } else {
    await store.db.deleteFrom('opt_outs').where('scope', '=', row.scope).where('address', '=', row.address).execute();
  }
}

export async function listOptOuts(store: Store, accountSid: string) {
  return store.db.selectFrom('opt_outs').selectAll().where('account_sid', '=', accountSid).orderBy('date_created').orderBy('address').execute();
}

// Delivery rules (Shortroute's outcome controls)

export async function fetchDeliveryRule(store: Store, accountSid: string, to: string): Promise<DeliveryRuleRow | undefined> {
  return store.db.selectFrom('delivery_rules').selectAll().where('account_sid', '=', accountSid).where('to_address', '=', to).executeTakeFirst();
}

export async function putDeliveryRule(store: Store, row: DeliveryRuleRow): Promise<void> {
  await store.db
    .insertInto('delivery_rules')
    .values(row)
    .onConflict((oc) => oc.columns(['account_sid', 'to_address']).doUpdateSet({ status: row.status, error_code: row.error_code, date_created: row.date_created }))
    .execute();
}

export async function listDeliveryRules(store: Store, accountSid: string): Promise<DeliveryRuleRow[]> {
  return store.db.selectFrom('delivery_rules').selectAll().where('account_sid', '=', accountSid).orderBy('to_address').execute();
}

export async function deleteDeliveryRule(store: Store, accountSid: string, to: string): Promise<boolean> {
  const result = await store.db.deleteFrom('delivery_rules').where('account_sid', '=', accountSid).where('to_address', '=', to).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

// The webhook outbox

export async function insertWebhook(store: Store, row: Insertable<WebhookTable>): Promise<void> {
  await store.db.insertInto('webhooks').values(row).execute();
}

export async function dueWebhooks(store: Store, now: string, limit: number): Promise<WebhookRow[]> {
  return store.db
    .selectFrom('webhooks')
    .selectAll()
    .where('next_attempt_at', '<=', now)
    .where('status', '=', 'pending')
    .orderBy('next_attempt_at')
    .orderBy('sid')
    .limit(limit)
    .execute();
}

/** Claims a due webhook for one attempt, if no other node has: the attempt count is the version. */
export async function claimWebhook(store: Store, row: WebhookRow, leaseUntil: string, now: string): Promise<boolean> {
  const result = await store.db
    .updateTable('webhooks')
    .set({ attempts: row.attempts + 1, next_attempt_at: leaseUntil, date_updated: now })
    .where('sid', '=', row.sid)
    .where('attempts', '=', row.attempts)
    // One claim beyond the last attempt, for an attempt lost with its node (never recorded).
    .where('attempts', '<=', row.max_attempts)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Fails a webhook whose every attempt was claimed (its last claimant never recorded one). */
export async function exhaustWebhook(store: Store, row: WebhookRow, now: string): Promise<void> {
  await store.db
    .updateTable('webhooks')
    .set({ status: 'failed', next_attempt_at: null, error_code: row.error_code ?? 11205, date_updated: now })
    .where('sid', '=', row.sid)
    .where('attempts', '=', row.attempts)
    .where('status', '=', 'pending')
    .execute();
}

export async function fetchWebhookForUpdate(store: Store, sid: string): Promise<WebhookRow | undefined> {
  let query = store.db.selectFrom('webhooks').selectAll().where('sid', '=', sid);
  if (store.backend.lockRows) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function updateWebhook(store: Store, sid: string, patch: Updateable<WebhookTable>): Promise<void> {
  await store.db.updateTable('webhooks').set(patch).where('sid', '=', sid).execute();
}

export async function insertWebhookAttempt(store: Store, row: WebhookAttemptRow): Promise<void> {
  await store.db.insertInto('webhook_attempts').values(row).onConflict((oc) => oc.columns(['webhook_sid', 'attempt']).doNothing()).execute();
}

export async function listWebhooks(store: Store, accountSid: string, filters: { messageSid?: string; kind?: string }): Promise<WebhookRow[]> {
  let query = store.db.selectFrom('webhooks').selectAll().where('account_sid', '=', accountSid);
  if (filters.messageSid) query = query.where('message_sid', '=', filters.messageSid);
  if (filters.kind) query = query.where('kind', '=', filters.kind);
  return query.orderBy('date_created').orderBy('sid').execute();
}

export async function listWebhookAttempts(store: Store, webhookSids: readonly string[]): Promise<WebhookAttemptRow[]> {
  if (webhookSids.length === 0) return [];
  return store.db.selectFrom('webhook_attempts').selectAll().where('webhook_sid', 'in', [...webhookSids]).orderBy('webhook_sid').orderBy('attempt').execute();
}

/** Empties an account's messaging data: messages, history, webhooks, rules, opt-outs. */
export async function resetMessaging(tx: Store, accountSid: string): Promise<void> {
  const messageSids = tx.db.selectFrom('messages').select('sid').where('account_sid', '=', accountSid);
  const webhookSids = tx.db.selectFrom('webhooks').select('sid').where('account_sid', '=', accountSid);
  await tx.db.deleteFrom('webhook_attempts').where('webhook_sid', 'in', webhookSids).execute();
  await tx.db.deleteFrom('webhooks').where('account_sid', '=', accountSid).execute();
  await tx.db.deleteFrom('message_events').where('message_sid', 'in', messageSids).execute();
  await tx.db.deleteFrom('messages').where('account_sid', '=', accountSid).execute();
  await tx.db.deleteFrom('delivery_rules').where('account_sid', '=', accountSid).execute();
  await tx.db.deleteFrom('opt_outs').where('account_sid', '=', accountSid).execute();
  const services = tx.db.selectFrom('services').select('sid').where('account_sid', '=', accountSid);
  await tx.db.deleteFrom('sticky_senders').where('service_sid', 'in', services).execute();
}
