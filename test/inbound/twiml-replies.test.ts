// What Shortroute does with a webhook's answer to an inbound message (https://www.twilio.com/docs/messaging/twiml):
// `<Message>` replies go out from the receiving number through the simulated network, `<Redirect>`
// asks another URL, and an answer that is not TwiML, an HTTP error, invalid XML or no answer in
// time is recorded with Twilio's error code and sent on to the fallback URL.

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { addService, addShortCode } from '../helpers/fixtures.js';
import {
  addToPool,
  advanceClock,
  buyNumber,
  handsetInbox,
  textFromHandset,
  unique,
  useMessagingServer,
  usNumber,
  webhookLog,
  type Webhook,
} from '../helpers/messaging.js';
import { Receiver, type Answer, type Received } from '../helpers/receiver.js';

const twiml = (inner: string): Answer => ({
  status: 200,
  contentType: 'text/xml',
  body: `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`,
});

/** One test server for the suite, with a receiver whose answer depends on the path asked. */
function harness(backend: (typeof BACKENDS)[number], options: { timeoutMs?: number } = {}) {
  const env = useMessagingServer(backend, options.timeoutMs ? { webhooks: { timeoutMs: options.timeoutMs } } : {});
  const answers = new Map<string, Answer>();
  before(() => env.receiver.answer((request) => answers.get(request.path) ?? { status: 404, contentType: 'text/plain', body: 'no such path' }));
  const h = {
    clock: env.clock,
    get server() {
      return env.server;
    },
    get receiver() {
      return env.receiver;
    },
    answers,
    /** A unique path on the receiver, answering `answer`. */
    path(name: string, answer: Answer): string {
      const path = `/${name}-${unique()}`;
      answers.set(path, answer);
      return path;
    },
    url(path: string): string {
      return `${h.receiver.url}${path}`;
    },
    buy: (values: Record<string, string> = {}) => buyNumber(h.server, values),
    join: (serviceSid: string, numberSid: string) => addToPool(h.server, serviceSid, 'PhoneNumbers', numberSid),
    text: (from: string, to: string, body: string) => textFromHandset(h.server, from, to, body),
    /** Moves the clock `ms` ahead, a step at a time, running everything that falls due. */
    advance: (ms: number, step = 500) => advanceClock(h.server, h.clock, ms, step),
    inbox: (number: string) => handsetInbox(h.server, number),
    async webhooks(messageSid: string, kind?: string): Promise<Webhook[]> {
      const hooks = await webhookLog(h.server, { MessageSid: messageSid, ...(kind ? { Kind: kind } : {}) });
      // Webhooks made in the same instant (a fallback, a redirect) list in no particular order:
      // inbound ones first, then fallbacks.
      const rank = (w: Webhook) => ['inbound', 'fallback', 'status_callback'].indexOf(w.kind);
      return hooks.sort((a, b) => rank(a) - rank(b));
    },
    /** The account's outbound replies (direction outbound-reply) to `to`. */
    async replies(to: string) {
      const reply = await h.server.request('GET', `/2010-04-01/Accounts/${h.server.account.sid}/Messages.json?To=${encodeURIComponent(to)}`);
      assert.equal(reply.status, 200, reply.text);
      return (reply.body.messages as { sid: string; direction: string; from: string; body: string; status: string }[]).filter(
        (m) => m.direction === 'outbound-reply',
      );
    },
    at(path: string): Received[] {
      return h.receiver.requests.filter((r) => r.path === path);
    },
    signed(request: Received): boolean {
      return Receiver.valid(request, h.server.account.auth_token);
    },
  };
  return h;
}

