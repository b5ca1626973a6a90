import type { DeleteQueryBuilder, DeleteResult, ExpressionBuilder, Insertable, Selectable, Updateable } from 'kysely';
import { keysetPage, type Page, type PageQuery } from '../keyset.js';
import type { ConnectorSenderTable, ConnectorStatus, ConnectorTable, Database, SmppInboundPartTable, SmppPartTable } from '../schema.js';
import { STEP } from '../states.js';
import type { MessageRow } from './messages.js';
import { type Session, unique } from './session.js';

export type ConnectorRow = Selectable<ConnectorTable>;
export type ConnectorSenderRow = Selectable<ConnectorSenderTable>;
export type SmppPartRow = Selectable<SmppPartTable>;

const PART_COLUMNS = ['connector_sid', 'smsc_message_id', 'message_sid', 'part', 'state', 'error'] as const;

/** An assignment of a short code (SC…) or a phone number (PN…), rather than an alpha sender. */
const isNumber = (eb: ExpressionBuilder<Database, 'connector_senders'>) => eb.or([eb('sender_sid', 'like', 'SC%'), eb('sender_sid', 'like', 'PN%')]);

/** A part's key among every connector's: `connector/id`. */
export const partKey = (part: { connector_sid: string; smsc_message_id: string }) => `${part.connector_sid}/${part.smsc_message_id}`;

/** SMPP connectors, the senders assigned to them, and their submitted parts. */
export class ConnectorRepository {
  constructor(private readonly s: Session) {}

  async insert(row: Insertable<ConnectorTable>): Promise<void> {
    await this.s.db.insertInto('connectors').values(row).execute();
  }

  async fetch(accountSid: string, sid: string): Promise<ConnectorRow | undefined> {
    return this.s.db.selectFrom('connectors').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
  }

  /** The account's connector of this friendly name (the seed file finds its own by name). */
  async fetchByName(accountSid: string, name: string): Promise<ConnectorRow | undefined> {
    return this.s.db
      .selectFrom('connectors')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where('friendly_name', '=', name)
      .orderBy('sid')
      .executeTakeFirst();
  }

  async list(accountSid: string, page: PageQuery): Promise<Page<ConnectorRow>> {
    const query = this.s.db.selectFrom('connectors').selectAll().where('account_sid', '=', accountSid);
    return keysetPage<ConnectorRow>(query, { date: 'date_created', sid: 'sid', order: 'asc' }, page);
  }

  /** Every connector of every account: what the nodes bind. */
  async all(): Promise<ConnectorRow[]> {
    return this.s.db.selectFrom('connectors').selectAll().orderBy('sid').execute();
  }

  async update(accountSid: string, sid: string, patch: Updateable<ConnectorTable>): Promise<ConnectorRow | undefined> {
    return this.s.db.updateTable('connectors').set(patch).where('sid', '=', sid).where('account_sid', '=', accountSid).returningAll().executeTakeFirst();
  }

  /** Deletes it, and so its senders' assignments: their messages waiting for it go back to the simulated network. */
  async delete(accountSid: string, sid: string): Promise<boolean> {
    // Held (PostgreSQL): an assignment to it made meanwhile waits for the delete, then finds no connector.
    await this.lock(sid);
    if (!(await this.fetch(accountSid, sid))) return false;
    await this.#unassignWhere(await this.allSenders(sid), (senders) => senders.where('connector_sid', '=', sid));
    await this.s.db.deleteFrom('connectors').where('sid', '=', sid).execute();
    return true;
  }

