import type { Deps } from '../../deps.js';
import { WORK } from '../../background/notify.js';
import { toStored } from '../../http/dates.js';
import { invalidParameter, missingParameter, notFound, TwilioError } from '../../http/errors.js';
import type { ParamsOf } from '../../http/operation.js';
import { checkFriendlyName } from '../../http/params.js';
import { newOrderedSid, SID_PREFIX } from '../../sids.js';
import type { ConnectorTable } from '../../storage/schema.js';
import { type ConnectorRow, type ConnectorSenderRow, type Page, type PageQuery, UniqueViolation } from '../../storage/store.js';
import { SHORTROUTE_PREFIX } from '../shortroute/prefix.js';
import type { shortrouteOperations as op } from '../shortroute/operations.js';

export const connectorListPath = (accountSid: string) => `${SHORTROUTE_PREFIX}/Accounts/${accountSid}/Connectors`;
export const connectorPath = (accountSid: string, sid: string) => `${connectorListPath(accountSid)}/${sid}`;
export const senderListPath = (accountSid: string, connectorSid: string) => `${connectorPath(accountSid, connectorSid)}/Senders`;

type Settings = ParamsOf<typeof op.createConnector>;
type SettingColumns = Pick<
  ConnectorTable,
  'friendly_name' | 'host' | 'port' | 'system_id' | 'password' | 'system_type' | 'tls' | 'throughput' | 'window_size' | 'enquire_link_interval'
>;

/** SMPP 3.4's field sizes (§5.2.1–5.2.3, C-Octet Strings with their NUL): what an SMSC accepts. */
const MAX_SYSTEM_ID = 15;
const MAX_PASSWORD = 8;
const MAX_SYSTEM_TYPE = 12;

/** Defaults where the request is silent: SMPP's registered port, a window of 10, enquire_link every 30 s. */
const DEFAULTS = { port: 2775, tls: 0, system_type: '', throughput: 100, window_size: 10, enquire_link_interval: 30 } as const;

function within(name: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value !== undefined && (value < min || value > max)) throw invalidParameter(name, `must be between ${min} and ${max}`);
  return value;
}

function text(name: string, value: string | undefined, max: number, required: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (required && value.trim() === '') throw missingParameter(name);
  if (value.length > max) throw invalidParameter(name, `must be at most ${max} characters`);
  return value;
}

/** The settings a request gives, checked; those it leaves out are absent. */
function readSettings(params: Settings): Partial<SettingColumns> {
  checkFriendlyName(params.FriendlyName);
  const columns: Partial<SettingColumns> = {
    friendly_name: params.FriendlyName,
    host: text('Host', params.Host, 253, true),
    port: within('Port', params.Port, 1, 65_535),
    system_id: text('SystemId', params.SystemId, MAX_SYSTEM_ID, true),
    password: text('Password', params.Password, MAX_PASSWORD, false),
    system_type: text('SystemType', params.SystemType, MAX_SYSTEM_TYPE, false),
    tls: params.Tls === undefined ? undefined : params.Tls ? 1 : 0,
    throughput: within('Throughput', params.Throughput, 1, 10_000),
    window_size: within('WindowSize', params.WindowSize, 1, 1_000),
    enquire_link_interval: within('EnquireLinkInterval', params.EnquireLinkInterval, 5, 3_600),
  };
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined));
}

export async function createConnector({ store, clock, notify }: Deps, accountSid: string, params: Settings): Promise<ConnectorRow> {
  const settings = readSettings(params);
  for (const [name, column] of [
    ['Host', 'host'],
    ['SystemId', 'system_id'],
    ['Password', 'password'],
  ] as const) {
    if (settings[column] === undefined) throw missingParameter(name);
  }
  const now = toStored(clock.now());
  const row: ConnectorRow = {
    sid: newOrderedSid(SID_PREFIX.connector),
    account_sid: accountSid,
    ...DEFAULTS,
    friendly_name: settings.friendly_name || `${settings.system_id}@${settings.host}`,
    host: settings.host!,
    system_id: settings.system_id!,
    password: settings.password!,
    ...settings,
    status: 'unbound',
    last_error: null,
    holder: null,
    lease_until: null,
    date_created: now,
    date_updated: now,
  } as ConnectorRow;
  await store.connectors.insert(row);
  notify(WORK.connectorSettings);
  return row;
}

