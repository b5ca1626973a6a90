import { readFileSync } from 'node:fs';
import type { Deps } from '../deps.js';
import { operations as op } from '../generated/api.js';
import { readParams } from '../http/params.js';
import type { ParamsOf } from '../http/operation.js';
import { TwilioError } from '../http/errors.js';
import { createShortCode } from '../resources/short-codes/short-codes.js';
import { shortCodeExtensions } from '../resources/short-codes/operations.js';
import { createService, serviceParamErrors } from '../resources/services/services.js';
import { createMember } from '../resources/sender-pool/pool.js';
import { shortCodeKind } from '../resources/service-short-codes/service-short-codes.js';
import { phoneNumberKind } from '../resources/service-phone-numbers/service-phone-numbers.js';
import { alphaSenderKind } from '../resources/service-alpha-senders/service-alpha-senders.js';
import { createPhoneNumber } from '../resources/phone-numbers/phone-numbers.js';
import { loadNumberPlan, parseE164 } from '../phone/numbering.js';
import { createPhoneNumberOp } from '../resources/phone-numbers/operations.js';
import { createAccount } from '../resources/accounts/accounts.js';
import type { OperationSpec } from '../http/operation.js';
import { shortrouteOperations } from '../resources/shortroute/operations.js';
import { assignSender, createConnector, updateConnector } from '../resources/connectors/connectors.js';
import type { ConnectorRow } from '../storage/store.js';

/**
 * A seed file declares what should exist when the server starts, in the API's own parameter
 * names. Applying it twice changes nothing: short codes are matched by number and country, phone
 * numbers by number, services by friendly name, subaccounts by friendly name.
 *
 *   {
 *     "shortCodes": [{ "ShortCode": "12345", "CountryCode": "US", "FriendlyName": "Alerts" }],
 *     "phoneNumbers": [{ "PhoneNumber": "+14155550100" }],
 *     "services": [{ "FriendlyName": "Alerts", "InboundRequestUrl": "https://example.test/sms",
 *                    "ShortCodes": ["12345"], "PhoneNumbers": ["+14155550100"], "AlphaSender": "Alerts" }],
 *     "connectors": [{ "FriendlyName": "Carrier", "Host": "smsc.example", "Port": 2775, "SystemId": "acme",
 *                      "Password": "secret", "Senders": ["12345", "+14155550100"] }],
 *     "subaccounts": [{ "FriendlyName": "Team A", "shortCodes": [], "phoneNumbers": [], "services": [] }]
 *   }
 *
 * Connectors are matched by friendly name; one found with other settings is changed to the seed's.
 */
export interface Seed {
  shortCodes?: Array<Record<string, unknown>>;
  phoneNumbers?: Array<Record<string, unknown>>;
  services?: Array<Record<string, unknown> & { ShortCodes?: string[]; PhoneNumbers?: string[]; AlphaSender?: string }>;
  connectors?: Array<Record<string, unknown> & { Senders?: string[] }>;
  subaccounts?: Array<Record<string, unknown> & Seed>;
}

const LISTS = ['shortCodes', 'phoneNumbers', 'services', 'connectors', 'subaccounts'] as const;

export class SeedError extends Error {}

export function readSeedFile(file: string): Seed {
  let seed: unknown;
  try {
    seed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SeedError(`cannot read seed file ${file}: ${(error as Error).message}`);
  }
  if (!isObject(seed)) throw new SeedError(`seed file ${file} must hold a JSON object`);
  checkShape(seed, file);
  return seed as Seed;
}

