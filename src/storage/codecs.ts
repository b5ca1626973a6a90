/**
 * One codec per column that holds a structured value as text: `encode` on the way in, `decode` on
 * the way out, checked, so a row that is not what the code expects fails loudly where it is read
 * instead of somewhere later with `undefined`.
 */
export interface Codec<T> {
  encode(value: T): string;
  decode(text: string): T;
}

class StoredValueError extends Error {}

function jsonCodec<T>(what: string, check: (value: unknown) => boolean): Codec<T> {
  return {
    encode: (value) => JSON.stringify(value),
    decode: (text) => {
      const value: unknown = JSON.parse(text);
      if (!check(value)) throw new StoredValueError(`a stored ${what} is not in the expected shape: ${text.slice(0, 200)}`);
      return value as T;
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/** A message's media: its MM… SID, URL and content type, in the order given. */
export interface MediaItem {
  sid: string;
  url: string;
  content_type: string;
}

export const MEDIA = jsonCodec<MediaItem[]>(
  'media list',
  (v) => Array.isArray(v) && v.every((m) => isObject(m) && isString(m.sid) && isString(m.url) && isString(m.content_type)),
);

/** A webhook's parameters, name and value, in the order they are sent (and signed). */
export type WebhookParams = ReadonlyArray<readonly [string, string]>;

export const WEBHOOK_PARAMS = jsonCodec<WebhookParams>(
  'webhook parameter list',
  (v) => Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && isString(p[0]) && isString(p[1])),
);

/** Where a webhook goes when its own URL fails (an inbound request's fallback). */
export interface WebhookTarget {
  url: string;
  method: 'GET' | 'POST';
}

export const WEBHOOK_TARGET = jsonCodec<WebhookTarget>('webhook target', (v) => isObject(v) && isString(v.url) && (v.method === 'GET' || v.method === 'POST'));

/** The request of one webhook attempt, as it was sent. */
export interface AttemptRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

export const ATTEMPT_REQUEST = jsonCodec<AttemptRequest>('webhook request', (v) => isObject(v) && isString(v.url) && isObject(v.headers));

export const HEADERS = jsonCodec<Record<string, string>>('header set', (v) => isObject(v) && Object.values(v).every(isString));

/** A phone number's webhook settings (sms_url and the like), by Twilio's property names. */
export const SETTINGS = jsonCodec<Record<string, unknown>>('settings object', isObject);

/** Capabilities as a comma-separated list (`SMS,MMS`); the empty text is none. */
export const CAPABILITY_LIST: Codec<string[]> = {
  encode: (value) => value.join(','),
  decode: (text) => (text === '' ? [] : text.split(',')),
};
