import type { MessageRow } from '../../storage/store.js';
import { toRfc2822 } from '../../http/dates.js';
import { mediaOf, messagePath, type MediaItem } from './messages.js';

const mediaListPath = (row: MessageRow) => `/2010-04-01/Accounts/${row.account_sid}/Messages/${row.sid}/Media.json`;
export const mediaPath = (accountSid: string, messageSid: string, sid: string) => `/2010-04-01/Accounts/${accountSid}/Messages/${messageSid}/Media/${sid}.json`;

/**
 * A message as the 2010-04-01 API shows it, with the spec's quirks: `num_segments` and `num_media`
 * are strings, `error_code` an integer, dates RFC 2822. `from` is null until Copilot has chosen.
 */
export function messageJson(row: MessageRow) {
  const media = mediaOf(row);
  return {
    body: row.body,
    num_segments: String(row.num_segments),
    direction: row.direction,
    from: row.from_address,
    to: row.to_address,
    date_updated: toRfc2822(row.date_updated),
    price: null,
    error_message: row.error_message,
    uri: messagePath(row.account_sid, row.sid),
    account_sid: row.account_sid,
    num_media: String(media.length),
    status: row.status,
    messaging_service_sid: row.messaging_service_sid,
    sid: row.sid,
    date_sent: row.date_sent ? toRfc2822(row.date_sent) : null,
    date_created: toRfc2822(row.date_created),
    error_code: row.error_code,
    price_unit: 'USD',
    api_version: '2010-04-01',
    subresource_uris: { media: mediaListPath(row) },
  };
}

/** One media item of a message. */
export function mediaJson(row: MessageRow, item: MediaItem) {
  return {
    account_sid: row.account_sid,
    content_type: item.content_type,
    date_created: toRfc2822(row.date_created),
    date_updated: toRfc2822(row.date_created),
    parent_sid: row.sid,
    sid: item.sid,
    uri: mediaPath(row.account_sid, row.sid, item.sid),
  };
}
