import type { Deps } from '../deps.js';
import { toStored } from '../http/dates.js';
import { MessageStepper, type NetworkOptions } from '../network/message-stepper.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { SmppDelivery } from '../smpp/delivery.js';
import type { ResponseHandler, WebhookKind } from '../webhooks/outbox.js';
import { type Notifications, WORK } from './notify.js';
import { Worker } from './worker.js';

export interface BackgroundOptions {
  network?: Partial<NetworkOptions>;
  /** What an answer means, per webhook kind (inbound TwiML); the others want a 2xx. */
  handlers?: Partial<Record<WebhookKind, ResponseHandler>>;
  /** How long this node's hold on an SMPP connector lasts unrenewed. */
  smppLeaseMs?: number;
}

/**
 * A node's background work, as three workers: the message stepper (the simulated network), the
 * webhook dispatcher (the outbox's deliveries) and SMPP delivery (the connectors this node binds).
 * Each wakes when notified, when a hand-moved clock moves, and by its own timer; they share
 * nothing but the database.
 */
export class Background {
  readonly messages: Worker;
  readonly webhooks: Worker;
  readonly connectors: Worker;
  readonly smpp: SmppDelivery;
  readonly #deps: Deps;
  readonly #dispatcher: WebhookDispatcher;
  readonly #unsubscribe: (() => void)[];

  constructor(deps: Deps, notifications: Notifications, options: BackgroundOptions = {}) {
    this.#deps = deps;
    const stepper = new MessageStepper(deps, options.network);
    this.#dispatcher = new WebhookDispatcher(deps, options.handlers);
    const pollMs = stepper.options.pollMs;
    const common = { clock: deps.clock, logger: deps.logger, pollMs };
    this.messages = new Worker({ ...common, name: WORK.messages, job: stepper });
    this.webhooks = new Worker({ ...common, name: WORK.webhooks, job: this.#dispatcher });
    this.smpp = new SmppDelivery(deps, options.smppLeaseMs);
    this.connectors = new Worker({ ...common, name: WORK.connectors, job: this.smpp });
    this.#unsubscribe = [
      notifications.on(WORK.messages, () => this.messages.notify()),
      notifications.on(WORK.webhooks, () => this.webhooks.notify()),
      notifications.on(WORK.connectors, () => this.connectors.notify()),
      notifications.on(WORK.connectorSettings, () => {
        this.smpp.changed();
        this.connectors.notify();
      }),
    ];
  }

  /** Takes back the webhook attempts this node left in flight when it last stopped, then starts. */
  async start(): Promise<void> {
    await this.#dispatcher.reclaim();
    this.messages.start();
    this.webhooks.start();
    this.connectors.start();
  }

  /** Stops the workers, unbinds the connectors, then waits for the webhooks in flight. */
  async stop(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await Promise.all([this.messages.stop(), this.webhooks.stop(), this.connectors.stop()]);
    await this.smpp.stop();
    await this.#dispatcher.close();
  }

  /**
   * Resolves once nothing is due at the clock's present time and no webhook is in flight: what a
   * test (or POST /_shortroute/Clock) awaits after moving a hand-moved clock.
   */
  async settle(): Promise<void> {
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
