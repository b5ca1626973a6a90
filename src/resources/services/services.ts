import type { Insertable, Updateable } from 'kysely';
import { columnsFrom, type ColumnField } from '../columns.js';
import type { operations as op } from '../../generated/api.js';
import type { ParamsOf } from '../../http/operation.js';
import type { Deps } from '../../deps.js';
import type { Page, PageQuery, ServiceRow } from '../../storage/store.js';
import type { ServiceTable } from '../../storage/schema.js';
import { checkFriendlyName, type ParamErrors } from '../../http/params.js';
import { toStored } from '../../http/dates.js';
import { invalidParameter, invalidUsecase, invalidValidityPeriod, missingParameter, notFound } from '../../http/errors.js';
import { newOrderedSid, SID_PREFIX } from '../../sids.js';

/** The use cases Twilio accepts (error 21713 otherwise): https://www.twilio.com/docs/api/errors/21713 */
export const USECASES = ['notifications', 'marketing', 'verification', 'discussion', 'poll', 'undeclared'] as const;

export const VALIDITY_PERIOD = { min: 1, max: 36_000 } as const;

/**
 * Each request parameter and the column it sets. `url` values may be sent empty to clear them.
 * Defaults are what a new service shows; the ones Twilio does not document are recorded in
 * docs/compatibility.md.
 */
const FIELDS = [
  { param: 'FriendlyName', column: 'friendly_name', kind: 'text' },
  { param: 'InboundRequestUrl', column: 'inbound_request_url', kind: 'url', default: null },
  { param: 'InboundMethod', column: 'inbound_method', kind: 'text', default: 'POST' },
  { param: 'FallbackUrl', column: 'fallback_url', kind: 'url', default: null },
  { param: 'FallbackMethod', column: 'fallback_method', kind: 'text', default: 'POST' },
  { param: 'StatusCallback', column: 'status_callback', kind: 'url', default: null },
  { param: 'StickySender', column: 'sticky_sender', kind: 'bool', default: 1 },
  { param: 'MmsConverter', column: 'mms_converter', kind: 'bool', default: 1 },
  { param: 'SmartEncoding', column: 'smart_encoding', kind: 'bool', default: 1 },
  { param: 'ScanMessageContent', column: 'scan_message_content', kind: 'text', default: 'inherit' },
  { param: 'FallbackToLongCode', column: 'fallback_to_long_code', kind: 'bool', default: 0 },
  { param: 'AreaCodeGeomatch', column: 'area_code_geomatch', kind: 'bool', default: 1 },
  { param: 'ValidityPeriod', column: 'validity_period', kind: 'int', default: VALIDITY_PERIOD.max },
  { param: 'SynchronousValidation', column: 'synchronous_validation', kind: 'bool', default: 1 },
  { param: 'Usecase', column: 'usecase', kind: 'text', default: 'undeclared' },
  { param: 'UseInboundWebhookOnNumber', column: 'use_inbound_webhook_on_number', kind: 'bool', default: 0 },
] as const satisfies readonly (ColumnField & { default?: unknown })[];

/** Dedicated Twilio codes for parameters that have one. */
export const serviceParamErrors: ParamErrors = {
  ValidityPeriod: (value) => invalidValidityPeriod(value),
};

function validate(params: ParamsOf<typeof op.v1CreateService> | ParamsOf<typeof op.v1UpdateService>): void {
  checkFriendlyName(params.FriendlyName);
  const usecase = params.Usecase;
  if (usecase !== undefined && !(USECASES as readonly string[]).includes(usecase)) throw invalidUsecase(usecase);
  const validity = params.ValidityPeriod;
  if (validity !== undefined && (validity < VALIDITY_PERIOD.min || validity > VALIDITY_PERIOD.max)) {
    throw invalidValidityPeriod(String(validity));
  }
}

const servicePath = (sid: string) => `/Services/${sid}`;

export async function createService({ store, clock }: Deps, accountSid: string, params: ParamsOf<typeof op.v1CreateService>): Promise<ServiceRow> {
  if (params.FriendlyName === '') throw missingParameter('FriendlyName');
  validate(params);
  const now = toStored(clock.now());
  const defaults = Object.fromEntries(FIELDS.filter((f) => 'default' in f).map((f) => [f.column, (f as { default: unknown }).default]));
  const row = {
    ...defaults,
    ...(columnsFrom(params, FIELDS) as Updateable<ServiceTable>),
    sid: newOrderedSid(SID_PREFIX.service),
    account_sid: accountSid,
    us_app_to_person_registered: 0,
    date_created: now,
    date_updated: now,
  } as Insertable<ServiceTable>;
  await store.services.insert(row);
  return row as ServiceRow;
}

export async function fetchService({ store }: Deps, accountSid: string, sid: string): Promise<ServiceRow> {
  const row = await store.services.fetch(accountSid, sid);
  if (!row) throw notFound(servicePath(sid));
  return row;
}

export function listServices({ store }: Deps, accountSid: string, page: PageQuery): Promise<Page<ServiceRow>> {
  return store.services.list(accountSid, page);
}

export async function updateService({ store, clock }: Deps, accountSid: string, sid: string, params: ParamsOf<typeof op.v1UpdateService>): Promise<ServiceRow> {
  if (params.FriendlyName === '') throw invalidParameter('FriendlyName', 'must not be empty');
  validate(params);
  return store.transaction(async (tx) => {
    const current = await tx.services.fetch(accountSid, sid, { lock: true });
    if (!current) throw notFound(servicePath(sid));
    const patch = { ...(columnsFrom(params, FIELDS) as Updateable<ServiceTable>), date_updated: toStored(clock.now()) };
    await tx.services.update(sid, patch);
    return { ...current, ...patch } as ServiceRow;
  });
}

export async function deleteService({ store }: Deps, accountSid: string, sid: string): Promise<void> {
  if (!(await store.services.delete(accountSid, sid))) throw notFound(servicePath(sid));
}
