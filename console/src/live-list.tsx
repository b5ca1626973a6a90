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
  /** Changes what is shown in place (a status an event carries, say). */
  update(change: (items: T[]) => T[]): void;
}

interface Page {
  meta: { next_page_url: string | null };
}

/**
 * The list at `path` (a v1-style page: `key` and meta.next_page_url), read again whenever the
 * path changes (a filter, another account). Each live event goes to `onEvent` with the list as
 * shown, to refresh it or update it in place.
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
  // The handler and the list as last rendered, for events between renders (a burst may read the
  // newest page once more than needed, never less).
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const list = useRef<LiveList<T>>();
  const refresher = useRef<() => void>(() => {});

  useEffect(() => {
    let stale = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const readNewest = (replace: boolean) =>
      api<Page>(path).then(
        (page) => {
          if (stale) return;
          const newest = (page as unknown as Record<string, T[]>)[key]!;
          setItems((shown) => {
            if (replace) return newest;
            const fresh = new Set(newest.map((item) => item.sid));
            return [...newest, ...shown.filter((item) => !fresh.has(item.sid))];
          });
          if (replace) setNext(page.meta.next_page_url);
          setError(undefined);
        },
        (e: Error) => !stale && setError(e.message),
      );
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

  const current: LiveList<T> = {
    items,
    error,
    more: next !== null,
    older: async () => {
      if (!next) return;
      const page = await api<Page>(next);
      const older = (page as unknown as Record<string, T[]>)[key]!;
      setItems((shown) => [...shown, ...older.filter((item) => !shown.some((have) => have.sid === item.sid))]);
      setNext(page.meta.next_page_url);
    },
    refresh: () => refresher.current(),
    update: setItems,
  };
  list.current = current;
  return current;
}
