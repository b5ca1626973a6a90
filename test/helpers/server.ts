import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startShortroute, type Shortroute, type StartOptions } from '../../src/app.js';
import { SQLITE_FILE } from '../../src/storage/dialects/sqlite.js';
import { type BackendName, createTestSchema, TEST_DATABASE_URL } from './backends.js';
import { TEST_CA_DIR } from './cli.js';

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const AUTH_TOKEN = 'test-auth-token-0123456789';

export interface TestServer extends Shortroute {
  backend: BackendName;
  /** Options that start another server on the same data (a restart, or a second node). */
  options: StartOptions;
  auth: string;
  /** fetch() against the server with the main account's credentials. */
  request(method: string, path: string, form?: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Reply>;
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Form-encodes like the Twilio SDK: arrays as repeated keys. */
export function form(values: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  return params.toString();
}

/**
 * The API tier: a request through Fastify's inject, the whole application (hooks, parsers,
 * routes, error handler) without a socket. Suites that need the wire (tunnels, raw HTTP, the SDK)
 * use `send` or a client of their own against `url`.
 */
export async function inject(
  app: Shortroute,
  method: string,
  path: string,
  auth: string | undefined,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await app.server.inject({
    method: method as 'GET',
    url: path,
    headers: {
      host: new URL(app.url).host,
      ...(auth ? { authorization: auth } : {}),
      ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...headers,
    },
    payload: body,
  });
  const text = response.body;
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.statusCode, headers: new Headers(response.headers as Record<string, string>), body: parsed, text };
}

export async function send(url: string, method: string, auth: string | undefined, body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...headers,
    },
    body,
  });
  const text = await response.text();
  let body2: unknown;
  try {
    body2 = text ? JSON.parse(text) : undefined;
  } catch {
    body2 = undefined;
  }
  return { status: response.status, headers: response.headers, body: body2, text };
}

/**
 * A real Shortroute listening on a free port, on the given backend, with its own data (a temp
 * SQLite dir, or a fresh PostgreSQL schema). `close()` stops it; `cleanup()` also deletes its data.
 */
/** SHORTROUTE_TEST_NETWORK_THREAD=true: every test server runs its network in a thread of its own. */
const NETWORK_THREAD = process.env.SHORTROUTE_TEST_NETWORK_THREAD === 'true';

export async function startTestServer(backend: BackendName, extra: StartOptions = {}): Promise<TestServer & { cleanup(): Promise<void> }> {
  let options: StartOptions;
  let dropData: () => Promise<void>;
  if (backend === 'postgres') {
    const { schema, drop } = await createTestSchema();
    options = { databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, poolSize: 4 };
    dropData = drop;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'shortroute-test-'));
    options = { dataDir: dir };
    dropData = async () => rmSync(dir, { recursive: true, force: true });
  }
  options = {
    ...options,
    port: 0,
    host: '127.0.0.1',
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    logLevel: (process.env.SHORTROUTE_TEST_LOG_LEVEL as 'silent') ?? 'silent',
    caDir: TEST_CA_DIR,
    networkThread: NETWORK_THREAD,
    ...extra,
  };
  const app = await startShortroute(options);
  return wrap(app, backend, options, dropData);
}

/** Starts another server on the same data as `server` (a restart, or a second node). */
export async function startAnother(server: TestServer, extra: StartOptions = {}): Promise<TestServer> {
  const options = { ...server.options, ...extra };
  return wrap(await startShortroute(options), server.backend, options, async () => {});
}

function wrap(app: Shortroute, backend: BackendName, options: StartOptions, dropData: () => Promise<void>) {
  const auth = basicAuth(app.account.sid, app.account.auth_token);
  return Object.assign(app, {
    backend,
    options,
    auth,
    request: (method: string, path: string, values?: Record<string, string | string[]>, headers?: Record<string, string>) =>
      inject(app, method, path, auth, values ? form(values) : undefined, headers),
    cleanup: async () => {
      await app.close();
      await dropData();
    },
  });
}

/**
 * Every row of a table, read past Shortroute (its own connection to the server's data): for
 * tests that check nothing was written behind the API's back.
 */
export async function readTable(server: TestServer, table: string): Promise<unknown[]> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  if (server.backend === 'postgres') {
    const client = new pg.Client({ connectionString: server.options.databaseUrl });
    await client.connect();
    try {
      return (await client.query(`select * from ${server.options.databaseSchema}.${table}`)).rows;
    } finally {
      await client.end();
    }
  }
  const db = new Database(join(server.options.dataDir!, SQLITE_FILE), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`select * from ${table}`).all();
  } finally {
    db.close();
  }
}

/**
 * Runs SQL on the server's data past Shortroute (its own connection): for tests that put a fault
 * into the database itself, such as a trigger that refuses a write. `postgres` runs with the
 * server's schema first on the search path.
 */
export async function alterDatabase(server: TestServer, statements: { sqlite: string; postgres: string }): Promise<void> {
  if (server.backend === 'postgres') {
    const client = new pg.Client({ connectionString: server.options.databaseUrl });
    await client.connect();
    try {
      await client.query(`set search_path to ${server.options.databaseSchema}`);
      await client.query(statements.postgres);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(join(server.options.dataDir!, SQLITE_FILE), { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.exec(statements.sqlite);
  } finally {
    db.close();
  }
}

/** A logger that keeps what it writes, parsed, for a test to read: pass `logger` to the server. */
export function capturedLog(level: 'debug' | 'info' | 'warn'): { logger: ReturnType<typeof pino>; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
