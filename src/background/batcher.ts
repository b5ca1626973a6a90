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
  }
}
