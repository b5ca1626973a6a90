import { randomBytes } from 'node:crypto';
import type { operations as op } from '../../generated/api.js';
import type { ParamsOf } from '../../http/operation.js';
import type { Deps } from '../../deps.js';
import type { AccountRow, Page, PageQuery } from '../../storage/store.js';
import { checkFriendlyName } from '../../http/params.js';
import { toStored } from '../../http/dates.js';
import { accountClosedForGood, forbiddenAccount, invalidParameter, statusChangeOwnerOnly, subaccountCannotCreateSubaccounts } from '../../http/errors.js';
import { isSid, newOrderedSid, newSid, SID_PREFIX } from '../../sids.js';
import { ACCOUNT_STATUS, type AccountStatus } from '../../auth/credentials.js';

const MAIN_ACCOUNT_KEY = 'main_account_sid';

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
export async function ensureMainAccount({ store, clock }: Pick<Deps, 'store' | 'clock'>, options: MainAccountOptions): Promise<AccountRow> {
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
  const sid = await store.meta.claim(MAIN_ACCOUNT_KEY, options.sid ?? newSid(SID_PREFIX.account));
  if (options.sid !== undefined && options.sid !== sid) {
    // Taking the given token onto another account would lock its owner out; say so instead.
    throw new ConfigError(
      `this data belongs to account ${sid}, not TWILIO_ACCOUNT_SID ${options.sid}: set that SID, or use another --data-dir (or --database-schema)`,
    );
  }
  await store.accounts.insert({
    sid,
    auth_token: options.authToken ?? randomBytes(16).toString('hex'),
    friendly_name: 'Shortroute main account',
    status: ACCOUNT_STATUS.active,
    owner_account_sid: null,
    date_created: now,
    date_updated: now,
  });
  let account = (await store.accounts.fetch(sid))!;
  if (options.authToken !== undefined && account.auth_token !== options.authToken) {
    await store.accounts.update(sid, { auth_token: options.authToken, date_updated: now });
    account = (await store.accounts.fetch(sid))!;
  }
  return account;
}

// The Accounts resource (/2010-04-01/Accounts). Its routes refuse API keys, so the caller here is
// always an account signed in with its auth token.

export const accountPath = (sid: string) => `/2010-04-01/Accounts/${sid}.json`;

/**
 * Twilio's default, per the spec: `SubAccount Created at {YYYY-MM-DD HH:MM meridian}`. Twilio
 * does not say in which zone or case; Shortroute writes UTC with `AM`/`PM`.
 */
export function defaultSubaccountName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const hours = now.getUTCHours();
  const date = `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())}`;
  return `SubAccount Created at ${date} ${pad(hours % 12 || 12)}:${pad(now.getUTCMinutes())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** A subaccount of the caller, with an auth token of its own. Only a main account has subaccounts. */
export async function createAccount({ store, clock }: Deps, caller: AccountRow, params: ParamsOf<typeof op.v2010CreateAccount>): Promise<AccountRow> {
  if (caller.owner_account_sid !== null) throw subaccountCannotCreateSubaccounts();
  const name = params.FriendlyName;
  checkFriendlyName(name);
  const now = clock.now();
  const row: AccountRow = {
    sid: newOrderedSid(SID_PREFIX.account),
    auth_token: randomBytes(16).toString('hex'),
    friendly_name: name || defaultSubaccountName(now),
    status: ACCOUNT_STATUS.active,
    owner_account_sid: caller.sid,
    date_created: toStored(now),
    date_updated: toStored(now),
  };
  await store.accounts.insert(row);
  return row;
}

/**
 * The caller's own account or one of its subaccounts, whatever its status: the owner must still
 * see a suspended or closed subaccount to reactivate it or to read it. Any other SID, known or
 * not, is 20003, as for every 2010 path naming an account.
 */
export async function fetchAccount({ store }: Deps, caller: AccountRow, sid: string): Promise<AccountRow> {
  if (sid === caller.sid) return caller;
  const target = isSid(SID_PREFIX.account, sid) ? await store.accounts.fetch(sid) : undefined;
  if (!target || target.owner_account_sid !== caller.sid) throw forbiddenAccount(sid);
  return target;
}

/** The caller's account and its subaccounts (a subaccount sees itself alone). */
export function listAccounts({ store }: Deps, caller: AccountRow, params: ParamsOf<typeof op.v2010ListAccount>, page: PageQuery): Promise<Page<AccountRow>> {
  return store.accounts.list(caller.sid, { friendlyName: params.FriendlyName, status: params.Status }, page);
}

/**
 * Renames an account, and lets an owner suspend, reactivate or close its subaccount. Twilio: "you
 * must use your main account's authentication credentials to suspend a subaccount. You cannot
 * suspend your main account", and a closed subaccount "cannot be re-opened" (error 21479).
 */
export async function updateAccount(
  { store, clock }: Deps,
  caller: AccountRow,
  sid: string,
  params: ParamsOf<typeof op.v2010UpdateAccount>,
): Promise<AccountRow> {
  const name = params.FriendlyName;
  if (name === '') throw invalidParameter('FriendlyName', 'must not be empty');
  checkFriendlyName(name);
  const status: AccountStatus | undefined = params.Status;
  return store.transaction(async (tx) => {
    // Locked, so that two owners' requests cannot both pass the closed check and race.
    const current = isSid(SID_PREFIX.account, sid) ? await tx.accounts.fetchForUpdate(sid) : undefined;
    if (!current || (current.sid !== caller.sid && current.owner_account_sid !== caller.sid)) throw forbiddenAccount(sid);
    if (status !== undefined && status !== current.status) {
      if (current.owner_account_sid === null) throw invalidParameter('Status', 'the main account cannot be suspended or closed');
      if (current.owner_account_sid !== caller.sid) throw statusChangeOwnerOnly(sid);
      if (current.status === ACCOUNT_STATUS.closed) throw accountClosedForGood();
    }
    // Twilio releases a closed subaccount's numbers (https://www.twilio.com/docs/iam/api/subaccounts).
    if (status === ACCOUNT_STATUS.closed && current.status !== ACCOUNT_STATUS.closed) await tx.releaseNumbers(sid);
    const patch = {
      date_updated: toStored(clock.now()),
      ...(name !== undefined ? { friendly_name: name } : {}),
      ...(status !== undefined ? { status } : {}),
    };
    await tx.accounts.update(sid, patch);
    return { ...current, ...patch };
  });
}
