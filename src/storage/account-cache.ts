import type { AccountRow } from './repositories/accounts.js';

/**
 * Accounts by SID, kept in memory so that authenticating a request costs no query. Every account
 * write clears it, before the write and again when its transaction ends; a read that overlapped a
 * write is not kept. Where this process is the database's only writer (SQLite) that is all it
 * takes. On PostgreSQL other nodes write too: every account write also announces itself on a
 * channel (NOTIFY, delivered when its transaction commits) that each node listens on, clearing
 * its cache; while a node is not listening (starting, or its connection lost) it keeps nothing.
 */
export class AccountCache {
  static readonly MAX = 10_000;
  /** A SID that names no account is kept too (as null): refusing it then costs what a known one does. */
  readonly #rows = new Map<string, AccountRow | null>();
  #version = 0;
  #enabled: boolean;

  constructor(options: { enabled?: boolean } = {}) {
    this.#enabled = options.enabled ?? true;
  }

  /** Turns keeping on or off (while changes cannot be heard); either way what was kept goes. */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    this.invalidate();
  }

  async fetch(sid: string, load: () => Promise<AccountRow | undefined>): Promise<AccountRow | undefined> {
    if (!this.#enabled) return load();
    const hit = this.#rows.get(sid);
    if (hit !== undefined) return hit ?? undefined;
    const version = this.#version;
    const row = await load();
    if (version === this.#version && this.#enabled) {
      if (this.#rows.size >= AccountCache.MAX) this.#rows.clear();
      this.#rows.set(sid, row ?? null);
    }
    return row;
  }

  invalidate(): void {
    this.#version++;
    this.#rows.clear();
  }
}
