import { parseArgs } from 'node:util';
import { defaultCaDir } from './proxy/ca-dir.js';

/** Everything `shortroute start` can be told. Precedence: flag, then SHORTROUTE_* env, then default. */
export interface Config {
  host: string;
  port: number;
  /** Where the embedded SQLite database lives (and the generated account with it). */
  dataDir: string;
  /** SQLite in memory: nothing survives the process. */
  inMemory: boolean;
  /** The URL clients reach this server at, for absolute URLs in responses (`meta.next_page_url`, `url`). */
  publicUrl?: string;
  /** `postgres://…`: use PostgreSQL instead of the embedded SQLite. */
  databaseUrl?: string;
  /** PostgreSQL schema for Shortroute's tables, so several installs can share a database. */
  databaseSchema: string;
  /** PostgreSQL connections per node. */
  poolSize: number;
  /** Phone numbers and short codes one service may hold: Twilio's 400 unless raised. */
  maxSenders: number;
  /** A JSON file of short codes and services to create at start, idempotently. */
  seedFile?: string;
  /** The simulated network: from `sent` to the carrier's receipt, in ms. */
  deliveryDelayMs: number;
  /** How long a webhook receiver has to answer, in ms (Twilio: 15 s). */
  webhookTimeoutMs: number;
  /** How long a node holds an SMPP connector's bind without renewing it: another takes over after. */
  smppLeaseMs: number;
  /** Copilot: whether a sticky mapping outranks a short code or alpha sender (Twilio is silent). */
  stickySenderFirst: boolean;
  /** `system`, or `manual`: time stands still until POST /_shortroute/Clock moves it. */
  clockMode: 'system' | 'manual';
  /** The simulated network in a thread of its own (not in memory, where only one connection sees the data). */
  networkThread: boolean;
  logLevel: string;
  /** Time a client has to send a whole request (headers and body), in ms; 408 after it. */
  requestTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive. */
  maxConnections: number;
  /** Where the local CA for the HTTPS proxy lives: per user, outside the data folder. */
  caDir: string;
  /** Fastify's `trustProxy`: false, true, or the addresses/CIDRs of trusted reverse proxies. */
  trustProxy: boolean | string;
  /** This node's name among several on one PostgreSQL database, stable across its restarts. */
  nodeId?: string;
  /** The main account's credentials: TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN (no SHORTROUTE_ twin). */
  accountSid?: string;
  authToken?: string;
}

