import { Worker as NodeWorker } from 'node:worker_threads';
import type { Clock } from '../clock.js';
import type { Deps, Limits } from '../deps.js';
import type { NetworkOptions } from '../network/message-stepper.js';
import type { StorageConfig } from '../storage/open.js';
import type { WebhookPolicy } from '../webhooks/outbox.js';
import { WriterTurn } from '../storage/dialects/sqlite-writer-turn.js';
import type { NetworkWork } from './network.js';
import type { Notifications, WorkKind } from './notify.js';

/** How the API's thread opens the network's: what it cannot take from the node's Deps. */
export interface NetworkThreadOptions {
  storage: StorageConfig;
  /** The SQLite writers' turns (sqlite-writer-turn.ts); none on PostgreSQL. */
  turnMemory?: SharedArrayBuffer;
  log: { level: string; to: 'stdout' | 'stderr' };
}

/** What the network's thread starts from (structured-cloned into it). */
export interface NetworkThreadData extends NetworkThreadOptions {
  network: Partial<NetworkOptions>;
  limits: Limits;
  webhookPolicy: WebhookPolicy;
  nodeId: string;
  /** The API thread's time, when its clock moves by hand: the thread's clock follows it. */
  clockAt?: number;
}

/** What the threads say to each other. */
export type ToNetworkThread = { type: 'notify'; kinds: WorkKind[] } | { type: 'clock'; at: number } | { type: 'settle'; id: number } | { type: 'stop' };
export type FromNetworkThread = { type: 'ready' } | { type: 'notify'; kind: WorkKind } | { type: 'settled'; id: number; error?: string } | { type: 'stopped' };

/**
 * Where the thread is: `starting` (opening the database, taking back its webhook claims), `running`,
 * `down` (it ended unexpectedly and waits for its restart) or `stopped` (asked to).
 */
export type NetworkThreadState = 'starting' | 'running' | 'down' | 'stopped';

/**
 * A thread that ended on its own is started again after RESTART_MS, doubled for each further end
 * up to MAX_RESTART_MS, so one that keeps failing does not churn (each start sends again the
 * webhook attempts left in flight). A thread that ran STEADY_MS counts as well again. Both are
 * times of the node's clock: a hand-moved clock restarts the thread when it is moved that far.
 */
const RESTART_MS = 1_000;
const MAX_RESTART_MS = 60_000;
const STEADY_MS = 60_000;

/**
 * The simulated network in a thread of its own, with its own connection to the database, so the
 * API's event loop serves requests while the network steps messages and delivers webhooks (one
 * event loop doing both was measured saturated while the machine's second core stayed partly
 * idle: docs/performance.md). The threads exchange notifications, a hand-moved clock's moves and
 * settle requests as messages; on SQLite they take turns writing (sqlite-writer-turn.ts).
 *
 * A thread that ends unexpectedly is logged and started again; the work it left is in the
 * database (its webhook claims are taken back at the restart, its steps were transactions).
 */
export class NetworkThread implements NetworkWork {
  readonly #deps: Deps;
  readonly #notifications: Notifications;
  readonly #options: NetworkThreadOptions;
  readonly #network: Partial<NetworkOptions>;
  readonly #turn: WriterTurn | undefined;
  #thread: NodeWorker | undefined;
  #stopping = false;
  /** Whether a thread ever started: after that, one that ends is started again. */
  #started = false;
  #stopped: Promise<void> | undefined;
  #cancelRestart: (() => void) | undefined;
  #restartDelay = RESTART_MS;
  #state: NetworkThreadState = 'starting';
  readonly #settles = new Map<number, { resolve: () => void; reject: (error: Error) => void; message: ToNetworkThread }>();
  #nextSettle = 0;
  #pending = new Set<WorkKind>();
  #unsubscribeClock: (() => void) | undefined;

  constructor(deps: Deps, notifications: Notifications, options: NetworkThreadOptions, network: Partial<NetworkOptions> = {}) {
    this.#deps = deps;
    this.#network = network;
    this.#notifications = notifications;
    this.#options = options;
    this.#turn = options.turnMemory && new WriterTurn(options.turnMemory, 0);
  }

  /** Starts the thread; resolves once it opened the database and took back its webhook claims. */
  async start(): Promise<void> {
    const clock = this.#deps.clock;
    if (clock.onMove) this.#unsubscribeClock = clock.onMove(() => this.#post({ type: 'clock', at: clock.now().getTime() }));
    await this.#spawn();
  }

  get state(): NetworkThreadState {
    return this.#state;
  }

  /**
   * Ends the thread without asking it to stop, the way a crash does (its round and its webhooks
   * in flight are cut short): for the tests of the restart.
   */
  async crash(): Promise<void> {
    const thread = this.#thread;
    if (!thread) return;
    const ended = new Promise((resolve) => thread.once('exit', resolve));
    await thread.terminate();
    await ended;
  }

