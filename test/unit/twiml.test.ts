import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_TWIML_BYTES, parseMessagingTwiml, type TwimlResult, type TwimlVerb } from '../../src/inbound/twiml.js';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const ok = (verbs: TwimlVerb[], warningCodes: number[] = []) => ({ verbs, warningCodes });
const msg = (body: string, media: string[] = [], extra: object = {}): TwimlVerb => ({ verb: 'Message', body, media, ...extra });
const redirect = (url: string, method: 'GET' | 'POST' = 'POST'): TwimlVerb => ({ verb: 'Redirect', url, method });
const fail = (code: number) => ({ code });

// [case, TwiML, verbs and warning codes, or the failure code]
const CASES: Array<[string, string, ReturnType<typeof ok> | ReturnType<typeof fail>]> = [
  ['an empty <Response/>: no reply', '<Response/>', ok([])],
  ["the sample receivers' empty answer, with a declaration", `${DECL}<Response/>`, ok([])],
  ['an empty <Response></Response> with whitespace and a comment', '<Response>\n  <!-- nothing -->\n</Response>', ok([])],
  ['a plain-text <Message>', `${DECL}<Response><Message>Hello there</Message></Response>`, ok([msg('Hello there')])],
  ['pretty-printed text is trimmed at the ends only', '<Response>\n  <Message>\n    Hi  there\n  </Message>\n</Response>', ok([msg('Hi  there')])],
  [
    '<Body> and <Media>',
    '<Response><Message><Body>Look</Body><Media>https://example.com/a.jpg</Media></Message></Response>',
    ok([msg('Look', ['https://example.com/a.jpg'])]),
  ],
  [
    'several <Body> are concatenated, whitespace between them not',
    '<Response><Message>\n  <Body>Hello, </Body>\n  <Body>world</Body>\n</Message></Response>',
    ok([msg('Hello, world')]),
  ],
  [
    'media only',
    '<Response><Message><Media>https://example.com/a.jpg</Media><Media> https://example.com/b.png </Media></Message></Response>',
    ok([msg('', ['https://example.com/a.jpg', 'https://example.com/b.png'])]),
  ],
  [
    'ten media are fine',
    `<Response><Message>${'<Media>https://example.com/m</Media>'.repeat(10)}</Message></Response>`,
    ok([msg('', Array(10).fill('https://example.com/m'))]),
  ],
  ['eleven media: skipped with 21623', `<Response><Message>x${'<Media>https://example.com/m</Media>'.repeat(11)}</Message></Response>`, ok([], [21623])],
  [
    'attributes',
    '<Response><Message to="+14155550100" from="+14155550199" action="/status" method="get" statusCallback="https://example.com/cb">Hi</Message></Response>',
    ok([msg('Hi', [], { to: '+14155550100', from: '+14155550199', action: '/status', method: 'GET', statusCallback: 'https://example.com/cb' })]),
  ],
  ['a method other than GET or POST: 14104, and POST applies', '<Response><Message method="PUT">Hi</Message></Response>', ok([msg('Hi')], [14104])],
  ['an unknown attribute: 12200, the message still goes', '<Response><Message colour="red">Hi</Message></Response>', ok([msg('Hi')], [12200])],
  ['an unknown noun: 12200 and ignored', '<Response><Message><Body>Hi</Body><Say>no</Say></Message></Response>', ok([msg('Hi')], [12200])],
  ['legacy <Sms> is a <Message>', '<Response><Sms to="+14155550100">Old style</Sms></Response>', ok([msg('Old style', [], { to: '+14155550100' })])],
  [
    'several messages in order',
    '<Response><Message>one</Message><Sms>two</Sms><Message>three</Message></Response>',
    ok([msg('one'), msg('two'), msg('three')]),
  ],
  ['more than ten messages: 14109 for the rest', `<Response>${'<Message>m</Message>'.repeat(12)}</Response>`, ok(Array(10).fill(msg('m')), [14109, 14109])],
  ['a message with neither body nor media: 14103', '<Response><Message>   </Message><Message>next</Message></Response>', ok([msg('next')], [14103])],
  ['a body over 1600 characters: 14103', `<Response><Message>${'a'.repeat(1601)}</Message></Response>`, ok([], [14103])],
  ['1600 emoji are 1600 characters', `<Response><Message>${'👋'.repeat(1600)}</Message></Response>`, ok([msg('👋'.repeat(1600))])],
  [
    '<Redirect> cuts off the rest',
    '<Response><Message>first</Message><Redirect>https://example.com/next</Redirect><Message>never</Message><Foo/></Response>',
    ok([msg('first'), redirect('https://example.com/next')]),
  ],
  ['<Redirect method="GET">', '<Response><Redirect method="GET"> /next.xml </Redirect></Response>', ok([redirect('/next.xml', 'GET')])],
  ['<Redirect> without a URL: 12200 and skipped', '<Response><Redirect/><Message>Hi</Message></Response>', ok([msg('Hi')], [12200])],
  [
    'a <Message action> makes what follows unreachable',
    '<Response><Message action="/a">one</Message><Message>two</Message></Response>',
    ok([msg('one', [], { action: '/a' })]),
  ],
  [
    'an unknown verb: 14110 and skipped',
    '<Response><Say>Hello</Say><Message>Hi</Message><message>lower case</message></Response>',
    ok([msg('Hi')], [14110, 14110]),
  ],
  [
    'entity-escaped text',
    '<Response><Message>Tom &amp; Jerry &lt;3 &quot;cheese&quot; &apos;n&apos; &#233;&#x1F44B;</Message></Response>',
    ok([msg('Tom & Jerry <3 "cheese" \'n\' é👋')]),
  ],
  [
    'entities in attributes and media URLs',
    '<Response><Message to="a&amp;b"><Media>https://example.com/m?a=1&amp;b=2</Media></Message></Response>',
    ok([msg('', ['https://example.com/m?a=1&b=2'], { to: 'a&b' })]),
  ],
  ['an escaped entity stays escaped once', '<Response><Message>&amp;amp; &amp;#38;</Message></Response>', ok([msg('&amp; &#38;')])],
  ['CDATA is taken literally', '<Response><Message><![CDATA[<b>bold</b> &amp;]]></Message></Response>', ok([msg('<b>bold</b> &amp;')])],
  ['text directly in <Response>: 12200', '<Response>stray<Message>Hi</Message></Response>', ok([msg('Hi')], [12200])],
  ['unicode text', '<Response><Message>Grüße 世界 👋🏽</Message></Response>', ok([msg('Grüße 世界 👋🏽')])],

  ['not XML at all: 12100', 'Thanks for your message!', fail(12100)],
  ['an empty document: 12100', '', fail(12100)],
  ['JSON: 12100', '{"message":"hi"}', fail(12100)],
  ['an unclosed element: 12100', '<Response><Message>Hi</Response>', fail(12100)],
  ['mismatched case: 12100', '<Response><Message>Hi</message></Response>', fail(12100)],
  ['an unescaped &: 12100', '<Response><Message>Tom & Jerry</Message></Response>', fail(12100)],
  ['an HTML entity XML does not define: 12100', '<Response><Message>a&nbsp;b</Message></Response>', fail(12100)],
  ['a character reference XML forbids: 12100', '<Response><Message>a&#0;b</Message></Response>', fail(12100)],
  ['whitespace before the declaration: 12100', ` ${DECL}<Response/>`, fail(12100)],
  ['a wrong root: 12100', '<Reply><Message>Hi</Message></Reply>', fail(12100)],
  ['an HTML page: 12100', '<html><body>Hi</body></html>', fail(12100)],
  ['the root in lower case: 12100', '<response><Message>Hi</Message></response>', fail(12100)],
  ['two roots: 12100', '<Response/><Response/>', fail(12100)],
];

function summary(result: TwimlResult) {
  return result.ok
    ? ok(
        result.verbs,
        result.warnings.map((w) => w.code),
      )
    : fail(result.code);
}

describe('parseMessagingTwiml', () => {
  for (const [name, xml, expected] of CASES) {
    test(name, () => assert.deepEqual(summary(parseMessagingTwiml(xml)), expected));
  }

  test('warnings and failures carry a message', () => {
    const warned = parseMessagingTwiml('<Response><Play>x.mp3</Play></Response>');
    assert.ok(warned.ok);
    assert.match(warned.warnings[0]?.message ?? '', /<Play>/);
    const failed = parseMessagingTwiml('<Response>');
    assert.ok(!failed.ok);
    assert.match(failed.message, /^Document parse failure: /);
  });

  test('the size limit is 64 kB', () => assert.equal(MAX_TWIML_BYTES, 65536));
});
