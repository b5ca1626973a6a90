import type { Kysely } from 'kysely';
import type { Backend } from '../backend.js';
import type { Database } from '../schema.js';
import { accountQueries } from './accounts.js';
import { apiKeyQueries } from './api-keys.js';
import { numberQueries } from './numbers.js';
import { senderPoolQueries } from './sender-pools.js';
import { serviceQueries } from './services.js';
import { messageQueries } from './messages.js';
import { optOutQueries } from './opt-outs.js';
import { deliveryRuleQueries } from './delivery-rules.js';
import { webhookQueries } from './webhooks.js';
import { BulkWrites } from '../bulk.js';

export type Queries = ReturnType<typeof buildQueries>;

/**
 * The queries on every request's path and every network step, compiled once per database (see
 * prepared.ts) and run on the database or any of its transactions.
 */
export function buildQueries(db: Kysely<Database>, backend: Backend) {
  return {
    accounts: accountQueries(db, backend),
    keys: apiKeyQueries(db),
    services: serviceQueries(db, backend),
    numbers: numberQueries(db, backend),
    pools: senderPoolQueries(db),
    messages: messageQueries(db, backend),
    optOuts: optOutQueries(db),
    deliveryRules: deliveryRuleQueries(db),
    webhooks: webhookQueries(db),
    bulk: new BulkWrites<Database>(backend),
  };
}