function checkShape(seed: Record<string, unknown>, where: string): void {
  for (const key of LISTS) {
    const list = seed[key];
    if (list !== undefined && (!Array.isArray(list) || !list.every(isObject))) throw new SeedError(`seed file ${where}: ${key} must be a list of objects`);
  }
  for (const service of (seed.services ?? []) as Array<Record<string, unknown>>) {
    for (const key of ['ShortCodes', 'PhoneNumbers']) {
      const numbers = service[key];
      if (numbers !== undefined && (!Array.isArray(numbers) || !numbers.every((n) => typeof n === 'string' || typeof n === 'number'))) {
        throw new SeedError(`seed file ${where}: ${key} of service ${JSON.stringify(service.FriendlyName)} must be a list of numbers`);
      }
    }
  }
  for (const connector of (seed.connectors ?? []) as Array<Record<string, unknown>>) {
    const senders = connector.Senders;
    if (senders !== undefined && (!Array.isArray(senders) || !senders.every((n) => typeof n === 'string' || typeof n === 'number'))) {
      throw new SeedError(`seed file ${where}: Senders of connector ${JSON.stringify(connector.FriendlyName)} must be a list of short codes and numbers`);
    }
  }
  for (const sub of (seed.subaccounts ?? []) as Array<Record<string, unknown>>) checkShape(sub, `${where} (subaccount ${JSON.stringify(sub.FriendlyName)})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Seed values may be JSON numbers and booleans; the API reads them as form text. */
function asForm(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));
}

function params<O extends OperationSpec>(operation: O, entry: Record<string, unknown>, what: string, errors = {}): ParamsOf<O, 'body'> {
  try {
    return readParams(operation, 'body', asForm(entry), errors);
  } catch (error) {
    throw error instanceof TwilioError ? new SeedError(`seed ${what}: ${error.message}`) : error;
  }
}

/** Applies the whole seed in one transaction: a seed that fails part way leaves nothing behind. */
export function applySeed(deps: Deps, accountSid: string, seed: Seed): Promise<void> {
  return deps.store.transaction(async (store) => {
    // Nodes starting together take turns: each sees what the one before it created.
    await store.accounts.fetchForUpdate(accountSid);
    const inTx = { ...deps, store };
    await applyIn(inTx, accountSid, seed);
    const main = (await store.accounts.fetch(accountSid))!;
    for (const entry of seed.subaccounts ?? []) {
      const { shortCodes, phoneNumbers, services, connectors, subaccounts, ...fields } = entry;
      if (subaccounts !== undefined) throw new SeedError('seed: subaccounts cannot have subaccounts of their own');
      const p = params(op.v2010CreateAccount, fields, `subaccount ${JSON.stringify(fields.FriendlyName)}`);
      if (typeof p.FriendlyName !== 'string' || p.FriendlyName === '')
        throw new SeedError('seed: every subaccount needs a FriendlyName, by which it is found again');
      const existing = (await store.accounts.list(accountSid, { friendlyName: p.FriendlyName }, { size: 2 })).items.find(
        (a) => a.owner_account_sid === accountSid,
      );
      const sub = existing ?? (await createAccount(inTx, main, p));
      await applyIn(inTx, sub.sid, { shortCodes, phoneNumbers, services, connectors });
    }
  });
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
    const existing = await store.shortCodes.fetchByNumber(country, p.ShortCode as string);
    if (existing && existing.account_sid !== accountSid) throw new SeedError(`seed short code ${p.ShortCode} (${country}) belongs to another account`);
    if (!existing) await wrap(`short code ${p.ShortCode}`, () => createShortCode(deps, accountSid, p));
  }
  const e164Senders = seed.connectors?.some((c) => c.Senders?.some((sender) => String(sender).startsWith('+')));
  if (seed.phoneNumbers?.length || seed.services?.some((service) => service.PhoneNumbers?.length) || e164Senders) await loadNumberPlan();
  for (const entry of seed.phoneNumbers ?? []) {
    const p = params(createPhoneNumberOp, entry, `phone number ${JSON.stringify(entry)}`);
    if (p.PhoneNumber === undefined)
      throw new SeedError(`seed phone number ${JSON.stringify(entry)}: give PhoneNumber (an AreaCode would buy another number at every start)`);
    const number = parseE164(String(p.PhoneNumber))?.number ?? String(p.PhoneNumber);
    const existing = await store.phoneNumbers.fetchByNumber(number);
    if (existing && existing.account_sid !== accountSid) throw new SeedError(`seed phone number ${number} belongs to another account`);
    if (!existing) await wrap(`phone number ${number}`, () => createPhoneNumber(deps, accountSid, p));
  }
  for (const entry of seed.services ?? []) {
    const { ShortCodes: numbers = [], PhoneNumbers: phoneNumbers = [], AlphaSender: alpha, ...fields } = entry;
    const p = params(op.v1CreateService, fields, `service ${JSON.stringify(fields.FriendlyName)}`, serviceParamErrors);
    const name = p.FriendlyName as string;
    const service = (await store.services.fetchByName(accountSid, name)) ?? (await wrap(`service ${name}`, () => createService(deps, accountSid, p)));
    for (const number of numbers) {
      const [digits, country = 'US'] = String(number).split(':');
      const shortCode = await store.shortCodes.fetchByNumber(country.toUpperCase(), digits!);
      if (!shortCode || shortCode.account_sid !== accountSid) throw new SeedError(`seed service ${name}: short code ${number} is not declared`);
      if ((await store.pools.serviceOf(shortCode.sid)) === service.sid) continue;
      await wrap(`service ${name}`, () => createMember(deps, shortCodeKind, accountSid, service.sid, shortCode.sid));
    }
    for (const number of phoneNumbers) {
      const phone = await store.phoneNumbers.fetchByNumber(parseE164(String(number))?.number ?? String(number));
      if (!phone || phone.account_sid !== accountSid) throw new SeedError(`seed service ${name}: phone number ${number} is not declared`);
      if ((await store.pools.serviceOf(phone.sid)) === service.sid) continue;
      await wrap(`service ${name}`, () => createMember(deps, phoneNumberKind, accountSid, service.sid, phone.sid));
    }
    if (alpha !== undefined && !(await store.pools.hasMember(service.sid, alphaSenderKind.type))) {
      await wrap(`service ${name}`, () => createMember(deps, alphaSenderKind, accountSid, service.sid, String(alpha)));
    }
  }
  for (const entry of seed.connectors ?? []) {
    const { Senders: senders = [], ...fields } = entry;
    const p = params(shortrouteOperations.createConnector, fields, `connector ${JSON.stringify(fields.FriendlyName)}`);
    const name = p.FriendlyName;
    if (!name) throw new SeedError('seed: every connector needs a FriendlyName, by which it is found again');
    const existing = await store.connectors.fetchByName(accountSid, name);
    const connector = existing
      ? await wrap(`connector ${name}`, () => (differs(existing, p) ? updateConnector(deps, accountSid, existing.sid, p) : Promise.resolve(existing)))
      : await wrap(`connector ${name}`, () => createConnector(deps, accountSid, p));
    for (const sender of senders) {
      const text = String(sender);
      const [digits, country = 'US'] = text.split(':');
      const found = text.startsWith('+')
        ? await store.phoneNumbers.fetchByNumber(parseE164(text)?.number ?? text)
        : await store.shortCodes.fetchByNumber(country.toUpperCase(), digits!);
      if (!found || found.account_sid !== accountSid) throw new SeedError(`seed connector ${name}: sender ${text} is not declared`);
      if ((await store.connectors.sender(found.sid))?.connector_sid === connector.sid) continue;
      await wrap(`connector ${name}`, () => assignSender(deps, accountSid, connector.sid, found.sid));
    }
  }
}

/** Whether the seed's settings for a connector differ from those it has. */
function differs(row: ConnectorRow, p: ParamsOf<typeof shortrouteOperations.createConnector, 'body'>): boolean {
  const given: Array<[unknown, unknown]> = [
    [p.Host, row.host],
    [p.Port, row.port],
    [p.SystemId, row.system_id],
    [p.Password, row.password],
    [p.SystemType, row.system_type],
    [p.Tls === undefined ? undefined : p.Tls ? 1 : 0, row.tls],
    [p.Throughput, row.throughput],
    [p.WindowSize, row.window_size],
    [p.EnquireLinkInterval, row.enquire_link_interval],
  ];
  return given.some(([value, current]) => value !== undefined && value !== current);
}
