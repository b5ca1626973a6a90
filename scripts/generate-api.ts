/**
 * Generates src/generated/api.ts from Twilio's OpenAPI documents in spec/.
 *
 * For every operation Shortroute serves it emits the request parameters (name, place, type and the
 * constraints the spec declares) and the success response schema, with `$ref`s resolved and
 * OpenAPI's `nullable` turned into JSON Schema type unions, ready for Fastify's serializer.
 *
 *   npm run generate            write the file
 *   npm run generate -- --check exit 1 when the committed file is not what the spec produces
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

type Json = Record<string, unknown>;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'src/generated/api.ts');

/** The operations served, by the name used in code → (spec file, path, method). */
const SERVED: Record<string, { spec: 'v1' | 'v2010'; path: string; method: 'get' | 'post' | 'delete' }> = {
  v1CreateService: { spec: 'v1', path: '/v1/Services', method: 'post' },
  v1ListService: { spec: 'v1', path: '/v1/Services', method: 'get' },
  v1FetchService: { spec: 'v1', path: '/v1/Services/{Sid}', method: 'get' },
  v1UpdateService: { spec: 'v1', path: '/v1/Services/{Sid}', method: 'post' },
  v1DeleteService: { spec: 'v1', path: '/v1/Services/{Sid}', method: 'delete' },
  v1CreateShortCode: { spec: 'v1', path: '/v1/Services/{ServiceSid}/ShortCodes', method: 'post' },
  v1ListShortCode: { spec: 'v1', path: '/v1/Services/{ServiceSid}/ShortCodes', method: 'get' },
  v1FetchShortCode: { spec: 'v1', path: '/v1/Services/{ServiceSid}/ShortCodes/{Sid}', method: 'get' },
  v1DeleteShortCode: { spec: 'v1', path: '/v1/Services/{ServiceSid}/ShortCodes/{Sid}', method: 'delete' },
  v1CreatePhoneNumber: { spec: 'v1', path: '/v1/Services/{ServiceSid}/PhoneNumbers', method: 'post' },
  v1ListPhoneNumber: { spec: 'v1', path: '/v1/Services/{ServiceSid}/PhoneNumbers', method: 'get' },
  v1FetchPhoneNumber: { spec: 'v1', path: '/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}', method: 'get' },
  v1DeletePhoneNumber: { spec: 'v1', path: '/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}', method: 'delete' },
  v1CreateAlphaSender: { spec: 'v1', path: '/v1/Services/{ServiceSid}/AlphaSenders', method: 'post' },
  v1ListAlphaSender: { spec: 'v1', path: '/v1/Services/{ServiceSid}/AlphaSenders', method: 'get' },
  v1FetchAlphaSender: { spec: 'v1', path: '/v1/Services/{ServiceSid}/AlphaSenders/{Sid}', method: 'get' },
  v1DeleteAlphaSender: { spec: 'v1', path: '/v1/Services/{ServiceSid}/AlphaSenders/{Sid}', method: 'delete' },
  v2010CreateIncomingPhoneNumber: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json', method: 'post' },
  v2010ListIncomingPhoneNumber: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json', method: 'get' },
  v2010FetchIncomingPhoneNumber: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', method: 'get' },
  v2010UpdateIncomingPhoneNumber: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', method: 'post' },
  v2010DeleteIncomingPhoneNumber: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json', method: 'delete' },
  v2010ListShortCode: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes.json', method: 'get' },
  v2010FetchShortCode: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes/{Sid}.json', method: 'get' },
  v2010UpdateShortCode: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes/{Sid}.json', method: 'post' },
  // Accounts (subaccounts) and API keys
  v2010CreateAccount: { spec: 'v2010', path: '/2010-04-01/Accounts.json', method: 'post' },
  v2010ListAccount: { spec: 'v2010', path: '/2010-04-01/Accounts.json', method: 'get' },
  v2010FetchAccount: { spec: 'v2010', path: '/2010-04-01/Accounts/{Sid}.json', method: 'get' },
  v2010UpdateAccount: { spec: 'v2010', path: '/2010-04-01/Accounts/{Sid}.json', method: 'post' },
  v2010CreateNewKey: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Keys.json', method: 'post' },
  v2010ListKey: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Keys.json', method: 'get' },
  v2010FetchKey: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json', method: 'get' },
  v2010UpdateKey: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json', method: 'post' },
  v2010DeleteKey: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json', method: 'delete' },
  // Messages
  v2010CreateMessage: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Messages.json', method: 'post' },
  v2010ListMessage: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Messages.json', method: 'get' },
  v2010FetchMessage: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', method: 'get' },
  v2010UpdateMessage: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', method: 'post' },
  v2010DeleteMessage: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json', method: 'delete' },
  v2010ListMedia: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json', method: 'get' },
  v2010FetchMedia: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json', method: 'get' },
  v2010DeleteMedia: { spec: 'v2010', path: '/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json', method: 'delete' },
};

