import { newOrderedSid, newSid, SID_PREFIX } from '../sids.js';
import { MEDIA, type MediaItem } from '../storage/codecs.js';
import type { MessageRow } from '../storage/store.js';
import { countSegments } from './segments.js';

/**
 * What every message shares, whoever makes it (the Messages API, a handset's inbound text, a
 * TwiML reply, a keyword's answer): Twilio's limits, media items, and the new row itself.
 */

export type { MediaItem };

/** Twilio's limits: 1600 characters, 10 media, a validity period of 1 s to 10 h (36000 s). */
export const MAX_BODY = 1600;
export const MAX_MEDIA = 10;
export const MIN_VALIDITY = 1;
export const DEFAULT_VALIDITY = 36_000;
/** Scheduling window: more than 300 s and at most 35 days ahead (Twilio's errors 35114/35115). */
export const SCHEDULE_MIN_MS = 300_000;
export const SCHEDULE_MAX_MS = 35 * 86_400_000;

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  pdf: 'application/pdf',
  vcf: 'text/vcard',
  txt: 'text/plain',
};

/** A media item's type, from its URL's extension: Shortroute does not fetch media. */
export function contentTypeOf(url: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return (extension && CONTENT_TYPES[extension]) || 'application/octet-stream';
}

/** A media item of a message: a new MM… SID, the URL, and its type guessed from the URL. */
export function mediaItem(url: string): MediaItem {
  return { sid: newSid(SID_PREFIX.media), url, content_type: contentTypeOf(url) };
}

/**
 * A new message row: its SID (`MM…` with media), its segments and encoding counted from the body
 * (an MMS is one message), dated `at`, and nothing else set but what `fields` says.
 */
export function newMessage(
  fields: Pick<MessageRow, 'account_sid' | 'direction' | 'to_address' | 'body' | 'status'> & { media: MediaItem[]; at: string } & Partial<
      Omit<MessageRow, 'media'>
    >,
): MessageRow {
  const { media, at, ...rest } = fields;
  const count = countSegments(fields.body);
  return {
    sid: newOrderedSid(media.length > 0 ? SID_PREFIX.mmsMessage : SID_PREFIX.message),
    messaging_service_sid: null,
    from_address: null,
    num_segments: media.length > 0 ? 1 : count.segments,
    encoding: count.encoding,
    error_code: null,
    error_message: null,
    status_callback: null,
    status_callback_method: 'POST',
    validity_period: DEFAULT_VALIDITY,
    sender_sid: null,
    selection_rule: null,
    rerouted: 0,
    transmit_ms: null,
    next_step: null,
    next_at: null,
    connector_sid: null,
    send_at: null,
    date_sent: null,
    date_created: at,
    date_updated: at,
    ...rest,
    media: MEDIA.encode(media),
  };
}
