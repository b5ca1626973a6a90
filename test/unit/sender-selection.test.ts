import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { selectSender, type Candidate, type SelectionInput } from '../../src/sending/sender-selection.js';

// The pool of the cases below: SIDs are short for reading; only their order matters to ties.
const sc = (sid: string, country: string, caps = ['SMS']): Candidate => ({ sid, kind: 'short_code', address: '12345', country, capabilities: caps });
const pn = (sid: string, e164: string, country: string, caps = ['SMS', 'MMS'], numberType = 'local'): Candidate => ({
  sid,
  kind: 'phone_number',
  address: e164,
  country,
  capabilities: caps,
  numberType,
});
const alpha = (sid: string): Candidate => ({ sid, kind: 'alpha_sender', address: 'Shortroute', country: '', capabilities: ['SMS'] });

const US_SC = sc('SC1', 'US');
const CA_SC = sc('SC2', 'CA');
const US_SC_MMS = sc('SC3', 'US', ['SMS', 'MMS']);
const SF = pn('PN1', '+14155550100', 'US');
const SF_OVERLAY = pn('PN2', '+16285550100', 'US');
const NYC = pn('PN3', '+12125550100', 'US');
const NYC_SMS_ONLY = pn('PN4', '+12125550101', 'US', ['SMS']);
const TORONTO = pn('PN5', '+14165550100', 'CA');
const CA_TOLLFREE = pn('PN6', '+18885550100', 'CA', ['SMS'], 'tollfree');
const LONDON = pn('PN7', '+442071838750', 'GB');
const VOICE_ONLY = pn('PN8', '+13125550100', 'US', []);
const ALPHA = alpha('AI1');

const base: Omit<SelectionInput, 'pool' | 'to'> = { hasMedia: false, stickySender: false, areaCodeGeomatch: true };
const US_SF = { country: 'US', areaCode: '415' };
const US_NYC = { country: 'US', areaCode: '212' };
const US_CHICAGO = { country: 'US', areaCode: '312' };
const CANADA = { country: 'CA', areaCode: '416' };
const UK = { country: 'GB' };
const FRANCE = { country: 'FR' };

// [case, input, expected sender SID and rule, or error code]
const CASES: Array<
  [string, Partial<SelectionInput> & Pick<SelectionInput, 'pool' | 'to'>, { sid: string; rule: string; rerouted?: boolean } | { error: number }]