const SPEC_FILES = { v1: 'spec/twilio_messaging_v1.json', v2010: 'spec/twilio_api_v2010.json' } as const;

const KEPT_KEYWORDS = ['type', 'enum', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum'];

function resolve(doc: Json, schema: Json): Json {
  const ref = schema.$ref as string | undefined;
  if (!ref) return schema;
  const parts = ref.replace(/^#\//, '').split('/');
  let node: unknown = doc;
  for (const part of parts) node = (node as Json)[part];
  return resolve(doc, node as Json);
}

/** A response schema as Fastify's serializer wants it: no docs, nullable as a type union. */
function toSerializerSchema(doc: Json, input: Json): Json {
  const schema = resolve(doc, input);
  const out: Json = {};
  for (const key of KEPT_KEYWORDS) if (key in schema) out[key] = schema[key];
  if (schema.type === 'object') {
    const props = schema.properties as Record<string, Json> | undefined;
    if (props) {
      out.properties = Object.fromEntries(Object.entries(props).map(([name, prop]) => [name, toSerializerSchema(doc, prop)]));
    } else {
      // `links` and `subresource_uris` are declared as bare `uri-map` objects.
      out.additionalProperties = { type: 'string' };
    }
  }
  if (schema.type === 'array' && schema.items) out.items = toSerializerSchema(doc, schema.items as Json);
  if (schema.nullable === true) {
    out.type = [schema.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
  }
  return out;
}

function paramSpec(doc: Json, name: string, place: string, required: boolean, input: Json): Json {
  const schema = resolve(doc, input);
  const out: Json = { name, in: place, required };
  for (const key of KEPT_KEYWORDS) if (key in schema) out[key] = schema[key];
  if (schema.type === 'array' && schema.items) out.items = paramSpec(doc, name, place, false, schema.items as Json);
  return out;
}

function operation(doc: Json, path: string, method: string): Json {
  const op = (doc.paths as Record<string, Record<string, Json>>)[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in the spec`);
  const params: Json[] = [];
  for (const p of (op.parameters ?? []) as Json[]) {
    params.push(paramSpec(doc, p.name as string, p.in as string, p.required === true, p.schema as Json));
  }
  const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  const form = body?.['application/x-www-form-urlencoded']?.schema as Json | undefined;
  if (form) {
    const required = new Set((form.required ?? []) as string[]);
    for (const [name, prop] of Object.entries((form.properties ?? {}) as Record<string, Json>)) {
      params.push(paramSpec(doc, name, 'body', required.has(name), prop));
    }
  }
  const responses = op.responses as Record<string, Json>;
  // Some creates declare both 201 and 200 ("downstream" examples); a new resource answers 201.
  const codes = Object.keys(responses)
    .map(Number)
    .filter((code) => code >= 200 && code < 300);
  const status = codes.includes(201) ? 201 : Math.min(...codes);
  const content = responses[String(status)]?.content as Record<string, Json> | undefined;
  const schema = content?.['application/json']?.schema as Json | undefined;
  return {
    method: method.toUpperCase(),
    path,
    operationId: op.operationId,
    params,
    status,
    response: schema ? toSerializerSchema(doc, schema) : null,
  };
}

export function generate(): string {
  const docs = {
    v1: JSON.parse(readFileSync(join(root, SPEC_FILES.v1), 'utf8')) as Json,
    v2010: JSON.parse(readFileSync(join(root, SPEC_FILES.v2010), 'utf8')) as Json,
  };
  const ops = Object.fromEntries(Object.entries(SERVED).map(([name, where]) => [name, operation(docs[where.spec], where.path, where.method)]));
  return [
    '// DO NOT EDIT: generated by scripts/generate-api.ts from spec/ (npm run generate).',
    "import type { OperationSpec } from '../http/operation.js';",
    '',
    `export const operations = ${JSON.stringify(ops, null, 2)} as const satisfies Record<string, OperationSpec>;`,
    '',
  ].join('\n');
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const current = readFileSync(target, 'utf8');
    if (current !== text) {
      console.error('src/generated/api.ts is out of date: run npm run generate');
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
