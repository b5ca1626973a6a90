/**
 * How Twilio encodes and splits an SMS body.
 *
 * - Encoding: GSM-7 when every character is in the GSM 03.38 default alphabet or its extension
 *   table, otherwise UCS-2 for the whole message.
 *   https://www.twilio.com/docs/glossary/what-is-gsm-7-character-encoding
 * - GSM-7 counts septets: one per character, two for the extension table (`^ { } \ [ ~ ] | €` and
 *   form feed), which are sent as ESC + character. Up to 160 septets is one segment; beyond that
 *   each segment carries 153 (7 go to the concatenation header), and an escaped pair is never
 *   split across two segments.
 * - UCS-2 counts UTF-16 code units: up to 70 is one segment, beyond that 67 per segment, and a
 *   surrogate pair (an emoji, say) is never split across two segments.
 * - Smart Encoding, a Messaging Service setting, first swaps Unicode look-alikes (curly quotes,
 *   dashes, odd spaces, fullwidth forms…) for GSM-7 characters:
 *   https://www.twilio.com/docs/messaging/services/smart-encoding-char-list
 *   `countSegments` counts the body it is given: apply `smartEncode` first where the service has
 *   Smart Encoding on.
 */

export type Encoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: Encoding;
  segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
}

// GSM 03.38 default alphabet, in table order (ESC, 0x1B, is left out: it only introduces the
// extension table).
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// GSM 03.38 extension table: ESC + character, two septets each.
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

/**
 * Twilio's Smart Encoding list, grouped by the character it becomes. Every entry is a row of the
 * list linked above, written as escapes so invisible characters stay visible. Two departures:
 * the list maps ‹ (U+2039) to ">" and › (U+203A) to "<"; here each becomes its look-alike. The
 * list's tab row is left out: GSM-7 has no tab, and the row gives no usable replacement.
 * ZWJ/ZWNJ (U+200D, U+200C) are not on the list and stay, as they hold emoji sequences together.
 */
const SMART_GROUPS: ReadonlyArray<readonly [replacement: string, characters: string]> = [
  // Quotation marks.
  ['"', '\u00AB\u00BB\u201C\u201D\u02BA\u02EE\u201F\u275D\u275E\u301D\u301E\uFF02\u201E'],
  ["'", '\u2018\u2019\u02BB\u02C8\u02BC\u02BD\u02B9\u201B\uFF07\u00B4\u02CA\u0060\u02CB\u275B\u275C\u0313\u0314\uFE10\uFE11'],
  [',', '\u201A\u0326\uFE50\u3001\uFE51\uFF0C\uFF64'],
  ['<', '\u2039\uFE64\uFF1C'],
  ['>', '\u203A\uFE65\uFF1E'],
  // Dashes, bars and bullets.
  ['-', '\u2013\u2014\u2015\u2010\u2022\u2043\u23BC\u23BD\uFE63\uFF0D'],
  ['_', '\u0332\uFF3F\u2017'],
  ['|', '\u20D2\u20D3\u2223\uFF5C\u23B8\u23B9\u23D0\u239C\u239F'],
  // Slashes and fractions.
  ['/', '\u00F7\u29F8\u0337\u0338\u2044\u2215\uFF0F'],
  ['\\', '\u29F9\u29F5\u20E5\uFE68\uFF3C'],
  ['1/4', '\u00BC'],
  ['1/2', '\u00BD'],
  ['3/4', '\u00BE'],
  // Punctuation and symbols: small, fullwidth, ornamental and modifier forms.
  ['...', '\u2026'],
  ['!!', '\u203C'],
  ['!', '\u01C3\uFE15\uFE57\uFF01'],
  ['?', '\uFE16\uFE56\uFF1F'],
  ['.', '\u3002\uFE52\uFF0E\uFF61'],
  [':', '\u02D0\u02F8\u2982\uA789\uFE13\uFF1A'],
  [';', '\u204F\uFE14\uFE54\uFF1B'],
  ['@', '\uFE6B\uFF20'],
  ['$', '\uFE69\uFF04'],
  ['#', '\uFE5F\uFF03'],
  ['%', '\uFE6A\uFF05'],
  ['&', '\uFE60\uFF06'],
  ['*', '\u204E\u2217\u229B\u2722\u2723\u2724\u2725\u2731\u2732\u2733\u273A\u273B\u273C\u273D\u2743\u2749\u274A\u274B\u29C6\uFE61\uFF0A'],
  ['+', '\u02D6\uFE62\uFF0B'],
  ['=', '\u0347\uA78A\uFE66\uFF1D'],
  ['(', '\u2768\u276A\uFE59\uFF08\u27EE\u2985'],
  [')', '\u2769\u276B\uFE5A\uFF09\u27EF\u2986'],
  ['{', '\u2774\uFE5B\uFF5B'],
  ['}', '\u2775\uFE5C\uFF5D'],
  ['[', '\uFF3B'],
  [']', '\uFF3D'],
  ['^', '\u02C6\u0302\uFF3E\u1DCD'],
  ['~', '\u02DC\u02F7\u0303\u0330\u0334\u223C\uFF5E'],
  // Spaces: no-break, typographic, ideographic, line/paragraph separators, and C1 controls.
  [' ', '\u00A0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000\u2028\u2029\u0080\u008D\u0090\u009B\u009F'],
  // Removed: zero-width characters and invisible C0 controls.
  ['', '\u200B\uFEFF\u2060\u0000\u0003\u0004\u0010\u0011\u0012\u0013\u0014\u0017\u0019'],
];

