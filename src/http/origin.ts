import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * Where a request was addressed. A request that arrived through a CONNECT tunnel was sent to
 * `https://<tunnel host>`, and every absolute URL in its answer must lead back there: an SDK follows
 * `next_page_url` verbatim, and an `http://` or local URL would take it (and its credentials)
 * outside the tunnel, to the real Twilio or in clear text.
 */
const tunnels = new WeakMap<Socket, string>();

/** Marks a socket (the TLS side of a tunnel) as carrying requests for `host`. */
export function markTunnel(socket: Socket, host: string): void {
  tunnels.set(socket, host);
}

/** The host a tunnel was opened to, or undefined for a plain connection. */
export function tunnelHost(socket: Socket): string | undefined {
  return tunnels.get(socket);
}

/**
 * The base of absolute URLs in an answer: the tunnel's host, else `--public-url`, else the
 * request's own scheme and host (from X-Forwarded-Proto/-Host only behind a `--trust-proxy`).
 */
export function baseUrlOf(request: FastifyRequest, publicUrl: string | undefined): string {
  const tunnel = tunnelHost(request.raw.socket);
  if (tunnel !== undefined) return `https://${tunnel}`;
  return publicUrl ?? `${request.protocol}://${request.host}`;
}
