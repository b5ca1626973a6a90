import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OperationSpec, ParamsOf, PathOf } from './operation.js';
import { readParams, schemaOf, type ParamErrors } from './params.js';
import { apiKeyNotPermitted, crossSiteRefused, methodNotAllowed, notFound } from './errors.js';
import { baseUrlOf } from './origin.js';
import { JsonText } from './json-text.js';
import { authenticate, type Caller, resolvePathAccount } from '../auth/credentials.js';
import { CONSOLE_COOKIE, type ConsoleSessions, readCookie } from '../auth/console-session.js';
import type { AccountRow } from '../storage/store.js';
import type { Deps } from '../deps.js';

/** What a Twilio route handler is given: the caller, the validated parameters, and where it lives. */
export interface TwilioCall<O extends OperationSpec = OperationSpec> {
  /** The account the request acts for: the caller, or the subaccount its 2010 path names. */
  account: AccountRow;
  /** Path parameters, as matched. */
  path: PathOf<O>;
  /** Query parameters (GET, DELETE) or form body (POST), validated against the spec and typed from it. */
  params: ParamsOf<O>;
  /** Where this server is reached, for absolute v1 URLs: the tunnel's host, `--public-url`, else the request's host. */
  baseUrl: string;
  request: FastifyRequest;
  /** For a handler that answers by itself (a stream): it calls `reply.hijack()` first. */
  reply: FastifyReply;
}

export interface RouteOptions {
  /** Override the spec's path (Shortroute's extensions have none). */
  url?: string;
  method?: string;
  status?: number;
  errors?: ParamErrors;
  /**
   * Refuse requests signed with an API key (401/20003). Keys made by Twilio's API are "Standard"
   * keys, which may not use the Accounts and Keys resources (twilio.com/docs/iam/api-keys).
   */
  refuseApiKeys?: boolean;
}

export interface TwilioRoutes {
  app: FastifyInstance;
  deps: Deps;
  publicUrl?: string;
  /** The console's signed-in sessions: a request without credentials may carry one's cookie. */
  sessions?: ConsoleSessions;
}

/** A browser's request made by a page of another site (Fetch Metadata); SDKs send no such header. */
export function fromAnotherSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  return site === 'cross-site' || site === 'same-site';
}

/** Names the account a console session acts for (its own, or a subaccount it owns). */
export const ACTING_ACCOUNT_HEADER = 'x-shortroute-account';

/**
 * Who is calling: Basic credentials, else the console's session cookie. A browser sends what it
 * keeps for this origin (cached Basic credentials, the cookie) with requests other sites make
 * too, so a change is refused when a browser says it comes from another site, and one made with
 * the cookie must also carry X-Shortroute-Console (which a form cannot set, and which a script of
 * another origin may not send without a preflight this server never answers). SDKs send neither
 * header and are never refused for it.
 */
export async function callerOf(routes: Pick<TwilioRoutes, 'deps' | 'sessions'>, request: FastifyRequest): Promise<Caller> {
  const { deps, sessions } = routes;
  const changes = request.method !== 'GET' && request.method !== 'HEAD';
  const header = request.headers.authorization;
  const cookie = header === undefined ? readCookie(request.headers.cookie, CONSOLE_COOKIE) : undefined;
  if (cookie === undefined || !sessions) {
    if (changes && fromAnotherSite(request)) throw crossSiteRefused();
    return authenticate(deps, header);
  }
  const caller = await sessions.verify(deps, cookie);
  if (!caller) return authenticate(deps, undefined);
  if (changes && request.headers['x-shortroute-console'] === undefined) throw crossSiteRefused();
  // The console's account switcher: a subaccount the session's account owns, for the resources
  // whose path names no account (/v1), as that subaccount's own credentials would.
  const acting = request.headers[ACTING_ACCOUNT_HEADER];
  if (typeof acting === 'string' && acting !== caller.account.sid) return { ...caller, account: await resolvePathAccount(deps, caller, acting) };
  return caller;
}

const toFastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** One route as registered: its method, its Fastify URL and the operation it serves. */
export interface RouteEntry {
  method: string;
  url: string;
  operation: OperationSpec;
}

