// Inbound routing end to end: a simulated handset texts one of the account's numbers or short
// codes, and the request Twilio would send goes to the right webhook (https://www.twilio.com/docs/messaging/guides/webhook-request),
// signed so that the official SDK's validateRequest accepts it (§3).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { addService, addShortCode } from '../helpers/fixtures.js';
import { addToPool, buyNumber, textFromHandset, unique, useMessagingServer, usNumber, webhookLog } from '../helpers/messaging.js';
import { Receiver, type Received } from '../helpers/receiver.js';

/** Every parameter of Twilio's inbound message request, without media. */
const STANDARD_PARAMS = [
  'AccountSid',
  'ApiVersion',
  'Body',
  'From',
  'FromCity',
  'FromCountry',
  'FromState',
  'FromZip',
  'MessageSid',
  'NumMedia',
  'NumSegments',
  'SmsMessageSid',
  'SmsSid',
  'SmsStatus',
  'To',
  'ToCity',
  'ToCountry',
  'ToState',
  'ToZip',
];

for (const backend of BACKENDS) {
  describe(`[${backend}] inbound routing`, () => {
    const env = useMessagingServer(backend);

    const account = () => env.server.account.sid;
    const requestsFor = (sid: string): Received[] => env.receiver.requests.filter((r) => r.params.MessageSid === sid);

    const buy = (values: Record<string, string> = {}) => buyNumber(env.server, values);
    const join = (serviceSid: string, kind: 'PhoneNumbers' | 'ShortCodes', sid: string) => addToPool(env.server, serviceSid, kind, sid);
    async function setShortCode(sid: string, values: Record<string, string>) {
      const reply = await env.server.request('POST', `/2010-04-01/Accounts/${account()}/SMS/ShortCodes/${sid}.json`, values);
      assert.equal(reply.status, 200, reply.text);
    }
    /** The handset `from` texts `to`; answers the inbound Message JSON, after the network settled. */
    const text = (from: string, to: string, body: string, media: string[] = []) => textFromHandset(env.server, from, to, body, { media });
    const webhooksOf = (messageSid: string) => webhookLog(env.server, { MessageSid: messageSid });

    /** The one request the receiver got for a message, checked against Twilio's transport rules. */
    function onlyRequest(sid: string): Received {
      const got = requestsFor(sid);
      assert.equal(got.length, 1, `expected one request for ${sid}, got ${got.length}`);
      const request = got[0]!;
      assert.ok(Receiver.valid(request, env.server.account.auth_token), `the SDK rejects the signature of ${request.method} ${request.url}`);
      assert.equal(request.headers['user-agent'], 'TwilioProxy/1.1');
      assert.match(String(request.headers['i-twilio-idempotency-token']), /\S/);
      for (const [key, value] of Object.entries(request.params)) {
        if (key !== 'a') assert.equal(typeof value, 'string', `${key} is sent once`);
      }
      return request;
    }

    test('a number in a service: POST to the service inbound_request_url with every Twilio parameter, signed', async () => {
      const service = await addService(env.server, { InboundRequestUrl: `${env.receiver.url}/service`, InboundMethod: 'POST' });
      const number = await buy({ SmsUrl: `${env.receiver.url}/number` });
      await join(service.sid, 'PhoneNumbers', number.sid);
      const handset = usNumber('312');
      const message = await text(handset, number.phone_number, 'Hello there');

      assert.equal(message.direction, 'inbound');
      assert.equal(message.status, 'received');
      assert.equal(message.from, handset);
      assert.equal(message.to, number.phone_number);
      assert.equal(message.messaging_service_sid, service.sid);
      assert.match(message.sid, /^SM[0-9a-f]{32}$/);

      const request = onlyRequest(message.sid);
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/service');
      assert.match(String(request.headers['content-type']), /^application\/x-www-form-urlencoded/);
      assert.deepEqual(Object.keys(request.params).sort(), [...STANDARD_PARAMS, 'MessagingServiceSid'].sort());
      assert.deepEqual(
        { ...request.params },
        {
          MessageSid: message.sid,
          SmsSid: message.sid,
          SmsMessageSid: message.sid,
          AccountSid: account(),
          MessagingServiceSid: service.sid,
          From: handset,
          To: number.phone_number,
          Body: 'Hello there',
          NumMedia: '0',
          NumSegments: '1',
          FromCity: '',
          FromState: '',
          FromZip: '',
          FromCountry: 'US',
          ToCity: '',
          ToState: '',
          ToZip: '',
          ToCountry: 'US',
          SmsStatus: 'received',
          ApiVersion: '2010-04-01',
        },
      );
      // The form is encoded as Twilio's: a literal + as %2B.
      assert.match(request.body, /From=%2B1312/);

      const hooks = await webhooksOf(message.sid);
      assert.equal(hooks.length, 1);
      assert.equal(hooks[0]!.kind, 'inbound');
      assert.equal(hooks[0]!.status, 'delivered');
    });

    test('a service with InboundMethod GET: the parameters go in the query and the full URL is signed', async () => {
      const service = await addService(env.server, { InboundRequestUrl: `${env.receiver.url}/get-hook?a=1&a=2&b=two`, InboundMethod: 'GET' });
      const number = await buy();
      await join(service.sid, 'PhoneNumbers', number.sid);
      const handset = usNumber('312');
      const message = await text(handset, number.phone_number, 'Fish & chips + peas 🐟');

      const request = onlyRequest(message.sid);
      assert.equal(request.method, 'GET');
      assert.equal(request.path, '/get-hook');
      assert.equal(request.body, '');
      assert.equal(request.headers['content-type'], undefined);
      const query = new URL(request.url).searchParams;
      // The configured query stays as written, repeated keys included, then Twilio's parameters.
      assert.deepEqual(query.getAll('a'), ['1', '2']);
      assert.equal(query.get('b'), 'two');
      assert.ok(new URL(request.url).search.startsWith('?a=1&a=2&b=two&'), request.url);
      assert.equal(query.get('Body'), 'Fish & chips + peas 🐟');
      assert.equal(query.get('From'), handset);
      assert.equal(query.get('MessageSid'), message.sid);
      assert.equal(query.get('MessagingServiceSid'), service.sid);
      assert.equal(query.get('SmsStatus'), 'received');
      for (const name of STANDARD_PARAMS) assert.ok(query.has(name), `${name} is in the query`);
      // A GET is signed over the URL alone: the same signature with nothing else.
      assert.ok(Receiver.valid({ ...request, params: {} }, env.server.account.auth_token));
    });

    test("use_inbound_webhook_on_number with a number sms_url: the number's own URL and method, not the service's", async () => {
      const service = await addService(env.server, { InboundRequestUrl: `${env.receiver.url}/service`, UseInboundWebhookOnNumber: 'true' });
      const number = await buy({ SmsUrl: `${env.receiver.url}/number-own`, SmsMethod: 'GET' });
      await join(service.sid, 'PhoneNumbers', number.sid);
      const message = await text(usNumber('312'), number.phone_number, 'to the number');

      const request = onlyRequest(message.sid);
      assert.equal(request.path, '/number-own');
      assert.equal(request.method, 'GET');
      // The number is still in the service: the request says so.
      assert.equal(new URL(request.url).searchParams.get('MessagingServiceSid'), service.sid);
      assert.equal(env.receiver.requests.filter((r) => r.path === '/service' && r.params.MessageSid === message.sid).length, 0);
    });

    test('use_inbound_webhook_on_number on, but the number has no sms_url: the service URL', async () => {
      const service = await addService(env.server, { InboundRequestUrl: `${env.receiver.url}/service-deferred`, UseInboundWebhookOnNumber: 'true' });
      const number = await buy();
      await join(service.sid, 'PhoneNumbers', number.sid);
      const message = await text(usNumber('312'), number.phone_number, 'no number url');

      const request = onlyRequest(message.sid);
      assert.equal(request.path, '/service-deferred');
      assert.equal(request.method, 'POST');
      assert.equal(request.params.MessagingServiceSid, service.sid);
    });

    test('use_inbound_webhook_on_number off: the service URL even when the number has one', async () => {
      const service = await addService(env.server, { InboundRequestUrl: `${env.receiver.url}/service-wins`, UseInboundWebhookOnNumber: 'false' });
      const number = await buy({ SmsUrl: `${env.receiver.url}/number-loses` });
      await join(service.sid, 'PhoneNumbers', number.sid);
      const message = await text(usNumber('312'), number.phone_number, 'service wins');
      assert.equal(onlyRequest(message.sid).path, '/service-wins');
    });

    test('a number in no service: its own sms_url (POST by default), without MessagingServiceSid', async () => {
      const number = await buy({ SmsUrl: `${env.receiver.url}/lone-number` });
      const handset = usNumber('312');
      const message = await text(handset, number.phone_number, 'hi number');
      assert.equal(message.messaging_service_sid, null);

      const request = onlyRequest(message.sid);
      assert.equal(request.path, '/lone-number');
      assert.equal(request.method, 'POST');
      assert.deepEqual(Object.keys(request.params).sort(), [...STANDARD_PARAMS].sort());
      assert.equal(request.params.To, number.phone_number);
      assert.equal(request.params.From, handset);
    });

    test('a short code in no service: its own sms_url, with To as bare digits', async () => {
      const sc = await addShortCode(env.server);
      await setShortCode(sc.sid, { SmsUrl: `${env.receiver.url}/short-code`, SmsMethod: 'POST' });
      const handset = usNumber('312');
      const message = await text(handset, sc.short_code, 'hi short code');
      assert.equal(message.to, sc.short_code);

      const request = onlyRequest(message.sid);
      assert.equal(request.path, '/short-code');
      assert.equal(request.params.To, sc.short_code);
      assert.match(request.body, new RegExp(`(^|&)To=${sc.short_code}(&|$)`));
      assert.equal(request.params.ToCountry, 'US');
      assert.equal(request.params.From, handset);
    });

    test('the same short code digits in two countries: the handset reaches the one of its own country', async () => {
      const digits = String(50000 + (unique() % 40000));
      const usCode = await addShortCode(env.server, { ShortCode: digits, CountryCode: 'US' });
      const gbCode = await addShortCode(env.server, { ShortCode: digits, CountryCode: 'GB' });
      await setShortCode(usCode.sid, { SmsUrl: `${env.receiver.url}/sc-us` });
      await setShortCode(gbCode.sid, { SmsUrl: `${env.receiver.url}/sc-gb` });
      const fromGb = await text(`+447400${String(unique() % 1000000).padStart(6, '0')}`, digits, 'from the UK');
      const fromUs = await text(usNumber('312'), digits, 'from the US');
      assert.equal(onlyRequest(fromGb.sid).path, '/sc-gb');
      assert.equal(onlyRequest(fromGb.sid).params.ToCountry, 'GB');
      assert.equal(onlyRequest(fromUs.sid).path, '/sc-us');
      assert.equal(onlyRequest(fromUs.sid).params.ToCountry, 'US');
    });

    test('a short code in a service: the service URL, To as bare digits', async () => {
      const service = await addService(env.server, { InboundRequestUrl: `${env.receiver.url}/service-sc` });
      const sc = await addShortCode(env.server);
      await setShortCode(sc.sid, { SmsUrl: `${env.receiver.url}/short-code-own` });
      await join(service.sid, 'ShortCodes', sc.sid);
      const message = await text(usNumber('312'), sc.short_code, 'hi service short code');

      const request = onlyRequest(message.sid);
      assert.equal(request.path, '/service-sc');
      assert.equal(request.params.To, sc.short_code);
      assert.equal(request.params.MessagingServiceSid, service.sid);
    });

    test('no URL anywhere: stored only (no webhook), listed and fetched as an inbound, received Message', async () => {
      const number = await buy();
      const handset = usNumber('312');
      const before = env.receiver.requests.length;
      const message = await text(handset, number.phone_number, 'nobody listens');
      assert.equal(env.receiver.requests.length, before);
      assert.deepEqual(await webhooksOf(message.sid), []);

      const fetched = await env.server.request('GET', `/2010-04-01/Accounts/${account()}/Messages/${message.sid}.json`);
      assert.equal(fetched.status, 200, fetched.text);
      assert.equal(fetched.body.sid, message.sid);
      assert.equal(fetched.body.direction, 'inbound');
      assert.equal(fetched.body.status, 'received');
      assert.equal(fetched.body.from, handset);
      assert.equal(fetched.body.to, number.phone_number);
      assert.equal(fetched.body.body, 'nobody listens');
      assert.equal(fetched.body.num_segments, '1');
      assert.equal(fetched.body.num_media, '0');
      assert.equal(fetched.body.error_code, null);
      assert.notEqual(fetched.body.date_sent, null);

      const listed = await env.server.request('GET', `/2010-04-01/Accounts/${account()}/Messages.json?To=${encodeURIComponent(number.phone_number)}`);
      assert.equal(listed.status, 200, listed.text);
      const found = (listed.body.messages as { sid: string; direction: string; status: string }[]).filter((m) => m.sid === message.sid);
      assert.equal(found.length, 1);
      assert.equal(found[0]!.direction, 'inbound');
      assert.equal(found[0]!.status, 'received');
      const byFrom = await env.server.request('GET', `/2010-04-01/Accounts/${account()}/Messages.json?From=${encodeURIComponent(handset)}`);
      assert.deepEqual(
        (byFrom.body.messages as { sid: string }[]).map((m) => m.sid),
        [message.sid],
      );
    });

    test('a service with no inbound URL and a number without one: stored only', async () => {
      const service = await addService(env.server);
      const number = await buy();
      await join(service.sid, 'PhoneNumbers', number.sid);
      const message = await text(usNumber('312'), number.phone_number, 'silent service');
      assert.equal(message.messaging_service_sid, service.sid);
      assert.deepEqual(await webhooksOf(message.sid), []);
      const fetched = await env.server.request('GET', `/2010-04-01/Accounts/${account()}/Messages/${message.sid}.json`);
      assert.equal(fetched.body.status, 'received');
      assert.equal(fetched.body.messaging_service_sid, service.sid);
    });

    test('media: MM sid, NumMedia, MediaUrlN and MediaContentTypeN, signed', async () => {
      const number = await buy({ SmsUrl: `${env.receiver.url}/mms` });
      const media = ['https://cdn.example.test/cat.jpg', 'https://cdn.example.test/clip.mp4?size=large&x=1'];
      const message = await text(usNumber('312'), number.phone_number, 'look', media);
      assert.match(message.sid, /^MM[0-9a-f]{32}$/);

      const request = onlyRequest(message.sid);
      assert.deepEqual(Object.keys(request.params).sort(), [...STANDARD_PARAMS, 'MediaUrl0', 'MediaContentType0', 'MediaUrl1', 'MediaContentType1'].sort());
      assert.equal(request.params.NumMedia, '2');
      assert.equal(request.params.NumSegments, '1');
      assert.equal(request.params.MediaUrl0, media[0]);
      assert.equal(request.params.MediaContentType0, 'image/jpeg');
      assert.equal(request.params.MediaUrl1, media[1]);
      assert.equal(request.params.MediaContentType1, 'video/mp4');
    });

    test('a URL with a port, a query string with repeated keys, and a body with emoji, + and &: POST signed as the SDK checks it', async () => {
      const number = await buy({ SmsUrl: `${env.receiver.url}/odd/path?a=1&a=2&token=x%2By` });
      assert.match(env.receiver.url, /:\d+$/);
      const body = 'Tom & Jerry + 2 = 😀 100% "ok"? a=b&c=d';
      const message = await text(usNumber('312'), number.phone_number, body);

      const request = onlyRequest(message.sid);
      assert.equal(request.method, 'POST');
      assert.equal(request.url, `${env.receiver.url}/odd/path?a=1&a=2&token=x%2By`);
      assert.equal(request.params.Body, body);
      // The query stays in the URL: it is not mixed into the form.
      assert.equal(new URLSearchParams(request.body).has('a'), false);
      assert.equal(new URLSearchParams(request.body).get('Body'), body);
      // Emoji make it UCS-2: still one segment at this length.
      assert.equal(request.params.NumSegments, '1');
    });

    test('a long body counts its segments', async () => {
      const number = await buy({ SmsUrl: `${env.receiver.url}/long` });
      const message = await text(usNumber('312'), number.phone_number, 'x'.repeat(161));
      assert.equal(onlyRequest(message.sid).params.NumSegments, '2');
    });

    test('each inbound request has its own idempotency token', async () => {
      const number = await buy({ SmsUrl: `${env.receiver.url}/tokens` });
      const handset = usNumber('312');
      const first = await text(handset, number.phone_number, 'one');
      const second = await text(handset, number.phone_number, 'two');
      const a = onlyRequest(first.sid).headers['i-twilio-idempotency-token'];
      const b = onlyRequest(second.sid).headers['i-twilio-idempotency-token'];
      assert.notEqual(a, b);
    });

    test("a To that is not the account's, or a From that is not a number, is refused", async () => {
      const path = (from: string) => `/_shortroute/Accounts/${account()}/Handsets/${encodeURIComponent(from)}/Messages`;
      const unknown = await env.server.request('POST', path(usNumber('312')), { To: usNumber('646'), Body: 'hello?' });
      assert.equal(unknown.status, 400, unknown.text);
      const number = await buy();
      const badFrom = await env.server.request('POST', path('not-a-number'), { To: number.phone_number, Body: 'hello?' });
      assert.equal(badFrom.status, 400, badFrom.text);
    });
  });
}
