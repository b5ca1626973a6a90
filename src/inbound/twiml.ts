/**
 * Messaging TwiML: what a webhook answers to an inbound message
 * (https://www.twilio.com/docs/messaging/twiml, .../twiml/message, .../twiml/redirect, and the
 * error dictionary https://www.twilio.com/docs/api/errors).
 *
 * - The document must be well-formed XML whose one root element is `<Response>`, else 12100
 *   (Twilio lists "the root <Response> element is missing" among 12100's causes). Only XML's
 *   predefined entities and character references are expanded; any other entity is a 12100.
 * - Verbs: `<Message>` (legacy `<Sms>` alike) and `<Redirect>`. Any other element is skipped with
 *   warning 14110. Verbs after a `<Redirect>`, or after a `<Message action="…">`, are unreachable.
 * - A `<Message>` body is its text, or the concatenation of its `<Body>` children, trimmed at
 *   both ends; up to 10 `<Media>` URLs. One with neither body nor media, or a body over 1600
 *   characters, is skipped with 14103; one with more than 10 media with 21623. At most 10
 *   messages reply to one inbound message; the rest are skipped with 14109.
 * - Unknown attributes and nouns are ignored with the schema warning 12200; a method other than
 *   GET or POST is ignored with 14104 (a `<Message>`) or 12200 (a `<Redirect>`), so POST applies.
 * - URLs are returned as written: relative ones resolve against the URL that served the TwiML.
 *
 * The caller checks the size (over MAX_TWIML_BYTES: 11750) and the Content-Type (12300) first.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MAX_BODY, MAX_MEDIA } from '../sending/message.js';

/** Twilio's limit on a TwiML response body; a longer one fails with 11750. */
export const MAX_TWIML_BYTES = 64 * 1024;

export interface TwimlMessage {
  verb: 'Message';
  body: string;
  media: string[];
  to?: string;
  from?: string;
  /** Receives the reply's status requests; its TwiML replaces whatever follows the `<Message>`. */
  action?: string;
  /** For `action`; POST when absent. */
  method?: 'GET' | 'POST';
  statusCallback?: string;
}
export interface TwimlRedirect {
  verb: 'Redirect';
  url: string;
  method: 'GET' | 'POST';
}
export type TwimlVerb = TwimlMessage | TwimlRedirect;
export interface TwimlWarning {
  code: number;
  message: string;
}
export type TwimlResult = { ok: true; verbs: TwimlVerb[]; warnings: TwimlWarning[] } | { ok: false; code: number; message: string };

const MAX_MESSAGES = 10;
const MESSAGE_ATTRIBUTES = ['to', 'from', 'action', 'method', 'statusCallback'];

/** A node of the parser's order-preserving output: `{ Tag: children, ':@': attributes }` or text. */
type XmlNode = Record<string, unknown>;
type Warn = (code: number, message: string) => void;

const PREDEFINED = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);
const XML_CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]$/u;

/** Expands XML's predefined entities and character references; throws on anything else. */
function decodeXml(text: string): string {
  return text.replace(/&([^;&]*);/g, (_, ref: string) => {
    const predefined = PREDEFINED.get(ref);
    if (predefined !== undefined) return predefined;
    const code = /^#x[0-9a-f]+$/i.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]+$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
    const char = code <= 0x10ffff ? String.fromCodePoint(code) : '';
    if (!XML_CHAR.test(char)) throw new Error(`undefined entity or invalid character reference &${ref};`);
    return char;
  });
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  entityDecoder: {
    decode: decodeXml,
    setExternalEntities: () => {},
    addInputEntities: () => {},
    reset: () => {},
    setXmlVersion: () => {},
  },
});

const NOT_TAGS = new Set([':@', '#text', '#cdata']);
const tagOf = (node: XmlNode): string | undefined => Object.keys(node).find((k) => !NOT_TAGS.has(k));
const childrenOf = (node: XmlNode, tag: string): XmlNode[] => (node[tag] as XmlNode[] | undefined) ?? [];
const attributesOf = (node: XmlNode): Record<string, string> => (node[':@'] as Record<string, string> | undefined) ?? {};

/** The text of a node's children, CDATA included, in order. */
function textOf(children: XmlNode[]): string {
  return children.map((child) => (typeof child['#text'] === 'string' ? child['#text'] : child['#cdata'] ? textOf(child['#cdata'] as XmlNode[]) : '')).join('');
}

