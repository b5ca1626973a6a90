import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { toRfc2822 } from '../../src/http/dates.js';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, form, readTable, send, startTestServer, type TestServer } from '../helpers/server.js';
import { addService, addShortCode, addSubaccount, assertTwilioError } from '../helpers/fixtures.js';
import { Receiver } from '../helpers/receiver.js';

type Server = TestServer & { cleanup(): Promise<void> };
type Values = Record<string, string | string[]>;

const START = '2026-03-01T00:00:00Z';
const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/;
const UNKNOWN_SERVICE = 'MG00000000000000000000000000000000';
const UNKNOWN_MESSAGE = 'SM00000000000000000000000000000000';
const UNKNOWN_MEDIA = 'ME00000000000000000000000000000000';
/** A GB mobile number (libphonenumber puts +44 7911 12… in Guernsey, so not that one). */
const GB_MOBILE = '+447400123456';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Every property of api.v2010.account.message, as spec/twilio_api_v2010.json lists them. */
const KEYS = [
  'account_sid',
  'api_version',
  'body',
  'date_created',
  'date_sent',
  'date_updated',
  'direction',
  'error_code',
  'error_message',
  'from',
  'messaging_service_sid',
  'num_media',
  'num_segments',
  'price',
  'price_unit',
  'sid',
  'status',
  'subresource_uris',
  'to',
  'uri',
];

