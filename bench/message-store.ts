/**
 * The million-message store: one account holding `count` delivered messages, written straight
 * through Shortroute's Store (from the build) in large batches, as the pool fixtures are. The
 * server then starts on it; its resident memory and the first and last page of the account's
 * Messages list are measured (a keyset walk costs the same at either end).
 */
import { randomBytes } from 'node:crypto';
import { pageToken } from '../dist/http/paging.js';
import type { Store } from '../dist/storage/store.js';
import { ACCOUNT_SID, FIXTURE_START, openBenchStore, type Target } from './setup.js';

export interface MessageStore {
  firstPage: string;
  lastPage: string;
}

const BATCH = 1000;

export async function seedMessages(target: Target, count: number): Promise<MessageStore> {
  const store = await openBenchStore(target);
  const start = FIXTURE_START;
  const from = `MG${randomBytes(16).toString('hex')}`;
  // Oldest first; the list shows newest first, so its last page holds the 50 oldest and is
  // reached with the key of the 51st oldest.
  let keyOf51st = { date: '', sid: '' };
  for (let done = 0; done < count; done += BATCH) {
    const rows: Parameters<Store['messages']['insertMany']>[0][number][] = [];
    for (let i = done; i < Math.min(count, done + BATCH); i++) {
      const date = new Date(start + i * 10).toISOString();
      const sid = `SM${randomBytes(16).toString('hex')}`;
      if (i === 50) keyOf51st = { date, sid };
      rows.push({
        sid,
        account_sid: ACCOUNT_SID,
        messaging_service_sid: from,
        direction: 'outbound-api' as const,
        from_address: '+14155550100',
        to_address: `+1415${String(5_000_000 + (i % 1_000_000)).padStart(7, '0')}`,
        body: `Your code is ${100000 + (i % 900000)}`,
        media: '[]',
        num_segments: 1,
        encoding: 'GSM-7',
        status: 'delivered' as const,
        error_code: null,
        error_message: null,
        status_callback: null,
        status_callback_method: 'POST',
        validity_period: 36000,
        sender_sid: null,
        selection_rule: null,
        rerouted: 0,
        transmit_ms: 10,
        next_step: null,
        next_at: null,
        connector_sid: null,
        send_at: null,
        date_sent: date,
        date_created: date,
        date_updated: date,
      });
    }
    await store.transaction((tx) => tx.messages.insertMany(rows));
  }
  await store.analyze();
  await store.close();
  const list = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json?PageSize=50`;
  return { firstPage: list, lastPage: `${list}&Page=${Math.ceil(count / 50) - 1}&PageToken=${pageToken('PA', keyOf51st)}` };
}
