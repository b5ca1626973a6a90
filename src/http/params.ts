import type { OperationSpec, ParamSpec, ParamsOf } from './operation.js';
import { invalidParameter, missingParameter, type TwilioError } from './errors.js';

export type ParamValue = string | number | boolean | string[];
export type Params = Record<string, ParamValue | undefined>;
type RawSource = Record<string, unknown> | undefined | null;

/** Per-parameter error to throw instead of the generic 20001, where Twilio has a dedicated code. */
export type ParamErrors = Record<string, (value: string) => TwilioError>;

const HTTP_URL = /^https?:\/\/[^\s/?#]+[^\s]*$/i;

/** An absolute http(s) URL that can be requested as written (a port above 65535 cannot). */
export function isHttpUrl(text: string): boolean {
  if (!HTTP_URL.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads and validates an operation's query or body parameters against what the spec declares:
 * types, enums, patterns, lengths and ranges. Twilio's wire names (PascalCase) are kept; the
 * domain layer maps them. Unknown parameters are ignored, as Twilio does.
 */
export function readParams<O extends OperationSpec, In extends 'query' | 'body'>(
  op: O,
  place: In,
  source: RawSource,
  errors: ParamErrors = {},
): ParamsOf<O, In> {
  const out: Params = {};
  const raw = source ?? {};
  for (const spec of op.params) {
    if (spec.in !== place) continue;
    const value = raw[spec.name];
    if (value === undefined) {
      if (spec.required) throw missingParameter(spec.name);
      continue;
    }
    out[spec.name] = parseValue(spec, value, errors[spec.name]);
  }
  // Every parameter of the operation was read against its spec, which ParamsOf reads too.
  return out as ParamsOf<O, In>;
}

function parseValue(spec: ParamSpec, value: unknown, custom?: (value: string) => TwilioError): ParamValue {
  if (spec.type === 'array') {
    const list = Array.isArray(value) ? value : [value];
    return list.map((item) => parseValue(spec.items ?? { ...spec, type: 'string' }, item, custom) as string);
  }
  // A repeated scalar takes its last value, as Twilio's form parsing does.
  const text = String(Array.isArray(value) ? value[value.length - 1] : value);
  const fail = (why: string) => (custom ? custom(text) : invalidParameter(spec.name, why));
  switch (spec.type) {
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw fail(`'${text}' is not true or false`);
    }
    case 'integer': {
      if (!/^-?\d+$/.test(text.trim())) throw fail(`'${text}' is not an integer`);
      const n = Number(text);
      if (spec.minimum !== undefined && n < spec.minimum) throw fail(`must be at least ${spec.minimum}`);
      if (spec.maximum !== undefined && n > spec.maximum) throw fail(`must be at most ${spec.maximum}`);
      return n;
    }
    default: {
      if (spec.enum && !spec.enum.includes(text)) throw fail(`'${text}' is not one of ${spec.enum.join(', ')}`);
      if (spec.pattern && !new RegExp(spec.pattern).test(text)) throw fail(`'${text}' does not match ${spec.pattern}`);
      if (spec.minLength !== undefined && text.length < spec.minLength) throw fail(`shorter than ${spec.minLength}`);
      if (spec.maxLength !== undefined && text.length > spec.maxLength) throw fail(`longer than ${spec.maxLength}`);
      // An empty value clears a URL, so only a non-empty one must be an absolute http(s) URL.
      if (spec.format === 'uri' && text !== '' && !isHttpUrl(text)) throw fail(`'${text}' is not an http(s) URL`);
      return text;
    }
  }
}

/**
 * One form field of a request Shortroute's own endpoints read without a spec: a repeated field
 * takes its last value, as readParams does for a scalar.
 */
export function formValue(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return undefined;
  return String(Array.isArray(value) ? value[value.length - 1] : value);
}

/** Twilio's friendly names are "up to 64 characters long" (the spec says it in prose only). */
export const FRIENDLY_NAME_MAX = 64;

export function checkFriendlyName(name: string | undefined): void {
  if (name !== undefined && name.length > FRIENDLY_NAME_MAX) throw invalidParameter('FriendlyName', `must be at most ${FRIENDLY_NAME_MAX} characters`);
}
