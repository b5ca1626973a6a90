import type { AccountRow } from '../../storage/store.js';
import { toRfc2822 } from '../../http/dates.js';
import { accountPath } from './accounts.js';

/**
 * The subresources an Account lists, in the order of the spec's examples (CreateAccount,
 * FetchAccount). They are listed whether or not Shortroute serves them, as Twilio lists them.
 */
const SUBRESOURCES = {
  available_phone_numbers: 'AvailablePhoneNumbers',
  calls: 'Calls',
  conferences: 'Conferences',
  incoming_phone_numbers: 'IncomingPhoneNumbers',
  notifications: 'Notifications',
  outgoing_caller_ids: 'OutgoingCallerIds',
  recordings: 'Recordings',
  transcriptions: 'Transcriptions',
  addresses: 'Addresses',
  signing_keys: 'SigningKeys',
  connect_apps: 'ConnectApps',
  sip: 'SIP',
  authorized_connect_apps: 'AuthorizedConnectApps',
  usage: 'Usage',
  keys: 'Keys',
  applications: 'Applications',
  short_codes: 'SMS/ShortCodes',
  queues: 'Queues',
  messages: 'Messages',
  balance: 'Balance',
} as const;

/** An account as the 2010-04-01 API shows it, auth token included (only to whom may act for it). */
export function accountJson(row: AccountRow) {
  const base = `/2010-04-01/Accounts/${row.sid}`;
  const subresources: Record<string, string> = {};
  for (const [key, segment] of Object.entries(SUBRESOURCES)) subresources[key] = `${base}/${segment}.json`;
  return {
    auth_token: row.auth_token,
    date_created: toRfc2822(row.date_created),
    date_updated: toRfc2822(row.date_updated),
    friendly_name: row.friendly_name,
    // "The OwnerAccountSid of a parent account is it's own sid" (spec).
    owner_account_sid: row.owner_account_sid ?? row.sid,
    sid: row.sid,
    status: row.status,
    subresource_uris: subresources,
    // Shortroute has no trial mode: every account is as an upgraded one.
    type: 'Full',
    uri: accountPath(row.sid),
  };
}
