import type { Deps } from '../context.js';
import { SENDER_TYPE, type Page, type PageQuery, type ServiceShortCodeRow } from '../../storage/store.js';
import { notFound } from '../../http/errors.js';
import { addSender, removeSender, servicePath } from '../sender-pool/pool.js';

const path = (serviceSid: string, sid: string) => `${servicePath(serviceSid)}/ShortCodes/${sid}`;

async function requireService({ store }: Deps, accountSid: string, serviceSid: string): Promise<void> {
  if (!(await store.fetchService(accountSid, serviceSid))) throw notFound(servicePath(serviceSid));
}

/** Adds one of the account's short codes to the service's pool. */
export async function createServiceShortCode(deps: Deps, accountSid: string, serviceSid: string, shortCodeSid: string): Promise<ServiceShortCodeRow> {
  await addSender(deps, {
    accountSid,
    serviceSid,
    senderSid: shortCodeSid,
    type: SENDER_TYPE.shortCode,
    param: 'ShortCodeSid',
    load: async (tx) => {
      const sc = await tx.fetchShortCode(accountSid, shortCodeSid, { lock: true });
      return sc && { address: sc.short_code, country_code: sc.country_code, capabilities: sc.capabilities };
    },
  });
  return fetchServiceShortCode(deps, accountSid, serviceSid, shortCodeSid);
}

export async function fetchServiceShortCode(deps: Deps, accountSid: string, serviceSid: string, sid: string): Promise<ServiceShortCodeRow> {
  const row = await deps.store.fetchServiceShortCode(serviceSid, sid);
  if (row && row.account_sid === accountSid) return row;
  await requireService(deps, accountSid, serviceSid);
  throw notFound(path(serviceSid, sid));
}

export async function listServiceShortCodes(deps: Deps, accountSid: string, serviceSid: string, page: PageQuery): Promise<Page<ServiceShortCodeRow>> {
  await requireService(deps, accountSid, serviceSid);
  return deps.store.listServiceShortCodes(serviceSid, page);
}

export function deleteServiceShortCode(deps: Deps, accountSid: string, serviceSid: string, sid: string): Promise<void> {
  return removeSender(deps, { accountSid, serviceSid, senderSid: sid, type: SENDER_TYPE.shortCode, path: path(serviceSid, sid) });
}
