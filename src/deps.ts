import type { Clock } from './clock.js';
import type { Store } from './storage/store.js';

/** Limits Twilio applies by default and raises on request; a Shortroute operator sets them. */
export interface Limits {
  /** Phone numbers and short codes one service may hold (error 21714 beyond). */
  maxSenders: number;
}

/** Twilio's defaults (https://www.twilio.com/docs/api/errors/21714). */
export const DEFAULT_LIMITS: Limits = { maxSenders: 400 };

/** What every domain function receives: where data lives, what time it is, and the limits. */
export interface Deps {
  store: Store;
  clock: Clock;
  limits: Limits;
  /** Told when a write leaves the simulated network work to do now (it also finds it by polling). */
  network?: { wake(): void; settle(): Promise<void>; readonly callbackAttempts: number };
}
