import type { ServiceRow } from '../../storage/store.js';
import { toIso } from '../../http/dates.js';

/** The links a Service carries in Twilio's responses, in the spec's key order. */
const LINKS = {
  phone_numbers: 'PhoneNumbers',
  short_codes: 'ShortCodes',
  alpha_senders: 'AlphaSenders',
  messages: 'Messages',
  us_app_to_person: 'Compliance/Usa2p',
  us_app_to_person_usecases: 'Compliance/Usa2p/Usecases',
  channel_senders: 'ChannelSenders',
  destination_alpha_senders: 'DestinationAlphaSenders',
} as const;

export function serviceJson(row: ServiceRow, baseUrl: string) {
  const url = `${baseUrl}/v1/Services/${row.sid}`;
  const links: Record<string, string> = {};
  for (const [key, segment] of Object.entries(LINKS)) links[key] = `${url}/${segment}`;
  return {
    account_sid: row.account_sid,
    sid: row.sid,
    date_created: toIso(row.date_created),
    date_updated: toIso(row.date_updated),
    friendly_name: row.friendly_name,
    inbound_request_url: row.inbound_request_url,
    inbound_method: row.inbound_method,
    fallback_url: row.fallback_url,
    fallback_method: row.fallback_method,
    status_callback: row.status_callback,
    sticky_sender: row.sticky_sender === 1,
    smart_encoding: row.smart_encoding === 1,
    mms_converter: row.mms_converter === 1,
    fallback_to_long_code: row.fallback_to_long_code === 1,
    scan_message_content: row.scan_message_content,
    area_code_geomatch: row.area_code_geomatch === 1,
    validity_period: row.validity_period,
    synchronous_validation: row.synchronous_validation === 1,
    usecase: row.usecase,
    us_app_to_person_registered: row.us_app_to_person_registered === 1,
    use_inbound_webhook_on_number: row.use_inbound_webhook_on_number === 1,
    links,
    url,
  };
}