export async function fetchConnector({ store }: Deps, accountSid: string, sid: string): Promise<ConnectorRow> {
  const row = await store.connectors.fetch(accountSid, sid);
  if (!row) throw notFound(connectorPath(accountSid, sid));
  return row;
}

export function listConnectors({ store }: Deps, accountSid: string, page: PageQuery): Promise<Page<ConnectorRow>> {
  return store.connectors.list(accountSid, page);
}

/** Changes the settings given; the node holding the bind binds again with them. */
export async function updateConnector({ store, clock, notify }: Deps, accountSid: string, sid: string, params: Settings): Promise<ConnectorRow> {
  const settings = readSettings(params);
  if (settings.password === '') throw missingParameter('Password');
  if (settings.friendly_name === '') delete settings.friendly_name;
  const row = await store.connectors.update(accountSid, sid, { ...settings, date_updated: toStored(clock.now()) });
  if (!row) throw notFound(connectorPath(accountSid, sid));
  notify(WORK.connectorSettings);
  return row;
}

/** Unbinds it; its senders, and their messages waiting for it, go back to the simulated network. */
export async function deleteConnector({ store, notify }: Deps, accountSid: string, sid: string): Promise<void> {
  if (!(await store.transaction((tx) => tx.connectors.delete(accountSid, sid)))) throw notFound(connectorPath(accountSid, sid));
  notify(WORK.connectorSettings);
  notify(WORK.messages);
}

export interface AssignedSender extends ConnectorSenderRow {
  address: string | undefined;
}

/** Sends a short code, phone number or alpha sender of the account through the connector. */
export async function assignSender(deps: Deps, accountSid: string, connectorSid: string, senderSid: string | undefined): Promise<AssignedSender> {
  const { store, clock, notify } = deps;
  if (senderSid === undefined || senderSid === '') throw missingParameter('SenderSid');
  if (!/^(SC|PN|AI)[0-9a-fA-F]{32}$/.test(senderSid))
    throw invalidParameter('SenderSid', `'${senderSid}' is not a short code (SC…), phone number (PN…) or alpha sender (AI…) SID`);
  const assigned = await store.transaction(async (tx) => {
    // The connector held first (PostgreSQL): a delete under way finishes before this looks.
    await tx.connectors.lock(connectorSid);
    if (!(await tx.connectors.fetch(accountSid, connectorSid))) throw notFound(connectorPath(accountSid, connectorSid));
    const address = await tx.connectors.senderAddress(accountSid, senderSid);
    if (address === undefined) throw new TwilioError(404, 20404, `The requested resource ${senderSid} was not found on account ${accountSid}`);
    const existing = await tx.connectors.sender(senderSid);
    if (existing) {
      throw existing.connector_sid === connectorSid
        ? new TwilioError(409, 20001, `${senderSid} already goes out through this connector`)
        : new TwilioError(400, 20001, `${senderSid} goes out through connector ${existing.connector_sid}; remove it there first`);
    }
    const row = { sender_sid: senderSid, connector_sid: connectorSid, account_sid: accountSid, date_created: toStored(clock.now()) };
    try {
      await tx.connectors.assign(row);
    } catch (error) {
      // Assigned meanwhile by another request, on this connector or another.
      if (error instanceof UniqueViolation) throw new TwilioError(409, 20001, `${senderSid} was just assigned to a connector; look again`);
      throw error;
    }
    return { ...row, address };
  });
  notify(WORK.connectorSettings);
  return assigned;
}

export async function listSenders({ store }: Deps, accountSid: string, connectorSid: string, page: PageQuery): Promise<Page<AssignedSender>> {
  if (!(await store.connectors.fetch(accountSid, connectorSid))) throw notFound(connectorPath(accountSid, connectorSid));
  const result = await store.connectors.senders(connectorSid, page);
  const items = await Promise.all(result.items.map(async (row) => ({ ...row, address: await store.connectors.senderAddress(accountSid, row.sender_sid) })));
  return { ...result, items };
}

/** The sender, and its messages waiting for the connector, go back to the simulated network. */
export async function unassignSender({ store, notify }: Deps, accountSid: string, connectorSid: string, senderSid: string): Promise<void> {
  await store.transaction(async (tx) => {
    if (!(await tx.connectors.fetch(accountSid, connectorSid)) || !(await tx.connectors.unassign(connectorSid, senderSid))) {
      throw notFound(`${senderListPath(accountSid, connectorSid)}/${senderSid}`);
    }
  });
  notify(WORK.connectorSettings);
  notify(WORK.messages);
}