for (const backend of BACKENDS) {
  describe(`[${backend}] TwiML replies to inbound messages`, () => {
    const h = harness(backend);

    test('<Message>Thanks</Message>: a reply from the receiving number to the handset, sent then delivered', async () => {
      const number = await h.buy({ SmsUrl: h.url(h.path('thanks', twiml('<Message>Thanks</Message>'))) });
      const handset = usNumber('312');
      const inbound = await h.text(handset, number.phone_number, 'Hi');
      const [hook] = await h.webhooks(inbound.sid, 'inbound');
      assert.equal(hook?.status, 'delivered');

      // A long code takes a second to transmit: nothing on the handset yet.
      assert.deepEqual(await h.inbox(handset), []);
      const [queued] = await h.replies(handset);
      assert.ok(queued, 'the reply is a message of the account');
      assert.equal(queued.from, number.phone_number);
      assert.equal(queued.body, 'Thanks');

      await h.advance(1000);
      let inbox = await h.inbox(handset);
      assert.equal(inbox.length, 1);
      assert.equal(inbox[0]!.from, number.phone_number);
      assert.equal(inbox[0]!.to, handset);
      assert.equal(inbox[0]!.body, 'Thanks');
      assert.equal(inbox[0]!.status, 'sent');
      assert.equal(inbox[0]!.sid, queued.sid);

      await h.advance(1000);
      inbox = await h.inbox(handset);
      assert.equal(inbox[0]!.status, 'delivered');
      const fetched = await h.server.request('GET', `/2010-04-01/Accounts/${h.server.account.sid}/Messages/${queued.sid}.json`);
      assert.equal(fetched.body.direction, 'outbound-reply');
      assert.equal(fetched.body.status, 'delivered');
      assert.equal(fetched.body.to, handset);
    });

    test('from a short code the reply goes out within ~10 ms', async () => {
      const sc = await addShortCode(h.server);
      const set = await h.server.request('POST', `/2010-04-01/Accounts/${h.server.account.sid}/SMS/ShortCodes/${sc.sid}.json`, {
        SmsUrl: h.url(h.path('sc-thanks', twiml('<Message>Short thanks</Message>'))),
      });
      assert.equal(set.status, 200, set.text);
      const handset = usNumber('312');
      await h.text(handset, sc.short_code, 'Hi code');
      await h.advance(10, 10);
      const inbox = await h.inbox(handset);
      assert.equal(inbox.length, 1);
      assert.equal(inbox[0]!.from, sc.short_code);
      assert.equal(inbox[0]!.body, 'Short thanks');
    });

    test("the reply's status callbacks go to the service StatusCallback, signed", async () => {
      const status = h.path('svc-status', { status: 204 });
      const service = await addService(h.server, {
        InboundRequestUrl: h.url(h.path('svc-in', twiml('<Message>Noted</Message>'))),
        StatusCallback: h.url(status),
      });
      const number = await h.buy();
      await h.join(service.sid, number.sid);
      const handset = usNumber('312');
      await h.text(handset, number.phone_number, 'Hello service');
      await h.advance(2000);

      const [reply] = await h.replies(handset);
      assert.ok(reply);
      const callbacks = h.at(status).filter((r) => r.params.MessageSid === reply.sid);
      assert.deepEqual(
        callbacks.map((r) => r.params.MessageStatus),
        ['sent', 'delivered'],
      );
      for (const callback of callbacks) {
        assert.ok(h.signed(callback), 'the SDK accepts the status callback signature');
        assert.equal(callback.method, 'POST');
        assert.equal(callback.params.From, number.phone_number);
        assert.equal(callback.params.To, handset);
        assert.equal(callback.params.MessagingServiceSid, service.sid);
        assert.equal(callback.params.AccountSid, h.server.account.sid);
      }
    });

    test('<Message statusCallback="…">: the reply\'s statuses go there, signed', async () => {
      const status = h.path('msg-status', { status: 200 });
      const number = await h.buy({ SmsUrl: h.url(h.path('msg-cb', twiml(`<Message statusCallback="${status}">With callback</Message>`))) });
      const handset = usNumber('312');
      await h.text(handset, number.phone_number, 'Hi');
      await h.advance(2000);
      const [reply] = await h.replies(handset);
      const callbacks = h.at(status);
      assert.deepEqual(
        callbacks.map((r) => r.params.MessageStatus),
        ['sent', 'delivered'],
      );
      assert.ok(callbacks.every((r) => r.params.MessageSid === reply!.sid && h.signed(r)));
    });

    test('<Message to="+1…" from="…">: from another of the account\'s numbers to another handset; a to without + gets +1', async () => {
      const other = await h.buy();
      const target = usNumber('646');
      const bare = usNumber('718');
      const number = await h.buy({
        SmsUrl: h.url(
          h.path('to-from', twiml(`<Message to="${target}" from="${other.phone_number}">Forwarded</Message><Message to="${bare.slice(2)}">Bare</Message>`)),
        ),
      });
      const handset = usNumber('312');
      await h.text(handset, number.phone_number, 'Forward this');
      await h.advance(2000);

      const forwarded = await h.inbox(target);
      assert.equal(forwarded.length, 1);
      assert.equal(forwarded[0]!.from, other.phone_number);
      assert.equal(forwarded[0]!.body, 'Forwarded');
      const toBare = await h.inbox(bare);
      assert.equal(toBare.length, 1);
      assert.equal(toBare[0]!.from, number.phone_number);
      assert.equal(toBare[0]!.body, 'Bare');
      assert.deepEqual(await h.inbox(handset), []);
    });

    test('<Message from="…"> with a number that is not the account\'s sends nothing', async () => {
      const number = await h.buy({ SmsUrl: h.url(h.path('foreign-from', twiml(`<Message from="${usNumber('917')}">Nope</Message>`))) });
      const handset = usNumber('312');
      await h.text(handset, number.phone_number, 'Hi');
      await h.advance(2000);
      assert.deepEqual(await h.inbox(handset), []);
      assert.deepEqual(await h.replies(handset), []);
    });

    test('<Message action="…" method="GET">: the reply\'s status requests go to the action URL with GET, signed', async () => {
      const action = h.path('action', twiml(''));
      const number = await h.buy({
        SmsUrl: h.url(h.path('with-action', twiml(`<Message action="${h.url(action)}?x=1" method="GET">Acted</Message><Message>Unreachable</Message>`))),
      });
      const handset = usNumber('312');
      await h.text(handset, number.phone_number, 'Hi');
      await h.advance(2000);

      const inbox = await h.inbox(handset);
      // Verbs after a <Message action> are never run.
      assert.deepEqual(
        inbox.map((m) => m.body),
        ['Acted'],
      );
      const requests = h.at(action);
      assert.deepEqual(
        requests.map((r) => r.params.MessageStatus),
        ['sent', 'delivered'],
      );
      for (const request of requests) {
        assert.equal(request.method, 'GET');
        assert.equal(new URL(request.url).searchParams.get('x'), '1');
        assert.equal(request.params.MessageSid, inbox[0]!.sid);
        assert.ok(h.signed(request));
      }
    });

    test('<Media>: the reply carries the media, relative URLs resolved against the webhook URL', async () => {
      const number = await h.buy({
        SmsUrl: h.url(h.path('media', twiml('<Message><Body>Picture</Body><Media>https://cdn.example.test/a.png</Media><Media>/img/b.gif</Media></Message>'))),
      });
      const handset = usNumber('312');
      await h.text(handset, number.phone_number, 'Send a picture');
      await h.advance(2000);
      const inbox = await h.inbox(handset);
      assert.equal(inbox.length, 1);
      assert.match(inbox[0]!.sid, /^MM[0-9a-f]{32}$/);
      assert.equal(inbox[0]!.body, 'Picture');
      assert.deepEqual(inbox[0]!.media_urls, ['https://cdn.example.test/a.png', `${h.receiver.url}/img/b.gif`]);
    });

    test('<Response/>, an empty 200 body and a 204 send nothing, and need no fallback', async () => {
      for (const [name, answer] of [
        ['empty-response', twiml('')],
        ['self-closed', { status: 200, contentType: 'text/xml', body: '<Response/>' }],
        ['empty-body', { status: 200 }],
        ['no-content', { status: 204 }],
      ] as [string, Answer][]) {
        const fallback = h.path(`${name}-fallback`, twiml('<Message>Fallback</Message>'));
        const number = await h.buy({ SmsUrl: h.url(h.path(name, answer)), SmsFallbackUrl: h.url(fallback) });
        const handset = usNumber('312');
        const inbound = await h.text(handset, number.phone_number, 'Hi');
        await h.advance(2000);
        assert.deepEqual(await h.replies(handset), [], name);
        assert.deepEqual(await h.inbox(handset), [], name);
        assert.equal(h.at(fallback).length, 0, name);
        const hooks = await h.webhooks(inbound.sid);
        assert.deepEqual(
          hooks.map((w) => [w.kind, w.status, w.error_code]),
          [['inbound', 'delivered', null]],
          name,
        );
      }
    });

    test('<Redirect>: the same signed request goes to the next URL (relative, GET), whose TwiML runs', async () => {
      const next = h.path('next', twiml('<Message>From the next URL</Message>'));
      const first = h.path('redirecting', twiml(`<Redirect method="GET">${next}?step=2</Redirect><Message>Never</Message>`));
      const number = await h.buy({ SmsUrl: h.url(first) });
      const handset = usNumber('312');
      const inbound = await h.text(handset, number.phone_number, 'Redirect me');
      await h.advance(2000);

      const [original] = h.at(first);
      const [redirected] = h.at(next);
      assert.ok(original && redirected);
      assert.equal(redirected.method, 'GET');
      assert.equal(new URL(redirected.url).searchParams.get('step'), '2');
      assert.ok(h.signed(redirected));
      for (const name of ['MessageSid', 'From', 'To', 'Body', 'AccountSid', 'NumMedia', 'SmsStatus']) {
        assert.equal(new URL(redirected.url).searchParams.get(name), original.params[name], name);
      }
      assert.deepEqual(
        (await h.inbox(handset)).map((m) => m.body),
        ['From the next URL'],
      );
      const hooks = await h.webhooks(inbound.sid);
      assert.deepEqual(
        hooks.map((w) => [w.kind, w.status]),
        [
          ['inbound', 'delivered'],
          ['inbound', 'delivered'],
        ],
      );
    });

    test('a <Redirect> loop ends with 11215 after a bounded number of requests', async () => {
      const loop = `/loop-${unique()}`;
      h.answers.set(loop, twiml(`<Redirect>${loop}</Redirect>`));
      const number = await h.buy({ SmsUrl: h.url(loop) });
      const inbound = await h.text(usNumber('312'), number.phone_number, 'loop');
      await h.advance(1000);
      const requests = h.at(loop).length;
      assert.ok(requests > 1 && requests <= 12, `${requests} requests`);
      const hooks = await h.webhooks(inbound.sid);
      assert.equal(hooks.length, requests);
      const failed = hooks.filter((w) => w.status !== 'delivered');
      assert.deepEqual(
        failed.map((w) => [w.status, w.error_code]),
        [['failed', 11215]],
      );
    });

    test('a <Redirect> to a URL that cannot exist fails the webhook once (11200), with nothing of it applied', async () => {
      const path = h.path('impossible', twiml('<Message>Never sent</Message><Redirect>http://bad host/next</Redirect>'));
      const number = await h.buy({ SmsUrl: h.url(path) });
      const handset = usNumber('312');
      const inbound = await h.text(handset, number.phone_number, 'go');
      await h.advance(3000);
      assert.equal(h.at(path).length, 1);
      const hooks = await h.webhooks(inbound.sid);
      assert.deepEqual(
        hooks.map((w) => [w.kind, w.status, w.error_code, w.attempts.length]),
        [['inbound', 'failed', 11200, 1]],
      );
      assert.match(hooks[0]!.attempts[0]!.error ?? '', /could not be processed/);
      // The <Message> before the bad <Redirect> was rolled back with it.
      assert.deepEqual(await h.replies(handset), []);
    });

    test('URLs TwiML brings in must be http(s): a file: <Redirect> fails 11200, a file: <Media> or action 12100; nothing applied', async () => {
      const cases: [string, string, number][] = [
        ['file-redirect', '<Message>Never sent</Message><Redirect>file:///etc/passwd</Redirect>', 11200],
        ['file-media', '<Message><Body>Never sent</Body><Media>file:///etc/passwd</Media></Message>', 12100],
        ['file-action', '<Message action="file:///etc/passwd">Never sent</Message>', 12100],
      ];
      for (const [name, body, code] of cases) {
        const path = h.path(name, twiml(body));
        const number = await h.buy({ SmsUrl: h.url(path) });
        const handset = usNumber('312');
        const inbound = await h.text(handset, number.phone_number, 'go');
        await h.advance(3000);
        const hooks = await h.webhooks(inbound.sid);
        assert.deepEqual(
          hooks.map((w) => [w.kind, w.status, w.error_code, w.url]),
          [['inbound', 'failed', code, h.url(path)]],
          name,
        );
        assert.deepEqual(await h.replies(handset), [], name);
      }
    });

    /** The primary answers `answer`; its fallback replies. Checks the error and the fallback request. */
    async function failsOver(name: string, answer: Answer, code: number, fallbackMethod: 'GET' | 'POST' = 'POST') {
      const primary = h.path(name, answer);
      const fallback = h.path(`${name}-fallback`, twiml('<Message>Sorry, from the fallback</Message>'));
      const service = await addService(h.server, { InboundRequestUrl: h.url(primary), FallbackUrl: h.url(fallback), FallbackMethod: fallbackMethod });
      const number = await h.buy();
      await h.join(service.sid, number.sid);
      const handset = usNumber('312');
      const inbound = await h.text(handset, number.phone_number, 'Are you there?');
      await h.advance(2000);

      const hooks = await h.webhooks(inbound.sid);
      assert.deepEqual(
        hooks.map((w) => w.kind),
        ['inbound', 'fallback'],
      );
      const [hook, fallbackHook] = hooks as [Webhook, Webhook];
      assert.equal(hook.status, 'failed');
      assert.equal(hook.error_code, code);
      assert.equal(hook.attempts.length, 1);
      assert.match(hook.attempts[0]!.error ?? '', new RegExp(String(code)));
      assert.equal(fallbackHook.status, 'delivered');

      const [request] = h.at(fallback);
      assert.ok(request, 'the fallback URL was called');
      assert.equal(request.method, fallbackMethod);
      assert.ok(h.signed(request), 'the SDK accepts the fallback request signature');
      const params = fallbackMethod === 'GET' ? Object.fromEntries(new URL(request.url).searchParams) : request.params;
      assert.equal(params.ErrorCode, String(code));
      assert.equal(params.ErrorUrl, h.url(primary));
      assert.equal(params.MessageSid, inbound.sid);
      assert.equal(params.From, handset);
      assert.equal(params.MessagingServiceSid, service.sid);
      assert.equal(params.Body, 'Are you there?');
      assert.deepEqual(
        (await h.inbox(handset)).map((m) => m.body),
        ['Sorry, from the fallback'],
      );
      return { hook, inbound, handset };
    }

    test('a text/plain answer: 12300 on the webhook, then the fallback URL (whose reply is sent)', async () => {
      const { hook } = await failsOver('plain', { status: 200, contentType: 'text/plain', body: 'Thanks!' }, 12300);
      assert.equal(hook.attempts[0]!.response?.status, 200);
      assert.equal(hook.attempts[0]!.response?.body, 'Thanks!');
    });

    test('a JSON answer: 12300, then the fallback URL (GET)', async () => {
      await failsOver('json', { status: 200, contentType: 'application/json', body: '{"message":"Thanks"}' }, 12300, 'GET');
    });

    test('a 500: 11200, then the fallback URL with ErrorCode and ErrorUrl, signed', async () => {
      const { hook } = await failsOver(
        'five-hundred',
        { status: 500, contentType: 'text/xml', body: '<Response><Message>ignored</Message></Response>' },
        11200,
      );
      assert.equal(hook.attempts[0]!.response?.status, 500);
    });

    test('a 404: 11200 and the fallback', async () => {
      await failsOver('four-oh-four', { status: 404, contentType: 'text/html', body: 'Not Found' }, 11200);
    });

    test('invalid XML: 12100, then the fallback', async () => {
      await failsOver('bad-xml', { status: 200, contentType: 'text/xml', body: '<Response><Message>unclosed</Response>' }, 12100);
    });

    test('a root other than <Response>: 12100, then the fallback', async () => {
      await failsOver('bad-root', { status: 200, contentType: 'application/xml', body: '<Reply><Message>Hi</Message></Reply>' }, 12100);
    });

    test('TwiML over 64 kB: 11750, then the fallback', async () => {
      await failsOver('huge', twiml(`<Message>${'x'.repeat(1500)}</Message>`.repeat(50)), 11750);
    });

    test("the number's own fallback (SmsFallbackUrl) when the number's webhook fails", async () => {
      const primary = h.path('num-500', { status: 500 });
      const fallback = h.path('num-fallback', twiml('<Message>Number fallback</Message>'));
      const number = await h.buy({ SmsUrl: h.url(primary), SmsFallbackUrl: h.url(fallback) });
      const handset = usNumber('312');
      await h.text(handset, number.phone_number, 'Hi');
      await h.advance(2000);
      const [request] = h.at(fallback);
      assert.ok(request && h.signed(request));
      assert.equal(request.params.ErrorCode, '11200');
      assert.equal(request.params.ErrorUrl, h.url(primary));
      assert.deepEqual(
        (await h.inbox(handset)).map((m) => m.body),
        ['Number fallback'],
      );
    });

    test('no fallback URL: the error is recorded and nothing more is done', async () => {
      const primary = h.path('lonely-500', { status: 503 });
      const number = await h.buy({ SmsUrl: h.url(primary) });
      const handset = usNumber('312');
      const inbound = await h.text(handset, number.phone_number, 'Hi');
      await h.advance(5000);
      assert.equal(h.at(primary).length, 1, 'an HTTP error is not retried');
      const hooks = await h.webhooks(inbound.sid);
      assert.deepEqual(
        hooks.map((w) => [w.kind, w.status, w.error_code]),
        [['inbound', 'failed', 11200]],
      );
      assert.deepEqual(await h.replies(handset), []);
    });

    test('both the URL and the fallback fail: both errors are recorded and inspectable, no reply', async () => {
      const primary = h.path('both-primary', { status: 500, body: 'boom' });
      const fallback = h.path('both-fallback', { status: 200, contentType: 'text/html', body: '<html>oops</html>' });
      const service = await addService(h.server, { InboundRequestUrl: h.url(primary), FallbackUrl: h.url(fallback) });
      const number = await h.buy();
      await h.join(service.sid, number.sid);
      const handset = usNumber('312');
      const inbound = await h.text(handset, number.phone_number, 'Anyone?');
      await h.advance(5000);

      const hooks = await h.webhooks(inbound.sid);
      assert.deepEqual(
        hooks.map((w) => [w.kind, w.status, w.error_code]),
        [
          ['inbound', 'failed', 11200],
          ['fallback', 'failed', 12300],
        ],
      );
      assert.equal(hooks[1]!.attempts.length, 1);
      assert.equal(hooks[1]!.attempts[0]!.response?.body, '<html>oops</html>');
      assert.equal(h.at(primary).length, 1);
      assert.equal(h.at(fallback).length, 1);
      assert.deepEqual(await h.replies(handset), []);
      assert.deepEqual(await h.inbox(handset), []);
      // Also through the message's own inspection.
      const routed = await h.server.request('GET', `/_shortroute/Accounts/${h.server.account.sid}/Messages/${inbound.sid}`);
      assert.deepEqual((routed.body.webhooks as Webhook[]).map((w) => w.error_code).sort(), [11200, 12300]);
    });
  });

  describe(`[${backend}] a webhook that does not answer in time`, () => {
    const h = harness(backend, { timeoutMs: 200 });

    test('a hanging receiver: 11205, one retry, then the fallback URL', async () => {
      const primary = h.path('hang', 'hang');
      const fallback = h.path('hang-fallback', twiml('<Message>Fallback after timeout</Message>'));
      const number = await h.buy({ SmsUrl: h.url(primary), SmsFallbackUrl: h.url(fallback) });
      const handset = usNumber('312');
      const inbound = await h.text(handset, number.phone_number, 'Hello?');

      // The first attempt timed out; the retry waits a second.
      assert.equal(h.at(primary).length, 1);
      assert.equal(h.at(fallback).length, 0);
      let [hook] = await h.webhooks(inbound.sid);
      assert.equal(hook!.status, 'pending');
      assert.equal(hook!.attempts.length, 1);
      assert.equal(hook!.attempts[0]!.response, null);
      assert.match(hook!.attempts[0]!.error ?? '', /200 ms/);

      await h.advance(1000);
      assert.equal(h.at(primary).length, 2);
      // The retry is the same request: the same idempotency token.
      const [a, b] = h.at(primary) as [Received, Received];
      assert.equal(a.headers['i-twilio-idempotency-token'], b.headers['i-twilio-idempotency-token']);
      assert.ok(h.signed(a) && h.signed(b));

      const hooks = await h.webhooks(inbound.sid);
      assert.deepEqual(
        hooks.map((w) => w.kind),
        ['inbound', 'fallback'],
      );
      [hook] = hooks;
      assert.equal(hook!.status, 'failed');
      assert.equal(hook!.error_code, 11205);
      assert.equal(hook!.attempts.length, 2);
      const [request] = h.at(fallback);
      assert.ok(request && h.signed(request));
      assert.equal(request.params.ErrorCode, '11205');
      assert.equal(request.params.ErrorUrl, h.url(primary));

      await h.advance(2000);
      assert.deepEqual(
        (await h.inbox(handset)).map((m) => m.body),
        ['Fallback after timeout'],
      );
      h.receiver.release();
    });
  });
}
