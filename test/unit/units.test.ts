import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { toIso, toRfc2822 } from '../../src/http/dates.js';
import { pageToken, readPaging } from '../../src/http/paging.js';
import { readParams } from '../../src/http/params.js';
import { operations } from '../../src/generated/api.js';
import { parseConfig, UsageError } from '../../src/config.js';
import { isCountryCode } from '../../src/resources/short-codes/short-codes.js';
import { redirect } from '../../src/sdk/request-client.js';
import { generate } from '../../scripts/generate-api.js';
import { TwilioError } from '../../src/http/errors.js';
import { opened, quoted } from '../../src/http/json-text.js';

describe('dates', () => {
  test('toRfc2822: formats as Twilio 2010 does', () => {
    assert.equal(toRfc2822('2015-07-30T20:12:31.123Z'), 'Thu, 30 Jul 2015 20:12:31 +0000');
    assert.equal(toRfc2822('2026-01-05T03:04:05.000Z'), 'Mon, 05 Jan 2026 03:04:05 +0000');
  });
  test('toIso: drops the fraction, keeps Z', () => {
    assert.equal(toIso('2015-07-30T20:12:31.999Z'), '2015-07-30T20:12:31Z');
  });
});

describe('paging', () => {
  test('readPaging: a token round-trips into a keyset cursor', () => {
    const key = { date: '2026-01-01T00:00:00.000Z', sid: 'SC0123456789abcdef0123456789abcdef' };
    assert.deepEqual(readPaging({ PageToken: pageToken('PA', key), PageSize: 10, Page: 2 }), { page: 2, pageSize: 10, query: { size: 10, after: key } });
    assert.deepEqual(readPaging({ PageToken: pageToken('PB', key) }).query.before, key);
    assert.deepEqual(readPaging({}), { page: 0, pageSize: 50, query: { size: 50 } });
  });
  test('readPaging: tampered tokens are 21481', () => {
    for (const token of ['XX', 'PAxyz', `PA${Buffer.from('nodate|SC1').toString('base64url')}`]) {
      assert.throws(
        () => readPaging({ PageToken: token }),
        (e: TwilioError) => e.code === 21481,
      );
    }
  });
});

describe('json text', () => {
  test('opened: a string literal left open for a SID and a quote, whatever the prefix holds', () => {
    const awkward = ['plain', 'a "quote"', 'back\\slash', 'line\nbreak', 'nul \u0000', 'emoji 😀', '\ud800 lone surrogate'];
    const sid = 'SC0123456789abcdef0123456789abcdef';
    for (const prefix of awkward) {
      const text = `{"url":${opened(prefix)}${sid}","q":${quoted(prefix)}}`;
      assert.deepEqual(JSON.parse(text), { url: prefix + sid, q: prefix });
    }
  });
});

describe('params', () => {
  const op = operations.v1CreateService;
  test('readParams: parses booleans, integers and enums as the spec declares', () => {
    const p = readParams(op, 'body', { FriendlyName: 'x', StickySender: 'True', ValidityPeriod: '60', InboundMethod: 'GET' });
    assert.deepEqual(p, { FriendlyName: 'x', StickySender: true, ValidityPeriod: 60, InboundMethod: 'GET' });
  });
  test('readParams: missing required is 20001 naming the parameter', () => {
    assert.throws(
      () => readParams(op, 'body', {}),
      (e: TwilioError) => e.code === 20001 && e.message === 'Missing required parameter FriendlyName in the post body',
    );
  });
  test('readParams: a custom error replaces the generic one', () => {
    const custom = (v: string) => new TwilioError(400, 99999, v);
    assert.throws(
      () => readParams(op, 'body', { FriendlyName: 'x', ValidityPeriod: 'x' }, { ValidityPeriod: custom }),
      (e: TwilioError) => e.code === 99999,
    );
  });
});

describe('config', () => {
  test('parseConfig: flag beats env beats default', () => {
    assert.equal(parseConfig([], {}).port, 4747);
    assert.equal(parseConfig([], { SHORTROUTE_PORT: '5000' }).port, 5000);
    assert.equal(parseConfig(['--port', '6000'], { SHORTROUTE_PORT: '5000' }).port, 6000);
    assert.equal(parseConfig(['--in-memory'], {}).inMemory, true);
    assert.equal(parseConfig([], { SHORTROUTE_IN_MEMORY: 'true' }).inMemory, true);
    assert.equal(parseConfig(['--public-url', 'https://x.test/'], {}).publicUrl, 'https://x.test');
    assert.equal(parseConfig([], {}).deliveryDelayMs, 1000);
    assert.equal(parseConfig(['--delivery-delay', '0'], {}).deliveryDelayMs, 0);
    assert.equal(parseConfig([], { SHORTROUTE_WEBHOOK_TIMEOUT: '2500' }).webhookTimeoutMs, 2500);
    assert.equal(parseConfig([], {}).webhookTimeoutMs, 15000);
    assert.equal(parseConfig([], {}).clockMode, 'system');
    assert.equal(parseConfig([], {}).stickySenderFirst, true);
    assert.equal(parseConfig(['--sticky-sender-first', 'false'], {}).stickySenderFirst, false);
    assert.equal(parseConfig(['--clock', 'manual'], {}).clockMode, 'manual');
    assert.equal(parseConfig([], { SHORTROUTE_CLOCK: 'manual' }).clockMode, 'manual');
  });
  test('parseConfig: bad values are usage errors', () => {
    assert.throws(() => parseConfig(['--port', '70000'], {}), UsageError);
    assert.throws(() => parseConfig(['--nope'], {}), UsageError);
    assert.throws(() => parseConfig(['--database-url', 'mysql://x'], {}), UsageError);
    assert.throws(() => parseConfig(['--public-url', 'x.test'], {}), UsageError);
    assert.throws(() => parseConfig(['--webhook-timeout', '0'], {}), UsageError);
    assert.throws(() => parseConfig(['--delivery-delay', 'soon'], {}), UsageError);
    assert.throws(() => parseConfig(['--clock', 'fake'], {}), UsageError);
  });
});

describe('misc', () => {
  test('isCountryCode: knows ISO 3166-1 alpha-2', () => {
    for (const ok of ['US', 'GB', 'CA', 'DE', 'BR']) assert.equal(isCountryCode(ok), true, ok);
    for (const bad of ['XX', 'ZZ', 'us', 'USA', '']) assert.equal(isCountryCode(bad), false, bad);
  });
  test('redirect: rewrites twilio.com hosts only, keeping path and query', () => {
    const base = new URL('http://127.0.0.1:4747');
    assert.equal(redirect('https://messaging.twilio.com/v1/Services?PageSize=5', base), 'http://127.0.0.1:4747/v1/Services?PageSize=5');
    assert.equal(redirect('https://api.twilio.com/2010-04-01/Accounts.json', base), 'http://127.0.0.1:4747/2010-04-01/Accounts.json');
    assert.equal(redirect('https://example.com/x', base), 'https://example.com/x');
    assert.equal(redirect('https://nottwilio.com/x', base), 'https://nottwilio.com/x');
    assert.equal(redirect('https://messaging.twilio.com/v1/Services', new URL('http://h:1/prefix/')), 'http://h:1/prefix/v1/Services');
  });
  test('generate: src/generated/api.ts is what the pinned spec produces', () => {
    assert.equal(readFileSync(new URL('../../src/generated/api.ts', import.meta.url), 'utf8'), generate());
  });
});
