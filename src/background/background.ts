import type { Deps } from '../deps.js';
import { DEFAULT_NETWORK_OPTIONS, type NetworkOptions } from '../network/message-stepper.js';
import { SmppDelivery } from '../smpp/delivery.js';
import { LocalNetwork, type NetworkWork } from './network.js';
import { NetworkThread, type NetworkThreadOptions } from './network-thread.js';
import { type Notifications, WORK } from './notify.js';
import { Worker } from './worker.js';

export interface BackgroundOptions {
  network?: Partial<NetworkOptions>;
  /** How long this node's hold on an SMPP connector lasts unrenewed. */
  smppLeaseMs?: number;
  /** Run the simulated network in a thread of its own, opened with these settings. */
  thread?: NetworkThreadOptions;
}

/**
 * A node's background work: the simulated network (message stepper and webhook dispatcher), in
 * this thread or in one of its own, and SMPP delivery (the connectors this node binds), in this
 * thread. They share nothing but the database and the notifications.
 */
export class Background {
  readonly network: NetworkWork;
  readonly connectors: Worker;
  readonly smpp: SmppDelivery;
  readonly #unsubscribe: (() => void)[];

  constructor(deps: Deps, notifications: Notifications, options: BackgroundOptions = {}) {
    this.network = options.thread ? new NetworkThread(deps, notifications, options.thread, options.network) : new LocalNetwork(deps, options.network);
    this.smpp = new SmppDelivery(deps, options.smppLeaseMs);
    const pollMs = options.network?.pollMs ?? DEFAULT_NETWORK_OPTIONS.pollMs;
    this.connectors = new Worker({ clock: deps.clock, logger: deps.logger, pollMs, name: WORK.connectors, job: this.smpp });
    this.#unsubscribe = [
      notifications.on(WORK.messages, () => this.network.notify(WORK.messages)),
      notifications.on(WORK.webhooks, () => this.network.notify(WORK.webhooks)),
      notifications.on(WORK.connectors, () => this.connectors.notify()),
      notifications.on(WORK.connectorSettings, () => {
        this.smpp.changed();
        this.connectors.notify();
      }),
    ];
  }

  async start(): Promise<void> {
    await this.network.start();
    this.connectors.start();
  }

  /** Stops the workers, unbinds the connectors, then waits for the webhooks in flight. */
  async stop(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await this.connectors.stop();
    await this.smpp.stop();
    await this.network.stop();
  }

  /**
   * Resolves once nothing is due at the clock's present time and no webhook is in flight: what a
   * test (or POST /_shortroute/Clock) awaits after moving a hand-moved clock.
   */
  settle(): Promise<void> {
    return this.network.settle();
  }
}
