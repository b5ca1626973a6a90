import type { ConnectorRow } from '../../storage/store.js';
import { toIso } from '../../http/dates.js';
import type { AssignedSender } from './connectors.js';
import { connectorPath, senderListPath } from './connectors.js';

/** What the node holding the bind knows now; null on the others. */
export interface LiveFigures {
  windowInUse: number;
  submitsPerSecond: number;
}

/** A connector: its settings (never the password), and its session as the node holding it sees it. */
export function connectorJson(baseUrl: string, row: ConnectorRow, live: LiveFigures | undefined) {
  const url = baseUrl + connectorPath(row.account_sid, row.sid);
  return {
    sid: row.sid,
    account_sid: row.account_sid,
    friendly_name: row.friendly_name,
    host: row.host,
    port: row.port,
    system_id: row.system_id,
    system_type: row.system_type,
    tls: row.tls === 1,
    throughput: row.throughput,
    window_size: row.window_size,
    enquire_link_interval: row.enquire_link_interval,
    status: row.status,
    last_error: row.last_error,
    window_in_use: live?.windowInUse ?? null,
    submits_per_second: live?.submitsPerSecond ?? null,
    bound_by: row.holder,
    date_created: toIso(row.date_created),
    date_updated: toIso(row.date_updated),
    url,
    links: { senders: baseUrl + senderListPath(row.account_sid, row.sid) },
  };
}

const SENDER_TYPES = { SC: 'short_code', PN: 'phone_number', AI: 'alpha_sender' } as const;

export function connectorSenderJson(baseUrl: string, row: AssignedSender) {
  return {
    sender_sid: row.sender_sid,
    sender_type: SENDER_TYPES[row.sender_sid.slice(0, 2) as keyof typeof SENDER_TYPES],
    address: row.address ?? null,
    connector_sid: row.connector_sid,
    account_sid: row.account_sid,
    date_created: toIso(row.date_created),
    url: `${baseUrl}${senderListPath(row.account_sid, row.connector_sid)}/${row.sender_sid}`,
  };
}
