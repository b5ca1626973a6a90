import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { FakeClock, systemClock, type Clock } from './clock.js';
import { buildServer } from './server.js';
import { Store } from './storage/store.js';
import { openBackend } from './storage/open.js';
import { WriterTurn } from './storage/dialects/sqlite-writer-turn.js';
import { ensureMainAccount } from './resources/accounts/accounts.js';
import type { AccountRow } from './storage/store.js';
import { applySeed, readSeedFile } from './seed/seed.js';
import { DEFAULT_LIMITS, type Deps } from './deps.js';
import type { NetworkOptions } from './network/message-stepper.js';
import { DEFAULT_WEBHOOK_POLICY, type WebhookPolicy } from './webhooks/outbox.js';
import { Background } from './background/background.js';
import { DEFAULT_CONNECTION_LIMITS } from './http/http-server.js';
import { Notifications } from './background/notify.js';
import { pino } from 'pino';
import { type CaFiles, defaultCaDir, existingCaFiles } from './proxy/ca-dir.js';
import type { CertificateAuthority } from './proxy/certificate-authority.js';

import { VERSION } from './package.js';

export { VERSION };

/** A running Shortroute: where it listens, whom it answers for, and how to stop it. */
export interface Shortroute {
  url: string;
  account: AccountRow;
  store: Store;
  server: FastifyInstance;
  /** This node's background work: the simulated network and the webhook dispatcher. */
  background: Background;
  /** What the storage's settings will cost, for the operator (also logged at warn). */
  warnings: string[];
  /** The local CA behind the HTTPS proxy; made on first use. */
  certificates(): Promise<CertificateAuthority>;
  /** The CA's files for SDKs to trust: those on disk when there are, else made (the CA loaded). */
  caFiles(): Promise<CaFiles>;
  close(): Promise<void>;
}

/** A failure to start, worded for one line on stderr. */
export class StartupError extends Error {}

export type StartOptions = Partial<Config> & {
  clock?: Clock;
  /** The simulated network's timing (delivery receipt delay, polling). */
  network?: Partial<NetworkOptions>;
  /** Webhook delivery: time limit, retries, backoff. */
  webhooks?: Partial<WebhookPolicy>;
  /** stderr when stdout is someone else's (`shortroute exec`). */
  logTo?: 'stdout' | 'stderr';
  /** A logger of the caller's instead of one made from logLevel and logTo (tests read what it wrote). */
  logger?: FastifyBaseLogger;
};

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  // Node's system errors already start their message with the code.
  return e.code && !String(e.message).startsWith(`${e.code}:`) ? `${e.code}: ${e.message}` : String(e.message ?? error);
}

