import { CompiledQuery, type Kysely } from 'kysely';
import type { Backend } from './backend.js';
import { columnsOf } from './prepared.js';

/**
 * Many rows written in one statement: the rows travel as one JSON array parameter, which the
 * database unpacks (`jsonb_populate_recordset` on PostgreSQL, typed by the table's own row type;
 * `json_each` on SQLite). One statement whatever the number of rows, and its SQL depends only on
 * the table and the columns, so it is built once per shape.
 *
 * On PostgreSQL every statement is a round trip (~0.35 ms here): a batch of 25 network steps wrote
 * 75 rows one statement each. On SQLite, in process, unpacking JSON costs more than binding (22 µs
 * a row of 25 columns against 8 µs, better-sqlite3 alone), but each statement through Kysely's
 * executor costs more again: run a row at a time, the network end to end took 10.4-10.8 s for
 * 4,000 messages against 9.1-9.2 s in one statement (alternating builds).
 */
export class BulkWrites<DB> {
  readonly #postgres: boolean;
  readonly #statements = new Map<string, { text: string; order: number[] }>();

  constructor(backend: Backend) {
    this.#postgres = backend.name === 'postgres';
  }

  /**
   * Inserts `rows` in their order, with `columns` (a row's missing ones are null). `skipExisting`:
   * a row that would repeat a unique key is left out, not an error; `replace`: such a row's
   * `columns` overwrite the stored row's (its unique `key` named).
   */
  async insert(
    db: Kysely<DB>,
    table: string,
    columns: readonly string[],
    rows: readonly object[],
    options: { skipExisting?: boolean; replace?: { key: readonly string[]; columns: readonly string[] } } = {},
  ): Promise<void> {
    const { skipExisting, replace } = options;
    const name = `insert|${columns}|${skipExisting === true}|${replace?.key}|${replace?.columns}`;
    await this.query(db, table, name, columns, rows, (from, field) => {
      // `where true` tells SQLite's parser that `on conflict` is the upsert clause, not a join's.
      let conflict = skipExisting ? ' where true on conflict do nothing' : '';
      if (replace) {
        const set = replace.columns.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ');
        conflict = ` where true on conflict (${replace.key.map(quote).join(', ')}) do update set ${set}`;
      }
      return `insert into ${quote(table)} (${columns.map(quote).join(', ')}) select ${columns.map(field).join(', ')} from ${from()}${conflict}`;
    });
  }

  /**
   * Inserts history rows numbered after their parent's last one: the first row of a `parent`
   * value gets one more than the highest `seq` stored for it, the next rows of the same parent
   * (several steps of one message in one batch) the numbers after it, in the order given.
   */
  async insertNumbered(db: Kysely<DB>, table: string, parent: string, columns: readonly string[], rows: readonly object[]): Promise<void> {
    // Each row carries its place among its parent's rows of this call, as `seq`, which the
    // statement adds to the stored last one (a subquery does not see the statement's own rows).
    const places = new Map<unknown, number>();
    const placed = rows.map((row) => {
      const value = (row as Record<string, unknown>)[parent];
      const place = places.get(value) ?? 0;
      places.set(value, place + 1);
      return { ...row, seq: place };
    });
    await this.query(db, table, `numbered|${parent}|${columns}`, [...columns, 'seq'], placed, (from, field) => {
      const list = [...columns, 'seq'].map(quote).join(', ');
      const next = `coalesce((select max(h.seq) from ${quote(table)} as h where h.${quote(parent)} = ${field(parent)}), 0) + 1 + ${field('seq')}`;
      return `insert into ${quote(table)} (${list}) select ${columns.map(field).join(', ')}, ${next} from ${from()}`;
    });
  }

  /**
   * Updates each row found by its `key` value with the other `columns` of the same entry. A
   * `guard` updates a row only while it still holds the entry's values of `guard.match` (carried
   * with each entry, not set) and meets `guard.where` (SQL on the table's own columns).
   */
  async update(db: Kysely<DB>, table: string, key: string, columns: readonly string[], rows: readonly object[], guard?: UpdateGuard): Promise<void> {
    const match = guard?.match ?? [];
    const name = `update|${key}|${columns}|${match}|${guard?.where ?? ''}`;
    await this.query(db, table, name, [key, ...columns, ...match], rows, (from, field) => {
      const set = columns.map((c) => `${quote(c)} = ${field(c)}`).join(', ');
      const conditions = [key, ...match].map((c) => `${quote(table)}.${quote(c)} = ${field(c)}`);
      if (guard?.where) conditions.push(guard.where);
      return `update ${quote(table)} set ${set} from ${from()} where ${conditions.join(' and ')}`;
    });
  }

