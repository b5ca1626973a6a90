// Copilot's sender selection end to end, through the official `twilio` SDK: a message sent with a
// MessagingServiceSid and no From is accepted at once, and the simulated network picks the sender
// (short code, alpha sender, Short Code Reroute, area code geomatch, sticky sender, MMS Converter);
// what it could not pick arrives later as a failed message and a `failed` status callback.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { sdkClient, type Client } from '../helpers/sdk.js';
import { addShortCode } from '../helpers/fixtures.js';
import { unique, useMessagingServer, usNumber as us } from '../helpers/messaging.js';
import { Receiver, type Received } from '../helpers/receiver.js';

/** How the network routed a message, as GET /_shortroute/Accounts/{AC}/Messages/{Sid} shows it. */
interface Routing {
  sid: string;
  status: string;
  from: string | null;
  sender_sid: string | null;
  selection_rule: string | null;
  rerouted: boolean;
  events: { status: string; error_code: number | null; detail: string | null }[];
}

/** Distinct numbers for each call: phone numbers are unique on a server. */
const gb = () => `+447400${String(unique()).padStart(6, '0')}`;
const fr = () => `+336${String(unique()).padStart(8, '0')}`;

for (const backend of BACKENDS) {
  describe(`[${backend}] Copilot sender selection through the SDK`, () => {
    const env = useMessagingServer(backend);
    let client: Client;

    before(() => {
      client = sdkClient(env.server);
    });

    const numbers = () => client.api.v2010.accounts(env.server.account.sid).incomingPhoneNumbers;
    const buy = async (phoneNumber: string) => (await numbers().create({ phoneNumber })).sid;
    const routing = async (sid: string): Promise<Routing> => {
      const reply = await env.server.request('GET', `/_shortroute/Accounts/${env.server.account.sid}/Messages/${sid}`);
      assert.equal(reply.status, 200, reply.text);
      return reply.body as Routing;
    };
    const callbacksOf = (sid: string): Received[] => env.receiver.requests.filter((r) => r.params.MessageSid === sid);

    /** Sends through the service as the SDK does and runs the network until nothing is due now. */
    async function send(serviceSid: string, to: string, extra: { mediaUrl?: string[]; body?: string } = {}) {
      const message = await client.messages.create({
        messagingServiceSid: serviceSid,
        to,
        body: extra.body ?? 'Hello from Copilot',
        mediaUrl: extra.mediaUrl,
        statusCallback: `${env.receiver.url}/status`,
      });
      // Accepted at once; the sender is chosen afterwards.
      assert.equal(message.status, 'accepted');
      assert.equal(message.from, null);
      assert.equal(message.numSegments, '0');
      assert.equal(message.messagingServiceSid, serviceSid);
      await env.server.background.settle();
      return message;
    }

    /** A service with a US short code, a US number and a GB number (and an alpha sender, if named). */
    async function mixedService(options: { alpha?: string } = {}) {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Mixed pool', stickySender: false });
      const pool = client.messaging.v1.services(service.sid);
      const sc = await addShortCode(env.server, { CountryCode: 'US' });
      await pool.shortCodes.create({ shortCodeSid: sc.sid });
      const usNumber = us('312');
      const gbNumber = gb();
      const usSid = await buy(usNumber);
      const gbSid = await buy(gbNumber);
      await pool.phoneNumbers.create({ phoneNumberSid: usSid });
      await pool.phoneNumbers.create({ phoneNumberSid: gbSid });
      if (options.alpha) await pool.alphaSenders.create({ alphaSender: options.alpha });
      return { service, shortCode: sc, usNumber, usSid, gbNumber, gbSid };
    }

    test('a US recipient gets the US short code (rule short_code, not rerouted)', async () => {
      const { service, shortCode } = await mixedService();
      const message = await send(service.sid, us('415'));
      const routed = await routing(message.sid);
      assert.equal(routed.from, shortCode.short_code);
      assert.equal(routed.sender_sid, shortCode.sid);
      assert.equal(routed.selection_rule, 'short_code');
      assert.equal(routed.rerouted, false);
      const fetched = await client.messages(message.sid).fetch();
      assert.equal(fetched.from, shortCode.short_code);
      assert.equal(fetched.numSegments, '1');
      assert.notEqual(fetched.status, 'failed');
    });

    test('a GB recipient is rerouted from the short code to the GB number (country_code_geomatch)', async () => {
      const { service, gbNumber, gbSid } = await mixedService();
      const message = await send(service.sid, gb());
      const routed = await routing(message.sid);
      assert.equal(routed.from, gbNumber);
      assert.equal(routed.sender_sid, gbSid);
      assert.equal(routed.selection_rule, 'country_code_geomatch');
      assert.equal(routed.rerouted, true);
      const queued = routed.events.find((e) => e.status === 'queued');
      assert.match(queued?.detail ?? '', /short code reroute/);
    });

    test('a FR recipient gets the alpha sender when the pool has one; without it, a US number', async () => {
      const withAlpha = await mixedService({ alpha: 'Shortroute' });
      const viaAlpha = await routing((await send(withAlpha.service.sid, fr())).sid);
      assert.equal(viaAlpha.from, 'Shortroute');
      assert.equal(viaAlpha.selection_rule, 'alpha_sender');
      assert.equal(viaAlpha.rerouted, false);

      const without = await mixedService();
      const viaNumber = await routing((await send(without.service.sid, fr())).sid);
      // No FR number: Country Code Geomatch falls back to a US number.
      assert.equal(viaNumber.from, without.usNumber);
      assert.equal(viaNumber.selection_rule, 'any_number');
      assert.equal(viaNumber.rerouted, true);
    });

    test('area code geomatch: the 415 number for a 415 recipient over a 212 one; 628 overlays 415', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Geomatch', areaCodeGeomatch: true, stickySender: false });
      const pool = client.messaging.v1.services(service.sid);
      const nyc = us('212');
      const sf = us('415');
      // The 212 number is added first, so neither SID order nor pool order explains the choice.
      await pool.phoneNumbers.create({ phoneNumberSid: await buy(nyc) });
      await pool.phoneNumbers.create({ phoneNumberSid: await buy(sf) });

      const same = await routing((await send(service.sid, us('415'))).sid);
      assert.equal(same.from, sf);
      assert.equal(same.selection_rule, 'area_code_geomatch');
      assert.equal(same.rerouted, false);

      const overlay = await routing((await send(service.sid, us('628'))).sid);
      assert.equal(overlay.from, sf, '628 is an overlay of 415');
      assert.equal(overlay.selection_rule, 'area_code_geomatch');

      const nycRecipient = await routing((await send(service.sid, us('646'))).sid);
      assert.equal(nycRecipient.from, nyc, '646 is an overlay of 212');

      // And the other way round: a pool with only a 628 number serves a 415 recipient by overlay.
      const other = await client.messaging.v1.services.create({ friendlyName: 'Overlay', areaCodeGeomatch: true, stickySender: false });
      const oakland = us('628');
      await client.messaging.v1.services(other.sid).phoneNumbers.create({ phoneNumberSid: await buy(us('212')) });
      await client.messaging.v1.services(other.sid).phoneNumbers.create({ phoneNumberSid: await buy(oakland) });
      const reverse = await routing((await send(other.sid, us('415'))).sid);
      assert.equal(reverse.from, oakland);
      assert.equal(reverse.selection_rule, 'area_code_geomatch');

      // With geomatch off, the area code plays no part.
      await client.messaging.v1.services(other.sid).update({ areaCodeGeomatch: false });
      const off = await routing((await send(other.sid, us('415'))).sid);
      assert.equal(off.selection_rule, 'country_code_geomatch');
    });

    test('sticky sender: a recipient keeps its number even when it is the busier one; the mapping goes with the number', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Sticky', stickySender: true, areaCodeGeomatch: false });
      const pool = client.messaging.v1.services(service.sid);
      const a = await buy(us('312'));
      const b = await buy(us('312'));
      await pool.phoneNumbers.create({ phoneNumberSid: a });
      await pool.phoneNumbers.create({ phoneNumberSid: b });
      const recipient = us('773');

      const first = await routing((await send(service.sid, recipient)).sid);
      assert.equal(first.selection_rule, 'country_code_geomatch');
      const kept = first.sender_sid!;
      const other = kept === a ? b : a;

      const second = await routing((await send(service.sid, recipient)).sid);
      assert.equal(second.sender_sid, kept);
      assert.equal(second.selection_rule, 'sticky_sender');

      // Someone else gets the idle number; the sticky recipient still gets the busy one.
      const stranger = await routing((await send(service.sid, us('773'))).sid);
      assert.equal(stranger.sender_sid, other, 'the load is spread to the idle number');
      const third = await routing((await send(service.sid, recipient)).sid);
      assert.equal(third.sender_sid, kept);
      assert.equal(third.selection_rule, 'sticky_sender');

      // The number leaves the service: its mappings are deleted, and stay deleted when it comes back.
      assert.equal(await pool.phoneNumbers(kept).remove(), true);
      await pool.phoneNumbers.create({ phoneNumberSid: kept });
      const after = await routing((await send(service.sid, recipient)).sid);
      assert.notEqual(after.selection_rule, 'sticky_sender');
      assert.equal(after.selection_rule, 'country_code_geomatch');
    });

    test('21704: an empty pool fails the accepted message later, with a failed status callback', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Empty' });
      const message = await send(service.sid, us('415'));
      const fetched = await client.messages(message.sid).fetch();
      assert.equal(fetched.status, 'failed');
      assert.equal(fetched.errorCode, 21704);
      assert.equal(fetched.errorMessage, 'The Messaging Service contains no phone numbers');
      assert.equal(fetched.from, null);
      const callbacks = callbacksOf(message.sid);
      assert.deepEqual(
        callbacks.map((c) => c.params.MessageStatus),
        ['failed'],
      );
      assert.equal(callbacks[0]!.params.ErrorCode, '21704');
      assert.equal(callbacks[0]!.params.MessagingServiceSid, service.sid);
      assert.ok(Receiver.valid(callbacks[0]!, env.server.account.auth_token));
      const routed = await routing(message.sid);
      assert.deepEqual(
        routed.events.map((e) => e.status),
        ['accepted', 'failed'],
      );
    });

    test('21703: a pool with only a US short code cannot reach a GB recipient', async () => {
      const service = await client.messaging.v1.services.create({ friendlyName: 'Short code only' });
      await client.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: (await addShortCode(env.server, { CountryCode: 'US' })).sid });
      const message = await send(service.sid, gb());
      const fetched = await client.messages(message.sid).fetch();
      assert.equal(fetched.status, 'failed');
      assert.equal(fetched.errorCode, 21703);
      const callbacks = callbacksOf(message.sid);
      assert.deepEqual(
        callbacks.map((c) => [c.params.MessageStatus, c.params.ErrorCode]),
        [['failed', '21703']],
      );
      assert.equal(callbacks[0]!.params.From, undefined, 'no sender was chosen');
    });

    test('MMS to a pool that cannot carry media: 21703, or with MmsConverter an SMS with the media URL in the body', async () => {
      const media = 'https://media.example.test/cat.jpg';
      const strict = await client.messaging.v1.services.create({ friendlyName: 'No converter', mmsConverter: false });
      await client.messaging.v1.services(strict.sid).shortCodes.create({ shortCodeSid: (await addShortCode(env.server, { CountryCode: 'US' })).sid });
      const refused = await send(strict.sid, us('415'), { body: 'Look', mediaUrl: [media] });
      assert.match(refused.sid, /^MM[0-9a-f]{32}$/);
      const failed = await client.messages(refused.sid).fetch();
      assert.equal(failed.status, 'failed');
      assert.equal(failed.errorCode, 21703);
      assert.deepEqual(
        callbacksOf(refused.sid).map((c) => [c.params.MessageStatus, c.params.ErrorCode]),
        [['failed', '21703']],
      );

      const converting = await client.messaging.v1.services.create({ friendlyName: 'Converter', mmsConverter: true });
      const sc = await addShortCode(env.server, { CountryCode: 'US' });
      await client.messaging.v1.services(converting.sid).shortCodes.create({ shortCodeSid: sc.sid });
      const recipient = us('415');
      const converted = await send(converting.sid, recipient, { body: 'Look', mediaUrl: [media] });
      env.clock.advance(2_000);
      await env.server.background.settle();
      const sent = await client.messages(converted.sid).fetch();
      assert.equal(sent.status, 'delivered');
      assert.equal(sent.from, sc.short_code);
      assert.equal(sent.body, `Look\n${media}`);
      assert.equal(sent.numSegments, '1');
      const handset = await env.server.request('GET', `/_shortroute/Accounts/${env.server.account.sid}/Handsets/${encodeURIComponent(recipient)}/Messages`);
      assert.equal(handset.status, 200, handset.text);
      assert.deepEqual(
        handset.body.messages.map((m: { sid: string; body: string }) => [m.sid, m.body]),
        [[converted.sid, `Look\n${media}`]],
      );
    });
  });
}