export function parseMessagingTwiml(xml: string): TwimlResult {
  let document: XmlNode[];
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      const { msg, line, col } = valid.err;
      return { ok: false, code: 12100, message: `Document parse failure: ${msg} (line ${line}${col ? `, column ${col}` : ''})` };
    }
    document = parser.parse(xml) as XmlNode[];
  } catch (error) {
    return { ok: false, code: 12100, message: `Document parse failure: ${(error as Error).message}` };
  }

  const roots = document.filter((node) => tagOf(node) !== undefined);
  const root = roots[0];
  if (roots.length !== 1 || !root || tagOf(root) !== 'Response') {
    const found = roots.map(tagOf).join(', ') || 'none';
    return { ok: false, code: 12100, message: `Document parse failure: the root element must be <Response> (found: ${found})` };
  }

  const verbs: TwimlVerb[] = [];
  const warnings: TwimlWarning[] = [];
  const warn = (code: number, message: string) => warnings.push({ code, message });
  let messages = 0;

  for (const node of childrenOf(root, 'Response')) {
    const tag = tagOf(node);
    if (tag === undefined) {
      if (textOf([node]).trim()) warn(12200, 'Text directly inside <Response> is ignored');
      continue;
    }
    if (tag === 'Message' || tag === 'Sms') {
      const message = parseMessage(node, tag, warn);
      if (message && messages === MAX_MESSAGES) warn(14109, `More than ${MAX_MESSAGES} <Message> replies: the rest are skipped`);
      else if (message) {
        verbs.push(message);
        messages++;
      }
      if (attributesOf(node).action?.trim()) break;
    } else if (tag === 'Redirect') {
      const attributes = attributesOf(node);
      unknownAttributes(attributes, ['method'], tag, warn);
      const url = textOf(childrenOf(node, tag)).trim();
      if (!url) {
        warn(12200, '<Redirect> without a URL is skipped');
        continue;
      }
      verbs.push({ verb: 'Redirect', url, method: methodOf(attributes, () => warn(12200, `<Redirect> method must be GET or POST`)) ?? 'POST' });
      break;
    } else {
      warn(14110, `Invalid verb for a message reply: <${tag}> (valid: Message, Sms, Redirect)`);
    }
  }
  return { ok: true, verbs, warnings };
}

function parseMessage(node: XmlNode, tag: string, warn: Warn): TwimlMessage | undefined {
  const attributes = attributesOf(node);
  unknownAttributes(attributes, MESSAGE_ATTRIBUTES, tag, warn);
  const children = childrenOf(node, tag);
  const bodies: XmlNode[] = [];
  const media: string[] = [];
  for (const child of children) {
    const noun = tagOf(child);
    if (noun === 'Body') bodies.push(...childrenOf(child, noun));
    else if (noun === 'Media') {
      const url = textOf(childrenOf(child, noun)).trim();
      if (url) media.push(url);
    } else if (noun !== undefined) warn(12200, `<${noun}> is not a noun of <${tag}> and is ignored`);
  }
  const body = textOf(children.some((child) => tagOf(child) === 'Body') ? bodies : children).trim();

  const skip = (code: number, why: string): undefined => void warn(code, `<${tag}> ${why} and is skipped`);
  if (!body && media.length === 0) return skip(14103, 'has neither a body nor media');
  if ([...body].length > MAX_BODY) return skip(14103, `has a body over ${MAX_BODY} characters`);
  if (media.length > MAX_MEDIA) return skip(21623, `has more than ${MAX_MEDIA} <Media>`);

  const message: TwimlMessage = { verb: 'Message', body, media };
  for (const name of ['to', 'from', 'action', 'statusCallback'] as const) {
    const value = attributes[name]?.trim();
    if (value) message[name] = value;
  }
  const method = methodOf(attributes, () => warn(14104, `<${tag}> method must be GET or POST`));
  if (method) message.method = method;
  return message;
}

/** The `method` attribute, upper-cased, if GET or POST; `invalid` is called for any other value. */
function methodOf(attributes: Record<string, string>, invalid: () => void): 'GET' | 'POST' | undefined {
  const method = attributes.method?.trim().toUpperCase();
  if (method === 'GET' || method === 'POST') return method;
  if (method) invalid();
  return undefined;
}

function unknownAttributes(attributes: Record<string, string>, known: string[], tag: string, warn: Warn): void {
  for (const name of Object.keys(attributes)) {
    if (!known.includes(name)) warn(12200, `Unknown attribute '${name}' on <${tag}> is ignored`);
  }
}
