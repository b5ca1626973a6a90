import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { startTestServer, type Reply, type TestServer } from '../helpers/server.js';
import { addService, addShortCode } from '../helpers/fixtures.js';
import { compile, describeErrors, responseContract, type ResponseContract } from './openapi.js';

const MESSAGES = '/2010-04-01/Accounts/{AccountSid}/Messages.json';
const MESSAGE = '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json';
const MEDIA_LIST = '/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json';
const MEDIA = '/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json';

const contracts = {
  createMessage: responseContract('v2010', 'POST', MESSAGES),
  listMessage: responseContract('v2010', 'GET', MESSAGES),
  fetchMessage: responseContract('v2010', 'GET', MESSAGE),
  updateMessage: responseContract('v2010', 'POST', MESSAGE),
  listMedia: responseContract('v2010', 'GET', MEDIA_LIST),
  fetchMedia: responseContract('v2010', 'GET', MEDIA),
};

/**
 * The spec types a message's `from` as `phone-number`, which openapi.ts reads as E.164. Twilio
 * shows a short code as its bare digits ("Short codes do not have a country code, or a leading
 * '+'", support.twilio.com/hc/en-us/articles/360013980754) and an alphanumeric sender ID as its
 * text, so for messages from those senders `from` is checked against that instead; everything
 * else in the schema stays as strict.
 */
const SENDER_ID = '^(?:(?:[a-z]+:)?\\+[1-9]\\d{1,14}|\\d{3,8}|(?=.*[A-Za-z])[A-Za-z0-9 +_&-]{1,11})$';

type Json = any;
function widenFrom(node: Json): Json {
  if (Array.isArray(node)) return node.map(widenFrom);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = widenFrom(value);
  if (out.properties?.from?.format === 'phone-number') {
    const { format: _format, ...rest } = out.properties.from;
    out.properties = { ...out.properties, from: { ...rest, pattern: SENDER_ID } };
  }
  return out;
}

function withSenderIds(contract: ResponseContract): ResponseContract {
  const schema = widenFrom(contract.schema);
  assert.notDeepEqual(schema, contract.schema, 'no phone-number `from` to widen');
  const validate = compile('v2010', schema);
  return { statuses: contract.statuses, schema, validate: (body) => validate(body), errors: () => describeErrors(validate) };
}

const senderIdContracts = {
  createMessage: withSenderIds(contracts.createMessage),
  listMessage: withSenderIds(contracts.listMessage),
  fetchMessage: withSenderIds(contracts.fetchMessage),
};

type Values = Record<string, string | string[]>;

/** The reply has a status the spec declares for the operation, and a body its schema accepts. */
function assertContract(contract: ResponseContract, reply: Reply): void {
  assert.ok(contract.statuses.includes(reply.status), `status ${reply.status} is not one of ${contract.statuses.join(', ')}: ${reply.text}`);
  assert.ok(contract.validate(reply.body), `${contract.errors()}\nbody: ${reply.text}`);
}

/** GETs every page of a 2010 list, following next_page_uri, checking each against the contract. */
async function walk(server: TestServer, contract: ResponseContract, first: string): Promise<any[]> {
  const pages = [];
  let path: string | null = first;
  while (path) {
    const reply = await server.request('GET', path);
    assertContract(contract, reply);
    pages.push(reply.body);
    assert.ok(pages.length < 50, 'paging did not stop');
    path = reply.body.next_page_uri;
  }
  return pages;
}