export const OPTIONS = {
  port: { type: 'string', env: 'SHORTROUTE_PORT', default: '4747', help: 'TCP port to listen on (0 picks a free one)' },
  host: { type: 'string', env: 'SHORTROUTE_HOST', default: '127.0.0.1', help: 'interface to listen on (0.0.0.0 for all)' },
  'data-dir': { type: 'string', env: 'SHORTROUTE_DATA_DIR', default: './.shortroute', help: 'folder of the embedded SQLite database' },
  'in-memory': { type: 'boolean', env: 'SHORTROUTE_IN_MEMORY', default: 'false', help: 'keep everything in memory; nothing survives a restart' },
  'public-url': {
    type: 'string',
    env: 'SHORTROUTE_PUBLIC_URL',
    default: undefined,
    help: "base URL clients use, for absolute URLs in responses (default: the request's host)",
  },
  'database-url': { type: 'string', env: 'SHORTROUTE_DATABASE_URL', default: undefined, help: 'postgres://user@host/db: use PostgreSQL instead of SQLite' },
  'database-schema': { type: 'string', env: 'SHORTROUTE_DATABASE_SCHEMA', default: 'public', help: 'PostgreSQL schema for the tables (created when missing)' },
  'pool-size': { type: 'string', env: 'SHORTROUTE_POOL_SIZE', default: '10', help: 'PostgreSQL connections per node' },
  'max-senders': {
    type: 'string',
    env: 'SHORTROUTE_MAX_SENDERS',
    default: '400',
    help: 'phone numbers and short codes one service may hold (Twilio raises 400 on request)',
  },
  seed: { type: 'string', env: 'SHORTROUTE_SEED', default: undefined, help: 'JSON file of short codes and services to create at start' },
  'delivery-delay': { type: 'string', env: 'SHORTROUTE_DELIVERY_DELAY', default: '1000', help: "ms from sent to the simulated carrier's delivery receipt" },
  'sticky-sender-first': {
    type: 'string',
    env: 'SHORTROUTE_STICKY_SENDER_FIRST',
    default: 'true',
    help: 'Copilot: a sticky mapping outranks a short code or alpha sender (false: it decides among numbers only)',
  },
  clock: {
    type: 'string',
    env: 'SHORTROUTE_CLOCK',
    default: 'system',
    help: 'system, or manual: time moves only by POST /_shortroute/Clock (fast, exact CI runs)',
  },
  'network-thread': {
    type: 'string',
    env: 'SHORTROUTE_NETWORK_THREAD',
    default: 'true',
    help: "run the simulated network and webhooks in a thread of their own (false: in the API's; always so with --in-memory)",
  },
  'webhook-timeout': { type: 'string', env: 'SHORTROUTE_WEBHOOK_TIMEOUT', default: '15000', help: 'ms a webhook receiver has to answer (Twilio waits 15 s)' },
  'smpp-lease': {
    type: 'string',
    env: 'SHORTROUTE_SMPP_LEASE',
    default: '30000',
    help: "ms a node holds an SMPP connector's bind unrenewed: how soon another node takes over from one that died",
  },
  'request-timeout': {
    type: 'string',
    env: 'SHORTROUTE_REQUEST_TIMEOUT',
    default: '30000',
    help: 'ms a client has to send a whole request, body included (408 after it)',
  },
  'max-connections': { type: 'string', env: 'SHORTROUTE_MAX_CONNECTIONS', default: '800', help: 'connections open at once; more are closed as they arrive' },
  'ca-dir': {
    type: 'string',
    env: 'SHORTROUTE_CA_DIR',
    default: undefined,
    help: 'folder of the local CA for the HTTPS proxy (default: $XDG_CONFIG_HOME/shortroute or ~/.config/shortroute)',
  },
  'trust-proxy': {
    type: 'string',
    env: 'SHORTROUTE_TRUST_PROXY',
    default: 'false',
    help: 'believe X-Forwarded-Proto/-Host from: true (any peer), or addresses/CIDRs, comma-separated',
  },
  'node-id': {
    type: 'string',
    env: 'SHORTROUTE_NODE_ID',
    default: undefined,
    help: "this node's name on a shared PostgreSQL, the same across its restarts (default: hostname:port)",
  },
  'log-level': { type: 'string', env: 'SHORTROUTE_LOG_LEVEL', default: 'warn', help: 'fatal, error, warn, info, debug or trace' },
  help: { type: 'boolean', env: undefined, default: 'false', help: 'show this help' },
} as const;

export class UsageError extends Error {}

type Env = Record<string, string | undefined>;

type OptionName = keyof typeof OPTIONS;

/** A command's own options beside the server's (`env --shell`), parsed in the same pass. */
export type ExtraOptions = Record<string, { type: 'string' | 'boolean'; default?: string }>;

export interface ParsedConfig extends Config {
  help: boolean;
  /** The options set by a flag or an environment variable, not by their default. */
  given: ReadonlySet<OptionName>;
  /** Values of the command's extra options. */
  extra: Record<string, string | boolean | undefined>;
}

/**
 * `defaults` replaces some defaults for one command (`exec` starts in memory on a free port);
 * `extra` declares options that only that command takes.
 */
