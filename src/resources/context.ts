import type { Clock } from '../clock.js';
import type { Store } from '../storage/store.js';

/** What every domain function receives: where data lives and what time it is. */
export interface Deps {
  store: Store;
  clock: Clock;
}
