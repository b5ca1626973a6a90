/**
 * `X-Twilio-Signature` and the shape of the webhook requests Shortroute sends (inbound messages,
 * status callbacks), as Twilio documents them (https://www.twilio.com/docs/usage/webhooks/webhooks-security,
 * https://www.twilio.com/docs/messaging/guides/webhook-request and the twilio-node `validateRequest`):
 * HMAC-SHA1, keyed with the account's auth token, over the URL followed by every POST parameter
 * as `name + value`, sorted by name; base64. For GET the parameters go into the query instead
 * and only the URL is signed. A receiver validates with the official helper libraries.
 */
import { createHmac } from 'node:crypto';

export type { WebhookParams };
import type { WebhookParams } from '../storage/codecs.js';

/**
 * The URL Twilio signs: the WHATWG serialisation without `user:pass@` or `#fragment`, keeping an
 * explicit non-default port and the query as is. (Twilio drops the credentials of SMS webhooks
 * and keeps the port; fragments carry Connection Overrides and are never signed.)
 */
export function signingUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  u.hash = '';
  return u.href;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The signature of a request: `url` exactly as given, then each parameter as `name + value`,
 * ordered by name in UTF-16 code-unit order, a repeated name's values also sorted.
 */
export function twilioSignature(authToken: string, url: string, params: WebhookParams): string {
  const sorted = [...params].sort(([an, av], [bn, bv]) => byCodeUnit(an, bn) || byCodeUnit(av, bv));
  const data = url + sorted.map(([name, value]) => name + value).join('');
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export interface WebhookRequest {
  /** Where to send it: the signing URL, plus the parameters' query for GET. */
  url: string;
  /** The form-encoded parameters, for POST only. */
  body?: string;
  headers: Record<string, string>;
}

/**
 * Builds the request Shortroute sends to a webhook. Credentials in the URL become a Basic
 * `Authorization` header rather than part of the URL (Twilio supports Basic auth this way and
 * does not sign them). The caller adds `I-Twilio-Idempotency-Token`.
 */
export function webhookRequest(options: { url: string; method: 'GET' | 'POST'; params: WebhookParams; authToken: string }): WebhookRequest {
  const { method, params, authToken } = options;
  const url = signingUrl(options.url);
  const form = new URLSearchParams();
  for (const [name, value] of params) form.append(name, value);

  const headers: Record<string, string> = { 'User-Agent': 'TwilioProxy/1.1', Accept: '*/*' };
  const credentials = basicCredentials(options.url);
  if (credentials) headers.Authorization = `Basic ${credentials}`;

  if (method === 'GET') {
    const query = form.toString();
    const separator = !query || url.endsWith('?') || url.endsWith('&') ? '' : url.includes('?') ? '&' : '?';
    const getUrl = url + separator + query;
    return { url: getUrl, headers: { ...headers, 'X-Twilio-Signature': twilioSignature(authToken, getUrl, []) } };
  }
  return {
    url,
    body: form.toString(),
    headers: {
      ...headers,
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      'X-Twilio-Signature': twilioSignature(authToken, url, params),
    },
  };
}

/** `user:pass` of a URL, decoded and base64-encoded, or undefined when it has none. */
function basicCredentials(url: string): string | undefined {
  const { username, password } = new URL(url);
  if (!username && !password) return undefined;
  const pair = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`;
  return Buffer.from(pair, 'utf8').toString('base64');
}
