import type { PhoneNumberRow } from '../../storage/store.js';
import { SETTINGS } from '../../storage/codecs.js';
import { toRfc2822 } from '../../http/dates.js';
import { phoneNumberPath } from './phone-numbers.js';

/** A phone number as the 2010-04-01 API shows it: capabilities as an object of booleans. */
export function phoneNumberJson(row: PhoneNumberRow) {
  const settings = SETTINGS.decode(row.settings);
  return {
    ...settings,
    account_sid: row.account_sid,
    address_requirements: 'none',
    api_version: row.api_version,
    beta: false,
    capabilities: { voice: row.voice === 1, sms: row.sms === 1, mms: row.mms === 1, fax: row.fax === 1 },
    date_created: toRfc2822(row.date_created),
    date_updated: toRfc2822(row.date_updated),
    friendly_name: row.friendly_name,
    phone_number: row.phone_number,
    origin: 'twilio',
    sid: row.sid,
    sms_fallback_method: row.sms_fallback_method,
    sms_fallback_url: row.sms_fallback_url,
    sms_method: row.sms_method,
    sms_url: row.sms_url,
    status_callback: row.status_callback,
    status_callback_method: row.status_callback_method,
    uri: phoneNumberPath(row.account_sid, row.sid),
    emergency_address_status: 'unregistered',
    status: 'in-use',
    type: row.number_type,
  };
}
