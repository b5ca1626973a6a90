import type { AccountRow } from './repositories/accounts.js';

/**
 * Accounts by SID, kept in memory where this process is the database's only writer (SQLite), so
 * that authenticating a request costs no query. Every account write clears it, before the write
 * and again when its transaction ends; a read that overlapped a write is not kept. On PostgreSQL,
 * where other nodes write too, there is no cache: each request reads the account.
 */
export class AccountCache {
  static readonly MAX = 10_000;
  /** A SID that names no account is kept too (as null): refusing it then costs what a known one does. */
  readonly #rows = new Map<string, AccountRow | null>();
  #version = 0;

  async fetch(sid: string, load: () => Promise<AccountRow | undefined>): Promise<AccountRow | undefined> {
    const hit = this.#rows.get(sid);
    if (hit !== undefined) return hit ?? undefined;
    const version = this.#version;
    const row = await load();
    if (version === this.#version) {
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