  notify(kind: WorkKind): void {
    // Sends that arrive together wake the thread once.
    if (this.#pending.size === 0) {
      queueMicrotask(() => {
        const kinds = [...this.#pending];
        this.#pending.clear();
        this.#post({ type: 'notify', kinds });
      });
    }
    this.#pending.add(kind);
  }

  settle(): Promise<void> {
    if (this.#stopping) return Promise.reject(new Error('the network thread stopped'));
    const id = ++this.#nextSettle;
    const message: ToNetworkThread = { type: 'settle', id };
    return new Promise((resolve, reject) => {
      this.#settles.set(id, { resolve, reject, message });
      this.#post(message);
    });
  }

  /** Asks the thread to finish its round and its webhooks in flight, then waits for it to end. */
  stop(): Promise<void> {
    this.#stopping = true;
    this.#unsubscribeClock?.();
    this.#cancelRestart?.();
    const thread = this.#thread;
    if (!thread) {
      // Stopped between a thread's end and its restart: nothing will answer the settles asked.
      this.#state = 'stopped';
      this.#rejectSettles();
      return Promise.resolve();
    }
    this.#stopped ??= new Promise<void>((resolve) => {
      thread.once('exit', () => resolve());
      thread.postMessage({ type: 'stop' } satisfies ToNetworkThread);
    });
    return this.#stopped;
  }

  #rejectSettles(): void {
    for (const settle of this.#settles.values()) settle.reject(new Error('the network thread stopped'));
    this.#settles.clear();
  }

  #post(message: ToNetworkThread): void {
    this.#thread?.postMessage(message);
  }

  #spawn(): Promise<void> {
    const deps = this.#deps;
    const data: NetworkThreadData = {
      storage: this.#options.storage,
      turnMemory: this.#options.turnMemory,
      network: this.#network,
      log: this.#options.log,
      limits: deps.limits,
      webhookPolicy: deps.webhookPolicy,
      nodeId: deps.nodeId,
      clockAt: deps.clock.onMove ? deps.clock.now().getTime() : undefined,
    };
    const thread = startEntry(data);
    this.#thread = thread;
    this.#state = 'starting';
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let readyAt: number | undefined;
      thread.on('message', (message: FromNetworkThread) => {
        switch (message.type) {
          case 'ready':
            ready = true;
            readyAt = deps.clock.now().getTime();
            this.#started = true;
            this.#state = 'running';
            // Settles asked of a thread that ended are asked again of this one.
            for (const settle of this.#settles.values()) thread.postMessage(settle.message);
            resolve();
            break;
          case 'notify':
            this.#notifications.notify(message.kind);
            break;
          case 'settled': {
            const settle = this.#settles.get(message.id);
            this.#settles.delete(message.id);
            if (message.error === undefined) settle?.resolve();
            else settle?.reject(new Error(message.error));
            break;
          }
          case 'stopped':
            void thread.terminate();
            break;
        }
      });
      thread.on('error', (error) => {
        if (!ready) reject(new Error(`the network thread cannot start: ${error.message}`));
        else deps.logger.error({ err: error }, 'the network thread failed');
      });
      thread.on('exit', (code) => {
        // A turn it held while it ended would bar the API's writes.
        this.#turn?.releaseOther();
        this.#state = this.#stopping ? 'stopped' : 'down';
        if (this.#thread === thread) this.#thread = undefined;
        if (!ready) reject(new Error(`the network thread ended at start (exit code ${code})`));
        if (this.#stopping) return this.#rejectSettles();
        if (!this.#started) return;
        if (readyAt !== undefined && deps.clock.now().getTime() - readyAt >= STEADY_MS) this.#restartDelay = RESTART_MS;
        const delay = this.#restartDelay;
        this.#restartDelay = Math.min(delay * 2, MAX_RESTART_MS);
        deps.logger.error({ exitCode: code }, `the network thread ended; starting it again in ${delay} ms`);
        this.#cancelRestart = after(deps.clock, delay, () => {
          this.#cancelRestart = undefined;
          this.#spawn().catch((error: unknown) => deps.logger.error({ err: error }, 'the network thread could not start again'));
        });
      });
    });
  }
}

/**
 * Calls `then` once `ms` have passed on `clock`: after a timer on the system clock, at the move
 * that reaches that time on a hand-moved one. Returns what cancels it.
 */
function after(clock: Clock, ms: number, then: () => void): () => void {
  if (!clock.onMove) {
    const timer = setTimeout(then, ms);
    return () => clearTimeout(timer);
  }
  const at = clock.now().getTime() + ms;
  const unsubscribe = clock.onMove(() => {
    if (clock.now().getTime() < at) return;
    unsubscribe();
    then();
  });
  return unsubscribe;
}

/**
 * The thread's entry sits beside this module wherever it runs: the bundle, tsc's output, or the
 * sources, run by tsx in the tests, whose loader a thread does not inherit: it registers it first.
 */
function startEntry(data: NetworkThreadData): NodeWorker {
  const options = { workerData: data, name: 'shortroute-network' };
  if (!import.meta.url.endsWith('.ts')) return new NodeWorker(new URL('./network-thread-entry.js', import.meta.url), options);
  const entry = new URL('./network-thread-entry.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new NodeWorker(boot, { ...options, eval: true });
}
