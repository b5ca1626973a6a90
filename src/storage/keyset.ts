import { sql, type Kysely } from 'kysely';
import { prepare, type PreparedQuery } from './prepared.js';

/** A position in a list ordered by (date, sid): pages are keyset cursors, never offsets. */
export interface PageKey {
  date: string;
  sid: string;
}
export interface PageQuery {
  size: number;
  /** Items strictly after this key (forward paging). */
  after?: PageKey;
  /** Items strictly before this key (backward paging). */
  before?: PageKey;
}
export interface Page<T> {
  items: T[];
  hasNext: boolean;
  hasPrevious: boolean;
}

// Kysely's builder types do not survive being passed around generically; the columns are checked
// where each list is declared.
// biome-ignore lint/suspicious/noExplicitAny: see above.
type AnySelect = any;
type Args = Record<string, unknown>;
type Arg = (name: string) => unknown;

/**
 * One list ordered by (date, sid), as three prepared queries: the first page, the page after a
 * key and the page before one. Each seeks through the index with a row-value comparison, which
 * SQLite and PostgreSQL both answer from the index, so the last page of a long list costs what
 * the first does. One extra row tells whether there is more in the direction of travel.
 */
export class KeysetList<T> {
  readonly #first: PreparedQuery<Args, T>;
  readonly #after: PreparedQuery<Args, T>;
  readonly #before: PreparedQuery<Args, T>;

  constructor(base: (arg: Arg) => AnySelect, dateCol: string, sidCol: string) {
    const d = sql.ref(dateCol);
    const s = sql.ref(sidCol);
    const ordered = (q: AnySelect, dir: 'asc' | 'desc', arg: Arg) => q.orderBy(dateCol, dir).orderBy(sidCol, dir).limit(arg('limit'));
    this.#first = prepare((arg) => ordered(base(arg), 'asc', arg));
    this.#after = prepare((arg) => ordered(base(arg).where(sql`(${d}, ${s}) > (${arg('date')}, ${arg('sid')})`), 'asc', arg));
    this.#before = prepare((arg) => ordered(base(arg).where(sql`(${d}, ${s}) < (${arg('date')}, ${arg('sid')})`), 'desc', arg));
  }

  async page<DB>(db: Kysely<DB>, args: Args, page: PageQuery): Promise<Page<T>> {
    return pageOf((await this.#query(args, page, (query, values) => query.run(db, values))) as T[], page);
  }

  /** The same page with each row as the array of its values, in the select's column order. */
  async pageOfArrays<DB, V extends unknown[]>(db: Kysely<DB>, args: Args, page: PageQuery): Promise<Page<V>> {
    return pageOf((await this.#query(args, page, (query, values) => query.arrays(db, values))) as V[], page);
  }

  #query<R>(args: Args, page: PageQuery, run: (query: PreparedQuery<Args, T>, values: Args) => Promise<R>): Promise<R> {
    const limit = page.size + 1;
    if (page.before) return run(this.#before, { ...args, ...page.before, limit });
    return page.after ? run(this.#after, { ...args, ...page.after, limit }) : run(this.#first, { ...args, limit });
  }
}

/**
 * A page of a list composed at run time (optional filters added with Kysely's builder), ordered by
 * (date, sid) ascending or descending: the keyset condition, the order and the extra row that
 * tells whether there is more. Hot lists with fixed filters use KeysetList's prepared queries.
 */
export async function keysetPage<T>(query: AnySelect, columns: { date: string; sid: string; order: 'asc' | 'desc' }, page: PageQuery): Promise<Page<T>> {
  const d = sql.ref(columns.date);
  const s = sql.ref(columns.sid);
  const key = page.before ?? page.after;
  // "After" a key is further in reading order; "before" it, back towards the start.
  const forward = columns.order === 'asc' ? sql`>` : sql`<`;
  const backward = columns.order === 'asc' ? sql`<` : sql`>`;
  let q = query;
  if (key) q = q.where(sql`(${d}, ${s}) ${page.before ? backward : forward} (${key.date}, ${key.sid})`);
  const direction = page.before ? (columns.order === 'asc' ? 'desc' : 'asc') : columns.order;
  const rows = (await q
    .orderBy(columns.date, direction)
    .orderBy(columns.sid, direction)
    .limit(page.size + 1)
    .execute()) as T[];
  return pageOf(rows, page);
}

/**
 * A page from the rows a keyset query read: `page.size + 1` of them in the direction of travel
 * (against reading order when paging back), the extra one telling whether there is more.
 */
export function pageOf<T>(rows: T[], page: PageQuery): Page<T> {
  if (page.before) return { items: rows.slice(0, page.size).reverse(), hasNext: true, hasPrevious: rows.length > page.size };
  return { items: rows.slice(0, page.size), hasNext: rows.length > page.size, hasPrevious: page.after !== undefined };
}