  /**
   * Takes or renews the lease on a connector's bind for `holder` until `until`: granted when no
   * one holds it, this holder does, or the holder's lease ran out before `now`. On the sole writer
   * (SQLite) there is one node, so a holder left from before a restart never stands in its way.
   * A lease that changes hands says `binding` until the new holder's session says otherwise: the
   * status was the old holder's, and its session is not the new one's.
   */
  async lease(sid: string, holder: string, now: string, until: string): Promise<boolean> {
    let query = this.s.db
      .updateTable('connectors')
      .set((eb) => ({
        holder,
        lease_until: until,
        status: eb.case().when('holder', '=', holder).then(eb.ref('status')).else(eb.val<ConnectorStatus>('binding')).end(),
      }))
      .where('sid', '=', sid);
    if (!this.s.backend.soleWriter) query = query.where((eb) => eb.or([eb('holder', 'is', null), eb('holder', '=', holder), eb('lease_until', '<', now)]));
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Gives the lease up, if this holder has it. */
  async release(sid: string, holder: string): Promise<void> {
    await this.s.db.updateTable('connectors').set({ holder: null, lease_until: null }).where('sid', '=', sid).where('holder', '=', holder).execute();
  }

  /** The session's state as the holder sees it; only the holder writes it. */
  async setStatus(sid: string, holder: string, patch: Pick<Updateable<ConnectorTable>, 'status' | 'last_error'>): Promise<void> {
    await this.s.db.updateTable('connectors').set(patch).where('sid', '=', sid).where('holder', '=', holder).execute();
  }

  /** The address of the account's short code (SC…), phone number (PN…) or alpha sender (AI…). */
  async senderAddress(accountSid: string, senderSid: string): Promise<string | undefined> {
    const { db } = this.s;
    if (senderSid.startsWith('SC')) {
      return (await db.selectFrom('short_codes').select('short_code').where('sid', '=', senderSid).where('account_sid', '=', accountSid).executeTakeFirst())
        ?.short_code;
    }
    if (senderSid.startsWith('PN')) {
      return (await db.selectFrom('phone_numbers').select('phone_number').where('sid', '=', senderSid).where('account_sid', '=', accountSid).executeTakeFirst())
        ?.phone_number;
    }
    return (
      await db.selectFrom('service_senders').select('address').where('sender_sid', '=', senderSid).where('account_sid', '=', accountSid).executeTakeFirst()
    )?.address;
  }

  /** Throws UniqueViolation when the sender goes through a connector already (assigned meanwhile, on another node). */
  async assign(row: Insertable<ConnectorSenderTable>): Promise<void> {
    await unique(this.s, () => this.s.db.insertInto('connector_senders').values(row).execute());
  }

  /**
   * The sender's assignment. With `share` (PostgreSQL), held to the transaction's end: a message
   * handed to its connector in it is either seen by an unassignment (which waits) or not handed.
   */
  async sender(senderSid: string, options: { share?: boolean } = {}): Promise<ConnectorSenderRow | undefined> {
    let query = this.s.db.selectFrom('connector_senders').selectAll().where('sender_sid', '=', senderSid);
    if (options.share && this.s.backend.lockRows) query = query.forShare();
    return query.executeTakeFirst();
  }

  /** Which of these senders go out through a connector, and which; held as `sender()` holds one. */
  async connectorsOf(senderSids: readonly string[]): Promise<Map<string, string>> {
    // In one order everywhere, so two batches sharing senders never wait on each other crosswise.
    // The senders travel as one parameter: a whole pool, past SQLite's 32,766 bound values.
    const lock = this.s.backend.lockRows ? ' for share of c' : '';
    const rows = await this.s.queries.bulk.query<{ sender_sid: string; connector_sid: string }>(
      this.s.db,
      'connector_senders',
      `of${lock}`,
      ['sender_sid'],
      [...new Set(senderSids)].map((sender_sid) => ({ sender_sid })),
      (from, field) =>
        `select c.sender_sid, c.connector_sid from ${from()} join connector_senders as c on c.sender_sid = ${field('sender_sid')} order by c.sender_sid${lock}`,
    );
    return new Map(rows.map((r) => [r.sender_sid, r.connector_sid]));
  }

  async senders(connectorSid: string, page: PageQuery): Promise<Page<ConnectorSenderRow>> {
    const query = this.s.db.selectFrom('connector_senders').selectAll().where('connector_sid', '=', connectorSid);
    return keysetPage<ConnectorSenderRow>(query, { date: 'date_created', sid: 'sender_sid', order: 'asc' }, page);
  }

  /**
   * The sender goes back to the simulated network, and so do its messages waiting for the
   * connector. Every way a sender leaves its connector (here, a released number, a removed alpha
   * sender, a deleted connector) takes its waiting messages with it: none is left to expire.
   */
  async unassign(connectorSid: string, senderSid: string): Promise<boolean> {
    const removed = await this.#unassignWhere([senderSid], (query) => query.where('connector_sid', '=', connectorSid).where('sender_sid', '=', senderSid));
    return removed.length > 0;
  }

  /** A sender that leaves the account leaves its connector too. */
  async unassignSenders(senderSids: readonly string[]): Promise<void> {
    if (senderSids.length === 0) return;
    await this.#unassignWhere(senderSids, (query) => query.where('sender_sid', 'in', [...senderSids]));
  }

  /** The account's short codes and phone numbers leave their connectors (released together). */
  async unassignNumbersOf(accountSid: string): Promise<void> {
    const numbers = await this.s.db.selectFrom('connector_senders').select('sender_sid').where('account_sid', '=', accountSid).where(isNumber).execute();
    await this.#unassignWhere(
      numbers.map((r) => r.sender_sid),
      (query) => query.where('account_sid', '=', accountSid).where(isNumber),
    );
  }

