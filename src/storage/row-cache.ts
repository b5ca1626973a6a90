import type { AccountRow } from './repositories/accounts.js';
import type { ServiceRow } from './repositories/services.js';

/**
 * Rows by SID, kept in memory so that the hottest reads cost no query: accounts (every request
 * authenticates) and the settings a send reads of its Messaging Service. Every write to a cached
 * table clears the caches, before the write and again when its transaction ends; a read that
 * overlapped a write is not kept. Where this process is the database's only writer (SQLite) that
 * is all it takes. On PostgreSQL other nodes write too: every such write also announces itself on
 * a channel (NOTIFY, delivered when its transaction commits) that each node listens on, clearing
 * its caches; while a node is not listening (starting, or its connection lost) it keeps nothing.
 */
export class RowCache<Row> {
  static readonly MAX = 10_000;
  /** A SID that names nothing is kept too (as null): refusing it then costs what a known one does. */
  readonly #rows = new Map<string, Row | null>();
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

  async fetch(sid: string, load: () => Promise<Row | undefined>): Promise<Row | undefined> {
    if (!this.#enabled) return load();
    const hit = this.#rows.get(sid);
    if (hit !== undefined) return hit ?? undefined;
    const version = this.#version;
    const row = await load();
    if (version === this.#version && this.#enabled) {
      if (this.#rows.size >= RowCache.MAX) this.#rows.clear();
      this.#rows.set(sid, row ?? null);
    }
    return row;
  }

  /**
   * The rows of these SIDs that exist, each once: those kept, and the rest read with one `load`
   * of the SIDs not kept (`sidOf` names a loaded row).
   */
  async fetchMany(sids: readonly string[], load: (missing: string[]) => Promise<Row[]>, sidOf: (row: Row) => string): Promise<Row[]> {
    if (!this.#enabled) return load([...sids]);
    const kept: Row[] = [];
    const missing: string[] = [];
    for (const sid of new Set(sids)) {
      const hit = this.#rows.get(sid);
      if (hit === undefined) missing.push(sid);
      else if (hit !== null) kept.push(hit);
    }
    if (missing.length === 0) return kept;
    const version = this.#version;
    const loaded = await load(missing);
    if (version === this.#version && this.#enabled) {
      if (this.#rows.size + missing.length > RowCache.MAX) this.#rows.clear();
      const bySid = new Map(loaded.map((row) => [sidOf(row), row]));
      for (const sid of missing) this.#rows.set(sid, bySid.get(sid) ?? null);
    }
    return [...kept, ...loaded];
  }

  invalidate(): void {
    this.#version++;
    this.#rows.clear();
  }
}

/** What a send reads of its Messaging Service (resources/messages): the rest of the row is not kept. */
export type ServiceSendSettings = Pick<ServiceRow, 'sid' | 'account_sid' | 'smart_encoding' | 'status_callback' | 'validity_period'>;

/** A node's cached rows, kept and cleared together: a write to any cached table clears them all. */
export class RowCaches {
  readonly accounts: RowCache<AccountRow>;
  readonly services: RowCache<ServiceSendSettings>;

  constructor(options: { enabled?: boolean } = {}) {
    this.accounts = new RowCache(options);
    this.services = new RowCache(options);
  }

  setEnabled(enabled: boolean): void {
    this.accounts.setEnabled(enabled);
    this.services.setEnabled(enabled);
  }

  invalidate(): void {
    this.accounts.invalidate();
    this.services.invalidate();
  }
}
