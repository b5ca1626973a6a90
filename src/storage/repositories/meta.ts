import type { Session } from './session.js';

/** Small facts about this installation, shared by every node (the main account's SID). */
export class MetaRepository {
  constructor(private readonly s: Session) {}

  async fetch(key: string): Promise<string | undefined> {
    const row = await this.s.db.selectFrom('shortroute_meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  /** Sets the value unless one is there already; returns the value that stands. */
  async claim(key: string, value: string): Promise<string> {
    await this.s.db
      .insertInto('shortroute_meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.fetch(key))!;
  }
}