export function parseConfig(argv: string[], env: Env, defaults: Partial<Record<OptionName, string>> = {}, extra: ExtraOptions = {}): ParsedConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        ...Object.fromEntries(Object.entries(OPTIONS).map(([name, o]) => [name, { type: o.type }])),
        ...Object.fromEntries(Object.entries(extra).map(([name, o]) => [name, { type: o.type }])),
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const given = new Set<OptionName>();
  const pick = (name: OptionName): string | undefined => {
    const option = OPTIONS[name];
    const value = values[name] !== undefined ? String(values[name]) : option.env ? env[option.env] : undefined;
    if (value !== undefined) given.add(name);
    return value ?? (name in defaults ? defaults[name] : option.default);
  };
  const bool = (name: OptionName) => {
    const text = pick(name)!.toLowerCase();
    if (!['true', 'false', '1', '0'].includes(text)) throw new UsageError(`--${name} must be true or false, not '${text}'`);
    return text === 'true' || text === '1';
  };
  const int = (name: OptionName, min: number, max: number) => {
    const text = pick(name)!;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not '${text}'`);
    return n;
  };
  const publicUrl = pick('public-url');
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl)) throw new UsageError(`--public-url must be an http(s) URL, not '${publicUrl}'`);
  const databaseUrl = pick('database-url');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError(`--database-url must start with postgres:// or postgresql://`);
  }
  const parsed: Omit<ParsedConfig, 'given' | 'extra'> = {
    help: bool('help'),
    host: pick('host')!,
    port: int('port', 0, 65535),
    dataDir: pick('data-dir')!,
    inMemory: bool('in-memory'),
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    databaseUrl,
    databaseSchema: pick('database-schema')!,
    poolSize: int('pool-size', 1, 1000),
    maxSenders: int('max-senders', 1, 10_000_000),
    seedFile: pick('seed'),
    deliveryDelayMs: int('delivery-delay', 0, 86_400_000),
    webhookTimeoutMs: int('webhook-timeout', 1, 600_000),
    smppLeaseMs: int('smpp-lease', 3_000, 3_600_000),
    clockMode: clockMode(pick('clock')!),
    stickySenderFirst: bool('sticky-sender-first'),
    networkThread: bool('network-thread'),
    logLevel: pick('log-level')!,
    requestTimeoutMs: int('request-timeout', 100, 3_600_000),
    maxConnections: int('max-connections', 1, 1_000_000),
    caDir: pick('ca-dir') ?? defaultCaDir(env),
    trustProxy: trustProxy(pick('trust-proxy')!),
    nodeId: nodeId(pick('node-id')),
    accountSid: env.TWILIO_ACCOUNT_SID || undefined,
    authToken: env.TWILIO_AUTH_TOKEN || undefined,
  };
  const extraValues = Object.fromEntries(Object.entries(extra).map(([name, o]) => [name, values[name] ?? o.default]));
  return { ...parsed, given, extra: extraValues };
}

function trustProxy(text: string): boolean | string {
  if (text === 'true' || text === 'false') return text === 'true';
  if (!/^[0-9a-f.:/]+(,\s*[0-9a-f.:/]+)*$/i.test(text)) throw new UsageError(`--trust-proxy must be true, false, or addresses/CIDRs, not '${text}'`);
  return text;
}

function nodeId(text: string | undefined): string | undefined {
  if (text !== undefined && !/^[\x21-\x7e]{1,200}$/.test(text)) throw new UsageError(`--node-id must be 1 to 200 visible ASCII characters, not '${text}'`);
  return text;
}

function clockMode(text: string): 'system' | 'manual' {
  if (text !== 'system' && text !== 'manual') throw new UsageError(`--clock must be system or manual, not '${text}'`);
  return text;
}

export function helpText(): string {
  const lines = [
    'Usage: shortroute start [options]                   serve until SIGINT or SIGTERM',
    '       shortroute env [options] [--shell sh|fish|powershell] [--format json]',
    '                                                    print the variables that send any Twilio SDK here',
    '       shortroute exec [options] -- <command> [args...]',
    '                                                    start a server (in memory, on a free port), run the',
    '                                                    command with those variables, stop, exit with its code',
    '',
    'A Twilio-compatible Messaging Services server.',
    '',
    'Options (every command):',
  ];
  for (const [name, o] of Object.entries(OPTIONS)) {
    const flag = o.type === 'boolean' ? `--${name}` : `--${name} <value>`;
    const extra = [o.env, o.default !== undefined && o.type !== 'boolean' ? `default ${o.default}` : undefined].filter(Boolean).join(', ');
    lines.push(`  ${flag.padEnd(26)} ${o.help}${extra ? ` (${extra})` : ''}`);
  }
  lines.push(
    '',
    'The main account comes from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN when both are set;',
    'otherwise one is generated on first start and kept with the data.',
    '',
    'Examples:',
    '  shortroute start                                   SQLite under ./.shortroute on 127.0.0.1:4747',
    '  shortroute start --port 0 --in-memory              a throwaway server on a free port',
    '  shortroute start --seed seed.json                  create short codes and services at start',
    '  SHORTROUTE_PORT=8080 shortroute start --host 0.0.0.0',
    '  shortroute start --database-url postgres://localhost/shortroute --port 4748',
    '  shortroute start --public-url https://sms.example.test   behind a proxy',
    '  shortroute start --in-memory --clock manual        CI: move time with POST /_shortroute/Clock',
    '  eval "$(shortroute env)"                           this shell\'s SDKs reach the server on :4747',
    '  shortroute exec -- pytest                          a test run against a throwaway server',
    '  shortroute exec --seed seed.json -- npm test       the same, with short codes and services made first',
  );
  return lines.join('\n');
}
