/** Where every part of Shortroute reads the time, so tests can move it by hand. */
export interface Clock {
  now(): Date;
  /**
   * A clock moved by hand says when it moves, so work that waits for a time wakes up at once.
   * The system clock has no such call: work waits for it with timers.
   */
  onMove?(listener: () => void): () => void;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock for tests: it stands still until told to move. */
export class FakeClock implements Clock {
  #ms: number;
  readonly #listeners = new Set<() => void>();

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.#ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): void {
    this.#ms += ms;
    this.#moved();
  }

  set(to: Date | string): void {
    this.#ms = new Date(to).getTime();
    this.#moved();
  }

  onMove(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #moved(): void {
    for (const listener of this.#listeners) listener();
  }
}
