import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WAIT_MS } from './cli.js';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

/** One request a receiver got, with its form (POST body or GET query) decoded. */
export interface Received {
  method: string;
  /** The full URL as the receiver saw it (scheme, host with port, path, query). */
  url: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Parameters as the SDK's validateRequest takes them: repeated keys as arrays. */
  params: Record<string, string | string[]>;
}

/** How a receiver answers a request: a status, content type, other headers and body, or `hang` (held until `release()`). */
export type Answer = { status?: number; contentType?: string; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A real webhook receiver on a free port: it records every request and answers as told (by
 * default 200 with an empty TwiML response). `hang` holds the request open until `release()`.
 */
export class Receiver {
  readonly requests: Received[] = [];
  #server: Server;
  #answer: (request: Received) => Answer = () => ({ status: 200, contentType: 'text/xml', body: '<Response/>' });
  #held: ServerResponse[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];
  url = '';

  private constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.#server.address() as AddressInfo).port}`;
    return receiver;
  }

  answer(answer: Answer | ((request: Received) => Answer)): void {
    this.#answer = typeof answer === 'function' ? answer : () => answer;
  }

  /** Resolves once `count` requests have arrived; rejects after `timeoutMs`, saying how many did. */
  waitFor(count: number, timeoutMs = WAIT_MS): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`the receiver got ${this.requests.length} requests, not ${count}, within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  release(): void {
    for (const res of this.#held.splice(0)) res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
  }

  /** Whether Twilio's own SDK accepts the request's X-Twilio-Signature for this auth token. */
  static valid(request: Received, authToken: string): boolean {
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string') return false;
    return twilio.validateRequest(authToken, signature, request.url, request.method === 'POST' ? request.params : {});
  }

  async close(): Promise<void> {
    this.release();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url!, this.url);
      const source = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
      const params: Record<string, string | string[]> = {};
      for (const [key, value] of source) {
        const existing = params[key];
        params[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
      }
      const received: Received = { method: req.method!, url: url.href, path: url.pathname, headers: req.headers, body, params };
      this.requests.push(received);
      for (const waiter of this.#waiters.filter((w) => this.requests.length >= w.count)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const answer = this.#answer(received);
      if (answer === 'hang') {
        this.#held.push(res);
        return;
      }
      res.writeHead(answer.status ?? 200, { ...answer.headers, ...(answer.contentType ? { 'content-type': answer.contentType } : {}) });
      res.end(answer.body ?? '');
    });
  }
}