  /**
   * Deletes the assignments `where` picks, returning their senders' waiting messages to the
   * network before the delete as well as after it: the first pass never holds an assignment's row
   * while it waits for a message a network step holds (a step that may in turn wait to read that
   * row: a deadlock); the second, once the delete has waited for such steps, returns what they
   * handed over meanwhile. Answers the senders removed.
   */
  async #unassignWhere(
    senderSids: readonly string[],
    where: (query: DeleteQueryBuilder<Database, 'connector_senders', DeleteResult>) => DeleteQueryBuilder<Database, 'connector_senders', DeleteResult>,
  ): Promise<string[]> {
    await this.#returnToNetwork(senderSids);
    const removed = (await where(this.s.db.deleteFrom('connector_senders')).returning('sender_sid').execute()).map((r) => r.sender_sid);
    await this.#returnToNetwork(removed);
    return removed;
  }

  /** The account's connectors, and with them their senders. */
  async deleteAllOf(accountSid: string): Promise<void> {
    await this.s.db.deleteFrom('connectors').where('account_sid', '=', accountSid).execute();
  }

  /**
   * Messages waiting for this connector, oldest first, leaving out those already in flight and
   * those whose validity has run out by `now` (the network fails them with 30036): handed to it
   * (step `connector`, due when it expires) from one of its senders. Read off the index of its
   * backlog in that order: as many rows as are in flight and asked for, however long the backlog.
   */
  async waiting(connectorSid: string, limit: number, inFlight: readonly string[], now: string): Promise<MessageRow[]> {
    let query = this.s.db
      .selectFrom('messages')
      .selectAll()
      .where('connector_sid', '=', connectorSid)
      .where('next_step', '=', STEP.connector)
      .where('next_at', '>', now);
    if (inFlight.length > 0) query = query.where('sid', 'not in', [...inFlight]);
    return query.orderBy('date_updated').orderBy('sid').limit(limit).execute() as Promise<MessageRow[]>;
  }

  /**
   * Messages of these senders waiting for a connector go back to the simulated network (their
   * connector or its assignment was removed): their send step is due, since they were handed over.
   */
  async #returnToNetwork(senderSids: readonly string[]): Promise<void> {
    if (senderSids.length === 0) return;
    await this.s.db
      .updateTable('messages')
      .set((eb) => ({ next_step: STEP.send, next_at: eb.ref('date_updated'), connector_sid: null }))
      .where('next_step', '=', STEP.connector)
      .where('sender_sid', 'in', [...senderSids])
      .execute();
  }

  /** Every sender of a connector. */
  async allSenders(connectorSid: string): Promise<string[]> {
    return (await this.s.db.selectFrom('connector_senders').select('sender_sid').where('connector_sid', '=', connectorSid).execute()).map((r) => r.sender_sid);
  }

  /**
   * Takes these messages from the `connector` step (compare-and-set, one statement): answers those
   * that were still there. A message whose validity ran out meanwhile, or that went back to the
   * network, is not taken.
   */
  async claimWaiting(sids: readonly string[], at: string): Promise<Set<string>> {
    if (sids.length === 0) return new Set();
    const rows = await this.s.db
      .updateTable('messages')
      .set({ date_updated: at })
      .where('sid', 'in', [...sids])
      .where('next_step', '=', STEP.connector)
      .returning('sid')
      .execute();
    return new Set(rows.map((r) => r.sid));
  }

  /** Submitted parts, in one statement. */
  async addParts(rows: readonly SmppPartRow[]): Promise<void> {
    await this.s.queries.bulk.insert(this.s.db, 'smpp_parts', PART_COLUMNS, rows);
  }

  /** The parts receipts name, by connector and the SMSC's message id: keyed `connector/id`. */
  async partsNamed(names: ReadonlyArray<{ connector_sid: string; smsc_message_id: string }>): Promise<Map<string, SmppPartRow>> {
    const found = await this.s.queries.bulk.query<SmppPartRow>(
      this.s.db,
      'smpp_parts',
      'named',
      ['connector_sid', 'smsc_message_id'],
      names,
      (from, field) =>
        `select p.* from smpp_parts as p join ${from()} on p.connector_sid = ${field('connector_sid')} and p.smsc_message_id = ${field('smsc_message_id')}`,
    );
    return new Map(found.map((part) => [partKey(part), part]));
  }

  /** Receipts' states on their parts, in one statement. */
  async setPartStates(rows: ReadonlyArray<Pick<SmppPartRow, 'connector_sid' | 'smsc_message_id' | 'state' | 'error'>>): Promise<void> {
    await this.s.queries.bulk.query(
      this.s.db,
      'smpp_parts',
      'states',
      ['connector_sid', 'smsc_message_id', 'state', 'error'],
      rows,
      (from, field) =>
        `update smpp_parts set state = ${field('state')}, error = ${field('error')} from ${from()} where smpp_parts.connector_sid = ${field('connector_sid')} and smpp_parts.smsc_message_id = ${field('smsc_message_id')}`,
    );
  }

  /** Every part of these messages, in message and part order. */
  async partsOf(messageSids: readonly string[]): Promise<SmppPartRow[]> {
    if (messageSids.length === 0) return [];
    return this.s.db
      .selectFrom('smpp_parts')
      .selectAll()
      .where('message_sid', 'in', [...messageSids])
      .orderBy('message_sid')
      .orderBy('part')
      .execute();
  }

  /** Holds the connector's row to the transaction's end (PostgreSQL): its inbound parts one at a time, an assignment against its delete. */
  async lock(sid: string): Promise<void> {
    if (this.s.backend.lockRows) await this.s.db.selectFrom('connectors').select('sid').where('sid', '=', sid).forUpdate().execute();
  }

  /**
   * Keeps one part of a handset's concatenated text (a part sent again replaces itself) and
   * answers every part of that text held so far, in order. A handset reuses its references: parts
   * held under this one for a text of another length, and the connector's parts from before
   * `keptSince` (a text whose other parts never came), are forgotten first.
   */
  async addInboundPart(row: Selectable<SmppInboundPartTable>, keptSince: string): Promise<Array<Selectable<SmppInboundPartTable>>> {
    await this.s.db
      .deleteFrom('smpp_inbound_parts')
      .where('connector_sid', '=', row.connector_sid)
      .where((eb) =>
        eb.or([
          eb('date', '<', keptSince),
          eb.and([eb('source', '=', row.source), eb('destination', '=', row.destination), eb('reference', '=', row.reference), eb('total', '<>', row.total)]),
        ]),
      )
      .execute();
    await this.s.db
      .insertInto('smpp_inbound_parts')
      .values(row)
      .onConflict((oc) => oc.columns(['connector_sid', 'source', 'destination', 'reference', 'part']).doUpdateSet({ text: row.text, date: row.date }))
      .execute();
    return this.#inboundParts(row).selectAll().orderBy('part').execute();
  }

  /** Forgets a text's parts, once the text is a message. */
  async dropInboundParts(of: Pick<SmppInboundPartTable, 'connector_sid' | 'source' | 'destination' | 'reference'>): Promise<void> {
    await this.s.db
      .deleteFrom('smpp_inbound_parts')
      .where('connector_sid', '=', of.connector_sid)
      .where('source', '=', of.source)
      .where('destination', '=', of.destination)
      .where('reference', '=', of.reference)
      .execute();
  }

  #inboundParts(of: Pick<SmppInboundPartTable, 'connector_sid' | 'source' | 'destination' | 'reference'>) {
    return this.s.db
      .selectFrom('smpp_inbound_parts')
      .where('connector_sid', '=', of.connector_sid)
      .where('source', '=', of.source)
      .where('destination', '=', of.destination)
      .where('reference', '=', of.reference);
  }
}