for (const backend of BACKENDS) {
  describe(`[${backend}] /2010-04-01/Accounts/{AccountSid}/Messages`, () => {
    let server: Server;
    let clock: FakeClock;
    let account: string;
    let messages: string;
    // Fresh US numbers: senders +1415555 1xxx, recipients +1650555 1xxx.
    let nextSender = 1000;
    let nextRecipient = 1000;
    const recipient = () => `+1650555${nextRecipient++}`;

    const one = (sid: string) => `${account}/Messages/${sid}.json`;
    const create = (values: Values) => server.request('POST', messages, values);
    const fetchOne = async (sid: string) => {
      const reply = await server.request('GET', one(sid));
      assert.equal(reply.status, 200, reply.text);
      return reply.body;
    };
    const list = async (query: Record<string, string> = {}) => {
      const reply = await server.request('GET', `${messages}?${new URLSearchParams(query)}`);
      assert.equal(reply.status, 200, reply.text);
      return reply.body;
    };
    const sids = (page: { messages: { sid: string }[] }) => page.messages.map((m) => m.sid);
    /** Sends and asserts the 201; returns the message JSON. */
    const sent = async (values: Values) => {
      const reply = await create(values);
      assert.equal(reply.status, 201, reply.text);
      return reply.body;
    };
    /** A phone number of the main account (or the given account, by its path); returns its E.164. */
    const addNumber = async (values: Values = {}, accountPath = account) => {
      const reply = await server.request('POST', `${accountPath}/IncomingPhoneNumbers.json`, { PhoneNumber: `+1415555${nextSender++}`, ...values });
      assert.equal(reply.status, 201, reply.text);
      return reply.body as { sid: string; phone_number: string };
    };
    const addToService = async (serviceSid: string, phoneNumberSid: string) => {
      const reply = await server.request('POST', `/v1/Services/${serviceSid}/PhoneNumbers`, { PhoneNumberSid: phoneNumberSid });
      assert.equal(reply.status, 201, reply.text);
    };
    /** A service with one phone number in its pool. */
    const addServiceWithNumber = async (values: Record<string, string> = {}) => {
      const service = await addService(server, values);
      const number = await addNumber();
      await addToService(service.sid, number.sid);
      return { sid: service.sid, number: number.phone_number };
    };
    /**
     * Moves the clock. The network is settled first: a message takes its place in its sender's
     * queue at the time its route step runs, so it must run at the time the message was created.
     */
    const advance = async (ms: number) => {
      await server.background.settle();
      clock.advance(ms);
      await server.background.settle();
    };
    /** Moves the clock to 01:00 UTC of the next day, so what is sent next is sent on a day of its own. */
    const nextDay = async () => {
      const now = clock.now().getTime();
      await advance(Math.floor(now / DAY) * DAY + DAY + HOUR - now);
      return clock.now().toISOString().slice(0, 10);
    };
    /** Sends from a long code and runs the network until the message is delivered. */
    const deliveredMessage = async (from: string, values: Values = {}) => {
      const message = await sent({ From: from, To: recipient(), Body: 'Delivered', ...values });
      await server.background.settle();
      // Transmission (up to 10 segments at 1/s) and then the receipt 1 s after `sent`.
      for (let i = 0; i < 3 && (await fetchOne(message.sid)).status !== 'delivered'; i++) await advance(10_000);
      const fetched = await fetchOne(message.sid);
      assert.equal(fetched.status, 'delivered', JSON.stringify(fetched));
      return fetched;
    };
    const inFuture = (ms: number) => new Date(clock.now().getTime() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

    before(async () => {
      clock = new FakeClock(START);
      server = await startTestServer(backend, { clock });
      account = `/2010-04-01/Accounts/${server.account.sid}`;
      messages = `${account}/Messages.json`;
    });
    after(() => server.cleanup());

    // This test comes first: it asserts that the account has no messages at all afterwards.
    test('create: every invalid request answers its Twilio error and writes nothing', async () => {
      const own = (await addNumber()).phone_number;
      const outsideService = (await addNumber()).phone_number;
      const service = await addServiceWithNumber();
      const shortCode = await addShortCode(server, { CountryCode: 'US' });
      const voiceOnly = (await addNumber({ Capabilities: 'Voice' })).phone_number;
      const smsOnly = (await addNumber({ Capabilities: 'SMS' })).phone_number;
      const otherService = await addServiceWithNumber();
      const alpha = await server.request('POST', `/v1/Services/${service.sid}/AlphaSenders`, { AlphaSender: 'Shortroute' });
      assert.equal(alpha.status, 201, alpha.text);
      const to = recipient();
      const media = (n: number) => Array.from({ length: n }, (_, i) => `https://media.example.test/${i}.png`);
      const ok = { To: to, From: own, Body: 'Hello' };
      const viaService = { To: to, MessagingServiceSid: service.sid, Body: 'Hello' };
      const magic = (magicTo: string) => ({ To: magicTo, From: '+15005550006', Body: 'Hello' });

      const cases: [name: string, values: Values, status: number, code: number][] = [
        ['no To', { From: own, Body: 'Hello' }, 400, 21604],
        ['an empty To', { ...ok, To: '' }, 400, 21604],
        ['neither From nor MessagingServiceSid', { To: to, Body: 'Hello' }, 400, 21603],
        ['no Body nor MediaUrl, with From', { To: to, From: own }, 400, 21602],
        ['an empty Body, with From', { ...ok, Body: '' }, 400, 21602],
        ['no Body nor MediaUrl, with a service', { To: to, MessagingServiceSid: service.sid }, 400, 21619],
        ['a body of 1601 characters', { ...ok, Body: 'a'.repeat(1601) }, 400, 21617],
        ['a body of 1601 characters, with a service', { ...viaService, Body: 'é'.repeat(1601) }, 400, 21617],
        ['an ftp:// MediaUrl', { ...ok, MediaUrl: 'ftp://media.example.test/a.png' }, 400, 21620],
        ['a MediaUrl that is no URL', { ...ok, MediaUrl: ['https://media.example.test/a.png', 'a.png'] }, 400, 21620],
        ['11 MediaUrl', { ...ok, MediaUrl: media(11) }, 400, 21623],
        ['ValidityPeriod 0', { ...ok, ValidityPeriod: '0' }, 400, 21624],
        ['ValidityPeriod 36001', { ...ok, ValidityPeriod: '36001' }, 400, 21624],
        ['ValidityPeriod -5', { ...viaService, ValidityPeriod: '-5' }, 400, 21624],
        ['ValidityPeriod not an integer', { ...ok, ValidityPeriod: 'ten' }, 400, 21624],
        ["To 'abc'", { ...ok, To: 'abc' }, 400, 21211],
        ['To an invalid number', { ...ok, To: '+1415' }, 400, 21211],
        ['To a short code', { ...ok, To: '12345' }, 400, 21265],
        ['From equal to To', { ...ok, To: own }, 400, 21266],
        ['From a number the account does not own', { ...ok, From: '+14155559999' }, 400, 21606],
        ['From a short code the account does not own', { ...ok, From: '99999' }, 400, 21606],
        ['From a US short code to a GB recipient', { ...ok, From: shortCode.short_code, To: GB_MOBILE }, 400, 21606],
        ['From a number that cannot message', { ...ok, From: voiceOnly }, 400, 21606],
        ['MediaUrl from a number without MMS', { ...ok, From: smsOnly, MediaUrl: media(1) }, 400, 21606],
        ['From an alphanumeric sender ID to a US number', { ...viaService, From: 'Shortroute' }, 400, 21612],
        ['an invalid StatusCallback', { ...ok, StatusCallback: 'not a url' }, 400, 21609],
        ['a StatusCallback with an impossible port', { ...ok, StatusCallback: 'http://hooks.example.test:99999/cb' }, 400, 21609],
        ['a MediaUrl with an impossible port', { ...ok, MediaUrl: 'http://media.example.test:99999/a.png' }, 400, 21620],
        ['From named like an object property', { ...ok, From: 'constructor' }, 400, 21606],
        ['To named like an object property', { ...ok, To: 'toString' }, 400, 21211],
        ['a ContentSid (no Content templates)', { To: to, From: own, ContentSid: 'HX00000000000000000000000000000000' }, 501, 20501],
        ['an ApplicationSid (no TwiML Apps)', { ...ok, ApplicationSid: 'AP00000000000000000000000000000000' }, 501, 20501],
        ['ShortenUrls=true', { ...ok, ShortenUrls: 'true' }, 501, 20501],
        ['SendAsMms=true', { ...ok, SendAsMms: 'true' }, 501, 20501],
        ['a FallbackFrom (no RCS)', { ...ok, FallbackFrom: own }, 501, 20501],
        ['ProvideFeedback=true', { ...ok, ProvideFeedback: 'true' }, 501, 20501],
        ['an unknown MessagingServiceSid', { ...viaService, MessagingServiceSid: UNKNOWN_SERVICE }, 404, 21701],
        ['a malformed MessagingServiceSid', { ...viaService, MessagingServiceSid: 'MG123' }, 400, 21705],
        ['From owned but not in the named service', { ...viaService, From: outsideService }, 400, 21711],
        ["From in another service's pool", { ...viaService, From: otherService.number }, 400, 21711],
        ['ScheduleType without SendAt', { ...viaService, ScheduleType: 'fixed' }, 400, 35111],
        ['SendAt 300 s ahead (too soon)', { ...viaService, ScheduleType: 'fixed', SendAt: inFuture(300_000) }, 400, 35114],
        ['SendAt in the past', { ...viaService, ScheduleType: 'fixed', SendAt: inFuture(-HOUR) }, 400, 35114],
        ['SendAt past 35 days (too far)', { ...viaService, ScheduleType: 'fixed', SendAt: inFuture(35 * DAY + 1000) }, 400, 35114],
        ["SendAt 'tomorrow' (not a date)", { ...viaService, ScheduleType: 'fixed', SendAt: 'tomorrow' }, 400, 35114],
        ['SendAt without a time zone', { ...viaService, ScheduleType: 'fixed', SendAt: inFuture(HOUR).slice(0, 19) }, 400, 35114],
        ['a schedule without a service', { ...ok, ScheduleType: 'fixed', SendAt: inFuture(HOUR) }, 400, 35118],
        // Twilio's test-credential numbers (twilio.com/docs/iam/test-credentials).
        ['magic From +15005550001 (invalid)', { ...ok, From: '+15005550001' }, 400, 21212],
        ['magic From +15005550007 (not owned)', { ...ok, From: '+15005550007' }, 400, 21606],
        ['magic From +15005550008 (queue full)', { ...ok, From: '+15005550008' }, 400, 21611],
        ['magic To +15005550001 (invalid)', magic('+15005550001'), 400, 21211],
        ['magic To +15005550002 (unreachable)', magic('+15005550002'), 400, 21612],
        ['magic To +15005550003 (region blocked)', magic('+15005550003'), 400, 21408],
        ['magic To +15005550004 (unsubscribed)', magic('+15005550004'), 400, 21610],
        ['magic To +15005550009 (not mobile)', magic('+15005550009'), 400, 21614],
      ];
      for (const [name, values, status, code] of cases) {
        const reply = await create(values);
        try {
          assertTwilioError(reply, status, code);
        } catch (error) {
          throw new Error(`${name}: ${(error as Error).message}`);
        }
      }
      await server.background.settle();
      const page = await list({ PageSize: '1000' });
      assert.deepEqual(page.messages, []);
      // Nor anything behind the API: no message, no history, no webhook.
      for (const table of ['messages', 'message_events', 'webhooks'] as const) {
        assert.deepEqual(await readTable(server, table), [], table);
      }
    });

    test('create: settings that change nothing a test can see are accepted (off switches, reserved, obsolete)', async () => {
      const from = (await addNumber()).phone_number;
      const message = await sent({
        From: from,
        To: recipient(),
        Body: 'Hi',
        ShortenUrls: 'false',
        SendAsMms: 'false',
        ProvideFeedback: 'false',
        MaxPrice: '0.5',
        Attempt: '1',
        ForceDelivery: 'true',
        ContentRetention: 'retain',
        AddressRetention: 'retain',
        RiskCheck: 'disable',
      });
      assert.equal(message.status, 'queued');
    });

    test('create with From: queued, from set, num_segments counted (a string), every spec property', async () => {
      const from = (await addNumber()).phone_number;
      const to = recipient();
      const message = await sent({ From: from, To: to, Body: 'x'.repeat(161) });
      assert.deepEqual(Object.keys(message).sort(), KEYS);
      assert.match(message.sid, /^SM[0-9a-f]{32}$/);
      assert.equal(message.account_sid, server.account.sid);
      assert.equal(message.status, 'queued');
      assert.equal(message.from, from);
      assert.equal(message.to, to);
      assert.equal(message.body, 'x'.repeat(161));
      assert.equal(message.num_segments, '2');
      assert.equal(message.num_media, '0');
      assert.equal(message.direction, 'outbound-api');
      assert.equal(message.messaging_service_sid, null);
      assert.equal(message.date_sent, null);
      assert.equal(message.date_created, toRfc2822(clock.now().toISOString()));
      assert.equal(message.date_updated, message.date_created);
      assert.equal(message.error_code, null);
      assert.equal(message.error_message, null);
      assert.equal(message.price, null);
      assert.equal(message.price_unit, 'USD');
      assert.equal(message.api_version, '2010-04-01');
      assert.equal(message.uri, one(message.sid));
      assert.equal(message.subresource_uris.media, `${account}/Messages/${message.sid}/Media.json`);
      assert.equal((await sent({ From: from, To: to, Body: 'x'.repeat(160) })).num_segments, '1');
      // A number given without its + is the same sender.
      assert.equal((await sent({ From: from.slice(1), To: to.slice(1), Body: 'Hi' })).from, from);
      // Twilio's magic valid From sends, as a number of no account.
      const magic = await sent({ From: '+15005550006', To: to, Body: 'Hi' });
      assert.equal(magic.status, 'queued');
      assert.equal(magic.from, '+15005550006');
      // The limits themselves are allowed.
      await sent({ From: from, To: to, Body: 'a'.repeat(1600) });
      await sent({ From: from, To: to, Body: 'Hi', ValidityPeriod: '1' });
      await sent({ From: from, To: to, Body: 'Hi', ValidityPeriod: '36000' });
    });

    test('create with a MessagingServiceSid: accepted, from null, num_segments "0" until a sender is chosen', async () => {
      const service = await addServiceWithNumber();
      const to = recipient();
      const message = await sent({ MessagingServiceSid: service.sid, To: to, Body: 'Hello' });
      assert.match(message.sid, /^SM[0-9a-f]{32}$/);
      assert.equal(message.status, 'accepted');
      assert.equal(message.from, null);
      assert.equal(message.num_segments, '0');
      assert.equal(message.messaging_service_sid, service.sid);
      assert.equal(message.to, to);
      // Routed: the pool's number sends it.
      await server.background.settle();
      const routed = await fetchOne(message.sid);
      assert.equal(routed.from, service.number);
      assert.equal(routed.num_segments, '1');
      assert.equal(routed.status, 'sending');
      // With From and the service: the sender is the named one, and the answer is `accepted`.
      const both = await sent({ MessagingServiceSid: service.sid, From: service.number, To: to, Body: 'Hello' });
      assert.equal(both.status, 'accepted');
      assert.equal(both.from, service.number);
      assert.equal(both.messaging_service_sid, service.sid);
    });

    test('create scheduled: status scheduled, sent at SendAt; the window is (300 s, 35 days]', async () => {
      const service = await addServiceWithNumber();
      const sendAt = inFuture(HOUR);
      const message = await sent({ MessagingServiceSid: service.sid, To: recipient(), Body: 'Later', ScheduleType: 'fixed', SendAt: sendAt });
      assert.equal(message.status, 'scheduled');
      assert.equal(message.from, null);
      assert.equal(message.date_sent, null);
      await server.background.settle();
      assert.equal((await fetchOne(message.sid)).status, 'scheduled');
      await advance(HOUR - 1000);
      assert.equal((await fetchOne(message.sid)).status, 'scheduled');
      await advance(1000);
      assert.equal((await fetchOne(message.sid)).status, 'sending');
      await advance(1000);
      const sentAt = await fetchOne(message.sid);
      assert.equal(sentAt.status, 'sent');
      assert.equal(sentAt.date_sent, toRfc2822(new Date(Date.parse(sendAt) + 1000).toISOString()));
      // The edges of the window.
      const edge = { MessagingServiceSid: service.sid, To: recipient(), Body: 'Edge', ScheduleType: 'fixed' };
      assert.equal((await sent({ ...edge, SendAt: inFuture(301_000) })).status, 'scheduled');
      assert.equal((await sent({ ...edge, SendAt: inFuture(35 * DAY) })).status, 'scheduled');
      // An offset is read as one: 03:00+02:00 is 01:00Z.
      const inTwoHours = new Date(clock.now().getTime() + 2 * HOUR);
      const local = new Date(inTwoHours.getTime() + 2 * HOUR).toISOString().slice(0, 19);
      assert.equal((await sent({ ...edge, SendAt: `${local}+02:00` })).status, 'scheduled');
      assertTwilioError(await create({ ...edge, SendAt: `${new Date(clock.now().getTime() + 2 * HOUR).toISOString().slice(0, 19)}+02:00` }), 400, 35114);
    });

    test('create with media: an MM sid, num_media counted (a string), one segment', async () => {
      const from = (await addNumber()).phone_number;
      const message = await sent({
        From: from,
        To: recipient(),
        Body: 'Look',
        MediaUrl: ['https://media.example.test/cat.jpg', 'https://media.example.test/menu.pdf'],
      });
      assert.match(message.sid, /^MM[0-9a-f]{32}$/);
      assert.equal(message.num_media, '2');
      assert.equal(message.num_segments, '1');
      assert.equal(message.status, 'queued');
      // Media alone, no body.
      const only = await sent({ From: from, To: recipient(), MediaUrl: 'https://media.example.test/cat.png' });
      assert.match(only.sid, /^MM/);
      assert.equal(only.body, '');
      assert.equal(only.num_media, '1');
      const ten = await sent({ From: from, To: recipient(), MediaUrl: Array.from({ length: 10 }, (_, i) => `https://media.example.test/${i}.gif`) });
      assert.equal(ten.num_media, '10');
    });

    test('create: UCS-2 bodies count UTF-16 units (70 a segment, 67 when split)', async () => {
      const from = (await addNumber()).phone_number;
      const to = recipient();
      const segments = async (body: string) => (await sent({ From: from, To: to, Body: body })).num_segments;
      // 69 letters and an emoji (two UTF-16 units): 71 units, UCS-2, two segments.
      assert.equal(await segments(`${'a'.repeat(69)}😀`), '2');
      assert.equal(await segments(`${'a'.repeat(68)}😀`), '1');
      assert.equal(await segments('é'.repeat(160)), '1'); // é is GSM-7
      assert.equal(await segments(`${'a'.repeat(133)}ж`), '2');
      assert.equal(await segments('ж'.repeat(134)), '2');
      assert.equal(await segments('ж'.repeat(135)), '3');
    });

    test('create: Smart Encoding turns “quotes” into plain quotes (service setting or SmartEncoded=true)', async () => {
      // Smart Encoding is on by default on a new service.
      const plain = await addServiceWithNumber({ SmartEncoding: 'false' });
      const byDefault = await addServiceWithNumber();
      const smart = await addServiceWithNumber({ SmartEncoding: 'true' });
      const from = (await addNumber()).phone_number;
      const to = recipient();
      const curly = '“Hello” it’s me';
      const straight = '"Hello" it\'s me';
      const viaSmart = await sent({ MessagingServiceSid: smart.sid, To: to, Body: curly });
      assert.equal(viaSmart.body, straight);
      assert.equal((await sent({ MessagingServiceSid: byDefault.sid, To: to, Body: curly })).body, straight);
      assert.equal((await sent({ MessagingServiceSid: plain.sid, To: to, Body: curly })).body, curly);
      assert.equal((await sent({ MessagingServiceSid: plain.sid, To: to, Body: curly, SmartEncoded: 'true' })).body, straight);
      assert.equal((await sent({ MessagingServiceSid: smart.sid, To: to, Body: curly, SmartEncoded: 'false' })).body, curly);
      const fromSend = await sent({ From: from, To: to, Body: curly, SmartEncoded: 'true' });
      assert.equal(fromSend.body, straight);
      assert.equal(fromSend.num_segments, '1');
      const unencoded = await sent({ From: from, To: to, Body: curly });
      assert.equal(unencoded.body, curly);
      // A body that stays UCS-2 anyway (an emoji) is left as written.
      assert.equal((await sent({ From: from, To: to, Body: `${curly} 😀`, SmartEncoded: 'true' })).body, `${curly} 😀`);
      // After routing, the smart-encoded service message counts as GSM-7.
      await server.background.settle();
      assert.equal((await fetchOne(viaSmart.sid)).num_segments, '1');
    });

    test('create through a service uses its settings as they are now: changed, then the service deleted', async () => {
      const service = await addServiceWithNumber({ SmartEncoding: 'true' });
      const curly = '“Hello” it’s me';
      // The first send keeps what it read of the service in memory; each change clears that.
      assert.equal((await sent({ MessagingServiceSid: service.sid, To: recipient(), Body: curly })).body, '"Hello" it\'s me');
      const changed = await server.request('POST', `/v1/Services/${service.sid}`, { SmartEncoding: 'false' });
      assert.equal(changed.status, 200, changed.text);
      assert.equal((await sent({ MessagingServiceSid: service.sid, To: recipient(), Body: curly })).body, curly);
      assert.equal((await server.request('DELETE', `/v1/Services/${service.sid}`)).status, 204);
      assertTwilioError(await create({ MessagingServiceSid: service.sid, To: recipient(), Body: 'Hi' }), 404, 21701);
    });

    test('lifecycle through fetch: queued → sending → sent → delivered, date_sent set when sent', async () => {
      const from = (await addNumber()).phone_number;
      // Two messages at the same instant: the network routes due messages by (due time, sid), so
      // settling between the two makes the first one first in its sender's queue.
      const first = await sent({ From: from, To: recipient(), Body: 'First' });
      assert.equal(first.status, 'queued');
      await server.background.settle();
      const second = await sent({ From: from, To: recipient(), Body: 'Second' });
      assert.equal(second.status, 'queued');
      await server.background.settle();
      // A long code sends one segment a second: the first transmits, the second waits its turn.
      let a = await fetchOne(first.sid);
      let b = await fetchOne(second.sid);
      assert.equal(a.status, 'sending');
      assert.equal(a.date_sent, null);
      assert.equal(b.status, 'queued');
      assert.equal(b.date_sent, null);

      await advance(1000);
      const sentAt = toRfc2822(clock.now().toISOString());
      a = await fetchOne(first.sid);
      b = await fetchOne(second.sid);
      assert.equal(a.status, 'sent');
      assert.equal(a.date_sent, sentAt);
      assert.equal(a.date_updated, sentAt);
      assert.equal(b.status, 'sending');

      await advance(999);
      assert.equal((await fetchOne(first.sid)).status, 'sent');
      await advance(1);
      a = await fetchOne(first.sid);
      b = await fetchOne(second.sid);
      assert.equal(a.status, 'delivered');
      assert.equal(a.date_sent, sentAt);
      assert.equal(a.error_code, null);
      assert.equal(a.date_created, first.date_created);
      assert.equal(b.status, 'sent');

      await advance(1000);
      b = await fetchOne(second.sid);
      assert.equal(b.status, 'delivered');
      assert.match(b.date_sent, RFC_2822);
      // A short code sends 100 segments a second: both transmit within 20 ms.
      const shortCode = await addShortCode(server, { CountryCode: 'US' });
      const fast = [];
      for (let i = 0; i < 2; i++) {
        fast.push(await sent({ From: shortCode.short_code, To: recipient(), Body: 'Fast' }));
        await server.background.settle();
      }
      assert.equal(fast[0].from, shortCode.short_code);
      assert.deepEqual([(await fetchOne(fast[0].sid)).status, (await fetchOne(fast[1].sid)).status], ['sending', 'queued']);
      await advance(20);
      for (const m of fast) assert.equal((await fetchOne(m.sid)).status, 'sent');
      await advance(1000);
      for (const m of fast) assert.equal((await fetchOne(m.sid)).status, 'delivered');
    });

    test('fetch: an unknown or malformed sid is 404 (20404)', async () => {
      assertTwilioError(await server.request('GET', one(UNKNOWN_MESSAGE)), 404, 20404);
      assertTwilioError(await server.request('GET', one('MM00000000000000000000000000000000')), 404, 20404);
      assertTwilioError(await server.request('GET', one('nonsense')), 404, 20404);
    });

    test('list: newest first; To and From filters', async () => {
      const from = (await addNumber()).phone_number;
      const other = (await addNumber()).phone_number;
      const [r1, r2] = [recipient(), recipient()];
      const made: string[] = [];
      for (const [sender, to] of [
        [from, r1],
        [from, r2],
        [other, r1],
        [from, r1],
      ] as const) {
        await advance(1000);
        made.push((await sent({ From: sender, To: to, Body: 'Listed' })).sid);
      }
      await server.background.settle();
      const all = await list({ PageSize: '1000' });
      // Newest first over the whole account.
      assert.deepEqual(sids(all).slice(0, 4), [...made].reverse());
      const created = all.messages.map((m: { date_created: string }) => Date.parse(m.date_created));
      assert.deepEqual(
        created,
        [...created].sort((x, y) => y - x),
      );
      assert.equal(all.page, 0);
      assert.equal(all.start, 0);
      assert.equal(all.end, all.messages.length - 1);
      assert.equal(all.next_page_uri, null);
      assert.equal(all.previous_page_uri, null);

      assert.deepEqual(sids(await list({ From: from })), [made[3], made[1], made[0]]);
      assert.deepEqual(sids(await list({ From: other })), [made[2]]);
      assert.deepEqual(sids(await list({ To: r1 })), [made[3], made[2], made[0]]);
      assert.deepEqual(sids(await list({ To: r2 })), [made[1]]);
      assert.deepEqual(sids(await list({ From: from, To: r1 })), [made[3], made[0]]);
      assert.deepEqual(sids(await list({ From: other, To: r2 })), []);
      // The filters read numbers as numbers: without their +.
      assert.deepEqual(sids(await list({ From: from.slice(1), To: r1.slice(1) })), [made[3], made[0]]);
      // The filters are repeated in the page's URIs.
      const filtered = await list({ From: from, To: r1 });
      assert.equal(new URL(filtered.uri, 'http://x').searchParams.get('From'), from);
      assert.equal(new URL(filtered.first_page_uri, 'http://x').searchParams.get('To'), r1);
      assert.deepEqual(filtered.messages[0], await fetchOne(made[3]!));
    });

    test('list: DateSent, DateSent< and DateSent> select by UTC day, the bounds inclusive', async () => {
      const from = (await addNumber()).phone_number;
      const days: string[] = [];
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        days.push(await nextDay());
        made.push((await sent({ From: from, To: recipient(), Body: `Day ${i}` })).sid);
        await advance(2000);
        assert.equal((await fetchOne(made[i]!)).status, 'delivered');
      }
      // One not sent yet (still transmitting): never in a DateSent filter.
      const unsent = await sent({ From: from, To: recipient(), Body: 'x'.repeat(400) });
      await server.background.settle();
      assert.equal((await fetchOne(unsent.sid)).date_sent, null);
      const [d0, d1, d2] = days as [string, string, string];
      const dayBefore = new Date(Date.parse(d0) - DAY).toISOString().slice(0, 10);
      const dayAfter = new Date(Date.parse(d2) + DAY).toISOString().slice(0, 10);
      const by = async (query: Record<string, string>) => sids(await list({ From: from, ...query }));
      assert.deepEqual(await by({}), [unsent.sid, made[2], made[1], made[0]]);
      assert.deepEqual(await by({ DateSent: d1 }), [made[1]]);
      assert.deepEqual(await by({ DateSent: d0 }), [made[0]]);
      assert.deepEqual(await by({ DateSent: dayBefore }), []);
      assert.deepEqual(await by({ 'DateSent<': d1 }), [made[1], made[0]]);
      assert.deepEqual(await by({ 'DateSent<': d0 }), [made[0]]);
      assert.deepEqual(await by({ 'DateSent<': dayBefore }), []);
      assert.deepEqual(await by({ 'DateSent>': d1 }), [made[2], made[1]]);
      assert.deepEqual(await by({ 'DateSent>': d2 }), [made[2]]);
      assert.deepEqual(await by({ 'DateSent>': dayAfter }), []);
      assert.deepEqual(await by({ 'DateSent>': d0, 'DateSent<': d1 }), [made[1], made[0]]);
      assert.deepEqual(await by({ 'DateSent>': d2, 'DateSent<': d0 }), []);
      // The SDK sends date-times (serialize.iso8601DateTime): the day is what counts.
      assert.deepEqual(await by({ DateSent: `${d1}T00:00:00Z` }), [made[1]]);
      // Filters combine with To.
      const to = (await fetchOne(made[1]!)).to;
      assert.deepEqual(await by({ 'DateSent>': d0, To: to }), [made[1]]);
      // A value that is no date is a malformed parameter.
      for (const name of ['DateSent', 'DateSent<', 'DateSent>']) {
        assertTwilioError(await server.request('GET', `${messages}?${new URLSearchParams({ [name]: 'yesterday' })}`), 400, 20001);
      }
      // And they are repeated in the page's URIs.
      const page = await list({ From: from, 'DateSent<': d1, PageSize: '1' });
      assert.equal(new URL(page.next_page_uri, 'http://x').searchParams.get('DateSent<'), d1);
      assert.deepEqual(sids(await list(Object.fromEntries(new URL(page.next_page_uri, 'http://x').searchParams))), [made[0]]);
    });

    test('list: PageSize paging walks next_page_uri and previous_page_uri without duplicates or gaps', async () => {
      const from = (await addNumber()).phone_number;
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        // Pairs share a creation time, so the walk also crosses ties.
        if (i % 2 === 0) await advance(1000);
        made.push((await sent({ From: from, To: recipient(), Body: `Page ${i}` })).sid);
      }
      const everything = sids(await list({ From: from }));
      assert.deepEqual([...everything].sort(), [...made].sort());
      const get = async (uri: string) => {
        const reply = await server.request('GET', uri);
        assert.equal(reply.status, 200, reply.text);
        return reply.body;
      };
      // Forwards.
      const pages = [await list({ From: from, PageSize: '3' })];
      while (pages.at(-1).next_page_uri) {
        pages.push(await get(pages.at(-1).next_page_uri));
        assert.ok(pages.length < 10, 'paging did not stop');
      }
      assert.deepEqual(
        pages.map((p) => p.messages.length),
        [3, 3, 1],
      );
      assert.deepEqual(pages.flatMap(sids), everything);
      assert.deepEqual(
        pages.map((p) => p.page),
        [0, 1, 2],
      );
      assert.deepEqual(
        pages.map((p) => [p.start, p.end]),
        [
          [0, 2],
          [3, 5],
          [6, 6],
        ],
      );
      assert.deepEqual(
        pages.map((p) => p.page_size),
        [3, 3, 3],
      );
      assert.equal(pages[0].previous_page_uri, null);
      assert.equal(pages[2].next_page_uri, null);
      for (const page of pages) {
        assert.match(page.uri, /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Messages\.json\?/);
        assert.equal(new URL(page.first_page_uri, 'http://x').searchParams.get('From'), from);
        assert.equal(new URL(page.first_page_uri, 'http://x').searchParams.get('Page'), '0');
      }
      assert.equal(new URL(pages[1].next_page_uri, 'http://x').searchParams.get('From'), from);
      // A page's own uri answers the same page.
      assert.deepEqual(sids(await get(pages[1].uri)), sids(pages[1]));
      // Backwards from the last page.
      const back = [pages[2]];
      while (back.at(-1).previous_page_uri) {
        back.push(await get(back.at(-1).previous_page_uri));
        assert.ok(back.length < 10, 'paging did not stop');
      }
      assert.deepEqual(
        back.map((p) => p.page),
        [2, 1, 0],
      );
      assert.deepEqual(back.reverse().flatMap(sids), everything);
      // The first page reached backwards continues forwards as before.
      assert.deepEqual(sids(await get(back[0].next_page_uri)), sids(pages[1]));
      // A message created during the walk does not shift it.
      await advance(1000);
      await sent({ From: from, To: recipient(), Body: 'Newer' });
      assert.deepEqual(sids(await get(pages[1].next_page_uri)), sids(pages[2]));
      assert.deepEqual(sids(await get(pages[2].previous_page_uri)), sids(pages[1]));
      // Bad paging parameters.
      assertTwilioError(await server.request('GET', `${messages}?PageSize=1001`), 400, 20007);
      assertTwilioError(await server.request('GET', `${messages}?PageSize=0`), 400, 20001);
      assertTwilioError(await server.request('GET', `${messages}?PageToken=XXbad`), 400, 21481);
    });

    test('update: Body="" redacts a finished message only (else 30400)', async () => {
      const from = (await addNumber()).phone_number;
      const pending = await sent({ From: from, To: recipient(), Body: 'Secret' });
      assertTwilioError(await server.request('POST', one(pending.sid), { Body: '' }), 400, 30400);
      assert.equal((await fetchOne(pending.sid)).body, 'Secret');

      const done = await deliveredMessage(from, { Body: 'Secret too' });
      await advance(5000);
      const redacted = await server.request('POST', one(done.sid), { Body: '' });
      assert.equal(redacted.status, 200, redacted.text);
      assert.equal(redacted.body.body, '');
      assert.equal(redacted.body.status, 'delivered');
      assert.equal(redacted.body.date_updated, toRfc2822(clock.now().toISOString()));
      assert.equal(redacted.body.date_sent, done.date_sent);
      assert.equal(redacted.body.num_segments, done.num_segments);
      assert.deepEqual(await fetchOne(done.sid), redacted.body);
      // Redacting again is harmless.
      assert.equal((await server.request('POST', one(done.sid), { Body: '' })).status, 200);
      // A body other than the empty one, or nothing at all, is refused.
      assertTwilioError(await server.request('POST', one(done.sid), { Body: 'New text' }), 400, 30400);
      assertTwilioError(await server.request('POST', one(done.sid), {}), 400, 30400);
      assertTwilioError(await server.request('POST', one(UNKNOWN_MESSAGE), { Body: '' }), 404, 20404);
    });

    test('update: Status=canceled cancels a scheduled message only (else 30409); with Body too, 30400', async () => {
      const service = await addServiceWithNumber();
      const sendAt = inFuture(HOUR);
      const scheduled = await sent({ MessagingServiceSid: service.sid, To: recipient(), Body: 'Never', ScheduleType: 'fixed', SendAt: sendAt });
      assertTwilioError(await server.request('POST', one(scheduled.sid), { Body: '', Status: 'canceled' }), 400, 30400);
      assert.equal((await fetchOne(scheduled.sid)).status, 'scheduled');

      await advance(MINUTE);
      // Twilio reports the cancel to the status callback.
      const receiver = await Receiver.start();
      try {
        const watched = await sent({
          MessagingServiceSid: service.sid,
          To: recipient(),
          Body: 'Watched',
          ScheduleType: 'fixed',
          SendAt: sendAt,
          StatusCallback: `${receiver.url}/status`,
        });
        assert.equal((await server.request('POST', one(watched.sid), { Status: 'canceled' })).status, 200);
        await server.background.settle();
        assert.deepEqual(
          receiver.requests.map((r) => [r.path, r.params.MessageSid, r.params.MessageStatus]),
          [['/status', watched.sid, 'canceled']],
        );
      } finally {
        await receiver.close();
      }
      const canceled = await server.request('POST', one(scheduled.sid), { Status: 'canceled' });
      assert.equal(canceled.status, 200, canceled.text);
      assert.equal(canceled.body.status, 'canceled');
      assert.equal(canceled.body.body, 'Never');
      assert.equal(canceled.body.date_updated, toRfc2822(clock.now().toISOString()));
      assert.deepEqual(await fetchOne(scheduled.sid), canceled.body);
      // It is never sent.
      await advance(2 * HOUR);
      const later = await fetchOne(scheduled.sid);
      assert.equal(later.status, 'canceled');
      assert.equal(later.date_sent, null);
      assert.equal(later.from, null);
      // Canceled again, or any message that is not scheduled: 30409.
      assertTwilioError(await server.request('POST', one(scheduled.sid), { Status: 'canceled' }), 400, 30409);
      const immediate = await sent({ MessagingServiceSid: service.sid, To: recipient(), Body: 'Now' });
      assertTwilioError(await server.request('POST', one(immediate.sid), { Status: 'canceled' }), 400, 30409);
      const delivered = await deliveredMessage(service.number);
      assertTwilioError(await server.request('POST', one(delivered.sid), { Status: 'canceled' }), 400, 30409);
      // A canceled message is final: it can be redacted.
      assert.equal((await server.request('POST', one(scheduled.sid), { Body: '' })).body.body, '');
      // Status takes only `canceled`.
      assertTwilioError(await server.request('POST', one(immediate.sid), { Status: 'delivered' }), 400, 20001);
    });

    test('delete: 20009 while in progress, 204 once final, then 404', async () => {
      const from = (await addNumber()).phone_number;
      const pending = await sent({ From: from, To: recipient(), Body: 'In flight' });
      assertTwilioError(await server.request('DELETE', one(pending.sid)), 400, 20009);
      await server.background.settle();
      assert.equal((await fetchOne(pending.sid)).status, 'sending');
      assertTwilioError(await server.request('DELETE', one(pending.sid)), 400, 20009);
      await advance(1000);
      assert.equal((await fetchOne(pending.sid)).status, 'sent');
      assertTwilioError(await server.request('DELETE', one(pending.sid)), 400, 20009);
      await advance(1000);
      assert.equal((await fetchOne(pending.sid)).status, 'delivered');

      const deleted = await server.request('DELETE', one(pending.sid));
      assert.equal(deleted.status, 204, deleted.text);
      assert.equal(deleted.text, '');
      assertTwilioError(await server.request('GET', one(pending.sid)), 404, 20404);
      assertTwilioError(await server.request('DELETE', one(pending.sid)), 404, 20404);
      assertTwilioError(await server.request('POST', one(pending.sid), { Body: '' }), 404, 20404);
      assert.ok(!sids(await list({ From: from })).includes(pending.sid));

      // A scheduled message is in progress too; once canceled it is final.
      const service = await addServiceWithNumber();
      const scheduled = await sent({ MessagingServiceSid: service.sid, To: recipient(), Body: 'Later', ScheduleType: 'fixed', SendAt: inFuture(HOUR) });
      assertTwilioError(await server.request('DELETE', one(scheduled.sid)), 400, 20009);
      assert.equal((await server.request('POST', one(scheduled.sid), { Status: 'canceled' })).status, 200);
      assert.equal((await server.request('DELETE', one(scheduled.sid))).status, 204);
      assertTwilioError(await server.request('DELETE', one(UNKNOWN_MESSAGE)), 404, 20404);
    });

    test('Media: list (media_list) and fetch each item; unknown ME sid or message is 404', async () => {
      const from = (await addNumber()).phone_number;
      const urls = ['https://media.example.test/cat.jpg', 'https://media.example.test/menu.pdf?version=2', 'https://media.example.test/clip'];
      const message = await sent({ From: from, To: recipient(), Body: 'Look', MediaUrl: urls });
      const mediaList = message.subresource_uris.media;
      const reply = await server.request('GET', mediaList);
      assert.equal(reply.status, 200, reply.text);
      const page = reply.body;
      assert.deepEqual(Object.keys(page).sort(), [
        'end',
        'first_page_uri',
        'media_list',
        'next_page_uri',
        'page',
        'page_size',
        'previous_page_uri',
        'start',
        'uri',
      ]);
      assert.equal(page.media_list.length, 3);
      assert.equal(page.start, 0);
      assert.equal(page.end, 2);
      assert.equal(page.next_page_uri, null);
      assert.equal(page.previous_page_uri, null);
      assert.ok(page.uri.startsWith(`${mediaList}?`), page.uri);
      assert.deepEqual(
        page.media_list.map((m: { content_type: string }) => m.content_type),
        ['image/jpeg', 'application/pdf', 'application/octet-stream'],
      );
      const mediaSids = new Set<string>();
      for (const item of page.media_list) {
        assert.deepEqual(Object.keys(item).sort(), ['account_sid', 'content_type', 'date_created', 'date_updated', 'parent_sid', 'sid', 'uri']);
        assert.match(item.sid, /^ME[0-9a-f]{32}$/);
        mediaSids.add(item.sid);
        assert.equal(item.parent_sid, message.sid);
        assert.equal(item.account_sid, server.account.sid);
        assert.equal(item.date_created, message.date_created);
        assert.equal(item.uri, `${account}/Messages/${message.sid}/Media/${item.sid}.json`);
        const fetched = await server.request('GET', item.uri);
        assert.equal(fetched.status, 200, fetched.text);
        assert.deepEqual(fetched.body, item);
      }
      assert.equal(mediaSids.size, 3);
      assertTwilioError(await server.request('GET', `${account}/Messages/${message.sid}/Media/${UNKNOWN_MEDIA}.json`), 404, 20404);
      assertTwilioError(await server.request('GET', `${account}/Messages/${UNKNOWN_MESSAGE}/Media.json`), 404, 20404);
      assertTwilioError(await server.request('GET', `${account}/Messages/${UNKNOWN_MESSAGE}/Media/${[...mediaSids][0]}.json`), 404, 20404);
      // Another message's media item is not this message's.
      const text = await sent({ From: from, To: recipient(), Body: 'No media' });
      assertTwilioError(await server.request('GET', `${account}/Messages/${text.sid}/Media/${[...mediaSids][0]}.json`), 404, 20404);
      // PageSize pages the media list too, both ways.
      const pages = [(await server.request('GET', `${mediaList}?PageSize=2`)).body];
      assert.deepEqual(
        pages[0].media_list.map((m: { sid: string }) => m.sid),
        page.media_list.slice(0, 2).map((m: { sid: string }) => m.sid),
      );
      assert.equal(pages[0].page_size, 2);
      assert.ok(pages[0].next_page_uri, 'a next page');
      pages.push((await server.request('GET', pages[0].next_page_uri)).body);
      assert.deepEqual(pages[1].media_list, page.media_list.slice(2));
      assert.equal(pages[1].page, 1);
      assert.deepEqual([pages[1].start, pages[1].end], [2, 2]);
      assert.equal(pages[1].next_page_uri, null);
      const back = (await server.request('GET', pages[1].previous_page_uri)).body;
      assert.deepEqual(back.media_list, page.media_list.slice(0, 2));
      assert.equal(back.previous_page_uri, null);
      // A page token of another message's item is no token here.
      const other = await sent({ From: from, To: recipient(), Body: 'Other', MediaUrl: urls });
      const foreign = new URL(pages[0].next_page_uri, 'http://x').searchParams.get('PageToken')!;
      assertTwilioError(await server.request('GET', `${other.subresource_uris.media}?PageSize=2&Page=1&PageToken=${foreign}`), 400, 21481);
      const none = await server.request('GET', text.subresource_uris.media);
      assert.equal(none.status, 200, none.text);
      assert.deepEqual(none.body.media_list, []);
      assert.equal(none.body.end, 0);
      // Delete one item: 204, gone from the list and from fetch; the rest stay; again is 404.
      const [first, ...rest] = page.media_list as { sid: string; uri: string }[];
      assert.equal((await server.request('DELETE', first!.uri)).status, 204);
      assertTwilioError(await server.request('GET', first!.uri), 404, 20404);
      assertTwilioError(await server.request('DELETE', first!.uri), 404, 20404);
      const remaining = (await server.request('GET', mediaList)).body.media_list.map((m: { sid: string }) => m.sid);
      assert.deepEqual(
        remaining,
        rest.map((m) => m.sid),
      );
    });

    test("subaccounts: a message of one account is 404 for another, and another account's path is 20003", async () => {
      const sub = await addSubaccount(server, { FriendlyName: 'Isolated' });
      const subPath = `/2010-04-01/Accounts/${sub.sid}`;
      const asSub = (method: string, path: string, values?: Values) =>
        send(server.url + path, method, basicAuth(sub.sid, sub.auth_token), values ? form(values) : undefined);
      const mainFrom = (await addNumber()).phone_number;
      const main = await sent({ From: mainFrom, To: recipient(), Body: 'Main', MediaUrl: 'https://media.example.test/a.png' });

      // The subaccount, on its own path: the main account's message does not exist.
      assertTwilioError(await asSub('GET', `${subPath}/Messages/${main.sid}.json`), 404, 20404);
      assertTwilioError(await asSub('POST', `${subPath}/Messages/${main.sid}.json`, { Body: '' }), 404, 20404);
      assertTwilioError(await asSub('DELETE', `${subPath}/Messages/${main.sid}.json`), 404, 20404);
      assertTwilioError(await asSub('GET', `${subPath}/Messages/${main.sid}/Media.json`), 404, 20404);
      const subList = await asSub('GET', `${subPath}/Messages.json`);
      assert.equal(subList.status, 200, subList.text);
      assert.deepEqual(subList.body.messages, []);
      // The subaccount cannot send from the main account's number.
      assertTwilioError(await asSub('POST', `${subPath}/Messages.json`, { From: mainFrom, To: recipient(), Body: 'Hi' }), 400, 21606);
      // The subaccount on the main account's path: 20003.
      assertTwilioError(await asSub('GET', one(main.sid)), 401, 20003);
      assertTwilioError(await asSub('GET', messages), 401, 20003);
      assertTwilioError(await asSub('POST', messages, { From: mainFrom, To: recipient(), Body: 'Hi' }), 401, 20003);

      // The subaccount's own message: its own, and the main account may read it on the subaccount's path only.
      const subFrom = (await addNumber({}, subPath)).phone_number;
      const own = await asSub('POST', `${subPath}/Messages.json`, { From: subFrom, To: recipient(), Body: 'Sub' });
      assert.equal(own.status, 201, own.text);
      assert.equal(own.body.account_sid, sub.sid);
      assert.equal(own.body.uri, `${subPath}/Messages/${own.body.sid}.json`);
      assert.equal((await asSub('GET', own.body.uri)).status, 200);
      assert.equal((await server.request('GET', own.body.uri)).status, 200);
      assertTwilioError(await server.request('GET', one(own.body.sid)), 404, 20404);
      assertTwilioError(await server.request('DELETE', one(own.body.sid)), 404, 20404);
      assert.ok(!sids(await list({ PageSize: '1000' })).includes(own.body.sid));
      // The main account cannot send from the subaccount's number on its own path.
      assertTwilioError(await create({ From: subFrom, To: recipient(), Body: 'Hi' }), 400, 21606);
      // A service of the main account is unknown to the subaccount.
      const service = await addServiceWithNumber();
      assertTwilioError(await asSub('POST', `${subPath}/Messages.json`, { MessagingServiceSid: service.sid, To: recipient(), Body: 'Hi' }), 404, 21701);
      // That refusal leaves the service as it is for its own account's sends.
      assert.equal((await create({ MessagingServiceSid: service.sid, To: recipient(), Body: 'Hi' })).status, 201);
    });
  });
}
