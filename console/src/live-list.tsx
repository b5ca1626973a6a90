import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import type { LiveEvent } from './events.js';

/** How often live events bring the newest page again: a burst of a thousand costs a few reads. */
const REFRESH_MS = 300;
/** The server's page, as the lists ask for it (PageSize=50). */
const PAGE_SIZE = 50;
/** Reads of one "Older" click when the list's end keeps moving under it (a burst each time). */
const OLDER_ATTEMPTS = 3;

export type Listeners = Set<(event: LiveEvent) => void>;

/** A paged list of the server's, newest first, kept current by the event stream. */
export interface LiveList<T> {
  items: T[];
  error: string | undefined;
  /** Whether older pages remain. */
  more: boolean;
  /** Reads the next older page below what is shown. */
  older(): Promise<void>;
  /**
   * Reads the newest page again soon (once for a burst of calls), merged over what is shown.
   * `sid`, an item an event named that is not shown, is looked for below the newest page too.
   */
  refresh(sid?: string): void;
  /** Whether the item is shown. */
  has(sid: string): boolean;
  /** Changes one shown item in place from what an event says (undefined takes it out). */
  patch(sid: string, change: (item: T) => T | undefined): void;
}

interface Page {
  meta: { next_page_url: string | null };
}

/** What is shown, and where "Older" reads on from (null: nothing older). */
interface Shown<T> {
  items: T[];
  next: string | null;
}

/**
 * The list at `path` (a v1-style page: `key` and meta.next_page_url), read again whenever the
 * path changes (a filter, another account). Each live event goes to `onEvent` with the list as
 * shown, to refresh it or patch it in place.
 *
 * Answers are applied in order: a read of the newest page is dropped when a later one was sent,
 * an older page when the path changed meanwhile (and read again from the list's new end when only
 * that moved), and an item patched from an event after a read was sent keeps the patch over that
 * read's copy.
 *
 * No item is left where "Older" cannot reach it. When a burst outruns a page (the newest page
 * shares nothing with what is shown), the list starts again from the newest page. And an item
 * can commit after the rows around it were read (sends run concurrently; their order in the list
 * is their creation, not their commit): when an event names an item that the newest page does
 * not hold, the pages below it are read again down to the item or to the oldest row shown.
 */
