import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';

/** What a worker runs: one round of work, and when work next falls due. */
export interface Job {
  /**
   * Does a round of work; resolves true when there may be more to do at once. `told`: the round
   * was asked for (notify(): work was written, the hand-moved clock moved) or follows a round
   * that found more to do; false when only a timer fired (a due time, or the poll).
   */
  run(told?: boolean): Promise<boolean>;
  /** When the next piece of work falls due, if the job can tell: the system-clock timer aims there. */
  nextDue?(): Promise<Date | undefined>;
}

export interface WorkerOptions {
  /** For the logs: `messages`, `webhooks`. */
  name: string;
  job: Job;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** Longest wait between rounds: how soon work that another node wrote is found. */
  pollMs: number;
}

export const WORKER_STATE = { created: 'created', running: 'running', stopped: 'stopped' } as const;
export type WorkerState = (typeof WORKER_STATE)[keyof typeof WORKER_STATE];

/**
 * Runs a job in the background: a round when notified, when a hand-moved clock moves, when the
 * job's next work falls due on the system clock, and at least every pollMs. Rounds never overlap;
 * a notification during a round runs another right after it. A failed round is logged and the
 * worker carries on. `stop()` waits for the round in progress.
 */
export class Worker {
  readonly #options: WorkerOptions;
  #state: WorkerState = WORKER_STATE.created;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  /** Whether a round was asked for since the last began (not only a timer's). */
  #told = false;
  #unsubscribe: (() => void) | undefined;

  constructor(options: WorkerOptions) {
    this.#options = options;
  }

  get state(): WorkerState {
    return this.#state;
  }

  /** Whether a round is in progress. */
  get busy(): boolean {
    return this.#running !== undefined;
  }

  start(): void {
    if (this.#state !== WORKER_STATE.created) return;
    this.#state = WORKER_STATE.running;
    this.#unsubscribe = this.#options.clock.onMove?.(() => this.notify());
    this.notify();
  }

  /** Runs a round soon (coalesced with one already running). */
  notify(): void {
    this.#told = true;
    this.#wake();
  }

  #wake(): void {
    if (this.#state !== WORKER_STATE.running) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
      // A notification after the loop's last look at #again and before this callback still
      // gets its round now, not at the next timer.
      if (this.#again) this.#wake();
      else this.#schedule();
    });
  }

  /** Resolves when no round is in progress. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#state = WORKER_STATE.stopped;
    this.#unsubscribe?.();
    clearTimeout(this.#timer);
    await this.idle();
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      let told = this.#told;
      this.#told = false;
      try {
        while ((await this.#options.job.run(told)) && this.#state === WORKER_STATE.running) told = true;
      } catch (error) {
        if (this.#state === WORKER_STATE.running) this.#options.logger.error({ err: error, worker: this.#options.name }, 'background round failed');
      }
    } while (this.#again && this.#state === WORKER_STATE.running);
  }

  /** The next round: at the job's next due time with the system clock, and at least every pollMs. */
  #schedule(): void {
    if (this.#state !== WORKER_STATE.running) return;
    const { job, clock, pollMs } = this.#options;
    let delay = pollMs;
    void (job.nextDue?.() ?? Promise.resolve(undefined))
      .then((due) => {
        // A hand-moved clock wakes the worker itself when it moves.
        if (due !== undefined && !clock.onMove) delay = Math.max(0, Math.min(delay, due.getTime() - Date.now()));
      })
      .catch(() => {})
      .finally(() => {
        if (this.#state !== WORKER_STATE.running || this.#running) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.#wake(), delay);
        this.#timer.unref();
      });
  }
}
