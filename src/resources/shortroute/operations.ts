import type { OperationSpec } from '../../http/operation.js';
import { SHORTROUTE_PREFIX } from './prefix.js';
import { MESSAGE_STATUS, RULE_STATUS } from '../../storage/states.js';

const ACCOUNT = `${SHORTROUTE_PREFIX}/Accounts/{AccountSid}`;
const text = <N extends string, P extends 'body' | 'query'>(name: N, place: P) => ({ name, in: place, required: false, type: 'string' }) as const;
/** A parameter with a closed set of values: the route builder answers anything else with 400 (20001). */
const oneOf = <N extends string, P extends 'body' | 'query', E extends string>(name: N, place: P, values: readonly E[]) =>
  ({ name, in: place, required: false, type: 'string', enum: values }) as const;
/** Twilio's paging parameters, as every list of the spec declares them. */
const paging = [
  { name: 'PageSize', in: 'query', required: false, type: 'integer', minimum: 1, maximum: 1000 },
  { name: 'Page', in: 'query', required: false, type: 'integer', minimum: 0 },
  text('PageToken', 'query'),
] as const;

const integer = <N extends string>(name: N) => ({ name, in: 'body', required: false, type: 'integer' }) as const;
/** A connector's settings, the same on create and update. */
const connectorSettings = [
  text('FriendlyName', 'body'),
  text('Host', 'body'),
  integer('Port'),
  text('SystemId', 'body'),
  text('Password', 'body'),
  text('SystemType', 'body'),
  { name: 'Tls', in: 'body', required: false, type: 'boolean' },
  integer('Throughput'),
  integer('WindowSize'),
  integer('EnquireLinkInterval'),
] as const;

/**
 * Shortroute's own endpoints, declared in the terms of Twilio's spec so that they go through the
 * same route builder: credentials, the account a path names, and parameters read one way (a
 * repeated field takes its last value; unknown ones are ignored). Their rules are the handlers'.
 */
export const shortrouteOperations = {
  handsetMessages: {
    method: 'GET',
    path: `${ACCOUNT}/Handsets/{Number}/Messages`,
    operationId: 'ListHandsetMessages',
    params: paging,
    status: 200,
    response: null,
  },
  handsetSend: {
    method: 'POST',
    path: `${ACCOUNT}/Handsets/{Number}/Messages`,
    operationId: 'CreateHandsetMessage',
    params: [text('To', 'body'), text('Body', 'body'), { name: 'MediaUrl', in: 'body', required: false, type: 'array', items: text('MediaUrl', 'body') }],
    status: 201,
    response: null,
  },
  messages: {
    method: 'GET',
    path: `${ACCOUNT}/Messages`,
    operationId: 'ListMessages',
    params: [
      text('To', 'query'),
      text('From', 'query'),
      oneOf('Status', 'query', Object.values(MESSAGE_STATUS)),
      // `outbound` stands for all of Twilio's outbound directions.
      oneOf('Direction', 'query', ['inbound', 'outbound', 'outbound-api', 'outbound-reply'] as const),
      text('MessagingServiceSid', 'query'),
      ...paging,
    ],
    status: 200,
    response: null,
  },
  message: { method: 'GET', path: `${ACCOUNT}/Messages/{Sid}`, operationId: 'FetchMessageRouting', params: [], status: 200, response: null },
  webhooks: {
    method: 'GET',
    path: `${ACCOUNT}/Webhooks`,
    operationId: 'ListWebhooks',
    params: [text('MessageSid', 'query'), text('Kind', 'query'), ...paging],
    status: 200,
    response: null,
  },
  createDeliveryRule: {
    method: 'POST',
    path: `${ACCOUNT}/DeliveryRules`,
    operationId: 'CreateDeliveryRule',
    params: [text('To', 'body'), text('ErrorCode', 'body'), oneOf('Status', 'body', Object.values(RULE_STATUS))],
    status: 201,
    response: null,
  },
  listDeliveryRules: { method: 'GET', path: `${ACCOUNT}/DeliveryRules`, operationId: 'ListDeliveryRules', params: [], status: 200, response: null },
  deleteDeliveryRule: { method: 'DELETE', path: `${ACCOUNT}/DeliveryRules/{To}`, operationId: 'DeleteDeliveryRule', params: [], status: 204, response: null },
  createConnector: { method: 'POST', path: `${ACCOUNT}/Connectors`, operationId: 'CreateConnector', params: connectorSettings, status: 201, response: null },
  listConnectors: { method: 'GET', path: `${ACCOUNT}/Connectors`, operationId: 'ListConnectors', params: paging, status: 200, response: null },
  fetchConnector: { method: 'GET', path: `${ACCOUNT}/Connectors/{Sid}`, operationId: 'FetchConnector', params: [], status: 200, response: null },
  updateConnector: {
    method: 'POST',
    path: `${ACCOUNT}/Connectors/{Sid}`,
    operationId: 'UpdateConnector',
    params: connectorSettings,
    status: 200,
    response: null,
  },
  deleteConnector: { method: 'DELETE', path: `${ACCOUNT}/Connectors/{Sid}`, operationId: 'DeleteConnector', params: [], status: 204, response: null },
  assignSender: {
    method: 'POST',
    path: `${ACCOUNT}/Connectors/{ConnectorSid}/Senders`,
    operationId: 'CreateConnectorSender',
    params: [text('SenderSid', 'body')],
    status: 201,
    response: null,
  },
  listSenders: {
    method: 'GET',
    path: `${ACCOUNT}/Connectors/{ConnectorSid}/Senders`,
    operationId: 'ListConnectorSenders',
    params: paging,
    status: 200,
    response: null,
  },
  unassignSender: {
    method: 'DELETE',
    path: `${ACCOUNT}/Connectors/{ConnectorSid}/Senders/{SenderSid}`,
    operationId: 'DeleteConnectorSender',
    params: [],
    status: 204,
    response: null,
  },
  events: {
    method: 'GET',
    path: `${ACCOUNT}/Events`,
    operationId: 'StreamEvents',
    params: [text('LastEventId', 'query')],
    status: 200,
    response: null,
  },
  optOuts: { method: 'GET', path: `${ACCOUNT}/OptOuts`, operationId: 'ListOptOuts', params: [], status: 200, response: null },
  reset: { method: 'POST', path: `${ACCOUNT}/Reset`, operationId: 'ResetAccount', params: [], status: 204, response: null },
  fetchClock: { method: 'GET', path: `${SHORTROUTE_PREFIX}/Clock`, operationId: 'FetchClock', params: [], status: 200, response: null },
  moveClock: {
    method: 'POST',
    path: `${SHORTROUTE_PREFIX}/Clock`,
    operationId: 'UpdateClock',
    params: [text('Advance', 'body'), text('Set', 'body')],
    status: 200,
    response: null,
  },
} as const satisfies Record<string, OperationSpec>;
