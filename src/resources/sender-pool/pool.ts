import type { Deps } from '../../deps.js';
import {
  POOL_COUNTED,
  UniqueViolation,
  type Page,
  type PageQuery,
  type PoolMemberRow,
  type PoolMemberValues,
  type SenderDetails,
  type SenderType,
  type Store,
} from '../../storage/store.js';
import { toStored } from '../../http/dates.js';
import { notFound, poolFull, senderAlreadyInService, senderInAnotherService, type TwilioError } from '../../http/errors.js';

export const servicePath = (serviceSid: string) => `/Services/${serviceSid}`;

/** A sender that may join a pool: its SID and the identity the pool row keeps. */
export interface Joining {
  sid: string;
  details: SenderDetails;
}

/**
 * One kind of pool member (short codes, phone numbers, alpha senders): how the add request names
 * it and how it is found. The rules common to every kind live in this module.
 */
export interface PoolKind {
  type: SenderType;
  /** The URL segment under /v1/Services/{ServiceSid}/ (`ShortCodes`). */
  segment: string;
  /** The add request's parameter (`ShortCodeSid`). */
  param: string;
  /**
   * Reads (and on PostgreSQL locks) the sender the add names, on the account; throws the kind's
   * error when there is none or it may not join.
   */
  resolve(tx: Store, accountSid: string, value: string): Promise<Joining>;
  /** At most one of this kind per service, refused with this error (alpha senders). */
  onePerService?: () => TwilioError;
}

export type Member = PoolMemberRow;

const memberPath = (kind: PoolKind, serviceSid: string, sid: string) => `${servicePath(serviceSid)}/${kind.segment}/${sid}`;

async function requireService({ store }: Deps, accountSid: string, serviceSid: string): Promise<void> {
  if (!(await store.services.fetch(accountSid, serviceSid))) throw notFound(servicePath(serviceSid));
}

/**
 * Puts a sender in a service's pool. The service row is locked first, so concurrent adds to one
 * pool take turns and the size limit holds; the sender's primary key in service_senders keeps it
 * in at most one service even when two nodes race to add it to different ones.
 */
export async function createMember(deps: Deps, kind: PoolKind, accountSid: string, serviceSid: string, value: string): Promise<Member> {
  const { store, clock, limits } = deps;
  let joining: Joining | undefined;
  try {
    await store.transaction(async (tx) => {
      const service = await tx.services.fetch(accountSid, serviceSid, { lock: true });
      if (!service) throw notFound(servicePath(serviceSid));
      joining = await kind.resolve(tx, accountSid, value);
      await refuseIfPooled(tx, serviceSid, joining.sid);
      if (kind.onePerService && (await tx.pools.hasMember(serviceSid, kind.type))) throw kind.onePerService();
      if (POOL_COUNTED.includes(kind.type) && service.pool_size >= limits.maxSenders) throw poolFull(limits.maxSenders);
      const date = toStored(clock.now());
      await tx.pools.insert({ sender_sid: joining.sid, service_sid: serviceSid, account_sid: accountSid, sender_type: kind.type, date, ...joining.details });
    });
  } catch (error) {
    // Lost a race: the transaction is gone, so look again outside it to say who won.
    if (error instanceof UniqueViolation && joining) await refuseIfPooled(store, serviceSid, joining.sid);
    throw error;
  }
  return fetchMember(deps, kind, accountSid, serviceSid, joining!.sid);
}

async function refuseIfPooled(store: Store, serviceSid: string, senderSid: string): Promise<void> {
  const current = await store.pools.serviceOf(senderSid);
  if (current === serviceSid) throw senderAlreadyInService();
  if (current !== undefined) throw senderInAnotherService();
}

export async function fetchMember(deps: Deps, kind: PoolKind, accountSid: string, serviceSid: string, sid: string): Promise<Member> {
  const row = await deps.store.pools.fetchMember(serviceSid, kind.type, sid);
  if (row && row.account_sid === accountSid) return row;
  await requireService(deps, accountSid, serviceSid);
  throw notFound(memberPath(kind, serviceSid, sid));
}

export async function listMembers(deps: Deps, kind: PoolKind, accountSid: string, serviceSid: string, page: PageQuery): Promise<Page<PoolMemberValues>> {
  const result = await deps.store.pools.listMembers(accountSid, serviceSid, kind.type, page);
  // Members are listed only from the account's own service, so a page that holds any shows the
  // service is there and the caller's: only an empty one needs the service looked up.
  if (result.items.length === 0) await requireService(deps, accountSid, serviceSid);
  return result;
}

/** Takes a sender out of a service's pool; the sender stays on the account. */
export async function deleteMember(deps: Deps, kind: PoolKind, accountSid: string, serviceSid: string, sid: string): Promise<void> {
  await requireService(deps, accountSid, serviceSid);
  if (!(await deps.store.pools.delete(serviceSid, sid, kind.type))) throw notFound(memberPath(kind, serviceSid, sid));
}
