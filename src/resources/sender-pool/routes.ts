import type { OperationSpec } from '../../http/operation.js';
import { CAPABILITY_LIST } from '../../storage/codecs.js';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v1Page } from '../../http/paging.js';
import type { ParamErrors } from '../../http/params.js';
import { toIso } from '../../http/dates.js';
import { createMember, deleteMember, fetchMember, listMembers, type Member, type PoolKind } from './pool.js';

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
  errors?: ParamErrors;
  json(row: Member, owner: Owner, url: string): unknown;
}

/** /v1/Services/{ServiceSid}/<Segment>: add, list, fetch and remove one kind of pool member. */
export function poolRoutes(routes: TwilioRoutes, resource: PoolResource): void {
  const { deps } = routes;
  const { kind, ops, key, json } = resource;
  const keyOf = (row: Member) => ({ date: row.added, sid: row.sid });
  // One set of routes serves every kind, so its paths and parameters are read by name here.
  const pathOf = (path: unknown) => path as { ServiceSid: string; Sid: string };
  const owner = (accountSid: string, path: unknown): Owner => ({ accountSid, serviceSid: pathOf(path).ServiceSid });
  const listPath = (serviceSid: string) => `/v1/Services/${serviceSid}/${kind.segment}`;
  const urlOf = (baseUrl: string, o: Owner, row: Member) => `${baseUrl}${listPath(o.serviceSid)}/${row.sid}`;

  twilioRoute(
    routes,
    ops.create,
    async ({ account, path, params, baseUrl }) => {
      const o = owner(account.sid, path);
      const row = await createMember(deps, kind, account.sid, o.serviceSid, (params as Record<string, string>)[kind.param]!);
      return json(row, o, urlOf(baseUrl, o, row));
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
      return v1Page({ baseUrl, path: listPath(o.serviceSid), key, request, result, keyOf, serialize: (row) => json(row, o, urlOf(baseUrl, o, row)) });
    },
    { errors: pagingErrors },
  );

  twilioRoute(routes, ops.fetch, async ({ account, path, baseUrl }) => {
    const o = owner(account.sid, path);
    const row = await fetchMember(deps, kind, account.sid, o.serviceSid, pathOf(path).Sid);
    return json(row, o, urlOf(baseUrl, o, row));
  });

  twilioRoute(routes, ops.delete, async ({ account, path }) => deleteMember(deps, kind, account.sid, pathOf(path).ServiceSid, pathOf(path).Sid));
}

/**
 * What every v1 pool member shows besides its own field: a membership's dates are when it joined.
 * Each kind builds its body as one literal in the spec's key order: spreading this into it was
 * measured at 13% of a page of 50 (objects of mixed shapes slow the serializer too).
 */
export function memberParts(row: Member) {
  const added = toIso(row.added);
  return { added, capabilities: CAPABILITY_LIST.decode(row.capabilities) };
}
