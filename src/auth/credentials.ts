import { createHash, timingSafeEqual } from 'node:crypto';
import type { Deps } from '../deps.js';
import type { AccountRow, Store } from '../storage/store.js';
import { accountInactive, forbiddenAccount, unauthenticated } from '../http/errors.js';
import { isSid, SID_PREFIX } from '../sids.js';

/**
 * Who is calling: HTTP Basic credentials (an account's SID and auth token, or an API key's SID
 * and secret) checked against the store, and what that caller may act for. The API's routes,
 * Shortroute's own endpoints and the HTTPS proxy all authenticate here.
 */

export { ACCOUNT_STATUS, type AccountStatus } from '../storage/states.js';
import { ACCOUNT_STATUS } from '../storage/states.js';

/** Who signed a request: an account, by its auth token or by one of its API keys. */
export interface Caller {
  account: AccountRow;
  /** The API key (SK…) the request was signed with; undefined for the auth token. */
  keySid?: string;
}

/**
 * How a secret is stored. A key's secret is 32 random characters (about 190 bits), so it cannot
 * be guessed from a dictionary: a slow password hash (scrypt, bcrypt) would only slow down every
 * request that authenticates with a key. One SHA-256 makes a leaked table useless for signing
 * in, and is cheap enough for the request path.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Equal-time comparison of a secret. Only the length can show through timing, and tokens have
 * one length; a wrong length is still compared, against the expected value itself.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  const sameLength = a.length === b.length;
  return timingSafeEqual(sameLength ? a : b, b) && sameLength;
}

// What an unknown SID is compared against, so that it takes as long as a known one.
const NO_ACCOUNT_TOKEN = '\0no-account';
const NO_KEY_HASH = hashSecret('\0no-key');

/**
 * HTTP Basic `AccountSid:AuthToken`, or `ApiKeySid:Secret` for the key's account → the caller,
 * or Twilio's 20003. An unknown SID fails exactly as a wrong secret does.
 */
export async function authenticate(deps: Deps, header: string | undefined): Promise<Caller> {
  if (!header?.toLowerCase().startsWith('basic ')) throw unauthenticated('Authentication Error - No credentials provided');
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw unauthenticated('Authentication Error - invalid username');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const caller = isSid(SID_PREFIX.apiKey, username) ? await byApiKey(deps, username, password) : await byAuthToken(deps, username, password);
  if (!caller) throw unauthenticated('Authentication Error - invalid username or password');
  await requireActive(deps, caller.account);
  return caller;
}

async function byAuthToken({ store }: Deps, sid: string, token: string): Promise<Caller | undefined> {
  const account = isSid(SID_PREFIX.account, sid) ? await store.accounts.fetch(sid) : undefined;
  // Compare even when the account is unknown, so timing does not tell which SIDs exist.
  const ok = secretsEqual(token, account?.auth_token ?? NO_ACCOUNT_TOKEN);
  return account && ok ? { account } : undefined;
}

/** Key lookups are never cached, so a deleted key is refused from the next request on. */
async function byApiKey({ store }: Deps, keySid: string, secret: string): Promise<Caller | undefined> {
  const key = await store.keys.fetchCredentials(keySid);
  // Both sides are hex SHA-256, so the comparison takes one time whatever was sent.
  const ok = secretsEqual(hashSecret(secret), key?.secret_hash ?? NO_KEY_HASH);
  if (!key || !ok) return undefined;
  const account = await store.accounts.fetch(key.account_sid);
  return account && { account, keySid };
}

/**
 * A suspended or closed account is refused, and so is a subaccount whose owner is: "If your main
 * Twilio account is ever suspended, your subaccounts will also be suspended" (docs/iam/api/subaccounts).
 */
export async function requireActive({ store }: Deps, account: AccountRow): Promise<void> {
  if (account.status !== ACCOUNT_STATUS.active) throw accountInactive(account.sid, account.status);
  if (account.owner_account_sid === null) return;
  const owner = await store.accounts.fetch(account.owner_account_sid);
  if (owner && owner.status !== ACCOUNT_STATUS.active) throw accountInactive(owner.sid, owner.status);
}

/**
 * Whether the caller may act for `target`: its own account, or one it owns. Only the auth token
 * reaches a subaccount: "Main account API Keys only grant access to main account resources"
 * (twilio.com/docs/errors/21100; also twilio/twilio-csharp#577).
 */
function mayActFor(caller: Caller, target: AccountRow): boolean {
  return target.sid === caller.account.sid || (caller.keySid === undefined && target.owner_account_sid === caller.account.sid);
}

/**
 * The account a 2010 path names must be the caller's own, or one of its subaccounts, and active:
 * the owner cannot use a suspended or closed subaccount's resources either.
 */
export async function resolvePathAccount(deps: Deps, caller: Caller, pathSid: string): Promise<AccountRow> {
  if (pathSid === caller.account.sid) return caller.account;
  const target = isSid(SID_PREFIX.account, pathSid) ? await deps.store.accounts.fetch(pathSid) : undefined;
  if (!target || !mayActFor(caller, target)) throw forbiddenAccount(pathSid);
  await requireActive(deps, target);
  return target;
}

/**
 * Refuses a write to an account that is no longer active. Called inside the write's transaction
 * (see Store.accountStatusForWrite), so a write racing a close either lands before the close,
 * and is released with the account's numbers, or sees the close and is refused.
 */
export async function requireWritable(tx: Store, accountSid: string): Promise<void> {
  const status = await tx.accounts.statusForWrite(accountSid);
  if (status !== ACCOUNT_STATUS.active) throw accountInactive(accountSid, status ?? 'unknown');
}
