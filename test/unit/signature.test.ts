import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import twilio from 'twilio';
import { signingUrl, twilioSignature, webhookRequest, type WebhookParams } from '../../src/webhooks/signature.js';

const TOKEN = '0123456789abcdef0123456789abcdef';

/** The params object a receiver's framework hands to the SDK: a repeated name becomes an array. */
function paramsObject(params: WebhookParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const seen = out[name];
    out[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

const INBOUND: WebhookParams = [
  ['ToCountry', 'US'],
  ['ToState', ''],
  ['SmsMessageSid', 'SM6f2d6e8b4c1a4f0e9d8c7b6a5f4e3d2c'],
  ['NumMedia', '0'],
  ['ToCity', ''],
  ['FromZip', '98106'],
  ['SmsSid', 'SM6f2d6e8b4c1a4f0e9d8c7b6a5f4e3d2c'],
  ['FromState', 'WA'],
  ['SmsStatus', 'received'],
  ['FromCity', 'SEATTLE'],
  ['Body', 'Why do you say that? '],
  ['FromCountry', 'US'],
  ['To', '+18333595081'],
  ['MessagingServiceSid', 'MG0123456789abcdef0123456789abcdef'],
  ['ToZip', ''],
  ['NumSegments', '1'],
  ['MessageSid', 'SM6f2d6e8b4c1a4f0e9d8c7b6a5f4e3d2c'],
  ['AccountSid', 'AC0123456789abcdef0123456789abcdef'],
  ['From', '+12533243071'],
  ['ApiVersion', '2010-04-01'],
];
const MEDIA: WebhookParams = [
  ...INBOUND.filter(([name]) => name !== 'NumMedia'),
  ['NumMedia', '3'],
  ['MediaUrl0', 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1'],
  ['MediaContentType0', 'image/jpeg'],
  ['MediaUrl1', 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2'],
  ['MediaContentType1', 'image/png'],
  ['MediaUrl2', 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME3'],
  ['MediaContentType2', 'video/mp4'],
];

// [case, configured webhook URL, params]
const POSTS: Array<[string, string, WebhookParams]> = [
  ['plain https', 'https://example.com/sms', INBOUND],
  ['http on port 8080', 'http://example.com:8080/hooks/sms', INBOUND],
  ['a loopback address with a port', 'http://127.0.0.1:54321/inbound', INBOUND],
  ['a bare host (signed with the trailing slash)', 'https://example.com', INBOUND],
  ['an explicit default port (elided)', 'https://example.com:443/sms', INBOUND],
  ['a query string', 'https://example.com/sms?foo=1&bar=2', INBOUND],
  ["a query with +, %20 and '", "https://example.com/sms?q=a+b&r=c%20d&s=it's", INBOUND],
  ['a query with repeated keys', 'https://example.com/sms?tag=a&tag=b&tag=a', INBOUND],
  ['media parameters', 'https://example.com/mms', MEDIA],
  [
    'a repeated parameter name, values out of order',
    'https://example.com/sms',
    [
      ['Tag', 'zeta'],
      ['Tag', 'alpha'],
      ['Tag', 'Mid'],
    ],
  ],
  [
    'names differing in case and punctuation',
    'https://example.com/sms',
    [
      ['body', 'x'],
      ['To', 'y'],
      ['_z', '1'],
      ['Body', 'z'],
      ['A.b', '2'],
    ],
  ],
  [
    'only empty values',
    'https://example.com/sms',
    [
      ['ErrorCode', ''],
      ['Body', ''],
    ],
  ],
  [
    'a unicode body with emoji',
    'https://example.com/sms',
    [
      ['Body', 'Héllo 👋🏽 世界 — ok? +1 & more'],
      ['From', '+447700900123'],
    ],
  ],
  ['no parameters', 'https://example.com/sms', []],
];

describe('X-Twilio-Signature, POST: the official SDK accepts what Shortroute signs', () => {
  for (const [name, url, params] of POSTS) {
    test(name, () => {
      const request = webhookRequest({ url, method: 'POST', params, authToken: TOKEN });
      const signature = request.headers['X-Twilio-Signature'] ?? '';
      // The receiver sees the URL Shortroute requested; the SDK also accepts the configured spelling.
      assert.equal(twilio.validateRequest(TOKEN, signature, request.url, paramsObject(params)), true);
      assert.equal(twilio.validateRequest(TOKEN, signature, url, paramsObject(params)), true);
      assert.equal(twilio.validateRequest('another-token', signature, request.url, paramsObject(params)), false);
      // The body decodes back to exactly the parameters, in order.
      assert.deepEqual(
        [...new URLSearchParams(request.body)],
        params.map(([k, v]) => [k, v]),
      );
    });
  }

  test('a tampered parameter fails', () => {
    const request = webhookRequest({ url: 'https://example.com/sms', method: 'POST', params: INBOUND, authToken: TOKEN });
    const tampered = { ...paramsObject(INBOUND), Body: 'Why do you say that?' };
    assert.equal(twilio.validateRequest(TOKEN, request.headers['X-Twilio-Signature'] ?? '', request.url, tampered), false);
  });

  test('form encoding and headers', () => {
    const request = webhookRequest({
      url: 'https://example.com/sms',
      method: 'POST',
      params: [
        ['Body', 'Why do you say that? '],
        ['From', '+12533243071'],
      ],
      authToken: TOKEN,
    });
    assert.equal(request.body, 'Body=Why+do+you+say+that%3F+&From=%2B12533243071');
    assert.deepEqual(Object.keys(request.headers).sort(), ['Accept', 'Content-Type', 'User-Agent', 'X-Twilio-Signature']);
    assert.equal(request.headers['Content-Type'], 'application/x-www-form-urlencoded; charset=utf-8');
    assert.equal(request.headers['User-Agent'], 'TwilioProxy/1.1');
    assert.equal(request.headers.Accept, '*/*');
  });
});

describe('X-Twilio-Signature, GET: parameters in the query, only the URL signed', () => {
  const GETS: Array<[string, string, WebhookParams]> = [
    ['a URL without a query', 'https://example.com/sms', INBOUND],
    ['a URL with a query', 'http://127.0.0.1:54321/sms?foo=1&bar=a+b', MEDIA],
    ['a URL ending in ?', 'https://example.com/sms?', [['Body', 'x y']]],
    [
      'a unicode body',
      'https://example.com/sms',
      [
        ['Body', "It's 👋 100% +1"],
        ['ToState', ''],
      ],
    ],
    ['no parameters', 'https://example.com/sms?x=1', []],
  ];
  for (const [name, url, params] of GETS) {
    test(name, () => {
      const request = webhookRequest({ url, method: 'GET', params, authToken: TOKEN });
      const signature = request.headers['X-Twilio-Signature'] ?? '';
      assert.equal(request.body, undefined);
      assert.equal(request.headers['Content-Type'], undefined);
      assert.equal(new URL(request.url).href, request.url, 'survives WHATWG normalisation');
      assert.equal(twilio.validateRequest(TOKEN, signature, request.url, {}), true);
      // The parameters are the last of the query, in order.
      const query = [...new URL(request.url).searchParams];
      assert.deepEqual(
        query.slice(query.length - params.length),
        params.map(([k, v]) => [k, v]),
      );
      if (params.length) assert.equal(twilio.validateRequest(TOKEN, signature, signingUrl(url), paramsObject(params)), false);
    });
  }
});

describe('signingUrl', () => {
  const CASES: Array<[string, string]> = [
    ['https://example.com/sms', 'https://example.com/sms'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com:443/sms', 'https://example.com/sms'],
    ['http://example.com:80/sms', 'http://example.com/sms'],
    ['http://example.com:8080/sms', 'http://example.com:8080/sms'],
    ['https://user:p%40ss@example.com/sms?a=1', 'https://example.com/sms?a=1'],
    ['https://example.com/sms?a=1#rc=2&rt=3000', 'https://example.com/sms?a=1'],
    ['HTTPS://Example.COM/sms?q=a+b%20c', 'https://example.com/sms?q=a+b%20c'],
    ["https://example.com/sms?s=it's", 'https://example.com/sms?s=it%27s'],
  ];
  for (const [url, signed] of CASES) test(url, () => assert.equal(signingUrl(url), signed));
});

describe('credentials in the webhook URL', () => {
  const url = 'https://user:p%40ss@example.com/sms?foo=1';
  const request = webhookRequest({ url, method: 'POST', params: INBOUND, authToken: TOKEN });
  const signature = request.headers['X-Twilio-Signature'] ?? '';

  test('are sent as Basic auth, not in the URL', () => {
    assert.equal(request.url, 'https://example.com/sms?foo=1');
    assert.equal(request.headers.Authorization, `Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });
  test('are not signed: the SDK accepts the URL the receiver sees, without them', () => {
    assert.equal(twilio.validateRequest(TOKEN, signature, 'https://example.com/sms?foo=1', paramsObject(INBOUND)), true);
    // The SDK does not strip credentials itself, so the credentialed spelling does not validate.
    assert.equal(twilio.validateRequest(TOKEN, signature, url, paramsObject(INBOUND)), false);
  });
});

describe('documented vectors', () => {
  const CALL: WebhookParams = [
    ['CallSid', 'CA1234567890ABCDE'],
    ['Caller', '+14158675309'],
    ['Digits', '1234'],
    ['From', '+14158675309'],
    ['To', '+18005551212'],
  ];
  test('the helper library vector', () => {
    assert.equal(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', CALL), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });
  test('the same, parameters given in another order', () => {
    assert.equal(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', [...CALL].reverse()), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });
  test('the security page vector', () => {
    const params: WebhookParams = CALL.map(([k, v]) => [k, v.replace('+14158675309', '+14158675310')]);
    assert.equal(twilioSignature('12345', 'https://example.com/myapp.php?foo=1&bar=2', params), 'L/OH5YylLD5NRKLltdqwSvS0BnU=');
  });
});
