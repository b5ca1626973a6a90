import type { OperationSpec } from '../../http/operation.js';
import { CAPABILITY_LIST } from '../../storage/codecs.js';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v1PageText } from '../../http/paging.js';
import { JsonText, opened, quoted } from '../../http/json-text.js';
import type { ParamErrors } from '../../http/params.js';
import { toIso } from '../../http/dates.js';
import { createMember, deleteMember, fetchMember, listMembers, type Member, type PoolKind } from './pool.js';
import type { PoolMemberValues } from '../../storage/store.js';

/** Where a member belongs: the service (and its account) the request named. */
export interface Owner {
  accountSid: string;
  serviceSid: string;
}

export interface PoolResource {
  kind: PoolKind;
  ops: { create: OperationSpec; list: OperationSpec; fetch: OperationSpec; delete: OperationSpec };
  /** The list's key in Twilio's body (`short_codes`). */
  key: string;
  /** The body's field for the member's address (`short_code`, `phone_number`, `alpha_sender`). */
  addressField: string;
  /** Whether the body shows the member's country (an alpha sender's has none). */
  countryCode: boolean;
  errors?: ParamErrors;
}

/** /v1/Services/{ServiceSid}/<Segment>: add, list, fetch and remove one kind of pool member. */
export function poolRoutes(routes: TwilioRoutes, resource: PoolResource): void {
  const { deps } = routes;
  const { kind, ops, key } = resource;
  const keyOf = (values: PoolMemberValues) => ({ date: values[4], sid: values[0] });
  // One set of routes serves every kind, so its paths and parameters are read by name here.
  const pathOf = (path: unknown) => path as { ServiceSid: string; Sid: string };
  const owner = (accountSid: string, path: unknown): Owner => ({ accountSid, serviceSid: pathOf(path).ServiceSid });
  const listPath = (serviceSid: string) => `/v1/Services/${serviceSid}/${kind.segment}`;
  const writer = (baseUrl: string, o: Owner) => memberWriter(resource, o, `${baseUrl}${listPath(o.serviceSid)}/`);

  twilioRoute(
    routes,
    ops.create,
    async ({ account, path, params, baseUrl }) => {
      const o = owner(account.sid, path);
      const row = await createMember(deps, kind, account.sid, o.serviceSid, (params as Record<string, string>)[kind.param]!);
      return new JsonText(writer(baseUrl, o)(valuesOf(row)));
    },
    { errors: resource.errors },
  );

  twilioRoute(
    routes,
    ops.list,
    async ({ account, path, params, baseUrl }) => {
      const o = owner(account.sid, path);
      const request = readPaging(params);
      const result = await listMembers(deps, kind, account.sid, o.serviceSid, request.query);
      return v1PageText({ baseUrl, path: listPath(o.serviceSid), key, request, result, keyOf, write: writer(baseUrl, o) });
    },
    { errors: pagingErrors },
  );

  twilioRoute(routes, ops.fetch, async ({ account, path, baseUrl }) => {
    const o = owner(account.sid, path);
    const row = await fetchMember(deps, kind, account.sid, o.serviceSid, pathOf(path).Sid);
    return new JsonText(writer(baseUrl, o)(valuesOf(row)));
  });

  twilioRoute(routes, ops.delete, async ({ account, path }) => deleteMember(deps, kind, account.sid, pathOf(path).ServiceSid, pathOf(path).Sid));
}

const valuesOf = (row: Member): PoolMemberValues => [row.sid, row.address, row.country_code, row.capabilities, row.added];

/**
 * A capability list as JSON text. A pool holds few distinct lists (subsets of SMS, MMS, voice,
 * fax), so each is written once and kept; the cache is emptied if it ever grows past a few dozen.
 */
const capabilityText = new Map<string, string>();
function capabilitiesJson(stored: string): string {
  let text = capabilityText.get(stored);
  if (text === undefined) {
    if (capabilityText.size >= 64) capabilityText.clear();
    text = JSON.stringify(CAPABILITY_LIST.decode(stored));
    capabilityText.set(stored, text);
  }
  return text;
}

/**
 * Writes one owner's members as Twilio's body, in the spec's key order, as JSON text: what every
 * member of the owner shares is escaped once, each member's own values as they come. A
 * membership's dates are when it joined (it is never updated). A member's SID (Shortroute made
 * it: two letters and 32 hex digits) and its stored date (`toStored`'s ISO text) hold nothing
 * JSON escapes, so they are written between quotes as they are; a page of 50 spent a quarter of
 * its time escaping them. The address and country are escaped.
 */
function memberWriter(resource: PoolResource, owner: Owner, memberUrlPrefix: string): (values: PoolMemberValues) => string {
  const shared = `","account_sid":${quoted(owner.accountSid)},"service_sid":${quoted(owner.serviceSid)},"date_created":"`;
  const address = `,${quoted(resource.addressField)}:`;
  const url = `,"url":${opened(memberUrlPrefix)}`;
  return ([sid, addressValue, countryCode, capabilities, added]) => {
    const date = toIso(added);
    const country = resource.countryCode ? `,"country_code":${quoted(countryCode)}` : '';
    return `{"sid":"${sid}${shared}${date}","date_updated":"${date}"${address}${quoted(addressValue)}${country},"capabilities":${capabilitiesJson(capabilities)}${url}${sid}"}`;
  };
}
