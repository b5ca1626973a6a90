import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ATTEMPT_REQUEST, HEADERS, WEBHOOK_PARAMS } from '../../storage/codecs.js';
import { RULE_STATUS } from '../../storage/states.js';
import type { Deps } from '../../deps.js';
import { authenticate, resolvePathAccount } from '../../auth/credentials.js';
import { invalidParameter, missingParameter, notFound } from '../../http/errors.js';
import { toIso } from '../../http/dates.js';
import type { AccountRow, MessageRow, WebhookRow } from '../../storage/store.js';
import { loadNumberPlan, parseE164 } from '../../phone/numbering.js';
import { statusForError } from '../../network/errors.js';
import { mediaOf } from '../messages/messages.js';
import { messageJson } from '../messages/serialize.js';
import { receiveMessage } from '../../inbound/inbound.js';
import { SHORTROUTE_PREFIX } from './prefix.js';
import { formValue } from '../../http/params.js';

const ACCOUNT = `${SHORTROUTE_PREFIX}/Accounts/:AccountSid`;

/** The account a Shortroute path names, for a caller signed in as Twilio's API expects. */
async function accountOf(deps: Deps, request: FastifyRequest): Promise<AccountRow> {
  const caller = await authenticate(deps, request.headers.authorization);
  return resolvePathAccount(deps, caller, (request.params as { AccountSid: string }).AccountSid);
}

async function e164(value: string | undefined, name: string): Promise<string> {
  if (value === undefined || value.trim() === '') throw missingParameter(name);
  await loadNumberPlan();
  const parsed = parseE164(value);
  if (!parsed) throw invalidParameter(name, `'${value}' is not a phone number in E.164`);
  return parsed.number;
}

const iso = (stored: string | null) => (stored === null ? null : toIso(stored));

/** A message as a handset sees it. */
function handsetMessage(row: MessageRow) {
  return {
    sid: row.sid,
    from: row.from_address,
    to: row.to_address,
    body: row.body,
    media_urls: mediaOf(row).map((m) => m.url),
    num_segments: row.num_segments,
    status: row.status,
    date_sent: iso(row.date_sent),
  };
}

async function webhooksJson(deps: Deps, hooks: WebhookRow[]) {
  const attempts = await deps.store.webhooks.listAttempts(hooks.map((h) => h.sid));
  return hooks.map((hook) => ({
    sid: hook.sid,
    message_sid: hook.message_sid,
    kind: hook.kind,
    url: hook.url,
    method: hook.method,
    params: Object.fromEntries(groupPairs(WEBHOOK_PARAMS.decode(hook.params))),
    idempotency_token: hook.idempotency_token,
    status: hook.status,
    error_code: hook.error_code,
    attempts: attempts
      .filter((a) => a.webhook_sid === hook.sid)
      .map((a) => ({
        attempt: a.attempt,
        date: iso(a.date),
        request: ATTEMPT_REQUEST.decode(a.request),
        response:
          a.response_status === null
            ? null
            : { status: a.response_status, headers: a.response_headers ? HEADERS.decode(a.response_headers) : {}, body: a.response_body },
        error: a.error,
        duration_ms: a.duration_ms,
      })),
    next_attempt_at: hook.status === 'pending' ? iso(hook.next_attempt_at) : null,
    date_created: iso(hook.date_created),
  }));
}

function groupPairs(pairs: ReadonlyArray<readonly [string, string]>): Map<string, string | string[]> {
  const out = new Map<string, string | string[]>();
  for (const [key, value] of pairs) {
    const existing = out.get(key);
    out.set(key, existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value]);
  }
  return out;
}

/**
 * Shortroute's inspection and control of an account's messaging, for tests: what each simulated
 * handset received, how Copilot routed a message and what happened to it, every webhook attempt,
 * delivery outcome rules, opt-outs, and a reset. Signed in like Twilio's API (the account's SID
 * and auth token, or the owner's for a subaccount).
 */
