// SMPP's side of a message, without a socket: addressing (TON/NPI), the parts and their coding
// and concatenation headers, the relative validity period, receipts in both forms (TLVs and
// Appendix B's text), and the inbound concatenation header.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import smpp from 'smpp';
import { concatenation, fromSmppAddress, parseReceipt, relativeValidity, smppAddress, submitParts } from '../../src/smpp/pdus.js';
import { countSegments } from '../../src/sending/segments.js';

const gsm7 = { gsm7: (text: string) => smpp.encodings.ASCII.encode(text) };
const bytesOf = (part: ReturnType<typeof submitParts>[number]) => (Buffer.isBuffer(part.short_message) ? part.short_message : part.short_message.message);

describe('SMPP PDUs', () => {
  test('addresses: E.164 international/ISDN without its plus, short codes network-specific, alphanumeric senders alphanumeric', () => {
    assert.deepEqual(smppAddress('+14155550100'), { ton: 1, npi: 1, addr: '14155550100' });
    assert.deepEqual(smppAddress('12345'), { ton: 3, npi: 0, addr: '12345' });
    assert.deepEqual(smppAddress('Acme'), { ton: 5, npi: 0, addr: 'Acme' });
    assert.equal(fromSmppAddress('14155550100', 1), '+14155550100');
    assert.equal(fromSmppAddress('12345', 3), '12345');
  });

  test('one segment goes whole with no header; GSM-7 unpacked, an extension character as ESC and its code', () => {
    const [part, ...rest] = submitParts('Cost: 5€ [ok]', 1, gsm7);
    assert.deepEqual(rest, []);
    assert.equal(part!.data_coding, 0);
    assert.equal(part!.esm_class, 0);
    const bytes = bytesOf(part!);
    assert.equal(bytes.length, countSegments('Cost: 5€ [ok]').units, 'one byte a septet');
    assert.deepEqual([...bytes.subarray(7, 9)], [0x1b, 0x65], '€ is ESC e');
  });

  test('a long body goes in parts with an 8-bit-reference header each; the parts join back; no escape pair or surrogate pair is cut', () => {
    const body = `${'a'.repeat(152)}€${'b'.repeat(200)}`;
    const parts = submitParts(body, 0x1ff, gsm7);
    assert.equal(parts.length, countSegments(body).segments);
    parts.forEach((part, at) => {
      assert.equal(part.esm_class, 0x40);
      const { udh } = part.short_message as { udh: Buffer };
      assert.deepEqual([...udh], [0x05, 0x00, 0x03, 0xff, parts.length, at + 1]);
      assert.ok(bytesOf(part).length <= 153);
    });
    assert.equal(bytesOf(parts[0]!).length, 152, 'the escape pair did not fit in the first part whole');
    assert.equal(parts.map((p) => smpp.encodings.ASCII.decode(bytesOf(p))).join(''), body);

    const emoji = `x${'😀'.repeat(40)}`;
    const ucs2 = submitParts(emoji, 7, gsm7);
    assert.ok(ucs2.every((p) => p.data_coding === 8 && bytesOf(p).length <= 134));
    assert.equal(ucs2.map((p) => bytesOf(p).swap16().toString('utf16le')).join(''), emoji, 'UCS-2 big-endian, surrogates kept whole');
  });

  test('validity: relative, days hours minutes seconds', () => {
    assert.equal(relativeValidity(36_000), '000000100000000R');
    assert.equal(relativeValidity(90_061), '000001010101000R');
    assert.equal(relativeValidity(0), '000000000001000R', 'at least a second');
  });

  test('receipts: the TLVs when given, else the text; an error code of zeros is none', () => {
    assert.deepEqual(parseReceipt({ receipted_message_id: 'abc', message_state: 2, text: '' }), { id: 'abc', state: 'DELIVRD', error: null });
    assert.deepEqual(parseReceipt({ text: 'id:77 sub:001 dlvrd:000 submit date:2611281200 done date:2611281201 stat:UNDELIV err:012 text:hello' }), {
      id: '77',
      state: 'UNDELIV',
      error: '012',
    });
    assert.equal(parseReceipt({ text: 'just a text' }), undefined);
  });

  test('inbound concatenation: 8-bit and 16-bit references, among other header elements', () => {
    assert.deepEqual(concatenation(Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x03, 0x02])), { reference: 0x2a, total: 3, part: 2 });
    assert.deepEqual(concatenation(Buffer.from([0x0a, 0x24, 0x01, 0x01, 0x08, 0x04, 0x01, 0x02, 0x02, 0x01])), { reference: 0x0102, total: 2, part: 1 });
    assert.equal(concatenation(undefined), undefined);
    assert.equal(concatenation(Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x03])), undefined, 'part 3 of 2: no header');
    assert.equal(concatenation(Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x00])), undefined, 'part 0: no header');
  });
});
