import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import type { LiveEvent } from './events.js';

/** How often live events bring the newest page again: a burst of a thousand costs a few reads. */
const REFRESH_MS = 300;

export type Listeners = Set<(event: LiveEvent) => void>;

/** A paged list of the server's, newest first, kept current by the event stream. */
export interface LiveList<T> {
  items: T[];
  error: string | undefined;
  /** Whether older pages remain. */
  more: boolean;
  /** Reads the next older page below what is shown. */
  older(): Promise<void>;
  /** Reads the newest page again soon (once for a burst of calls), merged over what is shown. */
  refresh(): void;
  /** Whether the item is shown. */
  has(sid: string): boolean;
  /** Changes one shown item in place from what an event says (undefined takes it out). */
  patch(sid: string, change: (item: T) => T | undefined): void;
}

interface Page {
  meta: { next_page_url: string | null };
}

/**
 * The list at `path` (a v1-style page: `key` and meta.next_page_url), read again whenever the
 * path changes (a filter, another account). Each live event goes to `onEvent` with the list as
 * shown, to refresh it or patch it in place.
 *
 * Answers are applied in order: a read of the newest page is dropped when a later one was sent,
 * an older page when the path changed meanwhile, and an item patched from an event after a read
 * was sent keeps the patch over that read's copy. When a burst outruns a page (the newest page
 * shares nothing with what is shown), the list starts again from the newest page rather than
 * leave a gap that "Older" could never reach.
 */
export function useLiveList<T extends { sid: string }>(
  path: string,
  key: string,
  listeners: Listeners,
  onEvent: (event: LiveEvent, list: LiveList<T>) => void,
): LiveList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  // The handler and the list as last rendered, for events between renders.
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const shown = useRef(items);
  shown.current = items;
  const list = useRef<LiveList<T>>();
  const refresher = useRef<() => void>(() => {});
  /** The path being shown; answers for another are dropped. */
  const current = useRef(path);
  /** When each item was last patched from an event. */
  const patched = useRef(new Map<string, number>());

  useEffect(() => {
    current.current = path;
    patched.current.clear();
    let stale = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sent = 0;
    const readNewest = (replace: boolean) => {
      const ticket = ++sent;
      const startedAt = performance.now();
      return api<Page>(path).then(
        (page) => {
          if (stale || ticket !== sent) return;
          const newest = (page as unknown as Record<string, T[]>)[key]!;
          // What an event patched after this read was sent is newer than the read's copy.
          const byId = new Map(shown.current.map((item) => [item.sid, item]));
          const merged = newest.map((item) => ((patched.current.get(item.sid) ?? 0) > startedAt ? (byId.get(item.sid) ?? item) : item));
          if (replace || !newest.some((item) => byId.has(item.sid))) {
            setItems(merged);
            setNext(page.meta.next_page_url);
          } else {
            const fresh = new Set(newest.map((item) => item.sid));
            setItems((now) => [...merged, ...now.filter((item) => !fresh.has(item.sid))]);
          }
          setError(undefined);
        },
        (e: Error) => !stale && setError(e.message),
      );
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

  const view: LiveList<T> = {
    items,
    error,
    more: next !== null,
    older: async () => {
      if (!next) return;
      const asked = current.current;
      try {
        const page = await api<Page>(next);
        if (current.current !== asked) return;
        const older = (page as unknown as Record<string, T[]>)[key]!;
        setItems((now) => [...now, ...older.filter((item) => !now.some((have) => have.sid === item.sid))]);
        setNext(page.meta.next_page_url);
      } catch (e) {
        if (current.current === asked) setError((e as Error).message);
      }
    },
    refresh: () => refresher.current(),
    has: (sid) => shown.current.some((item) => item.sid === sid),
    patch: (sid, change) => {
      patched.current.set(sid, performance.now());
      setItems((now) => {
        const at = now.findIndex((item) => item.sid === sid);
        if (at < 0) return now;
        const changed = change(now[at]!);
        if (changed === undefined) return now.filter((item) => item.sid !== sid);
        const copy = [...now];
        copy[at] = changed;
        return copy;
      });
    },
  };
  list.current = view;
  return view;
}
