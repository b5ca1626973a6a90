/** The kinds of background work a write can leave behind. */
export const WORK = {
  messages: 'messages',
  webhooks: 'webhooks',
  /** Messages handed to SMPP connectors. */
  connectors: 'connectors',
  /** A connector or its senders were made, changed or deleted. */
  connectorSettings: 'connectorSettings',
} as const;
export type WorkKind = (typeof WORK)[keyof typeof WORK];

/** Tells the background that a write left work of a kind to do now (the workers also poll). */
export type Notify = (kind: WorkKind) => void;

/**
 * The one place notifications pass through: domain code calls `notify`, workers listen. Built
 * before the workers, so the dependencies every domain function gets are complete from the start.
 */
export class Notifications {
  readonly #listeners = new Map<WorkKind, Set<() => void>>();

  readonly notify: Notify = (kind) => {
    for (const listener of this.#listeners.get(kind) ?? []) listener();
  };

  on(kind: WorkKind, listener: () => void): () => void {
    const set = this.#listeners.get(kind) ?? new Set();
    set.add(listener);
    this.#listeners.set(kind, set);
    return () => set.delete(listener);
  }
}
