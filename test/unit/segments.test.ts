import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSegments, encodingOf, smartEncode } from '../../src/sending/segments.js';

const a = (n: number): string => 'a'.repeat(n);
const EMOJI = '\u{1F600}'; // 😀, a surrogate pair: 2 UTF-16 code units

const segmentCases: Array<{ name: string; body: string; encoding: 'GSM-7' | 'UCS-2'; units: number; segments: number }> = [
  // Empty: nothing to count, but a sent message shows one segment.
  { name: 'empty body', body: '', encoding: 'GSM-7', units: 0, segments: 1 },
  { name: 'one character', body: 'a', encoding: 'GSM-7', units: 1, segments: 1 },
  // GSM-7: 160 in one segment, then 153 per segment.
  { name: '160 GSM characters', body: a(160), encoding: 'GSM-7', units: 160, segments: 1 },
  { name: '161 GSM characters', body: a(161), encoding: 'GSM-7', units: 161, segments: 2 },
  { name: '306 GSM characters', body: a(306), encoding: 'GSM-7', units: 306, segments: 2 },
  { name: '307 GSM characters', body: a(307), encoding: 'GSM-7', units: 307, segments: 3 },
  { name: '459 GSM characters', body: a(459), encoding: 'GSM-7', units: 459, segments: 3 },
  { name: '460 GSM characters', body: a(460), encoding: 'GSM-7', units: 460, segments: 4 },
  {
    name: 'the whole GSM basic alphabet',
    body: '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
    encoding: 'GSM-7',
    units: 127,
    segments: 1,
  },
  // Extension table: two septets each.
  { name: 'the extension table', body: '^{}\\[~]|€\f', encoding: 'GSM-7', units: 20, segments: 1 },
  { name: '80 euro signs fill one segment', body: '€'.repeat(80), encoding: 'GSM-7', units: 160, segments: 1 },
  { name: '159 + one euro sign is 161 septets', body: `${a(159)}€`, encoding: 'GSM-7', units: 161, segments: 2 },
  { name: '158 + one euro sign is 160 septets', body: `${a(158)}€`, encoding: 'GSM-7', units: 160, segments: 1 },
  { name: '81 curly braces', body: '{'.repeat(81), encoding: 'GSM-7', units: 162, segments: 2 },
  // 152 + € would end segment 1 at 154: the pair moves whole to segment 2, and the last 'a' spills to a third.
  { name: 'escaped pair not split at 153', body: `${a(152)}€${a(152)}`, encoding: 'GSM-7', units: 306, segments: 3 },
  { name: 'escaped pair ending exactly at 153', body: `${a(151)}€${a(153)}`, encoding: 'GSM-7', units: 306, segments: 2 },
  { name: 'escaped pairs only, 153 pairs', body: '|'.repeat(153), encoding: 'GSM-7', units: 306, segments: 3 },
  // UCS-2: one non-GSM character switches the whole message.
  { name: 'a single emoji', body: EMOJI, encoding: 'UCS-2', units: 2, segments: 1 },
  { name: 'emoji + 68 = 70 units', body: EMOJI + a(68), encoding: 'UCS-2', units: 70, segments: 1 },
  { name: 'emoji + 69 = 71 units', body: EMOJI + a(69), encoding: 'UCS-2', units: 71, segments: 2 },
  { name: 'emoji + 132 = 134 units', body: EMOJI + a(132), encoding: 'UCS-2', units: 134, segments: 2 },
  { name: 'emoji + 133 = 135 units', body: EMOJI + a(133), encoding: 'UCS-2', units: 135, segments: 3 },
  { name: '70 BMP non-GSM characters', body: 'ê'.repeat(70), encoding: 'UCS-2', units: 70, segments: 1 },
  { name: '71 BMP non-GSM characters', body: 'ê'.repeat(71), encoding: 'UCS-2', units: 71, segments: 2 },
  // A surrogate pair straddling unit 67 moves whole to the next segment.
  { name: 'surrogate pair not split at 67', body: a(66) + EMOJI + a(66), encoding: 'UCS-2', units: 134, segments: 3 },
  { name: 'surrogate pair ending exactly at 67', body: a(65) + EMOJI + a(67), encoding: 'UCS-2', units: 134, segments: 2 },
  { name: '35 emoji = 70 units', body: EMOJI.repeat(35), encoding: 'UCS-2', units: 70, segments: 1 },
  { name: '36 emoji = 72 units, 33 pairs per segment', body: EMOJI.repeat(36), encoding: 'UCS-2', units: 72, segments: 2 },
  { name: '67 emoji = 134 units, 33 pairs per segment', body: EMOJI.repeat(67), encoding: 'UCS-2', units: 134, segments: 3 },
  // Extension characters count one unit each in UCS-2.
  { name: 'euro sign in a UCS-2 message', body: `€${EMOJI}`, encoding: 'UCS-2', units: 3, segments: 1 },
  { name: 'CJK', body: '你好', encoding: 'UCS-2', units: 2, segments: 1 },
  { name: 'Hangul', body: '안녕하세요', encoding: 'UCS-2', units: 5, segments: 1 },
  { name: 'lower-case c cedilla is not GSM', body: 'ç', encoding: 'UCS-2', units: 1, segments: 1 },
  { name: 'curly quote without Smart Encoding', body: 'it\u2019s', encoding: 'UCS-2', units: 4, segments: 1 },
  { name: 'tab is not GSM', body: 'a\tb', encoding: 'UCS-2', units: 3, segments: 1 },
];

