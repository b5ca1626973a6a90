import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { FastifyBaseLogger } from 'fastify';
import { internalError, misdirectedRequest, notAnOpenProxy, productNotServed, proxyAuthenticationRequired, type TwilioError } from '../http/errors.js';
import { markTunnel, tunnelHost } from '../http/origin.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { isLoopbackAddress, isTunnelHost, TUNNEL_PORT, twilioProduct } from './hosts.js';

/**
 * Shortroute as the HTTPS proxy the official SDKs already know how to use (HTTPS_PROXY and
 * friends): `CONNECT api.twilio.com:443` or `CONNECT messaging.twilio.com:443` on the server's own
 * port opens a tunnel, TLS ends here with a certificate of the local CA, and the requests inside
 * are served by the same application as plain HTTP. Nothing else is ever forwarded anywhere.
 */
export interface ProxyOptions {
  /** The local CA, loaded (or made) on the first tunnel. */
  certificates: () => Promise<CertificateAuthority>;
  /** Checks `Proxy-Authorization` (Basic, account or API key); throws a TwilioError when it fails. */
  authenticate: (header: string | undefined) => Promise<unknown>;
  logger: FastifyBaseLogger;
  /** A tunnel whose TLS handshake has not finished by then is closed. */
  handshakeTimeoutMs?: number;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * What the proxy turns away before Fastify sees it: absolute-form (`GET http://host/`) forwarding
 * requests, and requests inside a tunnel for another host than the tunnel's.
 */
export function refuseProxyRequest(request: IncomingMessage): TwilioError | undefined {
  // Origin-form starts with '/'; anything else (absolute-form, '*') asks to be forwarded.
  if (!request.url?.startsWith('/')) {
    return notAnOpenProxy(
      `it forwards nothing; tunnel to api.twilio.com:${TUNNEL_PORT} or messaging.twilio.com:${TUNNEL_PORT} with CONNECT, or send requests to its own address`,
    );
  }
  const tunnel = tunnelHost(request.socket);
  if (tunnel === undefined) return undefined;
  const host = hostWithoutPort(request.headers.host ?? '');
  if (host !== tunnel) return misdirectedRequest(host || '(no Host header)', tunnel);
  const sni = (request.socket as TLSSocket).servername;
  if (typeof sni === 'string' && sni.toLowerCase() !== tunnel) return misdirectedRequest(`${sni} (TLS server name)`, tunnel);
  return undefined;
}

/** `api.twilio.com:443` → `api.twilio.com`; any other port is kept, so it cannot match. */
function hostWithoutPort(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith(`:${TUNNEL_PORT}`) ? lower.slice(0, -`:${TUNNEL_PORT}`.length) : lower;
}

/** Serves CONNECT on `server`; call once, before it listens. */
export function installProxy(server: Server, options: ProxyOptions): void {
  let context: Promise<SecureContext> | undefined;
  const secureContext = () => (context ??= options.certificates().then(({ tunnel }) => createSecureContext({ cert: tunnel.certPem, key: tunnel.keyPem })));
  server.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', (error) => options.logger.debug({ err: error }, 'proxy: client socket error'));
    openTunnel(server, request, socket, head, secureContext, options).catch((error: unknown) => {
      options.logger.error({ err: error }, 'proxy: tunnel failed');
      if (!socket.destroyed) refuseConnect(socket, internalError());
    });
  });
}

async function openTunnel(
  server: Server,
  request: IncomingMessage,
  socket: Socket,
  head: Buffer,
  secureContext: () => Promise<SecureContext>,
  options: ProxyOptions,
): Promise<void> {
  // Bound to loopback, the proxy is open to this machine, as the API is. Bound wider, a tunnel
  // needs credentials first, so that nobody else learns even which hosts it serves.
  if (!isLoopbackAddress((server.address() as AddressInfo | null)?.address)) {
    try {
      // `Proxy-Authorization: Basic …` has the form the API's Authorization has.
      await options.authenticate(request.headers['proxy-authorization']);
    } catch {
      refuseConnect(socket, proxyAuthenticationRequired(), { 'Proxy-Authenticate': 'Basic realm="Shortroute"' });
      return;
    }
  }
  const target = parseTarget(request.url ?? '');
  if (!target || target.port !== TUNNEL_PORT || !isTunnelHost(target.host)) {
    const product = target && target.port === TUNNEL_PORT ? twilioProduct(target.host) : undefined;
    refuseConnect(
      socket,
      product
        ? productNotServed(target!.host, product)
        : notAnOpenProxy(`it tunnels only to api.twilio.com:${TUNNEL_PORT} and messaging.twilio.com:${TUNNEL_PORT}, not ${request.url}`),
    );
    return;
  }
  const context = await secureContext();
  socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length > 0) socket.unshift(head);
  const tls = new TLSSocket(socket, { isServer: true, secureContext: context, ALPNProtocols: ['http/1.1'] });
  markTunnel(tls, target.host);
  const timeout = setTimeout(() => tls.destroy(), options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
  timeout.unref();
  tls.once('secure', () => clearTimeout(timeout));
  tls.once('close', () => clearTimeout(timeout));
  // A client that refuses the certificate (it does not trust the CA) ends here, logged for the operator.
  tls.on('error', (error) => options.logger.debug({ err: error, host: target.host }, 'proxy: TLS error in tunnel'));
  // The HTTP server takes the decrypted side as one of its own connections: same routes,
  // same keep-alive and timeouts, closed with the server.
  server.emit('connection', tls);
}

/** `host:port`, `[v6]:port` → lower-case host and port; undefined when it is not that. */
function parseTarget(target: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/i.exec(target);
  if (!match) return undefined;
  return { host: (match[1] ?? match[2]!).toLowerCase(), port: Number(match[3]) };
}

function refuseConnect(socket: Socket, error: TwilioError, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(error.toJSON());
  // The reason phrase carries the message too: Python's requests shows only the status line
  // ("Tunnel connection failed: 403 …"), while twilio-node reads the body as a RestException.
  const reason = error.message.replace(/[\r\n]/g, ' ');
  const lines = [
    `HTTP/1.1 ${error.status} ${reason}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
