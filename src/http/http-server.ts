import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TwilioError } from './errors.js';

/** What one node's HTTP server lets a client hold. */
export interface ConnectionLimits {
  /** Time to receive a whole request, headers and body; 408 after it. */
  requestTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive. */
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { requestTimeoutMs: 30_000, maxConnections: 800 };

/**
 * The HTTP server under Fastify. Every answer it gives on its own is Twilio's JSON too: requests
 * without a Host, requests `refuse` turns away (the proxy's rules), and what Node's parser
 * refuses (clientErrorHandler below). A client gets `requestTimeoutMs` to send a request whole.
 */
export function createHttpServer(handler: RequestListener, limits: ConnectionLimits, refuse: (request: IncomingMessage) => TwilioError | undefined): Server {
  const server = createServer(
    // Node would answer a missing Host itself, with an empty 400; answered below instead.
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      // How often Node looks for requests past their time (its default, 30 s, would let a short
      // timeout run long).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4))),
      requireHostHeader: false,
    },
    (request, response) => {
      const refusal = request.headers.host ? refuse(request) : new TwilioError(400, 20001, 'Malformed request: an HTTP/1.1 request needs a Host header');
      if (refusal) writeError(response, refusal);
      else handler(request, response);
    },
  );
  server.maxConnections = limits.maxConnections;
  return server;
}

export function writeError(response: ServerResponse, error: TwilioError): void {
  const body = JSON.stringify(error.toJSON());
  response.writeHead(error.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  response.end(body);
}

/** What Node's HTTP parser and timers refuse, by the error code they report. */
function clientErrorOf(error: NodeJS.ErrnoException): TwilioError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new TwilioError(431, 20001, 'Request header fields too large: the request line and headers may take 16 KB');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new TwilioError(408, 20001, 'Request timeout: the request did not arrive whole in time');
    default:
      return new TwilioError(400, 20001, `Malformed request: ${error.message.replace(/[\r\n]+/g, ' ')}`);
  }
}

/** Fastify's clientErrorHandler: a Twilio-shaped answer on the raw socket, then close. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  // A client that reset the connection is gone: nothing to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const twilio = clientErrorOf(error);
  const body = JSON.stringify(twilio.toJSON());
  const reason = twilio.message.split(':')[0];
  socket.end(
    `HTTP/1.1 ${twilio.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
