import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Deps } from '../context.js';
import type { AccountRow } from '../../storage/store.js';
import { toStored } from '../../http/dates.js';
import { forbiddenAccount, unauthenticated } from '../../http/errors.js';
import { isSid, newSid, SID_PREFIX } from '../../sids.js';

const MAIN_ACCOUNT_KEY = 'main_account_sid';

export const ACCOUNT_STATUS = { active: 'active', suspended: 'suspended', closed: 'closed' } as const;

export interface MainAccountOptions {
  /** From TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN; both or neither. */
  sid?: string;
  authToken?: string;
}

export class ConfigError extends Error {}

/**
 * The account a fresh server answers for. Given credentials win (and replace a stored token);
 * otherwise the first start generates one and every later start, on any node, finds it again.
 */
export async function ensureMainAccount({ store, clock }: Deps, options: MainAccountOptions): Promise<AccountRow> {
  if ((options.sid === undefined) !== (options.authToken === undefined)) {
    throw new ConfigError('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together');
  }
  if (options.sid !== undefined && !isSid(SID_PREFIX.account, options.sid)) {
    throw new ConfigError(`TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits, not '${options.sid}'`);
  }
  if (options.authToken !== undefined && options.authToken.length < 8) {
    throw new ConfigError('TWILIO_AUTH_TOKEN must be at least 8 characters');
  }
  const now = toStored(clock.now());
  const sid = await store.claimMeta(MAIN_ACCOUNT_KEY, options.sid ?? newSid(SID_PREFIX.account));
  await store.insertAccount({
    sid,
    auth_token: options.authToken ?? randomBytes(16).toString('hex'),
    friendly_name: 'Shortroute main account',
    status: ACCOUNT_STATUS.active,
    owner_account_sid: null,
    date_created: now,
    date_updated: now,
  });
  let account = (await store.fetchAccount(sid))!;
  if (options.authToken !== undefined && account.auth_token !== options.authToken) {
    await store.updateAccount(sid, { auth_token: options.authToken, date_updated: now });
    account = (await store.fetchAccount(sid))!;
  }
  return account;
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

/** HTTP Basic `AccountSid:AuthToken` → the account, or Twilio's 20003. */
export async function authenticate({ store }: Deps, header: string | undefined): Promise<AccountRow> {
  if (!header || !header.toLowerCase().startsWith('basic ')) throw unauthenticated('Authentication Error - No credentials provided');
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw unauthenticated('Authentication Error - invalid username');
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const account = isSid(SID_PREFIX.account, username) ? await store.fetchAccount(username) : undefined;
  // Compare even when the account is unknown, so timing does not tell which SIDs exist.
  const ok = secretsEqual(password, account?.auth_token ?? '\0no-account');
  if (!account || !ok) throw unauthenticated('Authentication Error - invalid username or password');
  if (account.status !== ACCOUNT_STATUS.active) throw unauthenticated(`Account ${account.sid} is ${account.status}`);
  return account;
}

/** The account a 2010 path names must be the caller's own, or one of its subaccounts. */
export async function resolvePathAccount({ store }: Deps, caller: AccountRow, pathSid: string): Promise<AccountRow> {
  if (pathSid === caller.sid) return caller;
  const target = isSid(SID_PREFIX.account, pathSid) ? await store.fetchAccount(pathSid) : undefined;
  if (target && target.owner_account_sid === caller.sid) return target;
  throw forbiddenAccount(pathSid);
}
