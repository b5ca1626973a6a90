import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v1Page } from '../../http/paging.js';
import { SHORTROUTE_PREFIX } from './prefix.js';
import { shortrouteOperations as op } from './operations.js';
import { ATTEMPT_REQUEST, HEADERS, WEBHOOK_PARAMS } from '../../storage/codecs.js';
import { MESSAGE_DIRECTION, type MessageDirection } from '../../storage/states.js';
import type { Deps } from '../../deps.js';
import { invalidParameter, missingParameter, notFound } from '../../http/errors.js';
import { toIso } from '../../http/dates.js';
import type { MessageRow, WebhookRow } from '../../storage/store.js';
import { loadNumberPlan, parseE164 } from '../../phone/numbering.js';
import { statusForError } from '../../network/errors.js';
import { webhookErrorTitle } from '../../webhooks/errors.js';
import { addressFilter, mediaOf } from '../messages/messages.js';
import { messageJson } from '../messages/serialize.js';
import { receiveMessage } from '../../inbound/inbound.js';

async function e164(value: string | undefined, name: string): Promise<string> {
  if (value === undefined || value.trim() === '') throw missingParameter(name);
  await loadNumberPlan();
  const parsed = parseE164(value);
  if (!parsed) throw invalidParameter(name, `'${value}' is not a phone number in E.164`);
  return parsed.number;
}

/** `outbound` stands for all of Twilio's outbound directions (the route checked the value). */
function directionsOf(value: string | undefined): MessageDirection[] | undefined {
  if (value === undefined) return undefined;
  if (value === 'outbound') return Object.values(MESSAGE_DIRECTION).filter((d) => d !== MESSAGE_DIRECTION.inbound);
  return [value as MessageDirection];
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
    error_message: hook.error_code === null ? null : webhookErrorTitle(hook.error_code),
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
    max_attempts: hook.max_attempts,
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

/** A message as the network handled it: the sender chosen and why, its history, its webhooks. */
export async function messageRouting(deps: Deps, row: MessageRow) {
  const events = await deps.store.messages.listEvents(row.sid);
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
    webhooks: await webhooksJson(deps, await deps.store.webhooks.list(row.account_sid, { messageSid: row.sid })),
  };
}

export type MessageRouting = Awaited<ReturnType<typeof messageRouting>>;

/**
 * Shortroute's inspection and control of an account's messaging, for tests: what each simulated
 * handset received, how Copilot routed a message and what happened to it, every webhook attempt,
 * delivery outcome rules, opt-outs, and a reset. Signed in like Twilio's API (the account's SID
 * and auth token, or the owner's for a subaccount).
 */
