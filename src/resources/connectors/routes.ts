import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v1Page } from '../../http/paging.js';
import type { ConnectorRow } from '../../storage/store.js';
import { shortrouteOperations as op } from '../shortroute/operations.js';
import {
  type AssignedSender,
  assignSender,
  connectorListPath,
  createConnector,
  deleteConnector,
  fetchConnector,
  listConnectors,
  listSenders,
  senderListPath,
  unassignSender,
  updateConnector,
} from './connectors.js';
import { connectorJson, connectorSenderJson, type LiveFigures } from './serialize.js';

/**
 * /_shortroute/Accounts/{AccountSid}/Connectors: the account's SMPP connectors (an SMSC account
 * each), and the senders that go out through each. `live` gives what this node's bind knows now.
 */
export function connectorRoutes(routes: TwilioRoutes, live: (sid: string) => LiveFigures | undefined): void {
  const { deps } = routes;
  const json = (baseUrl: string) => (row: ConnectorRow) => connectorJson(baseUrl, row, live(row.sid));

  twilioRoute(routes, op.createConnector, async ({ account, params, baseUrl }) => json(baseUrl)(await createConnector(deps, account.sid, params)));

  twilioRoute(
    routes,
    op.listConnectors,
    async ({ account, params, baseUrl }) => {
      const request = readPaging(params);
      const result = await listConnectors(deps, account.sid, request.query);
      const keyOf = (row: ConnectorRow) => ({ date: row.date_created, sid: row.sid });
      return v1Page({ baseUrl, path: connectorListPath(account.sid), key: 'connectors', request, result, keyOf, serialize: json(baseUrl) });
    },
    { errors: pagingErrors },
  );

  twilioRoute(routes, op.fetchConnector, async ({ account, path, baseUrl }) => json(baseUrl)(await fetchConnector(deps, account.sid, path.Sid)));

  twilioRoute(routes, op.updateConnector, async ({ account, path, params, baseUrl }) =>
    json(baseUrl)(await updateConnector(deps, account.sid, path.Sid, params)),
  );

  twilioRoute(routes, op.deleteConnector, async ({ account, path }) => deleteConnector(deps, account.sid, path.Sid));

  twilioRoute(routes, op.assignSender, async ({ account, path, params, baseUrl }) =>
    connectorSenderJson(baseUrl, await assignSender(deps, account.sid, path.ConnectorSid, params.SenderSid)),
  );

  twilioRoute(
    routes,
    op.listSenders,
    async ({ account, path, params, baseUrl }) => {
      const request = readPaging(params);
      const result = await listSenders(deps, account.sid, path.ConnectorSid, request.query);
      const keyOf = (row: AssignedSender) => ({ date: row.date_created, sid: row.sender_sid });
      const serialize = (row: AssignedSender) => connectorSenderJson(baseUrl, row);
      return v1Page({ baseUrl, path: senderListPath(account.sid, path.ConnectorSid), key: 'senders', request, result, keyOf, serialize });
    },
    { errors: pagingErrors },
  );

  twilioRoute(routes, op.unassignSender, async ({ account, path }) => unassignSender(deps, account.sid, path.ConnectorSid, path.SenderSid));
}
