/**
 * Writes together the items that arrive while earlier batches are being written: the first item
 * starts a batch at once, and whatever comes in while `inFlight` batches are being written is the
 * next batch. A lone item waits for nothing; under load, batches grow by themselves to what
 * arrives during one write. Each item's promise settles when its batch is written, or rejects
 * with the batch's error.
 */
export class Batcher<T> {
  #queue: Array<{ item: T; done: () => void; failed: (error: unknown) => void }> = [];
  #writing = 0;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly inFlight = 1,
    /** Called when the last batch is written and nothing waits. */
    private readonly onIdle?: () => void,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((done, failed) => {
      this.#queue.push({ item, done, failed });
      if (this.#writing < this.inFlight) void this.#next();
    });
  }

  async #next(): Promise<void> {
    this.#writing++;
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.write(batch.map((entry) => entry.item));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.failed(error);
      }
    }
    this.#writing--;
    if (this.#writing === 0) this.onIdle?.();
  }
}

/**
 * A Batcher for each key (one pool's adds), made on the first item and dropped once idle, so keys
 * that come and go leave nothing behind. Batches of different keys are written concurrently.
 */
export class BatchersByKey<T> {
  readonly #batchers = new Map<string, Batcher<T>>();

  /** `write` writes a batch of this key's items; the first item's call makes the key's Batcher. */
  add(key: string, item: T, write: (items: T[]) => Promise<void>): Promise<void> {
    let batcher = this.#batchers.get(key);
    if (!batcher) {
      const made = new Batcher(write, 1, () => {
        if (this.#batchers.get(key) === made) this.#batchers.delete(key);
      });
      this.#batchers.set(key, made);
      batcher = made;
    }
    return batcher.add(item);
  }
}