export function useLiveList<T extends { sid: string }>(
  path: string,
  key: string,
  listeners: Listeners,
  onEvent: (event: LiveEvent, list: LiveList<T>) => void,
): LiveList<T> {
  const [shownState, render] = useState<Shown<T>>({ items: [], next: null });
  const [error, setError] = useState<string>();
  // The handler as last rendered, for events between renders.
  const handler = useRef(onEvent);
  handler.current = onEvent;
  /**
   * What is shown, ahead of the render: every change goes through `setShown`, so an answer that
   * arrives before the last change was rendered still compares against it.
   */
  const shown = useRef(shownState);
  const setShown = (change: (now: Shown<T>) => Shown<T>) => {
    shown.current = change(shown.current);
    render(shown.current);
  };
  const list = useRef<LiveList<T>>();
  const refresher = useRef<() => void>(() => {});
  /** The read of an older page in progress, if any. */
  const olderRead = useRef<Promise<void>>();
  /** The path being shown; answers for another are dropped. */
  const current = useRef(path);
  /** When each item was last patched from an event. */
  const patched = useRef(new Map<string, number>());
  /** Items events named that were not shown, for the next read of the newest page to find. */
  const wanted = useRef(new Set<string>());
  const itemsOf = (page: Page) => (page as unknown as Record<string, T[]>)[key]!;

  useEffect(() => {
    current.current = path;
    patched.current.clear();
    wanted.current.clear();
    let stale = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sent = 0;
    const readNewest = async (replace: boolean) => {
      const ticket = ++sent;
      const startedAt = performance.now();
      const asked = [...wanted.current];
      const latest = () => !stale && ticket === sent;
      try {
        const page = await api<Page>(path);
        if (!latest()) return;
        const newest = itemsOf(page);
        // What an event patched after this read was sent is newer than the read's copy (looked
        // at when the answer is applied, after any older pages it waited for).
        const fresher = (items: T[], now: Shown<T>) => {
          const byId = new Map(now.items.map((item) => [item.sid, item]));
          return items.map((item) => ((patched.current.get(item.sid) ?? 0) > startedAt ? (byId.get(item.sid) ?? item) : item));
        };
        const read = [...newest];
        const found = new Set(newest.map((item) => item.sid));
        let cursor = page.meta.next_page_url;
        const shownSids = new Set(shown.current.items.map((item) => item.sid));
        if (replace || cursor === null || !newest.some((item) => shownSids.has(item.sid))) {
          // The whole list, or a burst that outran a page: the newest page, and Older from there.
          setShown((now) => ({ items: fresher(read, now), next: cursor }));
        } else {
          const missing = asked.filter((sid) => !found.has(sid));
          const oldest = shown.current.items.at(-1)?.sid;
          const limit = Math.ceil(shown.current.items.length / PAGE_SIZE) + 1;
          for (let pages = 0; missing.length > 0 && cursor !== null && pages < limit; pages++) {
            const older: Page = await api<Page>(cursor);
            if (!latest()) return;
            cursor = older.meta.next_page_url;
            for (const item of itemsOf(older)) {
              if (found.has(item.sid)) continue;
              read.push(item);
              found.add(item.sid);
            }
            if ((oldest !== undefined && found.has(oldest)) || missing.every((sid) => found.has(sid))) break;
          }
          const readTo = cursor;
          setShown((now) => {
            // Rows below what was read keep their place, and Older goes on below them; rows
            // above that were not read again have left the list (a status filter).
            let last = now.items.length - 1;
            while (last >= 0 && !found.has(now.items[last]!.sid)) last--;
            const below = now.items.slice(last + 1);
            return { items: [...fresher(read, now), ...below], next: below.length > 0 || missing.length === 0 ? now.next : readTo };
          });
        }
        for (const sid of asked) wanted.current.delete(sid);
        setError(undefined);
      } catch (e) {
        if (!stale) setError((e as Error).message);
      }
    };
    refresher.current = () => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        void readNewest(false);
      }, REFRESH_MS);
    };
    void readNewest(true);
    const listener = (event: LiveEvent) => list.current && handler.current(event, list.current);
    listeners.add(listener);
    return () => {
      stale = true;
      clearTimeout(timer);
      listeners.delete(listener);
    };
  }, [path]);

  /** The next older page below what is shown, read from the list's end as it is when answered. */
  const readOlder = async (): Promise<void> => {
    const asked = current.current;
    for (let attempt = 0; attempt < OLDER_ATTEMPTS; attempt++) {
      const { next } = shown.current;
      if (!next) return;
      try {
        const page = await api<Page>(next);
        if (current.current !== asked) return;
        // The list's end moved while the page was read (a burst brought a new newest page, or
        // a refresh read further down): the page no longer continues it. Read on from its end.
        if (shown.current.next !== next) continue;
        const older = itemsOf(page);
        setShown((now) => {
          const have = new Set(now.items.map((item) => item.sid));
          return { items: [...now.items, ...older.filter((item) => !have.has(item.sid))], next: page.meta.next_page_url };
        });
        return;
      } catch (e) {
        if (current.current === asked) setError((e as Error).message);
        return;
      }
    }
  };

  const view: LiveList<T> = {
    items: shownState.items,
    error,
    more: shownState.next !== null,
    // A click while a page is being read (a double click) waits for that read, not a second page.
    older: () => (olderRead.current ??= readOlder().finally(() => (olderRead.current = undefined))),
    refresh: (sid) => {
      if (sid !== undefined) wanted.current.add(sid);
      refresher.current();
    },
    has: (sid) => shown.current.items.some((item) => item.sid === sid),
    patch: (sid, change) => {
      patched.current.set(sid, performance.now());
      setShown((now) => {
        const at = now.items.findIndex((item) => item.sid === sid);
        if (at < 0) return now;
        const changed = change(now.items[at]!);
        const items = changed === undefined ? now.items.filter((item) => item.sid !== sid) : now.items.with(at, changed);
        return { ...now, items };
      });
    },
  };
  list.current = view;
  return view;
}