/** The operations each server registered, keyed by its HTTP server (shared by every plugin scope). */
const tables = new WeakMap<object, RouteEntry[]>();

/** Every Twilio and Shortroute operation the app serves, in the order registered. */
export function routeTable(app: FastifyInstance): readonly RouteEntry[] {
  return tables.get(app.server) ?? [];
}

/** The account each request acts for, set by its route's onRequest hook. */
const accounts = new WeakMap<FastifyRequest, AccountRow>();

/**
 * Registers one Twilio operation: authentication, parameters read against the spec, one handler
 * call, and the answer serialized with the spec's response schema at the spec's status.
 */
export function twilioRoute<O extends OperationSpec>(
  routes: TwilioRoutes,
  op: O,
  handler: (call: TwilioCall<O>) => Promise<unknown>,
  options: RouteOptions = {},
): void {
  const { app, deps, publicUrl } = routes;
  const method = options.method ?? op.method;
  const status = options.status ?? op.status;
  const place = method === 'POST' ? 'body' : 'query';
  const url = options.url ?? toFastifyPath(op.path);
  const table = tables.get(app.server) ?? [];
  tables.set(app.server, table);
  table.push({ method, url, operation: op });
  app.route({
    method,
    url,
    // The spec's parameters as the route's schema, checked by Fastify after the body is parsed;
    // the validator reads the form as Twilio does and answers with Twilio's error (params.ts).
    schema: {
      [place === 'body' ? 'body' : 'querystring']: schemaOf(op, place),
      ...(op.response && status !== 204 && { response: { [status]: op.response } }),
    },
    validatorCompiler: () => (data: unknown) => {
      try {
        return { value: readParams(op, place, data as Record<string, unknown> | null, options.errors) };
      } catch (error) {
        return { error: error as Error };
      }
    },
    // Credentials are checked before the body is read: a caller without them costs no parsing.
    onRequest: async (request) => {
      const caller = await callerOf(routes, request);
      // No SID holds a NUL: such a path names nothing (and never reaches the database).
      if (Object.values(request.params as Record<string, string>).some((v) => v.includes('\0'))) throw notFound(request.url.split('?')[0]!);
      if (options.refuseApiKeys && caller.keySid !== undefined) throw apiKeyNotPermitted();
      const path = request.params as Record<string, string>;
      accounts.set(request, path.AccountSid !== undefined ? await resolvePathAccount(deps, caller, path.AccountSid) : caller.account);
    },
    // A client that resets mid-request is the client's business: noted for whoever debugs, no more.
    onRequestAbort: async (request) => {
      request.log.debug('the client went away before its request was answered');
    },
    handler: async (request, reply) => {
      const account = accounts.get(request)!;
      const path = request.params as Record<string, string>;
      const params = place === 'body' ? request.body : request.query;
      const baseUrl = baseUrlOf(request, publicUrl);
      // readParams validated every parameter against this operation's spec, which ParamsOf reads too.
      const body = await handler({ account, path: path as PathOf<O>, params: params as unknown as ParamsOf<O>, baseUrl, request, reply });
      if (reply.sent) return;
      reply.code(status);
      if (status === 204) return reply.send();
      // Already JSON (json-text.ts): a string with a JSON type is sent as it is, not serialized.
      if (body instanceof JsonText) return reply.type('application/json; charset=utf-8').send(body.text);
      return body;
    },
  });
}

/**
 * Answers 405 (Twilio 20004) for a known path asked with a method it does not serve, rather than
 * Fastify's 404. Call `track` before registering routes and `apply` after.
 */
export function methodGuard(app: FastifyInstance) {
  const methods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const list = Array.isArray(route.method) ? route.method : [route.method];
    const known = methods.get(route.url) ?? new Set<string>();
    for (const m of list) known.add(m);
    methods.set(route.url, known);
  });
  return {
    apply(): void {
      for (const [url, known] of [...methods]) {
        const missing = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !known.has(m));
        if (missing.length === 0 || url.startsWith('/_shortroute') || url === '*') continue;
        app.route({
          method: missing,
          url,
          handler: async (request) => {
            throw methodNotAllowed(request.method, request.url.split('?')[0]!);
          },
        });
      }
    },
  };
}
