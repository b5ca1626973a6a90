/**
 * Benchmark data, written straight through Shortroute's own Store (from the build) before the
 * server starts: building 150,000 rows through the API would measure the set-up, not the scenarios.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Store } from '../dist/storage/store.js';
import { sqliteBackend } from '../dist/storage/dialects/sqlite.js';
import { postgresBackend } from '../dist/storage/dialects/postgres.js';
import { pageToken } from '../dist/http/paging.js';

export const ACCOUNT_SID = `AC${'0'.repeat(30)}be`;
export const AUTH_TOKEN = 'bench-auth-token-0000';

export interface Fixture {
  /** A service with 60 short codes: fetch one, list the first 50. */
  smallService: string;
  fetchSid: string;
  /** A service with `bigSize` short codes, and the token of its last page of 50. */
  bigService: string;
  bigSize: number;
  lastPageToken: string;
  /** Short codes on the account in no service, and services with room, for durable adds. */
  adds: Array<{ path: string; body: string }>;
}

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

export type Target = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string; schema: string };

/** The epoch of every fixture's dates. */
export const FIXTURE_START = Date.parse('2026-01-01T00:00:00.000Z');

/** Opens Shortroute's Store on the target, with the bench account in it as the main account. */
export async function openBenchStore(target: Target): Promise<Store> {
  const backend =
    target.kind === 'sqlite'
      ? sqliteBackend({ dataDir: target.dataDir, inMemory: false })
      : postgresBackend({ url: target.url, poolSize: 4, schema: target.schema });
  const store = await Store.open(backend);
  const date = new Date(FIXTURE_START).toISOString();
  await store.accounts.insert({
    sid: ACCOUNT_SID,
    auth_token: AUTH_TOKEN,
    friendly_name: 'bench',
    status: 'active',
    owner_account_sid: null,
    date_created: date,
    date_updated: date,
  });
  await store.meta.claim('main_account_sid', ACCOUNT_SID);
  return store;
}

export async function seed(target: Target, sizes: { big: number; adds: number }): Promise<Fixture> {
  const store = await openBenchStore(target);
  const at = (i: number) => new Date(FIXTURE_START + i).toISOString();
  let clock = 0;
  let number = 100000;

  const service = async (name: string) => {
    const s = sid('MG');
    await store.services.insert({
      sid: s,
      account_sid: ACCOUNT_SID,
      friendly_name: name,
      inbound_request_url: null,
      inbound_method: 'POST',
      fallback_url: null,
      fallback_method: 'POST',
      status_callback: null,
      sticky_sender: 1,
      mms_converter: 1,
      smart_encoding: 1,
      scan_message_content: 'inherit',
      fallback_to_long_code: 0,
      area_code_geomatch: 1,
      validity_period: 36000,
      synchronous_validation: 1,
      usecase: 'undeclared',
      us_app_to_person_registered: 0,
      use_inbound_webhook_on_number: 0,
      date_created: at(clock),
      date_updated: at(clock++),
    });
    return s;
  };

  /** `count` short codes, in `serviceSid`'s pool when given; returns their SIDs in list order. */
  const shortCodes = async (count: number, serviceSid?: string) => {
    const sids: string[] = [];
    for (let done = 0; done < count; done += 500) {
      const rows: Parameters<Store['shortCodes']['insertMany']>[0] = [];
      const members: Parameters<Store['pools']['insertMany']>[1] = [];
      for (let i = done; i < Math.min(count, done + 500); i++) {
        const s = sid('SC');
        const date = at(clock++);
        sids.push(s);
        rows.push({
          sid: s,
          account_sid: ACCOUNT_SID,
          short_code: String(number++),
          country_code: 'US',
          friendly_name: 'bench',
          api_version: '2010-04-01',
          sms_url: null,
          sms_method: 'POST',
          sms_fallback_url: null,
          sms_fallback_method: 'POST',
          capabilities: 'SMS',
          date_created: date,
          date_updated: date,
        });
        if (serviceSid)
          members.push({
            sender_sid: s,
            service_sid: serviceSid,
            account_sid: ACCOUNT_SID,
            sender_type: 'short_code',
            address: String(number - 1),
            country_code: 'US',
            capabilities: 'SMS',
            date_created: date,
            date_updated: date,
          });
      }
      await store.transaction(async (tx) => {
        await tx.shortCodes.insertMany(rows);
        if (serviceSid) await tx.pools.insertMany(serviceSid, members);
      });
    }
    return sids;
  };

  const smallService = await service('small');
  const small = await shortCodes(60, smallService);
  const bigService = await service('big');
  const big = await shortCodes(sizes.big, bigService);
  const lastKeyIndex = sizes.big - 51;
  const lastRow = (await store.pools.fetchMember(bigService, 'short_code', big[lastKeyIndex]!))!;
  const lastPageToken = pageToken('PA', { date: lastRow.added, sid: lastRow.sid });

  const free = await shortCodes(sizes.adds);
  const adds = [];
  let room = 0;
  let addService = '';
  for (const sc of free) {
    if (room === 0) {
      addService = await service('adds');
      room = 400;
    }
    room--;
    adds.push({ path: `/v1/Services/${addService}/ShortCodes`, body: `ShortCodeSid=${sc}` });
  }
  await store.analyze();
  await store.close();
  return { smallService, fetchSid: small[0]!, bigService, bigSize: sizes.big, lastPageToken, adds };
}

/** A port no one listens on now, from the OS (a random pick can land on a port in use). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
