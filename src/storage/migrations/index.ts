import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './001-initial.js';
import * as poolSize from './002-pool-size.js';
import * as poolSenderDetails from './003-pool-sender-details.js';
import * as accountsKeys from './004-accounts-keys.js';
import * as phoneNumbers from './005-phone-numbers.js';
import * as messaging from './006-messaging.js';
import * as messagesBySender from './007-messages-by-sender.js';
import * as cascades from './008-cascades.js';
import * as webhookClaims from './009-webhook-claims.js';
import * as dueOrder from './010-due-order.js';
import * as eventFeed from './011-event-feed.js';
import * as eventNumbersSqlite from './012-event-numbers-sqlite.js';
import * as smppConnectors from './013-smpp-connectors.js';
import * as activeIndexes from './014-active-indexes.js';
import * as connectorBacklog from './015-connector-backlog.js';

/**
 * Every migration, in order. Listed here rather than read from the folder so that the same list
 * runs from TypeScript sources and from the compiled build. Never edit one that has shipped: add
 * the next number.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-pool-size': poolSize,
  '003-pool-sender-details': poolSenderDetails,
  '004-accounts-keys': accountsKeys,
  '005-phone-numbers': phoneNumbers,
  '006-messaging': messaging,
  '007-messages-by-sender': messagesBySender,
  '008-cascades': cascades,
  '009-webhook-claims': webhookClaims,
  '010-due-order': dueOrder,
  '011-event-feed': eventFeed,
  '012-event-numbers-sqlite': eventNumbersSqlite,
  '013-smpp-connectors': smppConnectors,
  '014-active-indexes': activeIndexes,
  '015-connector-backlog': connectorBacklog,
};

/** The last migration this version knows: a database that recorded it needs no migrating. */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).sort().at(-1)!;

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
