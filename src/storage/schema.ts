import type { Generated } from 'kysely';
import type { AccountStatus, MessageDirection, MessageStatus, RuleStatus, SenderType, Step, WebhookKind, WebhookStatus } from './states.js';

/**
 * The tables, as Kysely sees them. Booleans are stored as 0/1 integers and timestamps as ISO 8601
 * text with milliseconds, so both backends hold the same values and sort them the same way.
 */
export interface Database {
  shortroute_meta: MetaTable;
  accounts: AccountTable;
  api_keys: ApiKeyTable;
  services: ServiceTable;
  short_codes: ShortCodeTable;
  service_senders: ServiceSenderTable;
  phone_numbers: PhoneNumberTable;
  messages: MessageTable;
  message_events: MessageEventTable;
  sender_queues: SenderQueueTable;
  sticky_senders: StickySenderTable;
  opt_outs: OptOutTable;
  delivery_rules: DeliveryRuleTable;
  webhooks: WebhookTable;
  webhook_attempts: WebhookAttemptTable;
  connectors: ConnectorTable;
  connector_senders: ConnectorSenderTable;
  smpp_parts: SmppPartTable;
  smpp_inbound_parts: SmppInboundPartTable;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface AccountTable {
  sid: string;
  auth_token: string;
  friendly_name: string;
  status: AccountStatus;
  owner_account_sid: string | null;
  date_created: string;
  date_updated: string;
}

/** An API key (SK…) of an account. The secret itself is never stored, only its SHA-256. */
export interface ApiKeyTable {
  sid: string;
  account_sid: string;
  friendly_name: string | null;
  /** Hex SHA-256 of the secret. */
  secret_hash: string;
  date_created: string;
  date_updated: string;
}

export interface ServiceTable {
  sid: string;
  account_sid: string;
  friendly_name: string;
  inbound_request_url: string | null;
  inbound_method: string;
  fallback_url: string | null;
  fallback_method: string;
  status_callback: string | null;
  sticky_sender: number;
  mms_converter: number;
  smart_encoding: number;
  scan_message_content: string;
  fallback_to_long_code: number;
  area_code_geomatch: number;
  validity_period: number;
  synchronous_validation: number;
  usecase: string;
  us_app_to_person_registered: number;
  use_inbound_webhook_on_number: number;
  /** Phone numbers and short codes in the pool (see POOL_COUNTED); kept by the Store. */
  pool_size: Generated<number>;
  date_created: string;
  date_updated: string;
}

export interface ShortCodeTable {
  sid: string;
  account_sid: string;
  short_code: string;
  country_code: string;
  friendly_name: string;
  api_version: string;
  sms_url: string | null;
  sms_method: string;
  sms_fallback_url: string | null;
  sms_fallback_method: string;
  /** Comma-separated, in Twilio's spelling: `SMS` or `SMS,MMS`. */
  capabilities: string;
  date_created: string;
  date_updated: string;
}

/** Pool membership: a sender (short code, phone number, alpha sender) in at most one service. */
export interface ServiceSenderTable {
  sender_sid: string;
  service_sid: string;
  account_sid: string;
  sender_type: SenderType;
  /** The sender's fixed identity, copied when it joins: short code digits, E.164 number or alpha text. */
  address: string;
  country_code: string;
  /** Comma-separated, in Twilio's spelling (`SMS,MMS`). */
  capabilities: string;
  date_created: string;
  date_updated: string;
}

export interface PhoneNumberTable {
  sid: string;
  account_sid: string;
  /** E.164. */
  phone_number: string;
  country_code: string;
  /** `local`, `mobile` or `tollfree`. */
  number_type: string;
  friendly_name: string;
  api_version: string;
  voice: number;
  sms: number;
  mms: number;
  fax: number;
  sms_url: string | null;
  sms_method: string;
  sms_fallback_url: string | null;
  sms_fallback_method: string;
  status_callback: string | null;
  status_callback_method: string;
  /** JSON: the voice, emergency and regulatory fields, stored and shown as given. */
  settings: string;
  date_created: string;
  date_updated: string;
}

/** A message, sent or received, with where the simulated network stands with it. */
export interface MessageTable {
  sid: string;
  account_sid: string;
  messaging_service_sid: string | null;
  /** outbound-api, outbound-reply or inbound. */
  direction: MessageDirection;
  from_address: string | null;
  to_address: string;
  body: string;
  /** JSON: [{sid, url, content_type}]. */
  media: string;
  num_segments: number;
  /** GSM-7 or UCS-2, once known. */
  encoding: string | null;
  status: MessageStatus;
  error_code: number | null;
  error_message: string | null;
  status_callback: string | null;
  status_callback_method: string;
  validity_period: number;
  sender_sid: string | null;
  selection_rule: string | null;
  rerouted: number;
  /** How long the chosen sender takes to send it: its segments at the sender's rate. */
  transmit_ms: number | null;
  /** The network's next step for this message (STEP in states.ts) and when; null when done. */
  next_step: Step | null;
  next_at: string | null;
  /** The SMPP connector the message was handed to (step `connector`); null until then, or once it goes back to the simulated network. */
  connector_sid: string | null;
  send_at: string | null;
  date_sent: string | null;
  date_created: string;
  date_updated: string;
}

export interface MessageEventTable {
  message_sid: string;
  seq: number;
  status: MessageStatus;
  error_code: number | null;
  detail: string | null;
  date: string;
}

/** A sender's queue, as the time it has sent everything queued on it so far. */
export interface SenderQueueTable {
  /** The sender's SID. */
  sender: string;
  free_at: string;
}

export interface StickySenderTable {
  service_sid: string;
  to_address: string;
  sender_sid: string;
  date_updated: string;
}

export interface OptOutTable {
  account_sid: string;
  /** A service SID, or the address of a sender outside any service. */
  scope: string;
  address: string;
  date_created: string;
}

/** Shortroute's control: messages to this recipient end with this status and error code. */
export interface DeliveryRuleTable {
  account_sid: string;
  to_address: string;
  status: RuleStatus;
  error_code: number;
  date_created: string;
}

/** One webhook to deliver (the outbox): a status callback or an inbound message request. */
export interface WebhookTable {
  sid: string;
  account_sid: string;
  message_sid: string;
  kind: WebhookKind;
  url: string;
  method: string;
  /** JSON: [[name, value], ...] in the order sent. */
  params: string;
  idempotency_token: string;
  status: WebhookStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string | null;
  fallback: string | null;
  error_code: number | null;
  date_created: string;
  date_updated: string;
  /** host:port of the URL: delivery slots are shared fairly across receiving hosts. */
  host: Generated<string>;
  /** The node whose attempt is in flight (its lease in next_attempt_at); null when none is. */
  claimed_by: string | null;
}

export interface WebhookAttemptTable {
  webhook_sid: string;
  attempt: number;
  date: string;
  request: string;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  error: string | null;
  duration_ms: number;
}

/** An SMSC account that senders of the account deliver through, over SMPP 3.4. */
export interface ConnectorTable {
  sid: string;
  account_sid: string;
  friendly_name: string;
  host: string;
  port: number;
  system_id: string;
  password: string;
  system_type: string;
  tls: number;
  throughput: number;
  window_size: number;
  enquire_link_interval: number;
  status: ConnectorStatus;
  last_error: string | null;
  /** The node holding the bind, and until when its lease runs. */
  holder: string | null;
  lease_until: string | null;
  date_created: string;
  date_updated: string;
}

export type ConnectorStatus = 'binding' | 'bound' | 'unbound' | 'error';

/** A sender (short code, phone number or alpha sender) that goes out through a connector. */
export interface ConnectorSenderTable {
  sender_sid: string;
  connector_sid: string;
  account_sid: string;
  date_created: string;
}

/** One submitted part of a message: the SMSC's message id, and its receipt's state once known. */
export interface SmppPartTable {
  connector_sid: string;
  smsc_message_id: string;
  message_sid: string;
  part: number;
  state: string | null;
  error: string | null;
}

/** One part of a handset's concatenated text, kept until the last part arrives. */
export interface SmppInboundPartTable {
  connector_sid: string;
  source: string;
  destination: string;
  reference: number;
  total: number;
  part: number;
  text: string;
  date: string;
}
