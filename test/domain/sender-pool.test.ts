import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TwilioError } from '../../src/http/errors.js';
import { createMember, deleteMember, listMembers } from '../../src/resources/sender-pool/pool.js';
import { alphaSenderKind } from '../../src/resources/service-alpha-senders/service-alpha-senders.js';
import { shortCodeKind } from '../../src/resources/service-short-codes/service-short-codes.js';
import { createService, deleteService } from '../../src/resources/services/services.js';
import { createShortCode } from '../../src/resources/short-codes/short-codes.js';
import { BACKENDS } from '../helpers/backends.js';
import { useDomain } from '../helpers/domain.js';

/** Rejects with this Twilio status and code. */
async function refused(call: Promise<unknown>, status: number, code: number): Promise<void> {
  await assert.rejects(call, (error: unknown) => error instanceof TwilioError && error.status === status && error.code === code);
}

let digits = 30000;

for (const backend of BACKENDS) {
  describe(`[${backend}] domain: a service's sender pool`, () => {
    const env = useDomain(backend, { maxSenders: 2 });
    const service = (name: string) => createService(env.deps, env.accountSid, { FriendlyName: name });
    const shortCode = () => createShortCode(env.deps, env.accountSid, { ShortCode: String(digits++) });

    test('createMember: a short code joins, with its number and country, and is listed', async () => {
      const svc = await service('Listed');
      const sc = await shortCode();
      const member = await createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, sc.sid);
      assert.equal(member.sid, sc.sid);
      assert.equal(member.address, sc.short_code);
      assert.equal(member.country_code, 'US');
      const page = await listMembers(env.deps, shortCodeKind, env.accountSid, svc.sid, { size: 50 });
      assert.deepEqual(page.items, [[sc.sid, sc.short_code, 'US', member.capabilities, member.added]]);
    });

    test('createMember: the pool limit (21714), a sender already here (21710) or in another service (21712)', async () => {
      const svc = await service('Full');
      const [a, b, c] = [await shortCode(), await shortCode(), await shortCode()];
      await createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, a.sid);
      await refused(createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, a.sid), 409, 21710);
      await createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, b.sid);
      await refused(createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, c.sid), 400, 21714);
      const other = await service('Other');
      await refused(createMember(env.deps, shortCodeKind, env.accountSid, other.sid, a.sid), 400, 21712);
    });

    test('createMember: adds that arrive together are each answered as that add alone would be', async () => {
      // On PostgreSQL these are written in batches (pool.ts); each must still get its own answer.
      const svc = await service('Together');
      const elsewhere = await service('Elsewhere');
      const [a, b, c, x] = [await shortCode(), await shortCode(), await shortCode(), await shortCode()];
      await createMember(env.deps, shortCodeKind, env.accountSid, elsewhere.sid, x.sid);
      const missing = `SC${'0'.repeat(32)}`;
      const add = (sid: string) => createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, sid);
      // b starts a batch alone; the rest arrive while it is written and form the next one, which
      // must see the first a when deciding the second, and the pool full (maxSenders 2) at c.
      const results = await Promise.allSettled([b, a, a, { sid: missing }, x, c].map((sc) => add(sc.sid)));
      const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as TwilioError).code : r.value.address));
      assert.deepEqual(codes, [b.short_code, a.short_code, 21710, 21421, 21712, 21714]);
      const page = await listMembers(env.deps, shortCodeKind, env.accountSid, svc.sid, { size: 50 });
      assert.deepEqual(page.items.map((m) => m[0]).sort(), [a.sid, b.sid].sort());
      assert.equal((await env.deps.store.services.fetch(env.accountSid, svc.sid))?.pool_size, 2);
    });

    test('createMember: one alpha sender per service (21709)', async () => {
      const svc = await service('Alpha');
      await createMember(env.deps, alphaSenderKind, env.accountSid, svc.sid, 'Shortroute');
      await refused(createMember(env.deps, alphaSenderKind, env.accountSid, svc.sid, 'Another'), 400, 21709);
    });

    test('deleteService: its senders are free to join another service (the pool goes with the service)', async () => {
      const svc = await service('Going');
      const sc = await shortCode();
      await createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, sc.sid);
      await deleteService(env.deps, env.accountSid, svc.sid);
      const next = await service('Next');
      const member = await createMember(env.deps, shortCodeKind, env.accountSid, next.sid, sc.sid);
      assert.equal(member.sid, sc.sid);
    });

    test('deleteMember: the sender leaves and the pool has room again', async () => {
      const svc = await service('Room');
      const [a, b, c] = [await shortCode(), await shortCode(), await shortCode()];
      await createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, a.sid);
      await createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, b.sid);
      await deleteMember(env.deps, shortCodeKind, env.accountSid, svc.sid, a.sid);
      await createMember(env.deps, shortCodeKind, env.accountSid, svc.sid, c.sid);
    });
  });
}
