import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import { prepare } from '../prepared.js';
import type { Database, OptOutTable } from '../schema.js';
import type { Session } from './session.js';

export type OptOutRow = Selectable<OptOutTable>;

/** Who sent STOP to which service or number (the scope), until START. */
export class OptOutRepository {
  constructor(private readonly s: Session) {}

  async isOptedOut(scope: string, address: string): Promise<boolean> {
    return (await this.s.queries.optOuts.one.first(this.s.db, { scope, address })) !== undefined;
  }

  /** Which of these scopes' opt-outs name any of these addresses: every pair found, in one read. */
  async amongst(scopes: readonly string[], addresses: readonly string[]): Promise<{ scope: string; address: string }[]> {
    if (scopes.length === 0 || addresses.length === 0) return [];
    return this.s.db
      .selectFrom('opt_outs')
      .select(['scope', 'address'])
      .where('scope', 'in', [...scopes])
      .where('address', 'in', [...addresses])
      .execute();
  }

  async set(row: { account_sid: string; scope: string; address: string; date: string }, out: boolean): Promise<void> {
    if (out) {
      await this.s.db
        .insertInto('opt_outs')
        .values({ account_sid: row.account_sid, scope: row.scope, address: row.address, date_created: row.date })
        .onConflict((oc) => oc.columns(['scope', 'address']).doNothing())
        .execute();
    } else {
      await this.s.db.deleteFrom('opt_outs').where('scope', '=', row.scope).where('address', '=', row.address).execute();
    }
  }

  async list(accountSid: string): Promise<OptOutRow[]> {
    return this.s.db.selectFrom('opt_outs').selectAll().where('account_sid', '=', accountSid).orderBy('date_created').orderBy('address').execute();
  }

  /**
   * Opt-outs from a number (outside any service) go with the number: whoever holds it next starts
   * with none. `scopes` selects the released numbers or short codes, as a column named `scope`.
   */
  async forgetScopes(scopes: SelectQueryBuilder<Database, keyof Database, { scope: string }>): Promise<void> {
    await this.s.db.deleteFrom('opt_outs').where('scope', 'in', scopes).execute();
  }

  async deleteAllOf(accountSid: string): Promise<void> {
    await this.s.db.deleteFrom('opt_outs').where('account_sid', '=', accountSid).execute();
  }
}

export function optOutQueries(db: Kysely<Database>) {
  return {
    one: prepare<{ scope: string; address: string }, { address: string }>((arg) =>
      db.selectFrom('opt_outs').select('address').where('scope', '=', arg('scope')).where('address', '=', arg('address')),
    ),
  };
}
