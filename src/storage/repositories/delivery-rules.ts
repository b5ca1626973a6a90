import type { Kysely, Selectable } from 'kysely';
import { prepare } from '../prepared.js';
import type { Database, DeliveryRuleTable } from '../schema.js';
import type { Session } from './session.js';

export type DeliveryRuleRow = Selectable<DeliveryRuleTable>;

/** Shortroute's outcome controls: how the simulated carrier ends a recipient's messages. */
export class DeliveryRuleRepository {
  constructor(private readonly s: Session) {}

  async fetch(accountSid: string, to: string): Promise<DeliveryRuleRow | undefined> {
    return this.s.queries.deliveryRules.one.first(this.s.db, { accountSid, to });
  }

  /** The rules of these accounts for any of these recipients, in one read. */
  async amongst(accountSids: readonly string[], to: readonly string[]): Promise<DeliveryRuleRow[]> {
    if (accountSids.length === 0 || to.length === 0) return [];
    return this.s.db
      .selectFrom('delivery_rules')
      .selectAll()
      .where('account_sid', 'in', [...accountSids])
      .where('to_address', 'in', [...to])
      .execute();
  }

  async put(row: DeliveryRuleRow): Promise<void> {
    await this.s.db
      .insertInto('delivery_rules')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['account_sid', 'to_address']).doUpdateSet({ status: row.status, error_code: row.error_code, date_created: row.date_created }),
      )
      .execute();
  }

  async list(accountSid: string): Promise<DeliveryRuleRow[]> {
    return this.s.db.selectFrom('delivery_rules').selectAll().where('account_sid', '=', accountSid).orderBy('to_address').execute();
  }

  async delete(accountSid: string, to: string): Promise<boolean> {
    const result = await this.s.db.deleteFrom('delivery_rules').where('account_sid', '=', accountSid).where('to_address', '=', to).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteAllOf(accountSid: string): Promise<void> {
    await this.s.db.deleteFrom('delivery_rules').where('account_sid', '=', accountSid).execute();
  }
}

export function deliveryRuleQueries(db: Kysely<Database>) {
  return {
    one: prepare<{ accountSid: string; to: string }, DeliveryRuleRow>((arg) =>
      db.selectFrom('delivery_rules').selectAll().where('account_sid', '=', arg('accountSid')).where('to_address', '=', arg('to')),
    ),
  };
}
