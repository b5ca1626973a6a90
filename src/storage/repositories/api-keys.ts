import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { KeysetList, type Page, type PageQuery } from '../keyset.js';
import { prepare } from '../prepared.js';
import type { ApiKeyTable, Database } from '../schema.js';
import type { Session } from './session.js';

/** An API key as the API shows it: its secret's hash never leaves the store but to authenticate. */
export type ApiKeyRow = Omit<Selectable<ApiKeyTable>, 'secret_hash'>;

const API_KEY_COLUMNS = ['sid', 'account_sid', 'friendly_name', 'date_created', 'date_updated'] as const;

/** API keys. Never cached: a deleted key must stop authenticating at once, on every node. */
export class ApiKeyRepository {
  constructor(private readonly s: Session) {}

  async insert(row: Insertable<ApiKeyTable>): Promise<void> {
    await this.s.db.insertInto('api_keys').values(row).execute();
  }

  async fetch(accountSid: string, sid: string): Promise<ApiKeyRow | undefined> {
    return this.s.queries.keys.key.first(this.s.db, { accountSid, sid });
  }

  /** A key by SID alone, with its secret's hash: authentication learns the account from the key. */
  async fetchCredentials(sid: string): Promise<{ account_sid: string; secret_hash: string } | undefined> {
    return this.s.queries.keys.credentials.first(this.s.db, { sid });
  }

  async list(accountSid: string, page: PageQuery): Promise<Page<ApiKeyRow>> {
    return this.s.queries.keys.list.page(this.s.db, { accountSid }, page);
  }

  /** Returns the updated key, or undefined when the account has no such key. */
  async update(accountSid: string, sid: string, patch: Updateable<ApiKeyTable>): Promise<ApiKeyRow | undefined> {
    return this.s.db
      .updateTable('api_keys')
      .set(patch)
      .where('sid', '=', sid)
      .where('account_sid', '=', accountSid)
      .returning(API_KEY_COLUMNS)
      .executeTakeFirst();
  }

  async delete(accountSid: string, sid: string): Promise<boolean> {
    const result = await this.s.db.deleteFrom('api_keys').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

export function apiKeyQueries(db: Kysely<Database>) {
  return {
    key: prepare<{ accountSid: string; sid: string }, ApiKeyRow>((arg) =>
      db.selectFrom('api_keys').select(API_KEY_COLUMNS).where('sid', '=', arg('sid')).where('account_sid', '=', arg('accountSid')),
    ),
    credentials: prepare<{ sid: string }, { account_sid: string; secret_hash: string }>((arg) =>
      db.selectFrom('api_keys').select(['account_sid', 'secret_hash']).where('sid', '=', arg('sid')),
    ),
    list: new KeysetList<ApiKeyRow>(
      (arg) =>
        db
          .selectFrom('api_keys')
          .select(API_KEY_COLUMNS)
          .where('account_sid', '=', arg('accountSid') as string),
      'date_created',
      'sid',
    ),
  };
}
