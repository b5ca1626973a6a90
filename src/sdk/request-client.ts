/**
 * Points the official `twilio` SDK at a Shortroute server, unchanged:
 *
 *   import twilio from 'twilio';
 *   import { ShortrouteRequestClient } from 'shortroute/twilio';
 *   const client = twilio(accountSid, authToken, { httpClient: new ShortrouteRequestClient('http://127.0.0.1:4747') });
 *
 * The SDK hard-codes `https://api.twilio.com` and `https://messaging.twilio.com` and follows the
 * absolute page URLs a server returns; this client rewrites any `twilio.com` host to the given
 * base URL (path and query kept) just before each request leaves.
 */
import twilio from 'twilio';

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

export class ShortrouteRequestClient extends twilio.RequestClient {
  readonly baseUrl: URL;

  constructor(baseUrl: string, options?: ConstructorParameters<typeof twilio.RequestClient>[0]) {
    super(options);
    this.baseUrl = new URL(baseUrl);
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    return super.request({ ...opts, uri: redirect(opts.uri, this.baseUrl) } as typeof opts);
  }
}

/** `https://messaging.twilio.com/v1/…?x` → `<base>/v1/…?x`; other hosts are left alone. */
export function redirect(uri: string, base: URL): string {
  const url = new URL(uri);
  if (url.hostname !== 'twilio.com' && !url.hostname.endsWith('.twilio.com')) return uri;
  const prefix = base.pathname.replace(/\/$/, '');
  return `${base.origin}${prefix}${url.pathname}${url.search}`;
}
