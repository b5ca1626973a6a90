import type { Deps } from '../context.js';
import { POOL_COUNTED, UniqueViolation, type SenderDetails, type SenderType, type Store } from '../../storage/store.js';
import { toStored } from '../../http/dates.js';
import { invalidSender, notFound, poolFull, senderAlreadyInService, senderInAnotherService } from '../../http/errors.js';


export const servicePath = (serviceSid: string) => `/Services/${serviceSid}`;

export interface AddSender {
  accountSid: string;
  serviceSid: string;
  senderSid: string;
  type: SenderType;
  /** The request parameter that named the sender, for error messages. */
  param: string;
  /** Locks and reads the sender on the account; undefined when the account has no such sender. */
  load: (tx: Store) => Promise<SenderDetails | undefined>;
}

/**
 * Puts a sender in a service's pool. The service row is locked first, so concurrent adds to one
 * pool take turns and the size limit holds; the sender's primary key in service_senders keeps it
 * in at most one service even when two nodes race to add it to different ones.
 */
export async function addSender({ store, clock, limits }: Deps, add: AddSender): Promise<void> {
  try {
    await store.transaction(async (tx) => {
      const service = await tx.fetchService(add.accountSid, add.serviceSid, { lock: true });
      if (!service) throw notFound(servicePath(add.serviceSid));
      const sender = await add.load(tx);
      if (!sender) throw invalidSender(add.param, add.senderSid);
      await refuseIfPooled(tx, add);
      if (POOL_COUNTED.includes(add.type) && service.pool_size >= limits.maxSenders) {
        throw poolFull(limits.maxSenders);
      }
      const date = toStored(clock.now());
      await tx.insertSender({ sender_sid: add.senderSid, service_sid: add.serviceSid, account_sid: add.accountSid, sender_type: add.type, date, ...sender });
    });
  } catch (error) {
    // Lost a race: the transaction is gone, so look again outside it to say who won.
    if (error instanceof UniqueViolation) await refuseIfPooled(store, add);
    throw error;
  }
}

async function refuseIfPooled(store: Store, add: AddSender): Promise<void> {
  const current = await store.fetchSenderServiceSid(add.senderSid);
  if (current === add.serviceSid) throw senderAlreadyInService();
  if (current !== undefined) throw senderInAnotherService();
}

/** Takes a sender out of a service's pool; the sender stays on the account. */
export async function removeSender({ store }: Deps, o: { accountSid: string; serviceSid: string; senderSid: string; type: SenderType; path: string }): Promise<void> {
  const service = await store.fetchService(o.accountSid, o.serviceSid);
  if (!service) throw notFound(servicePath(o.serviceSid));
  if (!(await store.deleteSender(o.serviceSid, o.senderSid, o.type))) throw notFound(o.path);
}
