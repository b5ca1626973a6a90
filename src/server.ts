import Fastify, { type FastifyInstance, type FastifyReply, type RawServerDefault } from 'fastify';
import formbody from '@fastify/formbody';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { Deps } from './deps.js';
import { frameworkError, installErrorHandler, refuseWhileClosing } from './http/error-handler.js';
import { methodGuard } from './http/route.js';
import { serviceRoutes } from './resources/services/routes.js';
import { serviceShortCodeRoutes } from './resources/service-short-codes/routes.js';
import { servicePhoneNumberRoutes } from './resources/service-phone-numbers/routes.js';
import { serviceAlphaSenderRoutes } from './resources/service-alpha-senders/routes.js';
import { phoneNumberRoutes } from './resources/phone-numbers/routes.js';
import { shortCodeRoutes } from './resources/short-codes/routes.js';
import { accountRoutes } from './resources/accounts/routes.js';
import { keyRoutes } from './resources/keys/routes.js';
import { shortrouteRoutes } from './resources/shortroute/routes.js';
import { messageRoutes } from './resources/messages/routes.js';
import { consoleRoutes } from './console/routes.js';
import { connectorRoutes } from './resources/connectors/routes.js';
import type { LiveFigures } from './resources/connectors/serialize.js';
import { ConsoleSessions } from './auth/console-session.js';
import { authenticate } from './auth/credentials.js';
import { installProxy, refuseProxyRequest } from './proxy/proxy.js';
import { clientErrorHandler, type ConnectionLimits, createHttpServer, DEFAULT_CONNECTION_LIMITS } from './http/http-server.js';
import type { CertificateAuthority } from './proxy/certificate-authority.js';

export interface ServerOptions {
  deps: Deps;
  /** Waits until the background has done everything due (POST /_shortroute/Clock answers after it). */
  settle: () => Promise<void>;
  /** What this node's bind of an SMPP connector knows now (undefined when another node holds it). */
  liveConnector?: (sid: string) => LiveFigures | undefined;
  publicUrl?: string;
  /** Fastify's `trustProxy`: whose X-Forwarded-Proto/-Host to believe for absolute URLs. */
  trustProxy?: boolean | string;
  /** Request timeout and connection cap of the HTTP server. */
  connectionLimits?: ConnectionLimits;
  /** The local CA that CONNECT tunnels present certificates of, loaded on the first tunnel. */
  certificates: () => Promise<CertificateAuthority>;
  version: string;
}

/** Twilio caps request bodies well below this; 1 MiB leaves room for long message bodies. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * Fastify's own response serializers, each compiled when its route first answers rather than all
 * at start: compiling the spec's response schemas for every route took about a tenth of the
 * start-up, and most routes of a given run never answer.
 */
function lazySerializers(...factoryArgs: Parameters<ReturnType<typeof SerializerSelector>>) {
  const compile = SerializerSelector()(...factoryArgs);
  return (route: Parameters<typeof compile>[0]) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data: unknown) => {
      serialize ??= compile(route);
      return serialize(data);
    };
  };
}

/** Builds the HTTP server: every plugin and resource wired here, in order. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify<RawServerDefault>({
    // One logger for the node: requests log through it with their request id (access lines at info).
    loggerInstance: options.deps.logger,
    // The HTTP server refuses forwarding requests before Fastify sees them; CONNECT is added below.
    serverFactory: (handler) => createHttpServer(handler, options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS, refuseProxyRequest),
    clientErrorHandler,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: BODY_LIMIT,
    // While closing, refuseWhileClosing answers with Twilio's 503 instead of Fastify's.
    return503OnClosing: false,
    frameworkErrors: (error, _request, reply) => frameworkError(error, reply as FastifyReply),
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
  });
  const { deps } = options;
  installProxy(app.server, {
    certificates: options.certificates,
    authenticate: (header) => authenticate(deps, header),
    logger: app.log,
  });
  installErrorHandler(app, { backend: deps.store.backend, bodyLimit: BODY_LIMIT });
  refuseWhileClosing(app);
  // Twilio's API takes form bodies only; anything else is answered 415 rather than half-read.
  app.removeAllContentTypeParsers();
  await app.register(formbody);

  const guard = methodGuard(app);
  const routes = { app, deps, publicUrl: options.publicUrl, sessions: new ConsoleSessions() };
  serviceRoutes(routes);
  serviceShortCodeRoutes(routes);
  servicePhoneNumberRoutes(routes);
  serviceAlphaSenderRoutes(routes);
  shortCodeRoutes(routes);
  phoneNumberRoutes(routes);
  accountRoutes(routes);
  keyRoutes(routes);
  messageRoutes(routes);
  shortrouteRoutes(routes, { version: options.version, settle: options.settle });
  connectorRoutes(routes, options.liveConnector ?? (() => undefined));
  consoleRoutes(routes);
  guard.apply();
  return app;
}
