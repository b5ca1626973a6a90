import pg from 'pg';
import { PostgresDialect } from 'kysely';
import type { Backend } from '../backend.js';

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
  return {
    name: 'postgres',
    dialect: new PostgresDialect({ pool }),
    lockRows: true,
    soleWriter: false,
    schema: options.schema,
    isUniqueViolation: (error) => (error as { code?: string }).code === '23505',
    isConnectionError: (error) => {
      const e = error as { code?: string; message?: string };
      if (e.code && CONNECTION_CODES.has(e.code)) return true;
      return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(e.message ?? '');
    },
  };
}
