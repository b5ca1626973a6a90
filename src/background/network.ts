import type { Deps } from '../deps.js';
import { toStored } from '../http/dates.js';
import { MessageStepper, type NetworkOptions } from '../network/message-stepper.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { WEBHOOK_KIND } from '../webhooks/outbox.js';
import { inboundResponseHandler } from '../inbound/responses.js';
import { loadNumberPlan } from '../phone/numbering.js';
import { WORK, type WorkKind } from './notify.js';
import { Worker } from './worker.js';

/**
 * The work a node does for the simulated network, wherever it runs: in the API's thread
 * (`LocalNetwork`) or in a thread of its own (`NetworkThread`).
 */
export interface NetworkWork {
  /** A write left work of a kind (messages or webhooks) to do now. */
  notify(kind: WorkKind): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once nothing is due at the clock's present time and no webhook is in flight. */
  settle(): Promise<void>;
}

/**
 * The simulated network in this thread, as two workers: the message stepper and the webhook
 * dispatcher (the outbox's deliveries, with inbound TwiML answers acted on). Each wakes when
 * notified, when a hand-moved clock moves, and by its own timer.
 */
export class LocalNetwork implements NetworkWork {
  readonly messages: Worker;
  readonly webhooks: Worker;
  readonly #deps: Deps;
  readonly #dispatcher: WebhookDispatcher;
  #started: Promise<void> | undefined;

  constructor(deps: Deps, options: Partial<NetworkOptions> = {}) {
    this.#deps = deps;
    this.#dispatcher = new WebhookDispatcher(deps, { [WEBHOOK_KIND.inbound]: inboundResponseHandler, [WEBHOOK_KIND.fallback]: inboundResponseHandler });
    const stepper = new MessageStepper(deps, options, (rows) => this.#dispatcher.handOff(rows));
    const common = { clock: deps.clock, logger: deps.logger, pollMs: stepper.options.pollMs };
    this.messages = new Worker({ ...common, name: WORK.messages, job: stepper });
    this.webhooks = new Worker({ ...common, name: WORK.webhooks, job: this.#dispatcher });
  }

  notify(kind: WorkKind): void {
    if (kind === WORK.messages) this.messages.notify();
    else if (kind === WORK.webhooks) this.webhooks.notify();
  }

  /**
   * Loads the numbering plan (routing and TwiML replies parse numbers, maybe before any request of
   * this node's did), takes back the webhook attempts this node left in flight when it last
   * stopped, then starts.
   */
  start(): Promise<void> {
    this.#started ??= (async () => {
      await loadNumberPlan();
      await this.#dispatcher.reclaim();
      this.messages.start();
      this.webhooks.start();
    })();
    return this.#started;
  }

  /** Stops the workers, then waits for the webhooks in flight. */
  async stop(): Promise<void> {
    await Promise.all([this.messages.stop(), this.webhooks.stop()]);
    await this.#dispatcher.close();
  }

  async settle(): Promise<void> {
    // Asked while starting (the thread's first messages), it waits for the workers to run.
    if (!this.#started) return;
    await this.#started;
    for (;;) {
      this.messages.notify();
      this.webhooks.notify();
      await this.messages.idle();
      await this.webhooks.idle();
      await this.#dispatcher.drain();
      const due = await this.#deps.store.nextDue();
      if (this.messages.busy || this.webhooks.busy || this.#dispatcher.busy) continue;
      if (due === undefined || due > toStored(this.#deps.clock.now())) return;
    }
  }
}
