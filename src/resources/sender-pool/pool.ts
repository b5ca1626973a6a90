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
import { BatchersByKey } from '../../background/batcher.js';
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
  /**
   * The same for several values in one read, each with its sender or the error its add gets;
   * locks in SID order. A kind without it adds one sender a transaction.
   */
  resolveMany?(tx: Store, accountSid: string, values: readonly string[]): Promise<Map<string, Joining | Error>>;
  /** At most one of this kind per service, refused with this error (alpha senders). */
  onePerService?: () => TwilioError;
}

export type Member = PoolMemberRow;

const memberPath = (kind: PoolKind, serviceSid: string, sid: string) => `${servicePath(serviceSid)}/${kind.segment}/${sid}`;

async function requireService({ store }: Deps, accountSid: string, serviceSid: string): Promise<void> {
  if (!(await store.services.fetch(accountSid, serviceSid))) throw notFound(servicePath(serviceSid));
}

/** Each value's sender, or the error `join` threw for it. */
export function resolvedEach(values: readonly string[], join: (value: string) => Joining): Map<string, Joining | Error> {
  const resolved = new Map<string, Joining | Error>();
  for (const value of values) {
    try {
      resolved.set(value, join(value));
    } catch (error) {
      resolved.set(value, error as Error);
    }
  }
  return resolved;
}

/**
 * Puts a sender in a service's pool. The service row is locked first, so concurrent adds to one
 * pool take turns and the size limit holds; the sender's primary key in service_senders keeps it
 * in at most one service even when two nodes race to add it to different ones.
 *
 * On PostgreSQL the adds to one pool that arrive while its previous ones are being written are
 * written together (PoolAdds): one transaction and one statement each for the service's lock,
 * the senders, where they are pooled, the rows and the pool's size, in place of eight round
 * trips an add, six of them under the service's lock. Each add is decided in arrival order as it
 * would have been alone, and answers once its batch has committed.
 */
export async function createMember(deps: Deps, kind: PoolKind, accountSid: string, serviceSid: string, value: string): Promise<Member> {
  // SQLite's group commit shares a commit between concurrent adds already.
  if (!kind.resolveMany || deps.store.backend.commitsTogether) return createAlone(deps, kind, accountSid, serviceSid, value);
  let adds = poolAdds.get(deps.store);
  if (!adds) {
    adds = new PoolAdds(deps);
    poolAdds.set(deps.store, adds);
  }
  return adds.add(kind, accountSid, serviceSid, value);
}

/** One add waiting for its batch, and what became of it. */
interface Add {
  value: string;
  outcome?: { member: Member } | { error: unknown };
}

const poolAdds = new WeakMap<Store, PoolAdds>();

/** The adds to each pool, gathered while that pool's previous batch is written. */
class PoolAdds {
  readonly #batches = new BatchersByKey<Add>();

  constructor(private readonly deps: Deps) {}

  async add(kind: PoolKind, accountSid: string, serviceSid: string, value: string): Promise<Member> {
    const add: Add = { value };
    await this.#batches.add(`${accountSid}|${serviceSid}|${kind.type}`, add, (batch) => this.#write(kind, accountSid, serviceSid, batch));
    const outcome = add.outcome!;
    if ('error' in outcome) throw outcome.error;
    return outcome.member;
  }

  async #write(kind: PoolKind, accountSid: string, serviceSid: string, adds: Add[]): Promise<void> {
    const { store, clock, limits } = this.deps;
    try {
      await store.transaction(async (tx) => {
        const service = await tx.services.fetch(accountSid, serviceSid, { lock: true });
        if (!service) {
          for (const add of adds) add.outcome = { error: notFound(servicePath(serviceSid)) };
          return;
        }
        const resolved = await kind.resolveMany!(tx, accountSid, [...new Set(adds.map((a) => a.value))].sort());
        const joining = [...resolved.values()].filter((j): j is Joining => !(j instanceof Error));
        const pooled = await tx.pools.servicesOf(joining.map((j) => j.sid));
        const counted = POOL_COUNTED.includes(kind.type);
        let size = service.pool_size;
        const date = toStored(clock.now());
        const rows = [];
        for (const add of adds) {
          // Decided as it would be alone, after the adds before it in this batch.
          const sender = resolved.get(add.value)!;
          if (sender instanceof Error) {
            add.outcome = { error: sender };
            continue;
          }
          const refused = pooledRefusal(pooled.get(sender.sid), serviceSid) ?? (counted && size >= limits.maxSenders ? poolFull(limits.maxSenders) : undefined);
          if (refused) {
            add.outcome = { error: refused };
            continue;
          }
          pooled.set(sender.sid, serviceSid);
          if (counted) size++;
          rows.push({
            sender_sid: sender.sid,
            service_sid: serviceSid,
            account_sid: accountSid,
            sender_type: kind.type,
            ...sender.details,
            date_created: date,
            date_updated: date,
          });
          add.outcome = { member: { sid: sender.sid, ...sender.details, added: date } };
        }
        await tx.pools.insertMany(serviceSid, rows);
      });
    } catch {
      // A batch the database refused (a sender another node pooled meanwhile): each add alone,
      // with its own answer.
      for (const add of adds) {
        try {
          add.outcome = { member: await createAlone(this.deps, kind, accountSid, serviceSid, add.value) };
        } catch (error) {
          add.outcome = { error };
        }
      }
    }
  }
}

async function createAlone(deps: Deps, kind: PoolKind, accountSid: string, serviceSid: string, value: string): Promise<Member> {
  const { store, clock, limits } = deps;
  let joining: Joining | undefined;
  let date = '';
  try {
    await store.transaction(async (tx) => {
      const service = await tx.services.fetch(accountSid, serviceSid, { lock: true });
      if (!service) throw notFound(servicePath(serviceSid));
      joining = await kind.resolve(tx, accountSid, value);
      await refuseIfPooled(tx, serviceSid, joining.sid);
      if (kind.onePerService && (await tx.pools.hasMember(serviceSid, kind.type))) throw kind.onePerService();
      if (POOL_COUNTED.includes(kind.type) && service.pool_size >= limits.maxSenders) throw poolFull(limits.maxSenders);
      date = toStored(clock.now());
      await tx.pools.insert({ sender_sid: joining.sid, service_sid: serviceSid, account_sid: accountSid, sender_type: kind.type, date, ...joining.details });
    });
  } catch (error) {
    // Lost a race: the transaction is gone, so look again outside it to say who won.
    if (error instanceof UniqueViolation && joining) await refuseIfPooled(store, serviceSid, joining.sid);
    throw error;
  }
  // The member is what was written: no need to read it back.
  return { sid: joining!.sid, ...joining!.details, added: date };
}

async function refuseIfPooled(store: Store, serviceSid: string, senderSid: string): Promise<void> {
  const refused = pooledRefusal(await store.pools.serviceOf(senderSid), serviceSid);
  if (refused) throw refused;
}

/** Why a sender pooled in `current` (if anywhere) may not join `serviceSid`'s pool. */
function pooledRefusal(current: string | undefined, serviceSid: string): TwilioError | undefined {
  if (current === undefined) return undefined;
  return current === serviceSid ? senderAlreadyInService() : senderInAnotherService();
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