export function inspectionRoutes(app: FastifyInstance, deps: Deps): void {
  // The messages a simulated handset received (sent or delivered to it), oldest first.
  app.get(`${ACCOUNT}/Handsets/:Number/Messages`, async (request) => {
    const account = await accountOf(deps, request);
    const number = await e164((request.params as { Number: string }).Number, 'Number');
    const rows = await deps.store.messages.listReceivedBy(account.sid, number);
    return { number, messages: rows.map(handsetMessage) };
  });

  // A simulated handset sends a message (From is the handset) to one of the account's numbers or
  // short codes: stored as an inbound Message, passed on to the webhook. Answers the Message.
  app.post(`${ACCOUNT}/Handsets/:Number/Messages`, async (request, reply) => {
    const account = await accountOf(deps, request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const media = body.MediaUrl === undefined ? [] : ([] as unknown[]).concat(body.MediaUrl).map(String);
    const message = await receiveMessage(deps, account.sid, {
      from: (request.params as { Number: string }).Number,
      to: formValue(body, 'To'),
      body: formValue(body, 'Body'),
      mediaUrls: media,
    });
    reply.code(201);
    return messageJson(message);
  });

  // One message as the network handled it: the sender chosen and why, its history, its webhooks.
  app.get(`${ACCOUNT}/Messages/:Sid`, async (request) => {
    const account = await accountOf(deps, request);
    const sid = (request.params as { Sid: string }).Sid;
    const row = await deps.store.messages.fetch(account.sid, sid);
    if (!row) throw notFound(request.url);
    const events = await deps.store.messages.listEvents(sid);
    return {
      sid: row.sid,
      status: row.status,
      from: row.from_address,
      to: row.to_address,
      messaging_service_sid: row.messaging_service_sid,
      sender_sid: row.sender_sid,
      selection_rule: row.selection_rule,
      rerouted: row.rerouted === 1,
      encoding: row.encoding,
      num_segments: row.num_segments,
      next_step: row.next_step,
      next_at: iso(row.next_at),
      events: events.map((e) => ({ status: e.status, error_code: e.error_code, detail: e.detail, date: iso(e.date) })),
      webhooks: await webhooksJson(deps, await deps.store.webhooks.list(account.sid, { messageSid: sid })),
    };
  });

  // Every webhook of the account (filters: MessageSid, Kind), with each attempt's request and response.
  app.get(`${ACCOUNT}/Webhooks`, async (request) => {
    const account = await accountOf(deps, request);
    const query = request.query as Record<string, string | undefined>;
    return { webhooks: await webhooksJson(deps, await deps.store.webhooks.list(account.sid, { messageSid: query.MessageSid, kind: query.Kind })) };
  });

  // Delivery rules: messages to `To` end with `ErrorCode` (and `Status`, by default the code's own).
  app.post(`${ACCOUNT}/DeliveryRules`, async (request, reply) => {
    const account = await accountOf(deps, request);
    const to = await e164(formValue(request.body, 'To'), 'To');
    const codeText = formValue(request.body, 'ErrorCode');
    if (codeText === undefined) throw missingParameter('ErrorCode');
    if (!/^\d{5}$/.test(codeText)) throw invalidParameter('ErrorCode', `'${codeText}' is not a five-digit Twilio error code`);
    const code = Number(codeText);
    const status = formValue(request.body, 'Status') ?? statusForError(code);
    if (status !== RULE_STATUS.failed && status !== RULE_STATUS.undelivered) throw invalidParameter('Status', `'${status}' is not failed or undelivered`);
    const rule = { account_sid: account.sid, to_address: to, status, error_code: code, date_created: new Date(deps.clock.now()).toISOString() };
    await deps.store.deliveryRules.put(rule);
    reply.code(201);
    return { to, status, error_code: code };
  });

  app.get(`${ACCOUNT}/DeliveryRules`, async (request) => {
    const account = await accountOf(deps, request);
    const rules = await deps.store.deliveryRules.list(account.sid);
    return { delivery_rules: rules.map((r) => ({ to: r.to_address, status: r.status, error_code: r.error_code })) };
  });

  app.delete(`${ACCOUNT}/DeliveryRules/:To`, async (request, reply) => {
    const account = await accountOf(deps, request);
    const to = await e164((request.params as { To: string }).To, 'To');
    if (!(await deps.store.deliveryRules.delete(account.sid, to))) throw notFound(request.url);
    reply.code(204).send();
  });

  app.get(`${ACCOUNT}/OptOuts`, async (request) => {
    const account = await accountOf(deps, request);
    const rows = await deps.store.optOuts.list(account.sid);
    return { opt_outs: rows.map((r) => ({ scope: r.scope, address: r.address, date_created: iso(r.date_created) })) };
  });

  // Empties the account for the next test: its messages and webhooks, rules and opt-outs, and
  // its services, short codes and phone numbers. Credentials, keys and subaccounts stay.
  app.post(`${ACCOUNT}/Reset`, async (request, reply) => {
    const account = await accountOf(deps, request);
    await deps.store.emptyAccount(account.sid);
    reply.code(204).send();
  });
}
