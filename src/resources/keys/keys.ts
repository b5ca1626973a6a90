import { randomBytes } from 'node:crypto';
import type { operations as op } from '../../generated/api.js';
import type { ParamsOf } from '../../http/operation.js';
import { hashSecret } from '../../auth/credentials.js';
import type { Deps } from '../../deps.js';
import type { ApiKeyRow, Page, PageQuery } from '../../storage/store.js';
import { checkFriendlyName } from '../../http/params.js';
import { toStored } from '../../http/dates.js';
import { notFound } from '../../http/errors.js';
import { newOrderedSid, SID_PREFIX } from '../../sids.js';

/** The spec's descriptions of CreateNewKey and UpdateKey: "up to 64 characters long". */
const SECRET_LENGTH = 32;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const keyListPath = (accountSid: string) => `/2010-04-01/Accounts/${accountSid}/Keys.json`;
export const keyPath = (accountSid: string, sid: string) => `/2010-04-01/Accounts/${accountSid}/Keys/${sid}.json`;

/** A key as created: the only time its secret is known, and shown. */
export interface NewApiKey {
  key: ApiKeyRow;
  secret: string;
}

/** 32 characters of [A-Za-z0-9], like Twilio's secrets; bytes past 247 are skipped to stay uniform. */
function newSecret(): string {
  let secret = '';
  while (secret.length < SECRET_LENGTH) {
    for (const byte of randomBytes(SECRET_LENGTH * 2)) {
      if (byte < 248 && secret.length < SECRET_LENGTH) secret += ALPHABET[byte % ALPHABET.length];
    }
  }
  return secret;
}

/** Twilio states no default name for a key; an absent or empty one is null. */
function friendlyName(params: { FriendlyName?: string }): string | null | undefined {
  const name = params.FriendlyName;
  checkFriendlyName(name);
  return name === '' ? null : name;
}

export async function createKey({ store, clock }: Deps, accountSid: string, params: ParamsOf<typeof op.v2010CreateNewKey>): Promise<NewApiKey> {
  const name = friendlyName(params) ?? null;
  const now = toStored(clock.now());
  const secret = newSecret();
  const key: ApiKeyRow = { sid: newOrderedSid(SID_PREFIX.apiKey), account_sid: accountSid, friendly_name: name, date_created: now, date_updated: now };
  await store.keys.insert({ ...key, secret_hash: hashSecret(secret) });
  return { key, secret };
}

export async function fetchKey({ store }: Deps, accountSid: string, sid: string): Promise<ApiKeyRow> {
  const key = await store.keys.fetch(accountSid, sid);
  if (!key) throw notFound(keyPath(accountSid, sid));
  return key;
}

export function listKeys({ store }: Deps, accountSid: string, page: PageQuery): Promise<Page<ApiKeyRow>> {
  return store.keys.list(accountSid, page);
}

export async function updateKey({ store, clock }: Deps, accountSid: string, sid: string, params: ParamsOf<typeof op.v2010UpdateKey>): Promise<ApiKeyRow> {
  const name = friendlyName(params);
  const patch = { date_updated: toStored(clock.now()), ...(name !== undefined ? { friendly_name: name } : {}) };
  const key = await store.keys.update(accountSid, sid, patch);
  if (!key) throw notFound(keyPath(accountSid, sid));
  return key;
}

/** Revokes the key: the next request signed with it is refused, on every node. */
export async function deleteKey({ store }: Deps, accountSid: string, sid: string): Promise<void> {
  if (!(await store.keys.delete(accountSid, sid))) throw notFound(keyPath(accountSid, sid));
}
