import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { columnsOf, PreparedRowWrites } from '../prepared.js';
import type { Database, WebhookAttemptTable, WebhookTable } from '../schema.js';
import type { Session } from './session.js';
import { keysetPage, type Page, type PageQuery } from '../keyset.js';
import type { WebhookKind } from '../states.js';

export type WebhookRow = Selectable<WebhookTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>;

/** A webhook's next state once an attempt was answered, and the attempt it answers. */
export interface SettledWebhook {
  sid: string;
  attempts: number;
  patch: Updateable<WebhookTable>;
}

/** Accounts and receiving hosts whose due webhooks a node leaves for later. */
export interface BusyTargets {
  accounts: readonly string[];
  hosts: readonly string[];
}

const ATTEMPT_COLUMNS = ['webhook_sid', 'attempt', 'date', 'request', 'response_status', 'response_headers', 'response_body', 'error', 'duration_ms'] as const;

const NONE_BUSY: BusyTargets = { accounts: [], hosts: [] };

/** The webhook outbox: each delivery, claimed attempt by attempt, and every attempt's record. */
export class WebhookRepository {
  constructor(private readonly s: Session) {}

  async insert(row: Insertable<WebhookTable>): Promise<void> {
    await this.s.queries.webhooks.rows.insert(this.s.db, row);
  }

  /** Many webhooks in one statement, in their order; each row sets every column of the first. */
  async insertMany(rows: readonly Insertable<WebhookTable>[]): Promise<void> {
    if (rows.length > 0) await this.s.queries.bulk.insert(this.s.db, 'webhooks', columnsOf(rows[0]!).split(','), rows);
  }

  /**
   * Due webhooks, earliest first, leaving out those of the accounts and receiving hosts that hold
   * their share of this node's delivery slots (their rows would only be skipped).
   */
  async due(now: string, limit: number, busy: BusyTargets = NONE_BUSY): Promise<WebhookRow[]> {
    return this.#notBusy(busy)
      .selectAll()
      .where('next_attempt_at', '<=', now)
      .where('status', '=', 'pending')
      .orderBy('next_attempt_at')
      .orderBy('sid')
      .limit(limit)
      .execute();
  }

  /** When the earliest webhook attempt falls due, if any is waiting (for accounts and hosts not busy). */
  async nextDue(busy: BusyTargets = NONE_BUSY): Promise<string | undefined> {
    // Read in due order, so the index answers even with busy targets left out (min() with a
    // `not in` read every row: 2.3 ms with 6,000 webhooks stored, measured).
    const row = await this.#notBusy(busy)
      .select('next_attempt_at as at')
      .where('next_attempt_at', 'is not', null)
      .orderBy('next_attempt_at')
      .limit(1)
      .executeTakeFirst();
    return typeof row?.at === 'string' ? row.at : undefined;
  }

