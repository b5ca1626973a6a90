import { splitSegments } from '../sending/segments.js';

/** SMPP 3.4's type of number and numbering plan, §5.2.5–5.2.6. */
export const TON = { unknown: 0x00, international: 0x01, national: 0x02, networkSpecific: 0x03, alphanumeric: 0x05 } as const;
const NPI = { unknown: 0x00, isdn: 0x01 } as const;
/** data_coding, §5.2.19: the SMSC's default alphabet (GSM 03.38 here) or UCS-2. */
export const DATA_CODING = { gsm7: 0x00, ucs2: 0x08 } as const;
/** esm_class bits, §5.2.12. */
const ESM_CLASS = { udhIndicator: 0x40, messageType: 0x3c, receipt: 0x04 } as const;

export interface SmppAddress {
  ton: number;
  npi: number;
  addr: string;
}

/**
 * A sender's or recipient's address as SMPP carries it: an E.164 number as international/ISDN
 * without its "+", a short code (digits only) as network-specific, anything else (an alphanumeric
 * sender ID) as alphanumeric.
 */
export function smppAddress(address: string): SmppAddress {
  if (/^\+\d{1,15}$/.test(address)) return { ton: TON.international, npi: NPI.isdn, addr: address.slice(1) };
  if (/^\d{3,8}$/.test(address)) return { ton: TON.networkSpecific, npi: NPI.unknown, addr: address };
  return { ton: TON.alphanumeric, npi: NPI.unknown, addr: address };
}

/** An address from a PDU, in Shortroute's form: international numbers with their "+". */
export function fromSmppAddress(addr: string, ton: number): string {
  return ton === TON.international && /^\d+$/.test(addr) ? `+${addr}` : addr;
}

export interface SubmitPart {
  data_coding: number;
  esm_class: number;
  /** The concatenation header (when the body is over one segment) and the encoded text. */
  short_message: Buffer | { udh: Buffer; message: Buffer };
}

/**
 * The submit_sm bodies of one message: GSM-7 (unpacked, one septet a byte, an extension character
 * as ESC and its code) or UCS-2 (big-endian UTF-16), as the segment counter decided; a body over
 * one segment as parts, each with an 8-bit-reference concatenation header (IEI 0x00) numbering it.
 */
export function submitParts(body: string, reference: number, encode: { gsm7(text: string): Buffer }): SubmitPart[] {
  const { encoding, parts } = splitSegments(body);
  const coding = encoding === 'GSM-7' ? DATA_CODING.gsm7 : DATA_CODING.ucs2;
  const bytes = (text: string) => (encoding === 'GSM-7' ? encode.gsm7(text) : Buffer.from(utf16be(text)));
  if (parts.length === 1) return [{ data_coding: coding, esm_class: 0, short_message: bytes(body) }];
  return parts.map((text, at) => ({
    data_coding: coding,
    esm_class: ESM_CLASS.udhIndicator,
    short_message: { udh: Buffer.from([0x05, 0x00, 0x03, reference & 0xff, parts.length, at + 1]), message: bytes(text) },
  }));
}

function utf16be(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[i * 2] = unit >> 8;
    out[i * 2 + 1] = unit & 0xff;
  }
  return out;
}

/** A validity period as SMPP's relative time (§7.1.1): YYMMDDhhmmss, tenths 0, "R". */
export function relativeValidity(seconds: number): string {
  let rest = Math.max(1, Math.floor(seconds));
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3_600);
  rest -= hours * 3_600;
  const minutes = Math.floor(rest / 60);
  const two = (n: number) => String(n).padStart(2, '0');
  // Twilio's longest validity is 36,000 s; days stay under a month either way.
  return `0000${two(days)}${two(hours)}${two(minutes)}${two(rest - minutes * 60)}000R`;
}

/** What a delivery receipt says about one submitted part. */
export interface Receipt {
  /** The SMSC's message id of the part, as submit_sm_resp gave it. */
  id: string;
  /** DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD or ENROUTE. */
  state: string;
  /** The receipt's network error, when it gives one. */
  error: string | null;
}

/** message_state TLV values (§5.2.28) as the receipt text's `stat:` words. */
const STATES = ['SCHEDULED', 'ENROUTE', 'DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'ACCEPTD', 'UNKNOWN', 'REJECTD', 'SKIPPED'];

/** Whether a deliver_sm is a delivery receipt (esm_class message type 0x04) rather than a text. */
export function isReceipt(esmClass: number): boolean {
  return (esmClass & ESM_CLASS.messageType) === ESM_CLASS.receipt;
}

/**
 * A receipt's id and state: from the receipted_message_id and message_state TLVs when the SMSC
 * sends them, else from the text of SMPP 3.4's Appendix B ("id:… sub:… dlvrd:… … stat:… err:…").
 */
export function parseReceipt(fields: { receipted_message_id?: unknown; message_state?: unknown; text: string }): Receipt | undefined {
  const word = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S*)`, 'i').exec(fields.text)?.[1];
  const id = typeof fields.receipted_message_id === 'string' && fields.receipted_message_id !== '' ? fields.receipted_message_id : word('id');
  const state = typeof fields.message_state === 'number' ? STATES[fields.message_state] : word('stat')?.toUpperCase();
  if (!id || !state) return undefined;
  const error = word('err');
  return { id, state, error: error && !/^0+$/.test(error) ? error : null };
}

/** A concatenated part's place, from its UDH (IEI 0x00, 8-bit reference, or 0x08, 16-bit). */
export function concatenation(udh: Buffer | undefined): { reference: number; total: number; part: number } | undefined {
  if (!udh || udh.length < 1) return undefined;
  for (let at = 1; at + 1 < udh.length; at += 2 + udh[at + 1]!) {
    const iei = udh[at]!;
    const data = udh.subarray(at + 2, at + 2 + udh[at + 1]!);
    const place =
      iei === 0x00 && data.length === 3
        ? { reference: data[0]!, total: data[1]!, part: data[2]! }
        : iei === 0x08 && data.length === 4
          ? { reference: data.readUInt16BE(0), total: data[2]!, part: data[3]! }
          : undefined;
    // 3GPP TS 23.040 §9.2.3.24.1: a part numbered 0 or past the total is read as no header at all.
    if (place) return place.part >= 1 && place.part <= place.total ? place : undefined;
  }
  return undefined;
}