for (const c of segmentCases) {
  test(`countSegments: ${c.name}`, () => {
    assert.deepEqual(countSegments(c.body), { encoding: c.encoding, units: c.units, segments: c.segments });
    assert.equal(encodingOf(c.body), c.encoding);
  });
}

const smartCases: Array<{ name: string; body: string; expected: string }> = [
  { name: 'quotes, em dash and ellipsis', body: '\u201CHello\u201D \u2014 world\u2026', expected: '"Hello" - world...' },
  { name: 'apostrophes', body: 'it\u2019s \u2018ok\u2019 \u02BCn\u00B4 `x`', expected: "it's 'ok' 'n' 'x'" },
  { name: 'guillemets', body: '\u00ABBonjour\u00BB', expected: '"Bonjour"' },
  { name: 'single guillemets', body: '\u2039a\u203A', expected: '<a>' },
  { name: 'low quotes', body: '\u201Ehi\u201C \u201Ayo', expected: '"hi" ,yo' },
  { name: 'en dash, hyphen, bullet, horizontal bar', body: '1\u20132 \u2010 \u2022 \u2015', expected: '1-2 - - -' },
  { name: 'unicode spaces', body: 'a\u00A0b\u2002c\u2003d\u2009e\u202Ff\u3000g\u2028h', expected: 'a b c d e f g h' },
  { name: 'zero-width characters removed', body: 'a\u200Bb\uFEFFc\u2060d', expected: 'abcd' },
  { name: 'fullwidth letters, digits and punctuation', body: '\uFF21\uFF22\uFF23\uFF11\uFF12\uFF13\uFF01\uFF1F\uFF0C', expected: 'ABC123!?,' },
  { name: 'small capitals', body: '\u1D00\u0299\u1D04', expected: 'ABC' },
  {
    name: 'all small capitals on the list (none for Q, X)',
    body: 'ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ',
    expected: 'ABCDEFGHIJKLMNOPRSTUVWYZ',
  },
  { name: 'fractions and division', body: '\u00BD \u00BC \u00BE 6\u00F72', expected: '1/2 1/4 3/4 6/2' },
  { name: 'double exclamation', body: 'wow\u203C', expected: 'wow!!' },
  { name: 'ideographic punctuation', body: '\u3001\u3002', expected: ',.' },
  { name: 'fullwidth brackets become extension characters', body: '\uFF5B\uFF3B\uFF5E\uFF3D\uFF5D', expected: '{[~]}' },
  { name: 'GSM text is unchanged', body: 'Hello @ £5 {x} [y] ~ | ^ € \\ ÇÉ', expected: 'Hello @ £5 {x} [y] ~ | ^ € \\ ÇÉ' },
  { name: 'emoji untouched', body: `${EMOJI} \u201Chi\u201D \u{1F44D}\u{1F3FD}`, expected: `${EMOJI} "hi" \u{1F44D}\u{1F3FD}` },
  { name: 'ZWJ emoji sequence untouched', body: '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}', expected: '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}' },
  { name: 'CJK and Hangul untouched', body: '\u4F60\u597D \uC548\uB155', expected: '\u4F60\u597D \uC548\uB155' },
  // Twilio's list has fullwidth capitals but not fullwidth small letters.
  { name: 'fullwidth small letters untouched', body: '\uFF41\uFF42', expected: '\uFF41\uFF42' },
  { name: 'accented non-GSM letters untouched', body: 'ê ç ő', expected: 'ê ç ő' },
  { name: 'empty', body: '', expected: '' },
];

for (const c of smartCases) {
  test(`smartEncode: ${c.name}`, () => {
    assert.equal(smartEncode(c.body), c.expected);
  });
}

test('smartEncode makes a look-alike message GSM-7 and counts the replacement', () => {
  const body = '\u201CHello\u201D \u2014 world\u2026';
  assert.equal(encodingOf(body), 'UCS-2');
  const encoded = smartEncode(body);
  assert.equal(encodingOf(encoded), 'GSM-7');
  assert.deepEqual(countSegments(encoded), { encoding: 'GSM-7', units: 18, segments: 1 });
});

test('smartEncode turns a 2-segment UCS-2 message into 1 GSM-7 segment', () => {
  const body = `Don\u2019t miss it \u2014 ${a(100)}`;
  assert.deepEqual(countSegments(body), { encoding: 'UCS-2', units: 116, segments: 2 });
  assert.deepEqual(countSegments(smartEncode(body)), { encoding: 'GSM-7', units: 116, segments: 1 });
});

test('smartEncode leaves an emoji message UCS-2', () => {
  assert.equal(encodingOf(smartEncode(`\u201Chi\u201D ${EMOJI}`)), 'UCS-2');
});

test('every Smart Encoding replacement is GSM-7', () => {
  // One sample per replacement group, plus the fullwidth forms on the list: U+FF01–FF3F (ASCII
  // punctuation, digits, capitals) and U+FF5B–FF5E ({ | } ~).
  const range = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i)).join('');
  const fullwidth = range(0xff01, 0xff3f) + range(0xff5b, 0xff5e);
  const sample =
    '\u00AB\u2019\u201A\u2039\u203A\u2014\u2017\u2223\u2044\u29F5\u00BC\u00BD\u00BE\u2026\u203C\u01C3\uFE56\u3002\u02D0\u204F' +
    '\uFE6B\uFE69\uFE5F\uFE6A\uFE60\u2731\u02D6\uA78A\u2768\u2769\u2774\u2775\u02C6\u02DC\u00A0\u200B\u0302\u0303\u1D22';
  const encoded = smartEncode(sample + fullwidth);
  assert.equal(encodingOf(encoded), 'GSM-7', `not GSM-7: ${JSON.stringify(encoded)}`);
});
