// The official `twilio` SDK, unchanged, against a listening Shortroute: phone numbers on the
// account and the v1 PhoneNumbers and AlphaSenders pools. TWILIO_EDGE / TWILIO_REGION would
// rewrite the loopback host (127.0.0.1 → 127.us1.0.1) even with a custom httpClient.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { sdkClient, rejectsWith, assertDate, type Client } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addShortCode } from '../helpers/fixtures.js';

type Server = TestServer & { cleanup(): Promise<void> };

const UNKNOWN_SERVICE = 'MG00000000000000000000000000000000';
const UNKNOWN_PN = 'PN00000000000000000000000000000000';

let nextNumber = 1000 + Math.floor(Math.random() * 8000);
const freshNumber = () => `+1312555${nextNumber++}`;

/** A number that can only take calls, through Shortroute's `Capabilities` extension (the SDK has no such option). */
async function addVoiceOnlyNumber(server: TestServer): Promise<string> {
  const reply = await server.request('POST', `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers.json`, {
    PhoneNumber: freshNumber(),
    Capabilities: 'Voice',
  });
  assert.equal(reply.status, 201, reply.text);
  return reply.body.sid;
}

for (const backend of BACKENDS) {
  describe(`[${backend}] twilio SDK: api.v2010.accounts(sid).incomingPhoneNumbers`, () => {
    let server: Server;
    let client: Client;
    // Moved by hand, so creation order and date_updated are exact.
    const clock = new FakeClock('2026-05-01T10:00:00.000Z');
    before(async () => {
      server = await startTestServer(backend, { clock });
      client = sdkClient(server);
    });
    after(() => server.cleanup());

    const numbers = () => client.api.v2010.accounts(server.account.sid).incomingPhoneNumbers;

    test('incomingPhoneNumbers.create({phoneNumber}): returns the instance with Twilio defaults and parsed dates', async () => {
      clock.advance(1000);
      const pn = await numbers().create({ phoneNumber: '+18089255327' });
      assert.match(pn.sid, /^PN[0-9a-f]{32}$/);
      assert.equal(pn.accountSid, server.account.sid);
      assert.equal(pn.phoneNumber, '+18089255327');
      assert.equal(pn.friendlyName, '(808) 925-5327');
      assert.deepEqual(pn.capabilities, { voice: true, sms: true, mms: true, fax: false });
      assert.equal(pn.type, 'local');
      assert.equal(pn.status, 'in-use');
      assert.equal(pn.origin, 'twilio');
      assert.equal(pn.beta, false);
      assert.equal(pn.apiVersion, '2010-04-01');
      assert.equal(pn.smsUrl, null);
      assert.equal(pn.smsMethod, 'POST');
      assert.equal(pn.voiceReceiveMode, 'voice');
      assert.equal(pn.emergencyStatus, 'Inactive');
      assert.equal(pn.voiceCallerIdLookup, false);
      assertDate(pn.dateCreated);
      assertDate(pn.dateUpdated);
      assert.equal(pn.uri, `/2010-04-01/Accounts/${server.account.sid}/IncomingPhoneNumbers/${pn.sid}.json`);
    });

    test('incomingPhoneNumbers.create({areaCode}): buys a number in that area code, with the options sent', async () => {
      clock.advance(1000);
      const pn = await numbers().create({
        areaCode: '907',
        friendlyName: 'Anchorage',
        smsUrl: 'https://hooks.example.test/sms',
        voiceUrl: 'https://hooks.example.test/voice',
      });
      assert.match(pn.phoneNumber, /^\+1907\d{7}$/);
      assert.equal(pn.friendlyName, 'Anchorage');
      assert.equal(pn.smsUrl, 'https://hooks.example.test/sms');
      assert.equal(pn.voiceUrl, 'https://hooks.example.test/voice');
    });

    test('incomingPhoneNumbers.create: the errors a buyer hits are RestExceptions', async () => {
      const before = (await numbers().list()).length;
      clock.advance(1000);
      const taken = await numbers().create({ phoneNumber: freshNumber() });
      await rejectsWith(numbers().create({ phoneNumber: taken.phoneNumber }), 400, 21422);
      await rejectsWith(numbers().create({ areaCode: '999' }), 400, 21451);
      await rejectsWith(numbers().create({ phoneNumber: '+1555' }), 400, 20001);
      await rejectsWith(numbers().create({ friendlyName: 'Neither number nor area code' }), 400, 20001);
      await rejectsWith(numbers().create({ phoneNumber: freshNumber(), smsMethod: 'PUT' as 'POST' }), 400, 20001);
      assert.equal((await numbers().list()).length, before + 1);
    });

    test('incomingPhoneNumbers.list: pages through every number in creation order; filters by phoneNumber and friendlyName', async () => {
      const made: string[] = [];
      for (const [number, name] of [
        ['+13125550001', 'Chicago'],
        ['+13125550002', 'Chicago'],
        ['+13125550903', 'Loop'],
      ] as const) {
        clock.advance(1000);
        made.push((await numbers().create({ phoneNumber: number, friendlyName: name })).sid);
      }
      const all = (await numbers().list({ pageSize: 2 })).map((n) => n.sid);
      assert.equal(new Set(all).size, all.length, 'no number is listed twice');
      assert.deepEqual(all.slice(-3), made);
      assert.deepEqual(
        (await numbers().list()).map((n) => n.sid),
        all,
      );
      const phones = async (options: { phoneNumber?: string; friendlyName?: string; pageSize?: number }) =>
        (await numbers().list(options)).map((n) => n.phoneNumber);
      assert.deepEqual(await phones({ phoneNumber: '312555000' }), ['+13125550001', '+13125550002']);
      // Numbers from freshNumber() are +1312555 1000 and up, so these filters see only the three above.
      assert.deepEqual(await phones({ phoneNumber: '3125550*0' }), ['+13125550001', '+13125550002', '+13125550903']);
      assert.deepEqual(await phones({ friendlyName: 'Chicago', pageSize: 1 }), ['+13125550001', '+13125550002']);
      assert.deepEqual(await phones({ friendlyName: 'Chicago', phoneNumber: '0002' }), ['+13125550002']);
      assert.deepEqual(await phones({ friendlyName: 'Nobody' }), []);
      const page = await numbers().page({ pageSize: 2 });
      const second = await page.nextPage();
      assert.ok(second, 'a second page');
      assert.deepEqual(
        second.instances.map((n) => n.sid),
        all.slice(2, 4),
      );
    });

    test('incomingPhoneNumbers(sid).fetch / update: update changes what is sent, keeps the rest; fetch agrees', async () => {
      clock.advance(1000);
      const created = await numbers().create({ phoneNumber: freshNumber() });
      assert.deepEqual((await numbers()(created.sid).fetch()).toJSON(), created.toJSON());
      clock.advance(5000);
      const updated = await numbers()(created.sid).update({
        friendlyName: 'Updated',
        smsUrl: 'https://hooks.example.test/sms',
        smsMethod: 'GET',
        statusCallback: 'https://hooks.example.test/status',
        voiceUrl: 'https://hooks.example.test/voice',
        voiceCallerIdLookup: true,
        emergencyStatus: 'Active',
        trunkSid: 'TK11111111111111111111111111111111',
      });
      assert.equal(updated.friendlyName, 'Updated');
      assert.equal(updated.smsUrl, 'https://hooks.example.test/sms');
      assert.equal(updated.smsMethod, 'GET');
      assert.equal(updated.statusCallback, 'https://hooks.example.test/status');
      assert.equal(updated.voiceUrl, 'https://hooks.example.test/voice');
      assert.equal(updated.voiceCallerIdLookup, true);
      assert.equal(updated.emergencyStatus, 'Active');
      assert.equal(updated.trunkSid, 'TK11111111111111111111111111111111');
      assert.equal(updated.smsFallbackMethod, 'POST');
      assert.equal(updated.phoneNumber, created.phoneNumber);
      assert.equal(updated.dateUpdated.getTime(), created.dateUpdated.getTime() + 5000);
      assert.deepEqual((await numbers()(created.sid).fetch()).toJSON(), updated.toJSON());
      const cleared = await numbers()(created.sid).update({ smsUrl: '', voiceUrl: '' });
      assert.equal(cleared.smsUrl, null);
      assert.equal(cleared.voiceUrl, null);
      assert.equal(cleared.friendlyName, 'Updated');
    });

    test('incomingPhoneNumbers(sid): unknown is RestException 404/20404; moving to another account is 501/20501', async () => {
      await rejectsWith(numbers()(UNKNOWN_PN).fetch(), 404, 20404);
      await rejectsWith(numbers()(UNKNOWN_PN).update({ friendlyName: 'x' }), 404, 20404);
      await rejectsWith(numbers()(UNKNOWN_PN).remove(), 404, 20404);
      clock.advance(1000);
      const pn = await numbers().create({ phoneNumber: freshNumber() });
      await rejectsWith(numbers()(pn.sid).update({ accountSid: 'AC99999999999999999999999999999999', friendlyName: 'Moved' }), 501, 20501);
      assert.equal((await numbers()(pn.sid).fetch()).friendlyName, pn.friendlyName);
    });

    test('incomingPhoneNumbers(sid).remove: resolves true; the number is gone and can be bought again', async () => {
      clock.advance(1000);
      const pn = await numbers().create({ phoneNumber: freshNumber() });
      const service = await client.messaging.v1.services.create({ friendlyName: 'Release' });
      await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: pn.sid });
      // twilio-node 6.2.0 builds the instance create() returns without its sid, so its .remove() throws; the context form works.
      assert.equal(await numbers()(pn.sid).remove(), true);
      await rejectsWith(numbers()(pn.sid).fetch(), 404, 20404);
      await rejectsWith(numbers()(pn.sid).remove(), 404, 20404);
      assert.deepEqual(await client.messaging.v1.services(service.sid).phoneNumbers.list(), []);
      clock.advance(1000);
      const again = await numbers().create({ phoneNumber: pn.phoneNumber });
      assert.notEqual(again.sid, pn.sid);
    });
  });

  describe(`[${backend}] twilio SDK: messaging.v1.services(sid).phoneNumbers and .alphaSenders`, () => {
    let server: Server;
    let client: Client;
    before(async () => {
      server = await startTestServer(backend);
      client = sdkClient(server);
    });
    after(() => server.cleanup());

    const buy = async () => client.api.v2010.accounts(server.account.sid).incomingPhoneNumbers.create({ phoneNumber: freshNumber() });

    test("phoneNumbers.create / fetch: the account's number joins the pool with its v1 shape", async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Numbers' });
      const pn = await buy();
      const added = await client.messaging.v1.services(service.sid).phoneNumbers.create({ phoneNumberSid: pn.sid });
      assert.equal(added.sid, pn.sid);
      assert.equal(added.accountSid, server.account.sid);
      assert.equal(added.serviceSid, service.sid);
      assert.equal(added.phoneNumber, pn.phoneNumber);
      assert.equal(added.countryCode, 'US');
      assert.deepEqual(added.capabilities, ['MMS', 'SMS', 'Voice']);
      assertDate(added.dateCreated);
      assertDate(added.dateUpdated);
      assert.equal(added.url, `${server.url}/v1/Services/${service.sid}/PhoneNumbers/${pn.sid}`);
      const fetched = await client.messaging.v1.services(service.sid).phoneNumbers(pn.sid).fetch();
      assert.deepEqual(fetched.toJSON(), added.toJSON());
    });

    test('phoneNumbers.list / remove: show exactly the pool; remove resolves true and keeps the number on the account', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Pool list' });
      const pool = client.messaging.v1.services(service.sid).phoneNumbers;
      assert.deepEqual(await pool.list(), []);
      const added: string[] = [];
      for (let i = 0; i < 3; i++) added.push((await pool.create({ phoneNumberSid: (await buy()).sid })).sid);
      await buy();
      assert.deepEqual((await pool.list({ pageSize: 2 })).map((m) => m.sid).sort(), [...added].sort());
      assert.equal(await pool(added[0]!).remove(), true);
      await rejectsWith(pool(added[0]!).fetch(), 404, 20404);
      await rejectsWith(pool(added[0]!).remove(), 404, 20404);
      assert.equal((await pool.list()).length, 2);
      const onAccount = await client.api.v2010.accounts(server.account.sid).incomingPhoneNumbers(added[0]!).fetch();
      assert.equal(onAccount.sid, added[0]);
    });

    test('phoneNumbers.create: the pool rules a user hits are RestExceptions (21710, 21712, 21715, 21421, 20404)', async () => {
      const first = await client.messaging.v1.services.create({ friendlyName: 'Rules 1' });
      const second = await client.messaging.v1.services.create({ friendlyName: 'Rules 2' });
      const pn = await buy();
      await client.messaging.v1.services(first.sid).phoneNumbers.create({ phoneNumberSid: pn.sid });
      await rejectsWith(client.messaging.v1.services(first.sid).phoneNumbers.create({ phoneNumberSid: pn.sid }), 409, 21710);
      await rejectsWith(client.messaging.v1.services(second.sid).phoneNumbers.create({ phoneNumberSid: pn.sid }), 400, 21712);
      const voiceOnly = await addVoiceOnlyNumber(server);
      await rejectsWith(client.messaging.v1.services(second.sid).phoneNumbers.create({ phoneNumberSid: voiceOnly }), 400, 21715);
      await rejectsWith(client.messaging.v1.services(second.sid).phoneNumbers.create({ phoneNumberSid: 'PN-not-a-sid' }), 400, 21421);
      await rejectsWith(client.messaging.v1.services(second.sid).phoneNumbers.create({ phoneNumberSid: UNKNOWN_PN }), 400, 21421);
      const sc = await addShortCode(server);
      await rejectsWith(client.messaging.v1.services(second.sid).phoneNumbers.create({ phoneNumberSid: sc.sid }), 400, 21421);
      await rejectsWith(client.messaging.v1.services(UNKNOWN_SERVICE).phoneNumbers.create({ phoneNumberSid: pn.sid }), 404, 20404);
      await rejectsWith(client.messaging.v1.services(UNKNOWN_SERVICE).phoneNumbers.list(), 404, 20404);
      assert.deepEqual(await client.messaging.v1.services(second.sid).phoneNumbers.list(), []);
    });

    test('alphaSenders.create / fetch / list / remove: one alpha sender, SMS only', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Alpha' });
      const pool = client.messaging.v1.services(service.sid).alphaSenders;
      const added = await pool.create({ alphaSender: 'Shortroute' });
      assert.match(added.sid, /^AI[0-9a-f]{32}$/);
      assert.equal(added.accountSid, server.account.sid);
      assert.equal(added.serviceSid, service.sid);
      assert.equal(added.alphaSender, 'Shortroute');
      assert.deepEqual(added.capabilities, ['SMS']);
      assertDate(added.dateCreated);
      assert.equal(added.url, `${server.url}/v1/Services/${service.sid}/AlphaSenders/${added.sid}`);
      assert.deepEqual((await pool(added.sid).fetch()).toJSON(), added.toJSON());
      assert.deepEqual(
        (await pool.list()).map((a) => a.sid),
        [added.sid],
      );
      assert.equal(await pool(added.sid).remove(), true);
      await rejectsWith(pool(added.sid).fetch(), 404, 20404);
      assert.deepEqual(await pool.list(), []);
    });

    test('alphaSenders.create: a bad alpha sender or a second one in the service is RestException 400/21709', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Alpha rules' });
      const pool = client.messaging.v1.services(service.sid).alphaSenders;
      await rejectsWith(pool.create({ alphaSender: 'Twelve chars' }), 400, 21709);
      await rejectsWith(pool.create({ alphaSender: '12345' }), 400, 21709);
      await rejectsWith(pool.create({ alphaSender: 'Bad!' }), 400, 21709);
      await pool.create({ alphaSender: 'First' });
      await rejectsWith(pool.create({ alphaSender: 'Second' }), 400, 21709);
      assert.deepEqual(
        (await pool.list()).map((a) => a.alphaSender),
        ['First'],
      );
      await rejectsWith(client.messaging.v1.services(UNKNOWN_SERVICE).alphaSenders.create({ alphaSender: 'Nowhere' }), 404, 20404);
    });
  });

  describe(`[${backend}] twilio SDK: a full pool (--max-senders 2)`, () => {
    let server: Server;
    let client: Client;
    before(async () => {
      server = await startTestServer(backend, { maxSenders: 2 });
      client = sdkClient(server);
    });
    after(() => server.cleanup());

    test('phoneNumbers.create / shortCodes.create past the limit: RestException 400/21714; alphaSenders.create still succeeds', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Full' });
      const numbers = client.api.v2010.accounts(server.account.sid).incomingPhoneNumbers;
      const pool = client.messaging.v1.services(service.sid);
      await pool.phoneNumbers.create({ phoneNumberSid: (await numbers.create({ phoneNumber: freshNumber() })).sid });
      await pool.shortCodes.create({ shortCodeSid: (await addShortCode(server)).sid });
      await rejectsWith(pool.phoneNumbers.create({ phoneNumberSid: (await numbers.create({ phoneNumber: freshNumber() })).sid }), 400, 21714);
      await rejectsWith(pool.shortCodes.create({ shortCodeSid: (await addShortCode(server)).sid }), 400, 21714);
      assert.equal((await pool.alphaSenders.create({ alphaSender: 'StillFits' })).alphaSender, 'StillFits');
    });
  });
}
