import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock.js';
import type { Store } from './storage/store.js';
import type { Notify } from './background/notify.js';
import type { WebhookPolicy } from './webhooks/outbox.js';

/** Limits Twilio applies by default and raises on request; a Shortroute operator sets them. */
export interface Limits {
  /** Phone numbers and short codes one service may hold (error 21714 beyond). */
  maxSenders: number;
}

/** Twilio's defaults (https://www.twilio.com/docs/api/errors/21714). */
export const DEFAULT_LIMITS: Limits = { maxSenders: 400 };

/**
 * What every domain function and background job receives, built once and complete at start:
 * where data lives, what time it is, the limits, how to tell the background about new work, where
 * to log, the node's webhook policy (the one every webhook follows) and its name.
 */
export interface Deps {
  store: Store;
  clock: Clock;
  limits: Limits;
  notify: Notify;
  logger: FastifyBaseLogger;
  webhookPolicy: WebhookPolicy;
  /**
   * This node's name, stable across its restarts: the outbox marks the attempts it has in flight
   * with it, so that, restarted, it takes back its own (PostgreSQL; SQLite has one node).
   */
  nodeId: string;
}
