import { CompiledQuery, type Kysely } from 'kysely';
import type { Backend } from './backend.js';
import { columnsOf } from './prepared.js';

/**
 * Many rows written in one statement: the rows travel as one JSON array parameter, which the
 * database unpacks (`jsonb_populate_recordset` on PostgreSQL, typed by the table's own row type;
 * `json_each` on SQLite). One statement, one round trip, whatever the number of rows, and its SQL
 * depends only on the table and the columns, so it is built once per shape and PostgreSQL plans
 * the same text each time.
 *
 * The network's batches use it: on PostgreSQL a statement is a round trip (~0.35 ms here), and a
 * batch of 25 steps wrote 75 rows one statement each.
 */
export class BulkWrites<DB> {
  readonly #backend: Backend;
  readonly #sql = new Map<string, string>();
  readonly #statements = new Map<string, { text: string; order: number[] }>();

  constructor(backend: Backend) {
    this.#backend = backend;
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
    if (rows.length === 0) return;
    const { skipExisting, replace } = options;
    const text = this.#cached(`insert|${table}|${columns}|${skipExisting === true}|${replace?.key}|${replace?.columns}`, () => {
      const list = columns.map(quote).join(', ');
      // `where true` tells SQLite's parser that `on conflict` is the upsert clause, not a join's.
      let conflict = skipExisting ? ' where true on conflict do nothing' : '';
      if (replace) {
        const set = replace.columns.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ');
        conflict = ` where true on conflict (${replace.key.map(quote).join(', ')}) do update set ${set}`;
      }
      return `insert into ${quote(table)} (${list}) select ${columns.map((c) => this.#field(c)).join(', ')} from ${this.#rows(table)}${conflict}`;
    });
    await this.#run(db, text, columns, rows);
  }

  /**
   * Inserts history rows numbered after their parent's last one: `seq` is one more than the
   * highest `seq` already stored for the row's `parent` value (each parent at most once per call).
   */
  async insertNumbered(db: Kysely<DB>, table: string, parent: string, columns: readonly string[], rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    const text = this.#cached(`numbered|${table}|${parent}|${columns}`, () => {
      const list = [...columns, 'seq'].map(quote).join(', ');
      const next = `coalesce((select max(h.seq) from ${quote(table)} as h where h.${quote(parent)} = ${this.#field(parent)}), 0) + 1`;
      return `insert into ${quote(table)} (${list}) select ${columns.map((c) => this.#field(c)).join(', ')}, ${next} from ${this.#rows(table)}`;
    });
    await this.#run(db, text, columns, rows);
  }

  /** Updates each row found by its `key` value with the other `columns` of the same entry. */
  async update(db: Kysely<DB>, table: string, key: string, columns: readonly string[], rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    const text = this.#cached(`update|${table}|${key}|${columns}`, () => {
      const set = columns.map((c) => `${quote(c)} = ${this.#field(c)}`).join(', ');
      return `update ${quote(table)} set ${set} from ${this.#rows(table)} where ${quote(table)}.${quote(key)} = ${this.#field(key)}`;
    });
    await this.#run(db, text, [key, ...columns], rows);
  }

  /**
   * Any other statement over the rows of a JSON parameter: `build` gets the FROM item (named `r`),
   * a way to name a row's column, and `param(n)` for the statement's other values (`parameters[n - 2]`:
   * the rows are the first). Built once per `name`; the rows are typed as `table`'s. Returns the
   * rows the statement returns.
   */
  async query<R>(
    db: Kysely<DB>,
    table: string,
    name: string,
    build: (from: () => string, field: (column: string) => string, param: (n: number) => string) => string,
    columns: readonly string[],
    rows: readonly object[],
    parameters: readonly unknown[] = [],
  ): Promise<R[]> {
    if (rows.length === 0) return [];
    const key = `query|${table}|${name}`;
    let statement = this.#statements.get(key);
    if (!statement) {
      // SQLite binds `?` in the order they appear, so the order the builder asked for them is kept.
      const order: number[] = [];
      const postgres = this.#backend.name === 'postgres';
      const from = () => {
        order.push(1);
        return this.#rows(table);
      };
      const param = (n: number) => {
        order.push(n);
        return postgres ? `$${n}` : '?';
      };
      statement = { text: build(from, (c) => this.#field(c), param), order };
      this.#statements.set(key, statement);
    }
    const all = [this.#json(columns, rows), ...parameters];
    const bound = this.#backend.name === 'postgres' ? all : statement.order.map((n) => all[n - 1]);
    const result = await db.executeQuery<R>(CompiledQuery.raw(statement.text, bound));
    return result.rows;
  }

  /** Each row's patch by its key: one statement for all the patches that set the same columns. */
  async updateEach(db: Kysely<DB>, table: string, key: string, patches: ReadonlyMap<string, object>): Promise<void> {
    const byShape = new Map<string, object[]>();
    for (const [value, patch] of patches) {
      const shape = columnsOf(patch as Record<string, unknown>);
      const rows = byShape.get(shape) ?? [];
      rows.push({ ...patch, [key]: value });
      byShape.set(shape, rows);
    }
    for (const [shape, rows] of byShape) if (shape !== '') await this.update(db, table, key, shape.split(','), rows);
  }

  /** The rows of the JSON parameter, as a FROM item named `r`. */
  #rows(table: string): string {
    return this.#backend.name === 'postgres' ? `jsonb_populate_recordset(null::${quote(table)}, $1::jsonb) as r` : 'json_each(?) as r';
  }

  /** One column of a row of the parameter. */
  #field(column: string): string {
    return this.#backend.name === 'postgres' ? `r.${quote(column)}` : `r.value ->> '${column}'`;
  }

  #cached(key: string, build: () => string): string {
    let text = this.#sql.get(key);
    if (text === undefined) {
      text = build();
      this.#sql.set(key, text);
    }
    return text;
  }

  async #run(db: Kysely<DB>, text: string, columns: readonly string[], rows: readonly object[]): Promise<void> {
    await db.executeQuery(CompiledQuery.raw(text, [this.#json(columns, rows)]));
  }

  /** The JSON parameter: only the named columns travel, so a row's other properties never reach the statement. */
  #json(columns: readonly string[], rows: readonly object[]): string {
    return JSON.stringify(rows.map((row) => Object.fromEntries(columns.map((c) => [c, (row as Record<string, unknown>)[c] ?? null]))));
  }
}

/** Table and column names are Shortroute's own identifiers; quoted all the same. */
function quote(name: string): string {
  return `"${name}"`;
}
