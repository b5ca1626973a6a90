import { readFileSync } from 'node:fs';
import type { Deps } from '../resources/context.js';
import { operations as op } from '../generated/api.js';
import { readParams, type Params } from '../http/params.js';
import { TwilioError } from '../http/errors.js';
import { createShortCode } from '../resources/short-codes/short-codes.js';
import { shortCodeExtensions } from '../resources/short-codes/operations.js';
import { createService, serviceParamErrors } from '../resources/services/services.js';
import { createServiceShortCode } from '../resources/service-short-codes/service-short-codes.js';
import type { OperationSpec } from '../http/operation.js';

/**
 * A seed file declares what should exist when the server starts, in the API's own parameter
 * names. Applying it twice changes nothing: short codes are matched by number and country,
 * services by friendly name.
 *
 *   {
 *     "shortCodes": [{ "ShortCode": "12345", "CountryCode": "US", "FriendlyName": "Alerts" }],
 *     "services": [{ "FriendlyName": "Alerts", "InboundRequestUrl": "https://example.test/sms",
 *                    "ShortCodes": ["12345"] }]
 *   }
 */
export interface Seed {
  shortCodes?: Array<Record<string, unknown>>;
  services?: Array<Record<string, unknown> & { ShortCodes?: string[] }>;
}

export class SeedError extends Error {}

export function readSeedFile(file: string): Seed {
  let seed: unknown;
  try {
    seed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SeedError(`cannot read seed file ${file}: ${(error as Error).message}`);
  }
  if (!isObject(seed)) throw new SeedError(`seed file ${file} must hold a JSON object`);
  for (const key of ['shortCodes', 'services'] as const) {
    const list = seed[key];
    if (list !== undefined && (!Array.isArray(list) || !list.every(isObject))) throw new SeedError(`seed file ${file}: ${key} must be a list of objects`);
  }
  for (const service of (seed.services ?? []) as Array<Record<string, unknown>>) {
    const numbers = service.ShortCodes;
    if (numbers !== undefined && (!Array.isArray(numbers) || !numbers.every((n) => typeof n === 'string' || typeof n === 'number'))) {
      throw new SeedError(`seed file ${file}: ShortCodes of service ${JSON.stringify(service.FriendlyName)} must be a list of short codes`);
    }
  }
  return seed as Seed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Seed values may be JSON numbers and booleans; the API reads them as form text. */
function asForm(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));
}

function params(operation: OperationSpec, entry: Record<string, unknown>, what: string, errors = {}): Params {
  try {
    return readParams(operation, 'body', asForm(entry), errors);
  } catch (error) {
    throw error instanceof TwilioError ? new SeedError(`seed ${what}: ${error.message}`) : error;
  }
}

/** Applies the whole seed in one transaction: a seed that fails part way leaves nothing behind. */
export function applySeed(deps: Deps, accountSid: string, seed: Seed): Promise<void> {
  return deps.store.transaction((store) => applyIn({ ...deps, store }, accountSid, seed));
}

async function applyIn(deps: Deps, accountSid: string, seed: Seed): Promise<void> {
  const { store } = deps;
  const wrap = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw error instanceof TwilioError ? new SeedError(`seed ${what}: ${error.message}`) : error;
    }
  };
  for (const entry of seed.shortCodes ?? []) {
    const p = params(shortCodeExtensions.create, entry, `short code ${JSON.stringify(entry)}`);
    const country = String(p.CountryCode ?? 'US').toUpperCase();
    const existing = await store.fetchShortCodeByNumber(country, p.ShortCode as string);
    if (existing && existing.account_sid !== accountSid) throw new SeedError(`seed short code ${p.ShortCode} (${country}) belongs to another account`);
    if (!existing) await wrap(`short code ${p.ShortCode}`, () => createShortCode(deps, accountSid, p));
  }
  for (const entry of seed.services ?? []) {
    const { ShortCodes: numbers = [], ...fields } = entry;
    const p = params(op.v1CreateService, fields, `service ${JSON.stringify(fields.FriendlyName)}`, serviceParamErrors);
    const name = p.FriendlyName as string;
    const service = (await store.fetchServiceByName(accountSid, name)) ?? (await wrap(`service ${name}`, () => createService(deps, accountSid, p)));
    for (const number of numbers) {
      const [digits, country = 'US'] = String(number).split(':');
      const shortCode = await store.fetchShortCodeByNumber(country.toUpperCase(), digits!);
      if (!shortCode || shortCode.account_sid !== accountSid) throw new SeedError(`seed service ${name}: short code ${number} is not declared`);
      if ((await store.fetchSenderServiceSid(shortCode.sid)) === service.sid) continue;
      await wrap(`service ${name}`, () => createServiceShortCode(deps, accountSid, service.sid, shortCode.sid));
    }
  }
}