  #notBusy(busy: BusyTargets) {
    let query = this.s.db.selectFrom('webhooks');
    if (busy.accounts.length > 0) query = query.where('account_sid', 'not in', [...busy.accounts]);
    if (busy.hosts.length > 0) query = query.where('host', 'not in', [...busy.hosts]);
    return query;
  }

  /**
   * Takes back the attempts a node claimed and never recorded (it died with them in flight): they
   * fall due now. `claimant` undefined takes back every claim (SQLite: the previous run's).
   */
  async reclaim(claimant: string | undefined, now: string): Promise<number> {
    let query = this.s.db.updateTable('webhooks').set({ next_attempt_at: now, claimed_by: null, date_updated: now }).where('status', '=', 'pending');
    query = claimant === undefined ? query.where('claimed_by', 'is not', null) : query.where('claimed_by', '=', claimant);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Claims due webhooks for one attempt each, those no other node has claimed since they were
   * read (the attempt count is the version); returns the SIDs this claimant won. One statement:
   * on PostgreSQL a claim each was a round trip each.
   */
  async claimMany(rows: readonly WebhookRow[], claimant: string, leaseUntil: string, now: string): Promise<Set<string>> {
    const won = await this.s.queries.bulk.query<{ sid: string }>(
      this.s.db,
      'webhooks',
      'claim',
      ['sid', 'attempts'],
      rows,
      (from, field, param) =>
        `update webhooks set attempts = webhooks.attempts + 1, next_attempt_at = ${param(2)}, claimed_by = ${param(3)}, date_updated = ${param(4)}` +
        ` from ${from()} where webhooks.sid = ${field('sid')} and webhooks.attempts = ${field('attempts')}` +
        ` and webhooks.attempts <= webhooks.max_attempts and webhooks.status = 'pending' returning webhooks.sid`,
      [leaseUntil, claimant, now],
    );
    return new Set(won.map((row) => row.sid));
  }

  /** Fails a webhook whose every attempt was claimed (its last claimant never recorded one). */
  async exhaust(row: WebhookRow, now: string): Promise<void> {
    await this.s.db
      .updateTable('webhooks')
      .set({ status: 'failed', next_attempt_at: null, claimed_by: null, error_code: row.error_code ?? 11205, date_updated: now })
      .where('sid', '=', row.sid)
      .where('attempts', '=', row.attempts)
      .where('status', '=', 'pending')
      .execute();
  }

  async update(sid: string, patch: Updateable<WebhookTable>): Promise<void> {
    await this.s.queries.webhooks.rows.update(this.s.db, sid, patch);
  }

  /**
   * Each webhook's next state, written only where it is still pending at the attempt given: one
   * that another node took over after this one's lease ran out keeps the later attempt's state.
   * One statement per set of columns, with no read before it. (A patch never sets `attempts`: the
   * attempt count changes only by a claim.)
   */
  async settleMany(settled: readonly SettledWebhook[]): Promise<void> {
    const patches = new Map(settled.map(({ sid, attempts, patch }) => [sid, { ...patch, attempts }]));
    await this.s.queries.bulk.updateEach(this.s.db, 'webhooks', 'sid', patches, { match: ['attempts'], where: `"webhooks"."status" = 'pending'` });
  }

  /**
   * Answered attempts' records and their webhooks' next states (as `settleMany` writes them),
   * together. On PostgreSQL, when every patch sets the same columns, one statement does both (a
   * data-modifying WITH), committed by itself: one round trip where a transaction took four.
   * Otherwise (SQLite has no writes in WITH) both statements run in the caller's transaction, or
   * in one of their own.
   */
  async record(attempts: readonly WebhookAttemptRow[], settled: readonly SettledWebhook[]): Promise<void> {
    const shapes = new Set(settled.map(({ patch }) => columnsOf(patch)));
    if (this.s.backend.name !== 'postgres' || shapes.size > 1 || attempts.length === 0) {
      if (!this.s.db.isTransaction) return this.s.store.transaction((tx) => tx.webhooks.record(attempts, settled));
      await this.insertAttempts(attempts);
      return this.settleMany(settled);
    }
    const [shape = ''] = shapes;
    const set = shape === '' ? [] : shape.split(',');
    const patches = JSON.stringify(settled.map(({ sid, attempts: attempt, patch }) => ({ ...patch, sid, attempts: attempt })));
    await this.s.queries.bulk.query(
      this.s.db,
      'webhook_attempts',
      `record|${shape}`,
      ATTEMPT_COLUMNS,
      attempts,
      (from, field, param) => {
        const insert = `insert into webhook_attempts (${ATTEMPT_COLUMNS.join(', ')}) select ${ATTEMPT_COLUMNS.map(field).join(', ')} from ${from()} on conflict do nothing`;
        if (set.length === 0) return insert;
        const assignments = set.map((c) => `"${c}" = s."${c}"`).join(', ');
        return (
          `with recorded as (${insert}) update webhooks set ${assignments} from jsonb_populate_recordset(null::webhooks, ${param(2)}::jsonb) as s` +
          ` where webhooks.sid = s.sid and webhooks.attempts = s.attempts and webhooks.status = 'pending'`
        );
      },
      set.length === 0 ? [] : [patches],
    );
  }

  /** Several webhooks, each locked for the caller's transaction (PostgreSQL), in SID order. */
  async fetchManyForUpdate(sids: readonly string[]): Promise<WebhookRow[]> {
    if (sids.length === 0) return [];
    let query = this.s.db
      .selectFrom('webhooks')
      .selectAll()
      .where('sid', 'in', [...sids])
      .orderBy('sid');
    if (this.s.backend.lockRows) query = query.forUpdate();
    return query.execute();
  }

  /** Many attempts' records in one statement; an attempt already recorded is left as it is. */
  async insertAttempts(rows: readonly WebhookAttemptRow[]): Promise<void> {
    if (rows.length > 0) await this.s.queries.bulk.insert(this.s.db, 'webhook_attempts', ATTEMPT_COLUMNS, rows, { skipExisting: true });
  }

  async insertAttempt(row: WebhookAttemptRow): Promise<void> {
    await this.s.db
      .insertInto('webhook_attempts')
      .values(row)
      .onConflict((oc) => oc.columns(['webhook_sid', 'attempt']).doNothing())
      .execute();
  }

  async list(accountSid: string, filters: { messageSid?: string; kind?: string }): Promise<WebhookRow[]> {
    let query = this.s.db.selectFrom('webhooks').selectAll().where('account_sid', '=', accountSid);
    if (filters.messageSid) query = query.where('message_sid', '=', filters.messageSid);
    // A kind that is none of WEBHOOK_KIND simply finds nothing.
    if (filters.kind) query = query.where('kind', '=', filters.kind as WebhookKind);
    return query.orderBy('date_created').orderBy('sid').execute();
  }

  /** The account's webhooks in the order they were written, a page at a time. */
  async page(accountSid: string, filters: { messageSid?: string; kind?: string }, page: PageQuery): Promise<Page<WebhookRow>> {
    let query = this.s.db.selectFrom('webhooks').selectAll().where('account_sid', '=', accountSid);
    if (filters.messageSid) query = query.where('message_sid', '=', filters.messageSid);
    // A kind that is none of WEBHOOK_KIND simply finds nothing.
    if (filters.kind) query = query.where('kind', '=', filters.kind as WebhookKind);
    return keysetPage<WebhookRow>(query, { date: 'date_created', sid: 'sid', order: 'asc' }, page);
  }

  async listAttempts(webhookSids: readonly string[]): Promise<WebhookAttemptRow[]> {
    if (webhookSids.length === 0) return [];
    return this.s.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('webhook_sid', 'in', [...webhookSids])
      .orderBy('webhook_sid')
      .orderBy('attempt')
      .execute();
  }

  /** Empties the account's outbox, and so every attempt's record. */
  async deleteAllOf(accountSid: string): Promise<void> {
    await this.s.db.deleteFrom('webhooks').where('account_sid', '=', accountSid).execute();
  }
}

/** The outbox's per-webhook statements, compiled once per database. */
export function webhookQueries(db: Kysely<Database>) {
  return {
    rows: new PreparedRowWrites(db, 'webhooks'),
  };
}