/** Opens storage, makes sure the main account (and any seed) exists, and starts listening. */
export async function startShortroute(config: StartOptions = {}): Promise<Shortroute> {
  const clock = config.clock ?? (config.clockMode === 'manual' ? new FakeClock(new Date()) : systemClock);
  // In memory, the data is one connection's: the network's thread could not see it.
  const threaded = (config.networkThread ?? false) && !config.inMemory;
  const turnMemory = threaded && !config.databaseUrl ? WriterTurn.memory() : undefined;
  const store = await openStore(config, turnMemory && new WriterTurn(turnMemory, 0));
  try {
    const notifications = new Notifications();
    const deps: Deps = {
      store,
      clock,
      limits: { maxSenders: config.maxSenders ?? DEFAULT_LIMITS.maxSenders },
      notify: notifications.notify,
      logger: config.logger ?? pino({ level: config.logLevel ?? 'warn' }, config.logTo === 'stderr' ? process.stderr : process.stdout),
      webhookPolicy: {
        ...DEFAULT_WEBHOOK_POLICY,
        ...(config.webhookTimeoutMs !== undefined && { timeoutMs: config.webhookTimeoutMs }),
        ...config.webhooks,
      },
      nodeId: config.nodeId ?? defaultNodeId(config.port ?? 4747),
    };
    const network = {
      ...(config.deliveryDelayMs !== undefined && { deliveryDelayMs: config.deliveryDelayMs }),
      ...(config.stickySenderFirst !== undefined && { stickySenderFirst: config.stickySenderFirst }),
      ...config.network,
    };
    const background = new Background(deps, notifications, {
      network,
      ...(config.smppLeaseMs !== undefined && { smppLeaseMs: config.smppLeaseMs }),
      ...(threaded && {
        thread: {
          storage: {
            databaseUrl: config.databaseUrl,
            databaseSchema: config.databaseSchema,
            poolSize: threadPoolSize(config.poolSize),
            dataDir: config.dataDir,
            inMemory: false,
          },
          turnMemory,
          log: { level: config.logLevel ?? 'warn', to: config.logTo ?? 'stdout' },
        },
      }),
    });
    const account = await ensureMainAccount(deps, { sid: config.accountSid, authToken: config.authToken });
    const warnings = (await store.backend.warnings?.()) ?? [];
    for (const warning of warnings) deps.logger.warn(warning);
    if (config.seedFile) await applySeed(deps, account.sid, readSeedFile(config.seedFile));
    const caDir = config.caDir ?? defaultCaDir(process.env);
    const certificates = certificateLoader(caDir);
    const server = await buildServer({
      deps,
      settle: () => background.settle(),
      liveConnector: (sid) => background.smpp.live(sid),
      publicUrl: config.publicUrl,
      trustProxy: config.trustProxy,
      connectionLimits: {
        requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_CONNECTION_LIMITS.requestTimeoutMs,
        maxConnections: config.maxConnections ?? DEFAULT_CONNECTION_LIMITS.maxConnections,
      },
      certificates,
      version: VERSION,
    });
    const host = config.host ?? '127.0.0.1';
    try {
      await server.listen({ host, port: config.port ?? 4747 });
    } catch (error) {
      await server.close();
      throw new StartupError(`cannot listen on ${host}:${config.port ?? 4747}: ${describe(error)}`);
    }
    const address = server.server.address() as AddressInfo;
    // A wildcard address is reachable on loopback; show that one.
    try {
      await background.start();
    } catch (error) {
      // Nothing of a node that cannot start goes on: not its listener, nor a thread that did start.
      await server.close().catch(() => {});
      await background.stop().catch(() => {});
      throw error;
    }
    let closed: Promise<void> | undefined;
    return {
      url: reachableUrl(address.address, address.port),
      account,
      store,
      server,
      background,
      warnings,
      certificates,
      caFiles: async () => existingCaFiles(caDir) ?? (await certificates()),
      // The API stops first, then the background finishes its round and in-flight webhooks.
      close: () =>
        (closed ??= server
          .close()
          .then(() => background.stop())
          .then(() => store.close())),
    };
  } catch (error) {
    await store.close().catch(() => {});
    throw error instanceof StartupError ? error : new StartupError(describe(error));
  }
}

/**
 * The main account a server with this configuration answers for, without starting one: from
 * TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN, else from the data (made there if this is its first use,
 * so the server started later finds the same one).
 */
export async function readMainAccount(config: StartOptions): Promise<AccountRow> {
  const store = await openStore(config);
  try {
    return await ensureMainAccount({ store, clock: systemClock }, { sid: config.accountSid, authToken: config.authToken });
  } catch (error) {
    throw new StartupError(describe(error));
  } finally {
    await store.close();
  }
}

/** The network thread's PostgreSQL connections: half the node's, as it does half the work. */
function threadPoolSize(poolSize = 10): number {
  return Math.max(2, Math.ceil(poolSize / 2));
}

async function openStore(config: StartOptions, turn?: WriterTurn): Promise<Store> {
  try {
    return await Store.open(await openBackend(config, turn));
  } catch (error) {
    throw new StartupError(`cannot open ${storageName(config)}: ${describe(error)}`);
  }
}

function storageName(config: StartOptions): string {
  return config.databaseUrl ? `PostgreSQL at ${redact(config.databaseUrl)}` : `SQLite in ${config.inMemory ? 'memory' : (config.dataDir ?? './.shortroute')}`;
}

/** node-forge costs ~30 ms to load: only servers that open a tunnel or print the CA pay for it. */
function certificateLoader(dir: string): () => Promise<CertificateAuthority> {
  let loaded: Promise<CertificateAuthority> | undefined;
  return () => (loaded ??= import('./proxy/certificate-authority.js').then(({ loadCertificateAuthority }) => loadCertificateAuthority(dir)));
}

/** Where a server listening on `host` is reached: a wildcard address is reachable on loopback. */
/**
 * A node's default name: the machine and the port, which two nodes on one machine cannot share.
 * A node on a port the OS picks (0) has no stable name: a fresh one each run, so it never takes
 * another's claims (its own left behind wait out their lease).
 */
function defaultNodeId(port: number): string {
  return port === 0 ? `${hostname()}:${randomUUID()}` : `${hostname()}:${port}`;
}

export function reachableUrl(host: string, port: number): string {
  const ip = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

/** A database URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
