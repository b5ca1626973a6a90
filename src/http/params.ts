import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
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
 * The JSON Schema of an operation's query or body parameters, from the spec's own declaration of
 * each: types, enums, patterns, lengths and ranges. Only `uri` of the spec's formats is checked
 * (Twilio names others, such as `phone-number`, that its own API does not enforce as written).
 */
export function schemaOf(op: OperationSpec, place: 'query' | 'body'): object {
  const params = op.params.filter((p) => p.in === place);
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, paramSchema(p)])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}

function paramSchema(spec: ParamSpec): object {
  if (spec.type === 'array') return { type: 'array', items: paramSchema(spec.items ?? { ...spec, type: 'string' }) };
  if (spec.type === 'integer') return { type: 'integer', minimum: spec.minimum, maximum: spec.maximum };
  if (spec.type === 'boolean') return { type: 'boolean' };
  return {
    type: 'string',
    enum: spec.enum,
    pattern: spec.pattern,
    minLength: spec.minLength,
    maxLength: spec.maxLength,
    format: spec.format === 'uri' ? 'uri' : undefined,
  };
}

/**
 * One Ajv for every operation, validating values already read from the form (below): every error
 * is reported, so the one Twilio would name first (in the spec's parameter order) can be chosen,
 * with the failing value (`verbose`) for the message.
 */
// Patterns are read as JavaScript's RegExp reads them without the u flag, as the spec's authors wrote them.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, coerceTypes: false, unicodeRegExp: false });
// An empty value clears a URL, so only a non-empty one must be an absolute http(s) URL.
ajv.addFormat('uri', { type: 'string', validate: (text: string) => text === '' || isHttpUrl(text) });
const validators = new WeakMap<OperationSpec, Partial<Record<'query' | 'body', ValidateFunction>>>();

function validatorOf(op: OperationSpec, place: 'query' | 'body'): ValidateFunction {
  const byPlace = validators.get(op) ?? {};
  validators.set(op, byPlace);
  byPlace[place] ??= ajv.compile(JSON.parse(JSON.stringify(schemaOf(op, place))));
  return byPlace[place];
}

/**
 * Reads an operation's query or body parameters as Twilio reads a form, then validates them
 * against what the spec declares (Ajv). Reading: a repeated scalar takes its last value; integers
 * are whole numbers only; booleans are `true`/`false` in any case; repeatable parameters are
 * lists. Unknown parameters are ignored, as Twilio does. Twilio's wire names (PascalCase) are kept.
 */
export function readParams<O extends OperationSpec, In extends 'query' | 'body'>(
  op: O,
  place: In,
  source: RawSource,
  errors: ParamErrors = {},
): ParamsOf<O, In> {
  const raw = source ?? {};
  const out: Record<string, unknown> = {};
  for (const spec of op.params) {
    if (spec.in !== place || raw[spec.name] === undefined) continue;
    const value = readValue(spec, raw[spec.name]);
    // One rule for every backend: no parameter carries a NUL (PostgreSQL cannot store one in text).
    if ((Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && v.includes('\0'))) {
      throw invalidParameter(spec.name, 'must not contain a NUL character');
    }
    out[spec.name] = value;
  }
  const validate = validatorOf(op, place);
  if (!validate(out)) throw firstError(op, place, validate.errors ?? [], errors);
  // Every parameter of the operation was read and checked against its spec, which ParamsOf reads too.
  return out as ParamsOf<O, In>;
}

/** Form text to the parameter's type; text that is not of the type stays text, for Ajv to refuse. */
function readValue(spec: ParamSpec, value: unknown): unknown {
  if (spec.type === 'array') return (Array.isArray(value) ? value : [value]).map((item) => readValue(spec.items ?? { ...spec, type: 'string' }, item));
  const text = String(Array.isArray(value) ? value[value.length - 1] : value);
  if (spec.type === 'integer') return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
  if (spec.type === 'boolean') {
    const lower = text.toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : text;
  }
  return text;
}

/** The error Twilio would answer: for the first parameter (in the spec's order) that failed. */
function firstError(op: OperationSpec, place: 'query' | 'body', found: ErrorObject[], custom: ParamErrors): TwilioError {
  const nameOf = (e: ErrorObject) => (e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : e.instancePath.split('/')[1]!);
  const order = op.params.filter((p) => p.in === place).map((p) => p.name);
  const error = [...found].sort((a, b) => order.indexOf(nameOf(a)) - order.indexOf(nameOf(b)))[0]!;
  const name = nameOf(error);
  if (error.keyword === 'required') return missingParameter(name);
  const text = String(error.data);
  if (custom[name]) return custom[name](text);
  const p = error.params as Record<string, unknown>;
  const why: Record<string, () => string> = {
    type: () =>
      p.type === 'boolean' ? `'${text}' is not true or false` : p.type === 'integer' ? `'${text}' is not an integer` : `'${text}' is not a ${p.type}`,
    minimum: () => `must be at least ${p.limit}`,
    maximum: () => `must be at most ${p.limit}`,
    enum: () => `'${text}' is not one of ${(p.allowedValues as string[]).join(', ')}`,
    pattern: () => `'${text}' does not match ${p.pattern}`,
    minLength: () => `shorter than ${p.limit}`,
    maxLength: () => `longer than ${p.limit}`,
    format: () => `'${text}' is not an http(s) URL`,
  };
  return invalidParameter(name, why[error.keyword]?.() ?? error.message ?? 'is not valid');
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
