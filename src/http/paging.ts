import type { Page, PageKey, PageQuery } from '../storage/store.js';
import { invalidPageToken, invalidParameter, pageSizeTooLarge } from './errors.js';
import { JsonText } from './json-text.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** The paging parameters of a list request, with its PageToken decoded into a keyset cursor. */
export interface PageRequest {
  page: number;
  pageSize: number;
  query: PageQuery;
}

/** PageSize above the maximum has its own code (20007); every other bad value is a plain 400. */
export const pagingErrors = {
  PageSize: (value: string) =>
    /^\d+$/.test(value) && Number(value) > MAX_PAGE_SIZE
      ? pageSizeTooLarge()
      : invalidParameter('PageSize', `'${value}' must be an integer from 1 to ${MAX_PAGE_SIZE}`),
};

/** Twilio's paging parameters, which every list operation of the spec declares. */
export interface PagingParams {
  PageSize?: number;
  Page?: number;
  PageToken?: string;
}

export function readPaging(params: PagingParams): PageRequest {
  const pageSize = params.PageSize ?? DEFAULT_PAGE_SIZE;
  const page = params.Page ?? 0;
  const token = params.PageToken;
  const query: PageQuery = { size: pageSize };
  if (token !== undefined && token !== '') {
    const key = decodeKey(token.slice(2));
    if (token.startsWith('PA')) query.after = key;
    else if (token.startsWith('PB')) query.before = key;
    else throw invalidPageToken();
  }
  return { page, pageSize, query };
}

/**
 * Tokens follow Twilio's visible convention, `PA…` for the page after an item and `PB…` for the
 * page before one, and carry the item's (date, sid) so any node can continue the walk.
 */
export function pageToken(direction: 'PA' | 'PB', key: PageKey): string {
  return direction + Buffer.from(`${key.date}|${key.sid}`).toString('base64url');
}

function decodeKey(encoded: string): PageKey {
  const text = Buffer.from(encoded, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const date = text.slice(0, bar);
  const sid = text.slice(bar + 1);
  if (bar < 0 || Number.isNaN(Date.parse(date)) || !/^[A-Z]{2}[0-9a-f]{32}$/i.test(sid)) throw invalidPageToken();
  return { date, sid };
}

function query(filters: Record<string, string | undefined>, pageSize: number, page: number, token?: string): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) params.append(name, value);
  params.append('PageSize', String(pageSize));
  params.append('Page', String(page));
  if (token) params.append('PageToken', token);
  return params.toString();
}

interface Links {
  first: string;
  current: string;
  next: string | null;
  previous: string | null;
}

function links<T>(path: string, filters: Record<string, string | undefined>, request: PageRequest, result: Page<T>, keyOf: (item: T) => PageKey): Links {
  const { page, pageSize, query: q } = request;
  const first = result.items[0];
  const last = result.items[result.items.length - 1];
  const currentToken = q.after ? pageToken('PA', q.after) : q.before ? pageToken('PB', q.before) : undefined;
  return {
    first: `${path}?${query(filters, pageSize, 0)}`,
    current: `${path}?${query(filters, pageSize, page, currentToken)}`,
    next: result.hasNext && last ? `${path}?${query(filters, pageSize, page + 1, pageToken('PA', keyOf(last)))}` : null,
    previous: result.hasPrevious && first && page > 0 ? `${path}?${query(filters, pageSize, page - 1, pageToken('PB', keyOf(first)))}` : null,
  };
}

interface V1PageOptions<T> {
  baseUrl: string;
  path: string;
  key: string;
  /** Filters the list was asked with, kept in every page URL. */
  filters?: Record<string, string | undefined>;
  request: PageRequest;
  result: Page<T>;
  keyOf: (item: T) => PageKey;
}

function v1Meta<T>(options: V1PageOptions<T>) {
  const { baseUrl, path, key, request, result } = options;
  const l = links(baseUrl + path, options.filters ?? {}, request, result, options.keyOf);
  return {
    page: request.page,
    page_size: request.pageSize,
    first_page_url: l.first,
    previous_page_url: l.previous,
    next_page_url: l.next,
    key,
    url: l.current,
  };
}

/** A v1 list body: `{<key>: [...], meta: {...}}` with absolute URLs the SDK follows verbatim. */
export function v1Page<T, J>(options: V1PageOptions<T> & { serialize: (item: T) => J }) {
  return { [options.key]: options.result.items.map(options.serialize), meta: v1Meta(options) };
}

/** The same body as JSON text, each item written as text by `write` (the longest pages' way: json-text.ts). */
export function v1PageText<T>(options: V1PageOptions<T> & { write: (item: T) => string }): JsonText {
  const items = options.result.items.map(options.write).join(',');
  return new JsonText(`{${JSON.stringify(options.key)}:[${items}],"meta":${JSON.stringify(v1Meta(options))}}`);
}

/** A 2010 list body: flat, with relative URIs and `start`/`end` item indexes. */
export function v2010Page<T, J>(options: {
  path: string;
  key: string;
  filters: Record<string, string | undefined>;
  request: PageRequest;
  result: Page<T>;
  keyOf: (item: T) => PageKey;
  serialize: (item: T) => J;
}) {
  const { path, key, request, result } = options;
  const l = links(path, options.filters, request, result, options.keyOf);
  const start = request.page * request.pageSize;
  return {
    [key]: result.items.map(options.serialize),
    end: result.items.length > 0 ? start + result.items.length - 1 : 0,
    first_page_uri: l.first,
    next_page_uri: l.next,
    page: request.page,
    page_size: request.pageSize,
    previous_page_uri: l.previous,
    start: result.items.length > 0 ? start : 0,
    uri: l.current,
  };
}
