import { createHmac, randomBytes } from 'node:crypto';
import type { Deps } from '../deps.js';
import { isSid, SID_PREFIX } from '../sids.js';
import { type Caller, hashSecret, requireActive, secretsEqual } from './credentials.js';

/** The console's cookie: HttpOnly, SameSite=Strict, signed by this process. */
export const CONSOLE_COOKIE = 'shortroute_console';
/** A console session lasts a working day; signing in again is one form. */
export const CONSOLE_SESSION_SECONDS = 12 * 60 * 60;

interface SessionClaims {
  /** The account signed in. */
  a: string;
  /** The API key signed in with, when it was one. */
  k?: string;
  /** What the credential was when the session began (a hash of it): a new token or a deleted key ends the session. */
  f: string;
  /** Expiry, in seconds since the epoch. */
  e: number;
}

/** A credential's fingerprint: enough to tell it changed, nothing to sign in with. */
function fingerprint(secretOrHash: string): string {
  return hashSecret(`console:${secretOrHash}`).slice(0, 32);
}

/**
 * Signed console sessions. The key is made at start and lives in memory: a restart signs every
 * console out, and a session is good on the node that made it (each node has its own console).
 * The cookie names the account and a fingerprint of the credential; every request checks both
 * against the database, so a rotated auth token, a deleted key or a suspended account ends it.
 */
export class ConsoleSessions {
  readonly #key = randomBytes(32);

  #mac(payload: string): string {
    return createHmac('sha256', this.#key).update(payload).digest('base64url');
  }

  /** The cookie's value for a caller who just proved their credentials. */
  async issue(deps: Deps, caller: Caller, now = Date.now()): Promise<string> {
    const claims: SessionClaims = {
      a: caller.account.sid,
      f: fingerprint(caller.keySid ? ((await deps.store.keys.fetchCredentials(caller.keySid))?.secret_hash ?? '') : caller.account.auth_token),
      e: Math.floor(now / 1000) + CONSOLE_SESSION_SECONDS,
      ...(caller.keySid && { k: caller.keySid }),
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.#mac(payload)}`;
  }

  /** The caller a cookie stands for, or undefined when it is not a live session of this process. */
  async verify(deps: Deps, cookie: string | undefined, now = Date.now()): Promise<Caller | undefined> {
    const dot = cookie?.indexOf('.') ?? -1;
    if (!cookie || dot < 0) return undefined;
    const payload = cookie.slice(0, dot);
    if (!secretsEqual(cookie.slice(dot + 1), this.#mac(payload))) return undefined;
    let claims: SessionClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      return undefined;
    }
    if (!(claims.e > now / 1000) || !isSid(SID_PREFIX.account, claims.a)) return undefined;
    const account = await deps.store.accounts.fetch(claims.a);
    if (!account) return undefined;
    if (claims.k) {
      const key = await deps.store.keys.fetchCredentials(claims.k);
      if (!key || key.account_sid !== account.sid || fingerprint(key.secret_hash) !== claims.f) return undefined;
    } else if (fingerprint(account.auth_token) !== claims.f) {
      return undefined;
    }
    await requireActive(deps, account);
    return { account, ...(claims.k && { keySid: claims.k }) };
  }
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for a session, or for ending one. */
export function sessionCookie(value: string | undefined, secure: boolean): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])];
  return value === undefined
    ? [`${CONSOLE_COOKIE}=`, 'Max-Age=0', ...attributes].join('; ')
    : [`${CONSOLE_COOKIE}=${value}`, `Max-Age=${CONSOLE_SESSION_SECONDS}`, ...attributes].join('; ');
}