> = [
  ['an empty pool fails with 21704', { pool: [], to: US_SF }, { error: 21704 }],
  ['a domestic recipient gets the short code before any number', { pool: [SF, US_SC], to: US_SF }, { sid: 'SC1', rule: 'short_code', rerouted: false }],
  [
    'a foreign recipient is rerouted from the short code to a number of their country',
    { pool: [US_SC, SF, LONDON], to: UK },
    { sid: 'PN7', rule: 'country_code_geomatch', rerouted: true },
  ],
  ['a Canadian recipient gets the Canadian short code, not the US one', { pool: [US_SC, CA_SC, TORONTO], to: CANADA }, { sid: 'SC2', rule: 'short_code' }],
  ['only a short code that cannot reach the recipient: 21703', { pool: [US_SC], to: UK }, { error: 21703 }],
  ['alpha sender for a country that allows it, before the numbers', { pool: [SF, ALPHA], to: UK }, { sid: 'AI1', rule: 'alpha_sender' }],
  ['never an alpha sender to the US: a number instead', { pool: [ALPHA, SF], to: US_SF }, { sid: 'PN1', rule: 'area_code_geomatch' }],
  ['only an alpha sender and a US recipient: 21703', { pool: [ALPHA], to: US_SF }, { error: 21703 }],
  ['no alpha sender where the pool has a short code for the country', { pool: [sc('SC9', 'GB'), ALPHA], to: UK }, { sid: 'SC9', rule: 'short_code' }],
  ["area code geomatch: the number of the recipient's area code", { pool: [NYC, SF], to: US_SF }, { sid: 'PN1', rule: 'area_code_geomatch' }],
  ['area code geomatch: an overlay area code counts as local', { pool: [NYC, SF_OVERLAY], to: US_SF }, { sid: 'PN2', rule: 'area_code_geomatch' }],
  [
    'area code geomatch off: country geomatch, ties to the lowest SID',
    { pool: [NYC, SF], to: US_SF, areaCodeGeomatch: false },
    { sid: 'PN1', rule: 'country_code_geomatch' },
  ],
  ['no number in the area code: any US number', { pool: [NYC, SF], to: US_CHICAGO }, { sid: 'PN1', rule: 'country_code_geomatch' }],
  ['a US recipient is never reached from a foreign number: 21703', { pool: [LONDON], to: US_SF }, { error: 21703 }],
  ['a Canadian recipient may be reached from a US number', { pool: [SF], to: CANADA }, { sid: 'PN1', rule: 'any_number' }],
  ['Canada: toll-free before long codes', { pool: [TORONTO, CA_TOLLFREE], to: CANADA }, { sid: 'PN6', rule: 'country_code_geomatch' }],
  ["no number of the recipient's country: a US number before others", { pool: [LONDON, SF], to: FRANCE }, { sid: 'PN1', rule: 'any_number' }],
  ['a number without SMS or MMS is never chosen', { pool: [VOICE_ONLY], to: US_SF }, { error: 21703 }],
  [
    'media needs MMS: the SMS-only short code is passed over for an MMS number',
    { pool: [US_SC, NYC_SMS_ONLY, SF], to: US_NYC, hasMedia: true },
    { sid: 'PN1', rule: 'country_code_geomatch', rerouted: true },
  ],
  ['media with an MMS short code stays on the short code', { pool: [US_SC_MMS, SF], to: US_SF, hasMedia: true }, { sid: 'SC3', rule: 'short_code' }],
  ['media and nothing MMS-capable: 21703', { pool: [US_SC, NYC_SMS_ONLY], to: US_NYC, hasMedia: true }, { error: 21703 }],
  [
    "sticky sender keeps the recipient's sender while it is eligible",
    { pool: [US_SC, SF], to: US_SF, stickySender: true, stickyFor: 'PN1' },
    { sid: 'PN1', rule: 'sticky_sender' },
  ],
  [
    'sticky first (the default): the mapping outranks a short code that now reaches the recipient',
    { pool: [US_SC, SF], to: US_SF, stickySender: true, stickyFor: 'PN1', stickyFirst: true },
    { sid: 'PN1', rule: 'sticky_sender' },
  ],
  [
    'sticky not first: a short code that reaches the recipient wins over the mapping',
    { pool: [US_SC, SF], to: US_SF, stickySender: true, stickyFor: 'PN1', stickyFirst: false },
    { sid: 'SC1', rule: 'short_code' },
  ],
  [
    'sticky not first: among numbers the mapping still outranks area code geomatch',
    { pool: [SF, NYC], to: US_SF, stickySender: true, stickyFor: 'PN3', stickyFirst: false },
    { sid: 'PN3', rule: 'sticky_sender' },
  ],
  [
    'sticky sender is ignored when the service has it off',
    { pool: [US_SC, SF], to: US_SF, stickySender: false, stickyFor: 'PN1' },
    { sid: 'SC1', rule: 'short_code' },
  ],
  [
    'a sticky sender that left the pool no longer counts',
    { pool: [NYC], to: US_SF, stickySender: true, stickyFor: 'PN1' },
    { sid: 'PN3', rule: 'country_code_geomatch' },
  ],
  [
    'a sticky sender that can no longer reach the recipient is passed over',
    { pool: [NYC_SMS_ONLY, SF], to: US_SF, stickySender: true, stickyFor: 'PN4', hasMedia: true },
    { sid: 'PN1', rule: 'area_code_geomatch' },
  ],
  [
    'load spreads across equal candidates',
    {
      pool: [SF, SF_OVERLAY],
      to: US_SF,
      areaCodeGeomatch: false,
      load: new Map([
        ['PN1', 3],
        ['PN2', 1],
      ]),
    },
    { sid: 'PN2', rule: 'country_code_geomatch' },
  ],
];

describe('sender selection (Copilot)', () => {
  for (const [name, partial, expected] of CASES) {
    test(`selectSender: ${name}`, () => {
      const result = selectSender({ ...base, ...partial });
      if ('error' in expected) {
        assert.deepEqual(result, { ok: false, errorCode: expected.error });
        return;
      }
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.sender.sid, expected.sid);
      assert.equal(result.rule, expected.rule);
      if (expected.rerouted !== undefined) assert.equal(result.rerouted, expected.rerouted);
    });
  }

  test('selectSender: the same input always gives the same answer', () => {
    const input = { ...base, pool: [NYC, SF, SF_OVERLAY, LONDON, US_SC], to: US_CHICAGO };
    const first = selectSender(input);
    for (let i = 0; i < 20; i++) assert.deepEqual(selectSender({ ...input, pool: [...input.pool].reverse() }), first);
  });
});
