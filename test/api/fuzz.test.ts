// Property-based fuzzing of every route the server registered (Twilio's operations from the
// generated spec, Shortroute's extensions and /_shortroute/ endpoints), on both backends, through
// the whole application (app.inject). Requests are generated from each operation's declared
// parameters: valid values, values the declaration forbids, NUL bytes, repeated keys, unknown
// parameters, odd content types and credentials, path segments naming existing resources or
// garbage. Every answer must be:
// - below 500 (but 501/20501, a Twilio feature Shortroute says it does not simulate);
// - Twilio-shaped when it is an error ({code, message, more_info, status});
// - never 2xx when the request carried something the route must refuse (a value its declaration
//   forbids, a required parameter missing, a path naming nothing).
//
// Fixed seed and a bounded number of runs by default; SHORTROUTE_FUZZ_RUNS and
// SHORTROUTE_FUZZ_SEED explore further (a failure prints the seed and path to replay it).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../../src/clock.js';
import type { ParamSpec } from '../../src/http/operation.js';
import { type RouteEntry, routeTable } from '../../src/http/route.js';
import { BACKENDS } from '../helpers/backends.js';
import { addApiKey, addSubaccount } from '../helpers/fixtures.js';
import { START } from '../helpers/messaging.js';
import { basicAuth, inject, type Reply, startTestServer } from '../helpers/server.js';

const RUNS = Number(process.env.SHORTROUTE_FUZZ_RUNS ?? 400);
const SEED = Number(process.env.SHORTROUTE_FUZZ_SEED ?? 20261203);

/** Kinds of things a path segment or a parameter can name, with the fixtures the world holds of each. */
const KINDS = ['AC', 'MG', 'SC', 'PN', 'AI', 'SK', 'SM', 'ME', 'number'] as const;
type Kind = (typeof KINDS)[number];
type World = Record<Kind, string[]>;

/** The collection a path placeholder follows, to the kind of SID it names. */
const COLLECTIONS: Record<string, Kind> = {
  Accounts: 'AC',
  Services: 'MG',
  ShortCodes: 'SC',
  PhoneNumbers: 'PN',
  IncomingPhoneNumbers: 'PN',
  AlphaSenders: 'AI',
  Keys: 'SK',
  Messages: 'SM',
  Media: 'ME',
  Handsets: 'number',
  DeliveryRules: 'number',
};

// ---- values -------------------------------------------------------------------------------

/** Text of every sort: words, any code point (NUL, lone surrogates), the usual suspects, long runs. */
const anyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', ' ', '%00', '%', '../..', "' or 1=1 --", '\u202e', '😀'.repeat(40), '{"a":1}', '<Response/>', 'NaN', '-0', '1e309'),
  },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 20_000 }).map((n) => 'a'.repeat(n)) },
);
const withNul = anyText.map((s) => `${s}\0${s}`);
const withoutNul = anyText.filter((s) => !s.includes('\0'));
const safeUrl = fc
  .tuple(fc.constantFrom('https://example.invalid', 'http://127.0.0.1:9', 'http://localhost:9/base'), fc.webPath(), fc.option(fc.webQueryParameters()))
  .map(([base, path, query]) => `${base}${path}${query ? `?${query}` : ''}`);
const badUrls = fc.constantFrom(
  'ftp://example.invalid/x',
  'file:///etc/passwd',
  'not a url',
  'http://',
  'javascript:alert(1)',
  '//example.invalid/x',
  'http://127.0.0.1:99999/',
  'mailto:someone@example.invalid',
);
const e164 = fc.integer({ min: 2_000_000_000, max: 9_999_999_999 }).map((n) => `+1${n}`);

/** A value the world resolves when the request runs (fixtures change as requests delete them). */
type Value = { text: string } | { fixture: Kind; index: number } | { fresh: string };

/** One parameter as sent: absent, or its values (repeated keys), labelled with why the route must refuse it. */
interface ParamChoice {
  values: Value[] | undefined;
  refuse?: string;
}