// Fullwidth digits and capitals (U+FF10–FF19, U+FF21–FF3A), and the small capitals on the list,
// which has none for Q and X.
const SMALL_CAPITALS =
  '\u1D00\u0299\u1D04\u1D05\u1D07\uA730\u0262\u029C\u026A\u1D0A\u1D0B\u029F' + '\u1D0D\u0274\u1D0F\u1D18\u0280\uA731\u1D1B\u1D1C\u1D20\u1D21\u028F\u1D22';
const LETTERS_AND_DIGITS: ReadonlyArray<readonly [string, string]> = [
  ...[...'0123456789'].map((d, i) => [d, String.fromCharCode(0xff10 + i)] as const),
  ...[...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c, i) => [c, String.fromCharCode(0xff21 + i)] as const),
  ...[...'ABCDEFGHIJKLMNOPRSTUVWYZ'].map((c, i) => [c, SMALL_CAPITALS[i]!] as const),
];

const SMART_MAP = new Map<string, string>();
for (const [replacement, characters] of [...SMART_GROUPS, ...LETTERS_AND_DIGITS]) {
  for (const ch of characters) SMART_MAP.set(ch, replacement);
}

/** Twilio's Smart Encoding: look-alikes become GSM-7 characters; anything else is kept as is. */
export function smartEncode(body: string): string {
  let out = '';
  for (const ch of body) out += SMART_MAP.get(ch) ?? ch;
  return out;
}

export function encodingOf(body: string): Encoding {
  for (const ch of body) {
    if (!GSM_BASIC.has(ch) && !GSM_EXTENSION.has(ch)) return 'UCS-2';
  }
  return 'GSM-7';
}

/**
 * Segments as Twilio counts them. An empty body counts 0 units and 1 segment: a message that is
 * sent always shows at least one segment.
 */
export function countSegments(body: string): SegmentCount {
  const { encoding, parts, units } = splitSegments(body);
  return { encoding, segments: parts.length, units };
}

/**
 * The body cut into the segments it is sent as: whole when it fits one (160 septets, or 70 UCS-2
 * units), else parts of 153 or 67 that leave room for the concatenation header. A character never
 * straddles two parts (a GSM-7 extension's escape pair, a UTF-16 surrogate pair).
 */
export function splitSegments(body: string): SegmentCount & { parts: string[] } {
  const encoding = encodingOf(body);
  // for…of walks code points, so a surrogate pair arrives whole, with length 2.
  const characters = [...body];
  const widthOf = (ch: string) => (encoding === 'GSM-7' ? (GSM_EXTENSION.has(ch) ? 2 : 1) : ch.length);
  const units = characters.reduce((sum, ch) => sum + widthOf(ch), 0);
  const [single, multi] = encoding === 'GSM-7' ? [160, 153] : [70, 67];
  if (units <= single) return { encoding, segments: 1, units, parts: [body] };

  // Fill segments greedily; a character that does not fit whole starts the next segment.
  const parts: string[] = [];
  let part = '';
  let used = 0;
  for (const ch of characters) {
    const width = widthOf(ch);
    if (used + width > multi) {
      parts.push(part);
      part = '';
      used = 0;
    }
    part += ch;
    used += width;
  }
  parts.push(part);
  return { encoding, segments: parts.length, units, parts };
}