  /**
   * Each row's patch by its key: one statement for all the patches that set the same columns. With
   * a `guard`, each patch also carries its `guard.match` values, which are compared, not set.
   */
  async updateEach(db: Kysely<DB>, table: string, key: string, patches: ReadonlyMap<string, object>, guard?: UpdateGuard): Promise<void> {
    const matched = new Set(guard?.match);
    const byShape = new Map<string, object[]>();
    for (const [value, patch] of patches) {
      const set = matched.size === 0 ? patch : Object.fromEntries(Object.entries(patch).filter(([c]) => !matched.has(c)));
      const shape = columnsOf(set as Record<string, unknown>);
      const rows = byShape.get(shape) ?? [];
      rows.push({ ...patch, [key]: value });
      byShape.set(shape, rows);
    }
    for (const [shape, rows] of byShape) if (shape !== '') await this.update(db, table, key, shape.split(','), rows, guard);
  }

  /**
   * Any statement over `rows` (their `columns` travel): `build` gets the FROM item of the rows
   * (named `r`), a way to name a row's column, and `param(n)` for the statement's other values
   * (`parameters[n - 2]`; the rows are the first). Built once per `name`; on PostgreSQL the rows
   * are typed as `table`'s. Returns the rows the statement returns.
   */
  async query<R>(
    db: Kysely<DB>,
    table: string,
    name: string,
    columns: readonly string[],
    rows: readonly object[],
    build: (from: () => string, field: (column: string) => string, param: (n: number) => string) => string,
    parameters: readonly unknown[] = [],
  ): Promise<R[]> {
    if (rows.length === 0) return [];
    // The columns are part of the key: on SQLite a statement reads its rows' columns by position.
    const key = `${table}|${name}|${columns}`;
    let statement = this.#statements.get(key);
    if (!statement) {
      // SQLite binds `?` in the order they appear, so the order the builder asked for them is kept.
      const order: number[] = [];
      const from = () => {
        order.push(1);
        return this.#postgres ? `jsonb_populate_recordset(null::${quote(table)}, $1::jsonb) as r` : 'json_each(?) as r';
      };
      const param = (n: number) => {
        order.push(n);
        return this.#postgres ? `$${n}` : '?';
      };
      // On SQLite each row travels as an array, its columns by position: building an object per
      // row cost 3.6% of the network thread's time (profiled end to end).
      const field = (c: string) => {
        if (this.#postgres) return `r.${quote(c)}`;
        const at = columns.indexOf(c);
        if (at < 0) throw new Error(`${c} is not one of the columns of ${key}`);
        return `r.value ->> ${at}`;
      };
      statement = { text: build(from, field, param), order };
      this.#statements.set(key, statement);
    }
    // Only the named columns travel, so a row's other properties never reach the statement.
    const value = (row: object, c: string) => (row as Record<string, unknown>)[c] ?? null;
    const json = JSON.stringify(
      this.#postgres ? rows.map((row) => Object.fromEntries(columns.map((c) => [c, value(row, c)]))) : rows.map((row) => columns.map((c) => value(row, c))),
    );
    const all = [json, ...parameters];
    const bound = this.#postgres ? all : statement.order.map((n) => all[n - 1]);
    return (await db.executeQuery<R>(CompiledQuery.raw(statement.text, bound))).rows;
  }
}

/** What a guarded update compares before it writes a row (see `BulkWrites.update`). */
export interface UpdateGuard {
  /** Columns whose stored value must equal the entry's. */
  match: readonly string[];
  /** A further condition on the stored row, as SQL naming the table's columns. */
  where?: string;
}

/** Table and column names are Shortroute's own identifiers; quoted all the same. */
function quote(name: string): string {
  return `"${name}"`;
}
