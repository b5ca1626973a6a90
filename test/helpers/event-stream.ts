import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { WAIT_MS } from './cli.js';

/** One Server-Sent Event as a reader gets it. */
export interface StreamEvent {
  id: string | undefined;
  type: string;
  data: any;
}

/**
 * A reader of a Server-Sent Events stream over a real socket, parsing the frames as a browser's
 * EventSource does (id, event, data; comment lines ignored), and remembering the last id.
 */
export class EventStreamReader {
  readonly events: StreamEvent[] = [];
  lastEventId: string | undefined;
  status = 0;
  headers: IncomingMessage['headers'] = {};
  ended = false;
  #buffer = '';
  #waiters: Array<() => void> = [];
  #response: IncomingMessage | undefined;
  #done: Promise<void> | undefined;

  static async open(url: string, auth: string | undefined, headers: Record<string, string> = {}): Promise<EventStreamReader> {
    const reader = new EventStreamReader();
    await new Promise<void>((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream', ...(auth && { authorization: auth }), ...headers } }, (response) => {
        reader.status = response.statusCode ?? 0;
        reader.headers = response.headers;
        reader.#response = response;
        response.setEncoding('utf8');
        reader.#done = new Promise((ended) =>
          response.on('close', () => {
            reader.ended = true;
            reader.#wake();
            ended();
          }),
        );
        response.on('data', (chunk: string) => reader.#feed(chunk));
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
    return reader;
  }

  /** The body, for a stream refused with a JSON error. */
  async text(): Promise<string> {
    await this.#done;
    return this.#buffer;
  }

  #feed(chunk: string): void {
    this.#buffer += chunk;
    if (this.status !== 200) return;
    for (let end = this.#buffer.indexOf('\n\n'); end >= 0; end = this.#buffer.indexOf('\n\n')) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let id: string | undefined;
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') id = value;
        else if (field === 'event') type = value;
        else if (field === 'data') data.push(value);
      }
      if (id !== undefined) this.lastEventId = id;
      if (data.length > 0) this.events.push({ id, type, data: JSON.parse(data.join('\n')) });
    }
    this.#wake();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Resolves with the first event (from the start) that `match` accepts; rejects after `timeoutMs`, listing what came. */
  async waitFor(match: (event: StreamEvent) => boolean, timeoutMs = WAIT_MS): Promise<StreamEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (this.ended) throw new Error(`the stream ended; it sent: ${JSON.stringify(this.events.map((e) => [e.type, e.data.status ?? '']))}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no such event within ${timeoutMs} ms; the stream sent: ${JSON.stringify(this.events.map((e) => [e.type, e.data.status ?? '']))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once the server has ended the stream. */
  async closed(timeoutMs = WAIT_MS): Promise<void> {
    await Promise.race([this.#done, new Promise((_, reject) => setTimeout(() => reject(new Error('the stream did not end')), timeoutMs).unref())]);
  }

  close(): void {
    this.#response?.destroy();
  }
}
