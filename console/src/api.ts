import type { TwilioErrorBody } from './shapes.js';

/** An answer that was not 2xx, with Twilio's error body when there is one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: TwilioErrorBody | undefined,
  ) {
    super(body ? `${body.message} (${body.code})` : `HTTP ${status}`);
  }
}

/**
 * A request to this server with the console's session cookie. Changes carry X-Shortroute-Console,
 * which the server asks of cookie-signed changes (a form on another site cannot set it).
 */
export async function api<T>(path: string, options: { method?: string; form?: Record<string, string | string[]>; account?: string } = {}): Promise<T> {
  const method = options.method ?? (options.form ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json' };
  // For /v1 paths, which name no account: the switcher's account (the server checks the session owns it).
  if (options.account) headers['x-shortroute-account'] = options.account;
  let body: string | undefined;
  if (method !== 'GET') headers['x-shortroute-console'] = '1';
  if (options.form) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(options.form)) for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const response = await fetch(absolute(path), { method, headers, body, credentials: 'same-origin' });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) throw new ApiError(response.status, json as TwilioErrorBody | undefined);
  return json as T;
}

/**
 * A path of this server as an absolute URL. Opened as `http://AC…:token@host/`, the page's own URL
 * holds credentials, and a browser refuses to resolve a relative request against it.
 */
export function absolute(path: string): string {
  return new URL(path, window.location.origin).href;
}

export const accountPath = (sid: string) => `/2010-04-01/Accounts/${sid}`;
export const shortroutePath = (sid: string) => `/_shortroute/Accounts/${sid}`;

/** Every item of a v1-style list (meta.next_page_url), page after page. */
export async function allPages<T>(path: string, key: string, account?: string): Promise<T[]> {
  const items: T[] = [];
  for (let next: string | null = path; next; ) {
    const page: Record<string, unknown> & { meta: { next_page_url: string | null } } = await api(next, { account });
    items.push(...(page[key] as T[]));
    next = page.meta.next_page_url;
  }
  return items;
}