const fixture = (kind: Kind) => fc.nat(20).map((index): Value => ({ fixture: kind, index }));
const text = (arb: fc.Arbitrary<string>) => arb.map((t): Value => ({ text: t }));

/** The SID prefix a parameter's pattern declares (`^MG[0-9a-fA-F]{32}$` → MG), when the world has that kind. */
function patternKind(pattern: string | undefined): Kind | undefined {
  const prefix = /^\^([A-Z]{2})\[/.exec(pattern ?? '')?.[1];
  return KINDS.find((k) => k === prefix);
}

function validValue(spec: ParamSpec): fc.Arbitrary<Value> {
  if (spec.enum) return text(fc.constantFrom(...spec.enum));
  if (spec.type === 'boolean') return text(fc.constantFrom('true', 'false', 'True', 'FALSE'));
  if (spec.type === 'integer') return text(fc.integer({ min: spec.minimum ?? -1_000_000, max: spec.maximum ?? 1_000_000 }).map(String));
  if (spec.format === 'uri') return text(fc.oneof(safeUrl, fc.constant('')));
  const kind = patternKind(spec.pattern);
  if (kind) return fc.oneof({ weight: 3, arbitrary: fixture(kind) }, { weight: 1, arbitrary: text(fc.stringMatching(new RegExp(spec.pattern!))) });
  if (spec.pattern) return text(fc.stringMatching(new RegExp(spec.pattern)));
  if (spec.format === 'phone-number' || /^(To|From|FallbackFrom)$/.test(spec.name)) {
    return fc.oneof(fixture('number'), text(e164), text(withoutNul));
  }
  return text(withoutNul);
}

/** A value the parameter's declaration forbids, with the reason; every text parameter refuses a NUL. */
function invalidValue(spec: ParamSpec): fc.Arbitrary<[Value, string]> {
  const why = (reason: string) => (arb: fc.Arbitrary<string>) => arb.map((t): [Value, string] => [{ text: t }, `${spec.name} ${reason}`]);
  const options: fc.Arbitrary<[Value, string]>[] = [why('holds a NUL')(withNul)];
  if (spec.enum) options.push(why('is not one of its enum')(anyText.filter((s) => !spec.enum!.includes(s))));
  if (spec.type === 'boolean') options.push(why('is not true or false')(anyText.filter((s) => !/^(true|false)$/i.test(s))));
  if (spec.type === 'integer') {
    options.push(why('is not an integer')(anyText.filter((s) => !/^-?\d+$/.test(s.trim()))));
    if (spec.minimum !== undefined) options.push(why('is below its minimum')(fc.integer({ min: -1e9, max: spec.minimum - 1 }).map(String)));
    if (spec.maximum !== undefined) options.push(why('is above its maximum')(fc.integer({ min: spec.maximum + 1, max: 1e12 }).map(String)));
  }
  if (spec.format === 'uri') options.push(why('is not an http(s) URL')(badUrls));
  if (spec.pattern) {
    const re = new RegExp(spec.pattern);
    options.push(why(`does not match ${spec.pattern}`)(anyText.filter((s) => !re.test(s))));
  }
  return fc.oneof(...options);
}

const ABSENT: ParamChoice = { values: undefined };

/** What an array parameter's items are declared as (its own declaration, as text, when it gives none). */
const itemOf = (spec: ParamSpec): ParamSpec => spec.items ?? { ...spec, type: 'string' };

/** A repeated scalar takes its last value: the earlier ones, now and then, are anything at all. */
const earlier = fc.oneof({ weight: 5, arbitrary: fc.constant<Value[]>([]) }, { weight: 1, arbitrary: fc.array(text(anyText), { minLength: 1, maxLength: 2 }) });

/** A parameter valid by its declaration, or absent when it may be. */
function validChoice(spec: ParamSpec): fc.Arbitrary<ParamChoice> {
  const valid =
    spec.type === 'array'
      ? fc.array(validValue(itemOf(spec)), { minLength: 1, maxLength: 3 }).map((values): ParamChoice => ({ values }))
      : fc.tuple(earlier, validValue(spec)).map(([before, last]): ParamChoice => ({ values: [...before, last] }));
  return spec.required ? valid : fc.oneof({ weight: 4, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: valid });
}

/** A parameter the route must refuse: a value its declaration forbids, or missing when required. */
function faultyChoice(spec: ParamSpec): fc.Arbitrary<ParamChoice> {
  const invalid =
    spec.type === 'array'
      ? fc
          .tuple(fc.array(validValue(itemOf(spec)), { maxLength: 2 }), invalidValue(itemOf(spec)))
          .map(([values, [bad, refuse]]): ParamChoice => ({ values: [...values, bad], refuse }))
      : fc.tuple(earlier, invalidValue(spec)).map(([before, [last, refuse]]): ParamChoice => ({ values: [...before, last], refuse }));
  if (!spec.required) return invalid;
  return fc.oneof(
    { weight: 3, arbitrary: invalid },
    { weight: 1, arbitrary: fc.constant<ParamChoice>({ values: undefined, refuse: `${spec.name} is required` }) },
  );
}

type PathChoice = { value: Value; refuse?: string };

/** A path segment naming a resource of its kind (or, for a handset or rule's number, a known number). */
const rightPath = (kind: Kind | undefined): fc.Arbitrary<PathChoice> => fixture(kind ?? 'number').map((value) => ({ value }));

/** A path segment naming a resource of another kind, a well-formed SID of nothing, or garbage. */
function faultyPath(kind: Kind | undefined): fc.Arbitrary<PathChoice> {
  const free = kind === 'number' || kind === undefined;
  const garbage = anyText
    .filter((s) => s.length > 0)
    .map((t) => ({ value: { text: t }, ...(!free && { refuse: `the path names garbage '${t.slice(0, 40)}'` }) }));
  if (free) return garbage;
  const wrong = fc
    .constantFrom(...KINDS.filter((k) => k !== kind && k !== 'number'))
    .chain((other) => fixture(other))
    .map((value) => ({ value, refuse: 'the path names a resource of another kind' }));
  const none = fc
    .stringMatching(/^[0-9a-f]{32}$/)
    .map((hex) => ({ value: { fresh: `${kind}${hex}` } as Value, refuse: 'the path names a SID that does not exist' }));
  return fc.oneof(wrong, none, garbage);
}

// ---- requests -----------------------------------------------------------------------------

const MODES = fc.oneof(
  { weight: 2, arbitrary: fc.constant('clean' as const) },
  { weight: 3, arbitrary: fc.constant('fault' as const) },
  { weight: 1, arbitrary: fc.constant('chaos' as const) },
);

/** A route of the table, printed as `METHOD url` in fast-check's reports. */
type Route = RouteEntry & { [fc.toStringMethod](): string };
const printable = (entry: RouteEntry): Route => ({ ...entry, [fc.toStringMethod]: () => `${entry.method} ${entry.url}` });

type Credentials = 'main' | 'subaccount' | 'key' | 'wrong' | 'none';
type Body = 'form' | 'json' | 'text' | 'none';

interface FuzzRequest {
  route: Route;
  method: string;
  path: Record<string, PathChoice>;
  params: Record<string, ParamChoice>;
  unknown: [string, string][];
  credentials: Credentials;
  body: Body;
}

const unknownParams = fc.array(fc.tuple(anyText, anyText), { minLength: 1, maxLength: 3 });
const pick = <T>(a: fc.Arbitrary<T>, b: fc.Arbitrary<T>, chaos: boolean) => (chaos ? fc.oneof({ weight: 3, arbitrary: a }, { weight: 1, arbitrary: b }) : a);

/**
 * Requests of three sorts. Clean: every path segment names a resource of its kind, every
 * parameter is valid or absent, the main account's credentials, a form; they reach the handlers'
 * own rules and the database. One fault: a clean request with exactly one thing wrong (a
 * parameter, a path segment, the credentials, the body's type, the method, unknown parameters),
 * so the fault meets the code behind every other check. Chaos: anything goes, everywhere.
 */
function requestFor(route: Route, mode: 'clean' | 'fault' | 'chaos'): fc.Arbitrary<FuzzRequest> {
  const placeholders = [...route.url.matchAll(/\/([^/:]*)\/:(\w+)/g)].map(([, collection, name]) => ({ name: name!, kind: COLLECTIONS[collection!] }));
  const place = route.method === 'POST' ? 'body' : 'query';
  const specs = route.operation.params.filter((p) => p.in === place);
  const chaos = mode === 'chaos';
  const otherMethod = fc.constantFrom(...['PUT', 'PATCH', 'OPTIONS', 'HEAD', 'GET', 'POST', 'DELETE'].filter((m) => m !== route.method));
  const request = fc.record({
    route: fc.constant(route),
    method: pick(fc.constant(route.method), otherMethod, chaos),
    path: fc.record(Object.fromEntries(placeholders.map((p) => [p.name, pick(rightPath(p.kind), faultyPath(p.kind), chaos)]))),
    params: fc.record(Object.fromEntries(specs.map((spec) => [spec.name, pick(validChoice(spec), faultyChoice(spec), chaos)]))),
    unknown: pick(fc.constant<[string, string][]>([]), unknownParams, chaos),
    credentials: pick(fc.constant<Credentials>('main'), fc.constantFrom<Credentials>('subaccount', 'key', 'wrong', 'none'), chaos),
    body: pick(fc.constant<Body>('form'), fc.constantFrom<Body>('json', 'text', 'none'), chaos),
  });
  if (mode !== 'fault') return request;
  type Fault = (clean: FuzzRequest) => fc.Arbitrary<FuzzRequest>;
  const faults: Fault[] = [
    ...placeholders.map(
      (p): Fault =>
        (clean) =>
          faultyPath(p.kind).map((choice) => ({ ...clean, path: { ...clean.path, [p.name]: choice } })),
    ),
    ...specs.map(
      (spec): Fault =>
        (clean) =>
          faultyChoice(spec).map((choice) => ({ ...clean, params: { ...clean.params, [spec.name]: choice } })),
    ),
    (clean) => otherMethod.map((method) => ({ ...clean, method })),
    (clean) => unknownParams.map((unknown) => ({ ...clean, unknown })),
    (clean) => fc.constantFrom<Credentials>('subaccount', 'key', 'wrong', 'none').map((credentials) => ({ ...clean, credentials })),
    ...(place === 'body' ? [(clean: FuzzRequest) => fc.constantFrom<Body>('json', 'text', 'none').map((body) => ({ ...clean, body }))] : []),
  ];
  return fc.tuple(request, fc.nat(faults.length - 1)).chain(([clean, i]) => faults[i]!(clean));
}

/** The world a server's fuzzing runs against: an account with one of everything, remade when a request deletes it. */
class Fuzzer {
  world!: World;
  #made = 0;
  #auth: Record<Credentials, string | undefined> = { main: undefined, subaccount: undefined, key: undefined, wrong: undefined, none: undefined };

  constructor(readonly server: Awaited<ReturnType<typeof startTestServer>>) {}

  async populate(): Promise<void> {
    const server = this.server;
    const ok = async (reply: Promise<Reply>, status = 201) => {
      const r = await reply;
      assert.equal(r.status, status, r.text);
      return r.body;
    };
    const n = ++this.#made;
    const api = `/2010-04-01/Accounts/${server.account.sid}`;
    const sub = await addSubaccount(server, { FriendlyName: `fuzz ${n}` });
    const key = await addApiKey(server);
    const service = await ok(server.request('POST', '/v1/Services', { FriendlyName: `fuzz ${n}`, InboundRequestUrl: 'http://127.0.0.1:9/in' }));
    const shortCode = await ok(server.request('POST', `${api}/SMS/ShortCodes.json`, { ShortCode: String(40000 + n), CountryCode: 'US' }));
    const number = await ok(server.request('POST', `${api}/IncomingPhoneNumbers.json`, { PhoneNumber: `+1312555${String(n).padStart(4, '0')}` }));
    // And one of each in no service, for the adds to find.
    const spareShortCode = await ok(server.request('POST', `${api}/SMS/ShortCodes.json`, { ShortCode: String(60000 + n), CountryCode: 'US' }));
    const spareNumber = await ok(server.request('POST', `${api}/IncomingPhoneNumbers.json`, { PhoneNumber: `+1646555${String(n).padStart(4, '0')}` }));
    await ok(server.request('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: shortCode.sid }));
    await ok(server.request('POST', `/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: number.sid }));
    const alpha = await ok(server.request('POST', `/v1/Services/${service.sid}/AlphaSenders`, { AlphaSender: 'Fuzz' }));
    const handset = `+1415555${String(n).padStart(4, '0')}`;
    const message = await ok(
      server.request('POST', `${api}/Messages.json`, {
        MessagingServiceSid: service.sid,
        To: handset,
        Body: 'hello',
        MediaUrl: 'https://example.invalid/cat.jpg',
      }),
    );
    const media = await ok(server.request('GET', `${api}/Messages/${message.sid}/Media.json`), 200);
    await ok(
      server.request('POST', `/_shortroute/Accounts/${server.account.sid}/Handsets/${encodeURIComponent(handset)}/Messages`, {
        To: number.phone_number,
        Body: 'hi',
      }),
    );
    await ok(server.request('POST', `/_shortroute/Accounts/${server.account.sid}/DeliveryRules`, { To: handset, Status: 'undelivered', ErrorCode: '30003' }));
    this.world = {
      AC: [server.account.sid, sub.sid],
      MG: [service.sid],
      SC: [shortCode.sid, spareShortCode.sid],
      PN: [number.sid, spareNumber.sid],
      AI: [alpha.sid],
      SK: [key.sid],
      SM: [message.sid],
      ME: media.media_list.map((m: { sid: string }) => m.sid),
      number: [handset, number.phone_number, shortCode.short_code, 'Fuzz'],
    };
    this.#auth = {
      main: server.auth,
      subaccount: basicAuth(sub.sid, sub.auth_token),
      key: basicAuth(key.sid, key.secret),
      wrong: basicAuth(server.account.sid, 'not-the-token'),
      none: undefined,
    };
  }

  resolve(value: Value): string {
    if ('text' in value) return value.text;
    if ('fresh' in value) return value.fresh;
    const pool = this.world[value.fixture];
    return pool[value.index % pool.length] ?? '';
  }

  /** Sends the request and checks the answer; remakes the world when the request deleted part of it. */
  async run(request: FuzzRequest): Promise<number> {
    let url = request.route.url;
    const pathRefusals: string[] = [];
    for (const [name, choice] of Object.entries(request.path)) {
      const segment = encodeURIComponent(this.resolve(choice.value)).replace(/\./g, '%2E');
      url = url.replace(`:${name}`, segment);
      if (choice.refuse) pathRefusals.push(choice.refuse);
    }
    const fields: [string, string][] = [];
    const paramRefusals: string[] = [];
    for (const [name, choice] of Object.entries(request.params)) {
      for (const value of choice.values ?? []) fields.push([name, this.resolve(value)]);
      if (choice.refuse) paramRefusals.push(choice.refuse);
    }
    fields.push(...request.unknown.filter(([name]) => !(name in request.params)));
    const form = new URLSearchParams(fields).toString();
    const method = request.method;
    const inBody = method === 'POST';
    // Another method is another route (or none): the labels are this route's. And the parameters'
    // labels hold only when they reach the route as a form (or a query).
    const paramsRead = !inBody || request.body === 'form';
    const refuse = method !== request.route.method ? [] : [...pathRefusals, ...(paramsRead ? paramRefusals : [])];
    const headers: Record<string, string> = {};
    let payload: string | undefined;
    if (inBody && request.body !== 'none') {
      headers['content-type'] = { form: 'application/x-www-form-urlencoded', json: 'application/json', text: 'text/plain' }[request.body];
      payload = request.body === 'json' ? JSON.stringify(Object.fromEntries(fields)) : form;
    }
    const target = inBody || !form ? url : `${url}?${form}`;
    const reply = await inject(this.server, method, target, this.#auth[request.credentials], payload, headers);
    const what = `${method} ${target.slice(0, 300)}${payload ? ` [${headers['content-type']}] ${payload.slice(0, 300)}` : ''} as ${request.credentials} → ${reply.status} ${reply.text.slice(0, 300)}`;

    // 501/20501 is Shortroute's documented answer for a Twilio feature it does not simulate.
    const notSimulated = reply.status === 501 && reply.body?.code === 20501;
    assert.ok(reply.status < 500 || notSimulated, `a server error: ${what}`);
    if (reply.status >= 400 && method !== 'HEAD') {
      assert.deepEqual(Object.keys(reply.body ?? {}).sort(), ['code', 'message', 'more_info', 'status'], `not Twilio-shaped: ${what}`);
      assert.equal(reply.body.status, reply.status, what);
      assert.ok(Number.isInteger(reply.body.code), what);
      assert.equal(reply.body.more_info, `https://www.twilio.com/docs/errors/${reply.body.code}`, what);
      assert.ok(typeof reply.body.message === 'string' && reply.body.message.length > 0, what);
    }
    if (reply.status >= 200 && reply.status < 300) {
      assert.deepEqual(refuse, [], `a 2xx for a request the route must refuse: ${what}`);
      if (reply.status !== 204 && method !== 'HEAD') assert.equal(typeof reply.body, 'object', `a 2xx whose body is not JSON: ${what}`);
      // Deleted, reset or closed: the next requests get a whole world again.
      if (method === 'DELETE' || (method === 'POST' && /\/Reset$|\/Accounts\/[^/]+\.json$/.test(url))) await this.populate();
    }
    return reply.status;
  }
}

for (const backend of BACKENDS) {
  describe(`[${backend}] fuzzing every route`, () => {
    let fuzzer: Fuzzer;
    before(async () => {
      // A hand-moved clock: the network stands still; webhooks to the fuzz's URLs fail fast.
      const server = await startTestServer(backend, { clock: new FakeClock(START), webhooks: { timeoutMs: 500 } });
      fuzzer = new Fuzzer(server);
      await fuzzer.populate();
    });
    after(async () => {
      await fuzzer.server.cleanup();
    });

    test(`${RUNS} generated requests (seed ${SEED}): no 5xx, every error Twilio-shaped, nothing refused answered 2xx`, async (t) => {
      // The event stream answers a 200 that never ends, which app.inject would wait for: its
      // refusals are tested in test/sending/event-stream.test.ts, over a socket.
      const table = routeTable(fuzzer.server.server)
        .filter((entry) => entry.operation.operationId !== 'StreamEvents')
        .map(printable);
      assert.ok(table.length >= 50, `the route table has ${table.length} routes`);
      const answered = new Map<Route, number[]>();
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(fc.constantFrom(...table), MODES).chain(([route, mode]) => requestFor(route, mode)),
          async (request) => {
            const status = await fuzzer.run(request);
            answered.set(request.route, [...(answered.get(request.route) ?? []), status]);
          },
        ),
        { seed: SEED, numRuns: RUNS, includeErrorInReport: true },
      );
      const never2xx = table.filter((route) => !(answered.get(route) ?? []).some((s) => s < 300)).map((r) => `${r.method} ${r.url}`);
      t.diagnostic(`${answered.size} of ${table.length} routes requested; never answered 2xx: ${never2xx.join(', ') || 'none'}`);
    });
  });
}