for (const backend of BACKENDS) {
  describe(`[${backend}] contract: Messages and Media responses match Twilio's OpenAPI schemas`, () => {
    let server: TestServer & { cleanup(): Promise<void> };
    let clock: FakeClock;
    let accountPath: string;
    let messages: string;
    let nextNumber = 2000;
    let nextRecipient = 2000;
    const recipient = () => `+1650555${nextRecipient++}`;
    const one = (sid: string) => `${accountPath}/Messages/${sid}.json`;

    const addNumber = async () => {
      const reply = await server.request('POST', `${accountPath}/IncomingPhoneNumbers.json`, { PhoneNumber: `+1415555${nextNumber++}` });
      assert.equal(reply.status, 201, reply.text);
      return reply.body as { sid: string; phone_number: string };
    };
    const addServiceWithNumber = async () => {
      const service = await addService(server);
      const number = await addNumber();
      const member = await server.request('POST', `/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: number.sid });
      assert.equal(member.status, 201, member.text);
      return { sid: service.sid, number: number.phone_number };
    };
    /** Creates a message, checking the 201 against the contract. */
    const create = async (values: Values, contract = contracts.createMessage) => {
      const reply = await server.request('POST', messages, values);
      assert.equal(reply.status, 201, reply.text);
      assertContract(contract, reply);
      return reply.body;
    };
    /** Fetches a message, checking the body against the contract. */
    const fetchChecked = async (sid: string) => {
      const reply = await server.request('GET', one(sid));
      assertContract(contracts.fetchMessage, reply);
      return reply.body;
    };
    /** Settles the network, moves the clock and settles it again. */
    const advance = async (ms: number) => {
      await server.background.settle();
      clock.advance(ms);
      await server.background.settle();
    };
    const inAnHour = () => new Date(clock.now().getTime() + 3_600_000).toISOString();

    before(async () => {
      clock = new FakeClock('2026-03-01T00:00:00Z');
      server = await startTestServer(backend, { clock });
      accountPath = `/2010-04-01/Accounts/${server.account.sid}`;
      messages = `${accountPath}/Messages.json`;
    });
    after(() => server.cleanup());

    test('CreateMessage: 201 bodies match for From, service, scheduled, MMS and UCS-2 sends', async () => {
      const from = (await addNumber()).phone_number;
      const service = await addServiceWithNumber();
      const to = recipient();
      const cases: Values[] = [
        { From: from, To: to, Body: 'Hello' },
        { From: from, To: to, Body: `${'a'.repeat(69)}😀`, StatusCallback: 'https://hooks.example.test/status', ValidityPeriod: '60' },
        { From: '+15005550006', To: to, Body: 'From the magic number' },
        { MessagingServiceSid: service.sid, To: to, Body: 'Through a service' },
        { MessagingServiceSid: service.sid, From: service.number, To: to, Body: 'Through a service, From given' },
        { MessagingServiceSid: service.sid, To: to, Body: 'Scheduled', ScheduleType: 'fixed', SendAt: inAnHour() },
        { From: from, To: to, Body: 'Look', MediaUrl: ['https://media.example.test/cat.jpg', 'https://media.example.test/menu.pdf'] },
        { MessagingServiceSid: service.sid, To: to, MediaUrl: 'https://media.example.test/cat.png' },
        { From: from, To: to, Body: '“Smart”', SmartEncoded: 'true' },
      ];
      for (const values of cases) await create(values);
    });

    test('CreateMessage, FetchMessage: from a short code or an alphanumeric sender ID, `from` is that sender as Twilio shows it', async () => {
      const shortCode = await addShortCode(server, { CountryCode: 'US' });
      const fromShortCode = await create({ From: shortCode.short_code, To: recipient(), Body: 'From a short code' }, senderIdContracts.createMessage);
      assert.equal(fromShortCode.from, shortCode.short_code);
      // The strict reading of the spec's `phone-number` would refuse it: that is the one difference.
      assert.equal(contracts.createMessage.validate(fromShortCode), false);
      assert.ok(contracts.createMessage.validate({ ...fromShortCode, from: '+14155550100' }), contracts.createMessage.errors());

      const service = await addService(server);
      const alpha = await server.request('POST', `/v1/Services/${service.sid}/AlphaSenders`, { AlphaSender: 'Shortroute' });
      assert.equal(alpha.status, 201, alpha.text);
      const fromAlpha = await create(
        { From: 'Shortroute', MessagingServiceSid: service.sid, To: '+447400123456', Body: 'From a name' },
        senderIdContracts.createMessage,
      );
      assert.equal(fromAlpha.from, 'Shortroute');
      for (const message of [fromShortCode, fromAlpha]) {
        assertContract(senderIdContracts.fetchMessage, await server.request('GET', one(message.sid)));
      }
      await advance(5000);
      for (const message of [fromShortCode, fromAlpha]) {
        const delivered = await server.request('GET', one(message.sid));
        assertContract(senderIdContracts.fetchMessage, delivered);
        assert.equal(delivered.body.status, 'delivered');
      }
      // The widened `from` is still no free text.
      for (const bad of ['', 'not a sender id at all', '+0123', '12', '123456789']) {
        assert.equal(senderIdContracts.fetchMessage.validate({ ...fromShortCode, from: bad }), false, bad);
      }
    });

    test('FetchMessage: bodies match in every status a message passes through, failures included', async () => {
      const from = (await addNumber()).phone_number;
      const service = await addServiceWithNumber();
      const viaFrom = await create({ From: from, To: recipient(), Body: 'Walked through' });
      // Routed before the next one exists, so the next one waits behind it.
      await server.background.settle();
      const queuedBehind = await create({ From: from, To: recipient(), Body: 'Waits its turn' });
      const viaService = await create({ MessagingServiceSid: service.sid, To: recipient(), Body: 'Accepted first' });
      const scheduled = await create({ MessagingServiceSid: service.sid, To: recipient(), Body: 'Later', ScheduleType: 'fixed', SendAt: inAnHour() });
      // Failures: a magic recipient through a service (21612), a service with no senders (21704),
      // and a carrier that says no (30003, a delivery rule).
      const unreachable = await create({ MessagingServiceSid: service.sid, To: '+15005550002', Body: 'Unreachable' });
      const empty = await addService(server);
      const noSenders = await create({ MessagingServiceSid: empty.sid, To: recipient(), Body: 'Nobody sends this' });
      const refusing = recipient();
      await server.store.deliveryRules.put({
        account_sid: server.account.sid,
        to_address: refusing,
        status: 'undelivered',
        error_code: 30003,
        date_created: clock.now().toISOString(),
      });
      const undelivered = await create({ From: from, To: refusing, Body: 'Refused' });

      const seen = new Map<string, Set<string>>();
      const look = async () => {
        for (const m of [viaFrom, queuedBehind, viaService, scheduled, unreachable, noSenders, undelivered]) {
          const body = await fetchChecked(m.sid);
          const statuses = seen.get(m.sid) ?? new Set<string>();
          statuses.add(body.status);
          seen.set(m.sid, statuses);
        }
      };
      await server.background.settle();
      await look();
      for (let i = 0; i < 8; i++) {
        await advance(1000);
        await look();
      }
      await advance(3_600_000);
      await look();
      await advance(2000);
      await look();
      // Seen in the order of its life, and at least sent and delivered.
      const walked = [...seen.get(viaFrom.sid)!];
      assert.deepEqual(
        walked,
        ['queued', 'sending', 'sent', 'delivered'].filter((s) => walked.includes(s)),
      );
      assert.ok(walked.includes('sent') && walked.includes('delivered'), walked.join());
      assert.ok(seen.get(queuedBehind.sid)!.has('queued'));
      assert.ok(seen.get(viaService.sid)!.has('delivered'));
      assert.ok(seen.get(scheduled.sid)!.has('scheduled') && seen.get(scheduled.sid)!.has('delivered'));
      const failed = await fetchChecked(unreachable.sid);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error_code, 21612);
      assert.equal(typeof failed.error_message, 'string');
      assert.equal((await fetchChecked(noSenders.sid)).error_code, 21704);
      const refused = await fetchChecked(undelivered.sid);
      assert.equal(refused.status, 'undelivered');
      assert.equal(refused.error_code, 30003);
    });

    test('UpdateMessage: bodies match after redacting and after canceling', async () => {
      const from = (await addNumber()).phone_number;
      const service = await addServiceWithNumber();
      const message = await create({ From: from, To: recipient(), Body: 'Redact me', MediaUrl: 'https://media.example.test/a.png' });
      await advance(5000);
      assert.equal((await fetchChecked(message.sid)).status, 'delivered');
      const redacted = await server.request('POST', one(message.sid), { Body: '' });
      assert.equal(redacted.status, 200, redacted.text);
      assertContract(contracts.updateMessage, redacted);
      assertContract(contracts.fetchMessage, await server.request('GET', one(message.sid)));

      const scheduled = await create({ MessagingServiceSid: service.sid, To: recipient(), Body: 'Cancel me', ScheduleType: 'fixed', SendAt: inAnHour() });
      const canceled = await server.request('POST', one(scheduled.sid), { Status: 'canceled' });
      assert.equal(canceled.status, 200, canceled.text);
      assertContract(contracts.updateMessage, canceled);
      assert.equal(canceled.body.status, 'canceled');
      assertContract(contracts.updateMessage, await server.request('POST', one(scheduled.sid), { Body: '' }));
    });

    test('ListMessage: unfiltered, filtered, empty, and first, middle and last pages both ways match', async () => {
      const from = (await addNumber()).phone_number;
      const to = recipient();
      for (let i = 0; i < 5; i++) {
        await advance(1000);
        await create({ From: from, To: to, Body: `Listed ${i}`, ...(i === 2 ? { MediaUrl: 'https://media.example.test/a.png' } : {}) });
      }
      await advance(3000);
      // The account's whole list holds messages from a short code and an alpha sender too.
      assertContract(senderIdContracts.listMessage, await server.request('GET', messages));
      assertContract(contracts.listMessage, await server.request('GET', `${messages}?From=${encodeURIComponent(from)}`));
      const day = clock.now().toISOString().slice(0, 10);
      const query = new URLSearchParams({ From: from, To: to, DateSent: day, 'DateSent<': day, 'DateSent>': day });
      const filtered = await server.request('GET', `${messages}?${query}`);
      assertContract(contracts.listMessage, filtered);
      assert.equal(filtered.body.messages.length, 5);
      const none = await server.request('GET', `${messages}?To=%2B16505559999`);
      assertContract(contracts.listMessage, none);
      assert.deepEqual(none.body.messages, []);
      const pages = await walk(server, contracts.listMessage, `${messages}?From=${encodeURIComponent(from)}&PageSize=2`);
      assert.equal(pages.length, 3);
      assert.equal(pages.flatMap((p) => p.messages).length, 5);
      assertContract(contracts.listMessage, await server.request('GET', pages[2].previous_page_uri));
      assertContract(contracts.listMessage, await server.request('GET', pages[1].previous_page_uri));
      assertContract(contracts.listMessage, await server.request('GET', pages[1].uri));
    });

    test('ListMedia, FetchMedia: bodies match, an empty media list too', async () => {
      const from = (await addNumber()).phone_number;
      const message = await create({
        From: from,
        To: recipient(),
        Body: 'Media',
        MediaUrl: ['https://media.example.test/cat.jpg', 'https://media.example.test/song.mp3', 'https://media.example.test/blob'],
      });
      const list = await server.request('GET', message.subresource_uris.media);
      assertContract(contracts.listMedia, list);
      assert.equal(list.body.media_list.length, 3);
      for (const item of list.body.media_list) assertContract(contracts.fetchMedia, await server.request('GET', item.uri));
      assertContract(contracts.listMedia, await server.request('GET', `${message.subresource_uris.media}?PageSize=1`));
      const text = await create({ From: from, To: recipient(), Body: 'No media' });
      const empty = await server.request('GET', text.subresource_uris.media);
      assertContract(contracts.listMedia, empty);
      assert.deepEqual(empty.body.media_list, []);
    });

    test('validator: rejects a message with a numeric num_segments, a string error_code or an unknown status', async () => {
      const message = await create({ From: (await addNumber()).phone_number, To: recipient(), Body: 'Mutated' });
      const { validate } = contracts.fetchMessage;
      assert.ok(validate(message), contracts.fetchMessage.errors());
      const mutants: [string, Record<string, unknown>][] = [
        ['num_segments as a number', { ...message, num_segments: 1 }],
        ['num_media as a number', { ...message, num_media: 0 }],
        ['error_code as a string', { ...message, error_code: '30003' }],
        ['status outside the enum', { ...message, status: 'pending' }],
        ['ISO date', { ...message, date_created: '2026-03-01T00:00:00Z' }],
        ['missing key', Object.fromEntries(Object.entries(message).filter(([key]) => key !== 'price'))],
        ['extra key', { ...message, encoding: 'GSM-7' }],
        ['sid with the wrong prefix', { ...message, sid: `ME${message.sid.slice(2)}` }],
      ];
      for (const [what, body] of mutants) assert.equal(validate(body), false, `accepted a message with ${what}`);
    });
  });
}
