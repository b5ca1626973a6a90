/**
 * Whose turn it is to write one SQLite file, between the two threads of a node that write it: the
 * API's and the network's (background/network-thread.ts). Each thread has its own group-commit
 * driver, and each driver keeps its write transaction open while it gathers a batch, so without
 * turns SQLite's own lock would go to whichever asked last and starve the other, and a thread
 * waiting for it would wait inside SQLite, blocking its event loop.
 *
 * A turn is taken before `BEGIN IMMEDIATE` and given after COMMIT, and waiting for it is
 * asynchronous (`Atomics.waitAsync`). A thread that gives its turn while the other waits hands it
 * over directly, so two busy threads alternate batch by batch.
 *
 * The same memory counts the commits of both, so a reader holding a snapshot (the API thread's
 * reads) knows when the other thread committed and begins a fresh one.
 */
export class WriterTurn {
  readonly #words: Int32Array;
  readonly #me: number;
  readonly #side: number;
  #holding = false;

  /** The memory both threads share; made once by the first thread and handed to the second. */
  static memory(): SharedArrayBuffer {
    return new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT);
  }

  /** `side` is 0 for the API's thread and 1 for the network's. */
  constructor(memory: SharedArrayBuffer, side: 0 | 1) {
    this.#words = new Int32Array(memory);
    this.#side = side;
    this.#me = side + 1;
  }

  get holding(): boolean {
    return this.#holding;
  }

  /** Resolves when this thread may write; the other thread's turn ends with its next COMMIT. */
  async take(): Promise<void> {
    if (this.#holding) return;
    const words = this.#words;
    Atomics.store(words, WAITING + this.#side, 1);
    try {
      for (;;) {
        const holder = Atomics.compareExchange(words, HOLDER, 0, this.#me);
        // 0: it was free; #me: the other thread handed it over.
        if (holder === 0 || holder === this.#me) break;
        // A bounded wait: a thread that ended without giving back its turn is released by its
        // owner (release()), and the loop looks again.
        const waiting = waitAsync(words, HOLDER, holder, WAIT_MS);
        if (!waiting.async) continue;
        // A pending waitAsync holds no thread open: a thread with nothing else to do (the
        // network's, opening its database while the API's writes) would end there, with code 0.
        const open = setTimeout(() => {}, WAIT_MS);
        try {
          await waiting.value;
        } finally {
          clearTimeout(open);
        }
      }
    } finally {
      Atomics.store(words, WAITING + this.#side, 0);
    }
    this.#holding = true;
  }

  /** Ends this thread's turn after its COMMIT (or rollback), handing it on if the other waits. */
  give(): void {
    if (!this.#holding) return;
    this.#holding = false;
    const words = this.#words;
    const other = 1 - this.#side;
    Atomics.add(words, COMMITS, 1);
    Atomics.store(words, HOLDER, Atomics.load(words, WAITING + other) === 1 ? other + 1 : 0);
    Atomics.notify(words, HOLDER);
  }

  /**
   * A sync of the WAL failed on one side: what either side committed since may not be on disk
   * (both write the one file), so neither answers a write as durable again.
   */
  fail(): void {
    Atomics.store(this.#words, FAILED, 1);
  }

  get failed(): boolean {
    return Atomics.load(this.#words, FAILED) === 1;
  }

  /** How many turns ended, on either side: a change means a reader's snapshot may be stale. */
  get commits(): number {
    return Atomics.load(this.#words, COMMITS);
  }

  /**
   * Takes back a turn from the other side, which ended (its thread exited) while holding it or
   * waiting for it: a side that ended waiting would otherwise be handed the turn by this one's
   * next give(), and keep it.
   */
  releaseOther(): void {
    const words = this.#words;
    Atomics.store(words, WAITING + (1 - this.#side), 0);
    if (Atomics.compareExchange(words, HOLDER, 2 - this.#side, 0) === 2 - this.#side) {
      Atomics.add(words, COMMITS, 1);
      Atomics.notify(words, HOLDER);
    }
  }
}

/** Node 20 has it; TypeScript's ES2022 library does not declare it. */
const waitAsync = (
  Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string } }
).waitAsync.bind(Atomics);

/** The longest single wait before the holder is looked at again. */
const WAIT_MS = 1000;
const HOLDER = 0;
/** WAITING + side: whether that side is waiting for its turn. */
const WAITING = 1;
const COMMITS = 3;
const FAILED = 4;
