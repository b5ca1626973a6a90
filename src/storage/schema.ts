import type { Generated } from 'kysely';

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
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface AccountTable {
  sid: string;
  auth_token: string;
  friendly_name: string;
  status: string;
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
  sender_type: string;
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
