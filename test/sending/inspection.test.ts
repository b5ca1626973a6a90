// Shortroute's inspection and control endpoints under /_shortroute/Accounts/{AccountSid}/: signed
// in like Twilio's API and scoped to one account; Reset empties that account only; delivery rules
// are listed and deleted; the webhook log filters by message and kind; unknown messages are 404.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, form, send as http, type Reply } from '../helpers/server.js';
import { addShortCode, addSubaccount, assertTwilioError } from '../helpers/fixtures.js';
import { advanceClock, allPages, useMessagingServer, usNumber, webhookLog, type Json } from '../helpers/messaging.js';

const UNKNOWN_MESSAGE = 'SM00000000000000000000000000000000';

for (const backend of BACKENDS) {
  describe(`[${backend}] /_shortroute inspection and control`, () => {
    const env = useMessagingServer(backend);

    /** Requests signed in as `auth` (the main account's by default), with an optional form. */
    const as =
      (auth: string | undefined) =>
      (method: string, path: string, values?: Record<string, string>): Promise<Reply> =>
        http(env.server.url + path, method, auth, values ? form(values) : undefined);
    const main = () => as(env.server.auth);
    const shortroute = (account: string) => `/_shortroute/Accounts/${account}`;

    /** An account's things: a service with a number (and a short code), one message sent through it. */
    async function populate(account: string, call: ReturnType<typeof as>, options: { shortCode?: boolean } = {}) {
      const ok = async (method: string, path: string, values?: Record<string, string>) => {
        const reply = await call(method, path, values);
        assert.ok(reply.status < 300, `${method} ${path}: ${reply.status} ${reply.text}`);
        return reply.body as Json;
      };
      const service = await ok('POST', '/v1/Services', { FriendlyName: 'Populated' });
      const number = await ok('POST', `/2010-04-01/Accounts/${account}/IncomingPhoneNumbers.json`, { PhoneNumber: usNumber('312') });
      await ok('POST', `/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: number.sid });
      if (options.shortCode) await addShortCode(env.server, { CountryCode: 'US' });
      await ok('POST', `${shortroute(account)}/DeliveryRules`, { To: usNumber('415'), ErrorCode: '30003' });
      const message = await ok('POST', `/2010-04-01/Accounts/${account}/Messages.json`, {
        MessagingServiceSid: service.sid,
        To: usNumber('415'),
        Body: 'Populated',
        StatusCallback: `${env.receiver.url}/populated`,
      });
      return { service, number, message };
    }

    /** What an account holds, as the API lists it. */
    async function holdings(account: string, call: ReturnType<typeof as>) {
      const list = async (path: string, key: string) => {
        const reply = await call('GET', path);
        assert.equal(reply.status, 200, reply.text);
        return (reply.body[key] as { sid: string }[]).map((item) => item.sid);
      };
      const rules = await call('GET', `${shortroute(account)}/DeliveryRules`);
      const hooks = await call('GET', `${shortroute(account)}/Webhooks`);
      return {
        messages: await list(`/2010-04-01/Accounts/${account}/Messages.json?PageSize=1000`, 'messages'),
        services: await list('/v1/Services?PageSize=1000', 'services'),
        numbers: await list(`/2010-04-01/Accounts/${account}/IncomingPhoneNumbers.json?PageSize=1000`, 'incoming_phone_numbers'),
        shortCodes: await list(`/2010-04-01/Accounts/${account}/SMS/ShortCodes.json?PageSize=1000`, 'short_codes'),
        rules: (rules.body.delivery_rules as unknown[]).length,
        webhooks: (hooks.body.webhooks as unknown[]).length,
      };
    }

    test('Webhooks: a repeated filter takes its last value, as Twilio reads forms; never a 500', async () => {
      const { message } = await populate(env.server.account.sid, main());
      await env.server.background.settle();
      const path = `${shortroute(env.server.account.sid)}/Webhooks`;
      const twoKinds = await main()('GET', `${path}?Kind=inbound&Kind=status_callback`);
      assert.equal(twoKinds.status, 200, twoKinds.text);
      assert.ok(twoKinds.body.webhooks.length > 0);
      assert.ok(twoKinds.body.webhooks.every((w: Json) => w.kind === 'status_callback'));
      const twoSids = await main()('GET', `${path}?MessageSid=SM${'0'.repeat(32)}&MessageSid=${message.sid}`);
      assert.equal(twoSids.status, 200, twoSids.text);
      assert.ok(twoSids.body.webhooks.length > 0);
      assert.ok(twoSids.body.webhooks.every((w: Json) => w.message_sid === message.sid));
      assert.equal((await main()('POST', `${shortroute(env.server.account.sid)}/Reset`)).status, 204);
    });

    test('Handsets and Webhooks are paged as Twilio lists are: PageSize, meta.next_page_url (filters kept), 20007 past 1000', async () => {
      const { message } = await populate(env.server.account.sid, main());
      // The message goes its whole way (queued, sending, sent, undelivered), a callback at each step.
      await advanceClock(env.server, env.clock, 20_000, 1_000);
      const base = shortroute(env.server.account.sid);
      const hooks = await allPages<Json>(env.server, `${base}/Webhooks?MessageSid=${message.sid}&PageSize=1`, 'webhooks');
      assert.ok(hooks.length >= 2, `${hooks.length} webhooks`);
      assert.ok(hooks.every((w: Json) => w.message_sid === message.sid));
      const first = await main()('GET', `${base}/Webhooks?MessageSid=${message.sid}&PageSize=1`);
      assert.equal(first.body.webhooks.length, 1);
      assert.match(first.body.meta.next_page_url, new RegExp(`MessageSid=${message.sid}.*PageSize=1.*PageToken=PA`));
      const tooLarge = await main()('GET', `${base}/Webhooks?PageSize=1001`);
      assert.equal(tooLarge.status, 400);
      assert.equal(tooLarge.body.code, 20007);
      const inbox = await main()('GET', `${base}/Handsets/${encodeURIComponent(usNumber('415'))}/Messages?PageSize=1`);
      assert.equal(inbox.status, 200, inbox.text);
      assert.equal(inbox.body.meta.page_size, 1);
      assert.equal((await main()('POST', `${base}/Reset`)).status, 204);
    });

    test('every endpoint wants credentials (401, 20003), and those of the account or its owner (20003 otherwise)', async () => {
      const sub = await addSubaccount(env.server, { FriendlyName: 'Outsider' });
      const subAuth = basicAuth(sub.sid, sub.auth_token);
      const paths: [string, string, Record<string, string>?][] = [
        ['GET', '/Handsets/+14155550100/Messages'],
        ['GET', `/Messages/${UNKNOWN_MESSAGE}`],
        ['GET', '/Webhooks'],
        ['GET', '/DeliveryRules'],
        ['POST', '/DeliveryRules', { To: '+14155550100', ErrorCode: '30003' }],
        ['DELETE', '/DeliveryRules/+14155550100'],
        ['GET', '/OptOuts'],
        ['POST', '/Reset', {}],
      ];
      for (const [method, path, values] of paths) {
        const url = `${shortroute(env.server.account.sid)}${path}`;
        assertTwilioError(await as(undefined)(method, url, values), 401, 20003);
        assertTwilioError(await as(basicAuth(env.server.account.sid, 'not-the-token'))(method, url, values), 401, 20003);
        // A subaccount cannot look into its owner, nor into another account.
        assertTwilioError(await as(subAuth)(method, url, values), 401, 20003);
        assertTwilioError(await main()(method, `${shortroute('AC99999999999999999999999999999999')}${path}`, values), 401, 20003);
      }
      // The owner may look into its subaccount; the subaccount into itself.
      assert.equal((await main()('GET', `${shortroute(sub.sid)}/Webhooks`)).status, 200);
      assert.equal((await as(subAuth)('GET', `${shortroute(sub.sid)}/DeliveryRules`)).status, 200);
      // The refused Reset and rule changed nothing.
      assert.deepEqual((await main()('GET', `${shortroute(env.server.account.sid)}/DeliveryRules`)).body, { delivery_rules: [] });
    });

    test("Reset empties the account's messages, webhooks, rules, services, numbers and short codes; another account's stay", async () => {
      const sub = await addSubaccount(env.server, { FriendlyName: 'Keeps its things' });
      const subCall = as(basicAuth(sub.sid, sub.auth_token));
      const mine = await populate(env.server.account.sid, main(), { shortCode: true });
      const theirs = await populate(sub.sid, subCall);
      await env.server.background.settle();
      const before = await holdings(env.server.account.sid, main());
      assert.ok(before.messages.includes(mine.message.sid));
      assert.ok(before.services.includes(mine.service.sid));
      assert.ok(before.numbers.includes(mine.number.sid));
      assert.ok(before.shortCodes.length > 0 && before.rules > 0 && before.webhooks > 0, JSON.stringify(before));
      const theirsBefore = await holdings(sub.sid, subCall);

      const reset = await main()('POST', `${shortroute(env.server.account.sid)}/Reset`, {});
      assert.equal(reset.status, 204, reset.text);
      assert.deepEqual(await holdings(env.server.account.sid, main()), { messages: [], services: [], numbers: [], shortCodes: [], rules: 0, webhooks: 0 });
      assertTwilioError(await main()('GET', `${shortroute(env.server.account.sid)}/Messages/${mine.message.sid}`), 404, 20404);
      assertTwilioError(await main()('GET', `/2010-04-01/Accounts/${env.server.account.sid}/Messages/${mine.message.sid}.json`), 404, 20404);
      // The subaccount is untouched (its owner's reset is not its reset), and its message goes on.
      assert.deepEqual(await holdings(sub.sid, subCall), theirsBefore);
      // Credentials and subaccounts stay.
      assert.equal((await main()('GET', `/2010-04-01/Accounts/${sub.sid}.json`)).status, 200);
      env.clock.advance(5000);
      await env.server.background.settle();
      const fetched = await subCall('GET', `/2010-04-01/Accounts/${sub.sid}/Messages/${theirs.message.sid}.json`);
      assert.equal(fetched.body.status, 'delivered', fetched.text);
      // The account works as new: the released number can be bought again and sends.
      const again = await main()('POST', `/2010-04-01/Accounts/${env.server.account.sid}/IncomingPhoneNumbers.json`, { PhoneNumber: mine.number.phone_number });
      assert.equal(again.status, 201, again.text);
      const sent = await main()('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
        From: mine.number.phone_number,
        To: usNumber('415'),
        Body: 'After reset',
      });
      assert.equal(sent.status, 201, sent.text);
      env.clock.advance(5000);
      await env.server.background.settle();
      assert.equal((await main()('GET', `/2010-04-01/Accounts/${env.server.account.sid}/Messages/${sent.body.sid}.json`)).body.status, 'delivered');
    });

    test('delivery rules: created (201), replaced for the same To, listed by To, deleted (204, then 404); refused when malformed', async () => {
      const rules = `${shortroute(env.server.account.sid)}/DeliveryRules`;
      const [a, b] = ['+14155550101', '+14155550102'];
      assert.equal((await main()('POST', rules, { To: b, ErrorCode: '30007' })).status, 201);
      assert.equal((await main()('POST', rules, { To: a, ErrorCode: '30003' })).status, 201);
      const replaced = await main()('POST', rules, { To: b, ErrorCode: '30008', Status: 'failed' });
      assert.deepEqual(replaced.body, { to: b, status: 'failed', error_code: 30008 });
      assert.deepEqual((await main()('GET', rules)).body.delivery_rules, [
        { to: a, status: 'undelivered', error_code: 30003 },
        { to: b, status: 'failed', error_code: 30008 },
      ]);
      // Another account sees none of them.
      const sub = await addSubaccount(env.server);
      assert.deepEqual((await main()('GET', `${shortroute(sub.sid)}/DeliveryRules`)).body.delivery_rules, []);
      assertTwilioError(await main()('DELETE', `${shortroute(sub.sid)}/DeliveryRules/${encodeURIComponent(a)}`), 404, 20404);

      const removed = await main()('DELETE', `${rules}/${encodeURIComponent(a)}`);
      assert.equal(removed.status, 204, removed.text);
      assert.equal(removed.text, '');
      assertTwilioError(await main()('DELETE', `${rules}/${encodeURIComponent(a)}`), 404, 20404);
      assert.deepEqual(
        (await main()('GET', rules)).body.delivery_rules.map((r: Json) => r.to),
        [b],
      );
      // The number without its + names the same rule.
      assert.equal((await main()('DELETE', `${rules}/${b.slice(1)}`)).status, 204);
      assert.deepEqual((await main()('GET', rules)).body.delivery_rules, []);

      const malformed: Record<string, string>[] = [
        { ErrorCode: '30003' },
        { To: 'nobody', ErrorCode: '30003' },
        { To: a },
        { To: a, ErrorCode: '3003' },
        { To: a, ErrorCode: '00000' },
        { To: a, ErrorCode: '30003', Status: 'read' },
      ];
      for (const values of malformed) {
        const reply = await main()('POST', rules, values);
        assert.equal(reply.status, 400, `${JSON.stringify(values)}: ${reply.text}`);
      }
      assert.deepEqual((await main()('GET', rules)).body.delivery_rules, []);
    });

    test("the webhook log filters by MessageSid and Kind, and holds only the account's own", async () => {
      const mine = await populate(env.server.account.sid, main());
      const other = await main()('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
        MessagingServiceSid: mine.service.sid,
        To: usNumber('415'),
        Body: 'Other',
        StatusCallback: `${env.receiver.url}/other`,
      });
      const sub = await addSubaccount(env.server);
      const theirs = await populate(sub.sid, as(basicAuth(sub.sid, sub.auth_token)));
      env.clock.advance(5000);
      await env.server.background.settle();

      const log = (query: Record<string, string>, account = env.server.account.sid) => webhookLog<Json>(env.server, query, account);
      const one = await log({ MessageSid: mine.message.sid });
      assert.deepEqual(
        one.map((h) => h.params.MessageStatus),
        ['queued', 'sent', 'delivered'],
      );
      assert.ok(one.every((h) => h.message_sid === mine.message.sid && h.kind === 'status_callback' && h.status === 'delivered'));
      assert.ok(one.every((h) => h.attempts.length === 1 && h.attempts[0].response.status === 200));
      assert.deepEqual(
        (await log({ MessageSid: other.body.sid })).map((h) => h.url),
        Array(3).fill(`${env.receiver.url}/other`),
      );
      const all = await log({ Kind: 'status_callback' });
      assert.ok(all.some((h) => h.message_sid === mine.message.sid) && all.some((h) => h.message_sid === other.body.sid));
      assert.ok(!all.some((h) => h.message_sid === theirs.message.sid), "another account's webhooks are not listed");
      assert.deepEqual(await log({ Kind: 'inbound' }), []);
      assert.deepEqual(await log({ MessageSid: mine.message.sid, Kind: 'inbound' }), []);
      assert.deepEqual(await log({ MessageSid: theirs.message.sid }), []);
      assert.equal((await log({ MessageSid: theirs.message.sid }, sub.sid)).length, 3);
      assert.deepEqual(await log({ MessageSid: UNKNOWN_MESSAGE }), []);
    });

    test('Messages lists newest first, filtered by Status, Direction, MessagingServiceSid, To and From together, paged; bad values are 400', async () => {
      const account = env.server.account.sid;
      const base = shortroute(account);
      const first = await populate(account, main());
      const second = await populate(account, main());
      // The first message's recipient has a rule (30003): it ends undelivered once the network runs.
      await advanceClock(env.server, env.clock, 20_000, 1_000);
      const inbound = await main()('POST', `${base}/Handsets/${encodeURIComponent(usNumber('646'))}/Messages`, {
        To: second.number.phone_number,
        Body: 'hello',
      });
      assert.equal(inbound.status, 201, inbound.text);
      await env.server.background.settle();
      const sids = async (query: string) => (await allPages<Json>(env.server, `${base}/Messages?${query}`, 'messages')).map((m: Json) => m.sid);
      const everything = await sids('PageSize=1');
      assert.deepEqual(everything.slice(0, 3), [inbound.body.sid, second.message.sid, first.message.sid], 'newest first, a page at a time');
      assert.deepEqual(await sids(`MessagingServiceSid=${first.service.sid}`), [first.message.sid]);
      assert.deepEqual(await sids(`Direction=inbound&To=${encodeURIComponent(second.number.phone_number)}`), [inbound.body.sid]);
      const outbound = await sids(`Direction=outbound&MessagingServiceSid=${second.service.sid}`);
      assert.deepEqual(outbound, [second.message.sid], 'outbound covers outbound-api');
      const all = await allPages<Json>(env.server, `${base}/Messages?PageSize=50`, 'messages');
      const status = all.find((m: Json) => m.sid === first.message.sid).status as string;
      assert.notEqual(status, 'accepted', 'the network moved it on');
      const withStatus = await sids(`Status=${status}`);
      assert.deepEqual(
        withStatus,
        all.filter((m: Json) => m.status === status).map((m: Json) => m.sid),
      );
      assert.deepEqual(await sids('Status=canceled'), []);
      const page = await main()('GET', `${base}/Messages?Status=${status}&PageSize=1`);
      assert.match(page.body.meta.next_page_url, new RegExp(`Status=${status}.*PageSize=1.*PageToken=PA`));
      assert.equal(page.body.messages[0].sid.slice(0, 2), 'SM', 'each item is the 2010 Message');
      assert.equal(page.body.messages[0].account_sid, account);
      assertTwilioError(await main()('GET', `${base}/Messages?Status=lost`), 400, 20001);
      assertTwilioError(await main()('GET', `${base}/Messages?Direction=sideways`), 400, 20001);
      assert.equal((await main()('POST', `${base}/Reset`)).status, 204);
    });

    test("an unknown message, or another account's, is 404 (20404)", async () => {
      assertTwilioError(await main()('GET', `${shortroute(env.server.account.sid)}/Messages/${UNKNOWN_MESSAGE}`), 404, 20404);
      assertTwilioError(await main()('GET', `${shortroute(env.server.account.sid)}/Messages/not-a-sid`), 404, 20404);
      const sub = await addSubaccount(env.server);
      const theirs = await populate(sub.sid, as(basicAuth(sub.sid, sub.auth_token)));
      assertTwilioError(await main()('GET', `${shortroute(env.server.account.sid)}/Messages/${theirs.message.sid}`), 404, 20404);
      const own = await main()('GET', `${shortroute(sub.sid)}/Messages/${theirs.message.sid}`);
      assert.equal(own.status, 200, own.text);
      assert.equal(own.body.sid, theirs.message.sid);
      assert.equal(own.body.messaging_service_sid, theirs.service.sid);
    });
  });
}