export function inspectionRoutes(routes: TwilioRoutes): void {
  const { deps } = routes;

  // The messages a simulated handset received (sent or delivered to it), oldest first.
  twilioRoute(
    routes,
    op.handsetMessages,
    async ({ account, path, params, baseUrl }) => {
      const number = await e164(path.Number, 'Number');
      const request = readPaging(params);
      const result = await deps.store.messages.pageReceivedBy(account.sid, number, request.query);
      const listPath = `${SHORTROUTE_PREFIX}/Accounts/${account.sid}/Handsets/${encodeURIComponent(number)}/Messages`;
      const keyOf = (row: MessageRow) => ({ date: row.date_sent!, sid: row.sid });
      return { number, ...v1Page({ baseUrl, path: listPath, key: 'messages', request, result, keyOf, serialize: handsetMessage }) };
    },
    { errors: pagingErrors },
  );

  // A simulated handset sends a message (From is the handset) to one of the account's numbers or
  // short codes: stored as an inbound Message, passed on to the webhook. Answers the Message.
  twilioRoute(routes, op.handsetSend, async ({ account, path, params }) => {
    const message = await receiveMessage(deps, account.sid, { from: path.Number, to: params.To, body: params.Body, mediaUrls: params.MediaUrl ?? [] });
    return messageJson(message);
  });

  // The account's messages, newest first, filtered as the console's list is: the 2010 list's To
  // and From, and also Status, Direction (inbound, outbound or one of Twilio's outbound kinds)
  // and MessagingServiceSid. Each item is the 2010 Message.
  twilioRoute(
    routes,
    op.messages,
    async ({ account, params, baseUrl }) => {
      const request = readPaging(params);
      await loadNumberPlan();
      const filters = {
        to: addressFilter(params.To),
        from: addressFilter(params.From),
        status: params.Status,
        directions: directionsOf(params.Direction),
        messagingServiceSid: params.MessagingServiceSid,
      };
      const result = await deps.store.messages.list(account.sid, filters, request.query);
      return v1Page({
        baseUrl,
        path: `${SHORTROUTE_PREFIX}/Accounts/${account.sid}/Messages`,
        key: 'messages',
        filters: { To: params.To, From: params.From, Status: params.Status, Direction: params.Direction, MessagingServiceSid: params.MessagingServiceSid },
        request,
        result,
        keyOf: (row: MessageRow) => ({ date: row.date_created, sid: row.sid }),
        serialize: messageJson,
      });
    },
    { errors: pagingErrors },
  );

  // One message as the network handled it: the sender chosen and why, its history, its webhooks.
  twilioRoute(routes, op.message, async ({ account, path, request }) => {
    const row = await deps.store.messages.fetch(account.sid, path.Sid);
    if (!row) throw notFound(request.url);
    return messageRouting(deps, row);
  });

  // Every webhook of the account (filters: MessageSid, Kind), with each attempt's request and response.
  twilioRoute(
    routes,
    op.webhooks,
    async ({ account, params, baseUrl }) => {
      const request = readPaging(params);
      const result = await deps.store.webhooks.page(account.sid, { messageSid: params.MessageSid, kind: params.Kind }, request.query);
      const body = v1Page({
        baseUrl,
        path: `${SHORTROUTE_PREFIX}/Accounts/${account.sid}/Webhooks`,
        key: 'webhooks',
        filters: { MessageSid: params.MessageSid, Kind: params.Kind },
        request,
        result,
        keyOf: (row: WebhookRow) => ({ date: row.date_created, sid: row.sid }),
        serialize: (row: WebhookRow) => row,
      });
      return { ...body, webhooks: await webhooksJson(deps, body.webhooks as WebhookRow[]) };
    },
    { errors: pagingErrors },
  );

  // Delivery rules: messages to `To` end with `ErrorCode` (and `Status`, by default the code's own).
  twilioRoute(routes, op.createDeliveryRule, async ({ account, params }) => {
    const to = await e164(params.To, 'To');
    const codeText = params.ErrorCode;
    if (codeText === undefined) throw missingParameter('ErrorCode');
    if (!/^[1-9]\d{4}$/.test(codeText)) throw invalidParameter('ErrorCode', `'${codeText}' is not a five-digit Twilio error code`);
    const code = Number(codeText);
    const status = params.Status ?? statusForError(code);
    const rule = { account_sid: account.sid, to_address: to, status, error_code: code, date_created: new Date(deps.clock.now()).toISOString() };
    await deps.store.deliveryRules.put(rule);
    return { to, status, error_code: code };
  });

  twilioRoute(routes, op.listDeliveryRules, async ({ account }) => {
    const rules = await deps.store.deliveryRules.list(account.sid);
    return { delivery_rules: rules.map((r) => ({ to: r.to_address, status: r.status, error_code: r.error_code })) };
  });

  twilioRoute(routes, op.deleteDeliveryRule, async ({ account, path, request }) => {
    const to = await e164(path.To, 'To');
    if (!(await deps.store.deliveryRules.delete(account.sid, to))) throw notFound(request.url);
  });

  twilioRoute(routes, op.optOuts, async ({ account }) => {
    const rows = await deps.store.optOuts.list(account.sid);
    return { opt_outs: rows.map((r) => ({ scope: r.scope, address: r.address, date_created: iso(r.date_created) })) };
  });

  // Empties the account for the next test: its messages and webhooks, rules and opt-outs, and
  // its services, short codes and phone numbers. Credentials, keys and subaccounts stay.
  twilioRoute(routes, op.reset, async ({ account }) => deps.store.emptyAccount(account.sid));
}
