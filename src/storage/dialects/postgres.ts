import pg from 'pg';
import { PostgresDialect, sql, type DatabaseIntrospector, type Kysely, type TableMetadata } from 'kysely';
import type { Backend } from '../backend.js';

/**
 * Kysely's migrator asks its introspector for every table of every schema in the database only to
 * learn whether its own two tables exist, and PostgreSQL evaluates `has_schema_privilege` on each
 * schema it saw: a schema that another install (or test) drops meanwhile fails the whole start
 * with 3F000. This introspector looks in Shortroute's schema alone (22 of 30 starts failed under
 * a loop creating and dropping schemas beside them, measured; none with this).
 */
class PostgresDialectForOneSchema extends PostgresDialect {
  readonly #schema: string;

  constructor(config: ConstructorParameters<typeof PostgresDialect>[0], schema: string) {
    super(config);
    this.#schema = schema;
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature for an introspector takes any database.
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    const schema = this.#schema;
    const getTables = async (): Promise<TableMetadata[]> => {
      const { rows } = await sql<{ name: string }>`select tablename as name from pg_catalog.pg_tables where schemaname = ${schema}`.execute(db);
      return rows.map((row) => ({ name: row.name, schema, isView: false, columns: [] }));
    };
    return {
      getSchemas: async () => [{ name: schema }],
      getTables,
      getMetadata: async () => ({ tables: await getTables() }),
    };
  }
}

// Connection-level failures: the server is down, restarting, or the socket was cut.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** Several Shortroute nodes share one PostgreSQL database; row locks keep pool rules under races. */
export function postgresBackend(options: { url: string; poolSize: number; schema: string }): Backend {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`invalid schema name '${options.schema}'`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 5000,
    // A database that stops answering (rather than refusing) must not hold requests forever.
    query_timeout: 30_000,
    options: `-c search_path=${options.schema}`,
  });
  // A client losing its connection emits 'error' besides failing its query; with no listener
  // that would crash the node. Idle clients report through the pool, checked-out ones through
  // their own listener; the failed query carries the error to the request (answered 503).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  // Each distinct statement gets a name, so every connection parses and plans it once. A plan
  // whose columns changed under it (another node's migration added one: 0A000, "cached plan must
  // not change result type") is prepared again under a new name, once.
  const names = new Map<string, string>();
  let named = 0;
  const nameOf = (text: string, fresh = false) => {
    let name = names.get(text);
    if (name === undefined || fresh) {
      name = `shortroute_${++named}`;
      names.set(text, name);
    }
    return name;
  };
  const query = async (name: string, text: string, values: readonly unknown[], arrays: boolean): Promise<unknown[]> =>
    arrays ? (await pool.query({ name, text, values: [...values], rowMode: 'array' })).rows : (await pool.query({ name, text, values: [...values] })).rows;
  const read = async (text: string, values: readonly unknown[], arrays = false) => {
    try {
      return await query(nameOf(text), text, values, arrays);
    } catch (error) {
      if ((error as { code?: string }).code !== '0A000') throw error;
      return query(nameOf(text, true), text, values, arrays);
    }
  };
  // Named for accounts, the first rows cached: nodes of earlier versions on the same schema hear it.
  const channel = `shortroute_accounts_${options.schema}`.slice(0, 63);
  return {
    name: 'postgres',
    cachedChanges: { channel, listen: (onChange, onListening) => listen(options.url, channel, onChange, onListening) },
    reads: { all: (text, values) => read(text, values), arrays: async (text, values) => (await read(text, values, true)) as unknown[][] },
    dialect: new PostgresDialectForOneSchema({ pool }, options.schema),
    lockRows: true,
    soleWriter: false,
    commitsTogether: false,
    schema: options.schema,
    warnings: async () => {
      // The network rewrites its messages and webhooks rows at every step: without autovacuum
      // their dead rows pile up and their statistics stay those of empty tables, so the planner
      // scans them whole. Measured here: 491 delivered a second on a fresh schema, 234 four runs
      // of 4,000 messages later; 426-452 throughout with VACUUM ANALYZE between the runs.
      const { rows } = await pool.query<{ on: boolean }>(`select current_setting('autovacuum') = 'on' as on`);
      return rows[0]?.on
        ? []
        : [
            "PostgreSQL's autovacuum is off: the messages and webhooks tables will bloat and slow the network down " +
              'unless they are vacuumed (VACUUM ANALYZE) some other way',
          ];
    },
    isUniqueViolation: (error) => (error as { code?: string }).code === '23505',
    isConnectionError: (error) => {
      const e = error as { code?: string; message?: string };
      if (e.code && CONNECTION_CODES.has(e.code)) return true;
      return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(
        e.message ?? '',
      );
    },
  };
}

/** How often the listening connection proves it still hears: a probe it sends itself must come back. */
const PROBE_EVERY_MS = 10_000;
const PROBE_WITHIN_MS = 5_000;
const PROBE = 'probe';

/**
 * LISTEN on a connection of its own, kept open. It counts as listening only once a probe it sent
 * (NOTIFY with the payload 'probe') has come back, and again every ten seconds: a connection that
 * died without a word, or a pooler that never delivers notifications, is so found within fifteen
 * seconds. Lost, it is reported (the caller stops relying on what it heard) and made again after
 * a second, until stopped. Probes are not changes.
 */
function listen(url: string, channel: string, onChange: () => void, onListening: (listening: boolean) => void): () => Promise<void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let probing: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, keepAlive: true, keepAliveInitialDelayMillis: 10_000, connectionTimeoutMillis: 5_000 });
    client = c;
    let heard: (() => void) | undefined;
    const lost = () => {
      if (client !== c) return;
      client = undefined;
      clearInterval(probing);
      onListening(false);
      c.end().catch(() => {});
      if (!stopped) retry = setTimeout(() => void connect().catch(lost), 1000).unref();
    };
    /** Sends a probe and resolves once it is heard, or calls lost() when it is not in time. */
    const probe = () =>
      new Promise<void>((resolve) => {
        const late = setTimeout(lost, PROBE_WITHIN_MS).unref();
        heard = () => {
          clearTimeout(late);
          resolve();
        };
        c.query(`select pg_notify('${channel}', '${PROBE}')`).catch(lost);
      });
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (message) => {
      if (message.payload === PROBE) heard?.();
      else onChange();
    });
    try {
      await c.connect();
      await c.query(`listen ${channel}`);
    } catch (error) {
      lost();
      throw error;
    }
    await probe();
    if (client !== c) return;
    onListening(true);
    probing = setInterval(() => void probe(), PROBE_EVERY_MS).unref();
  };
  // Listening starts beside the node's own start: nothing is cached until it has (row-cache.ts).
  void connect().catch(() => {});
  return async () => {
    stopped = true;
    clearTimeout(retry);
    clearInterval(probing);
    const c = client;
    client = undefined;
    onListening(false);
    await c?.end().catch(() => {});
  };
}
