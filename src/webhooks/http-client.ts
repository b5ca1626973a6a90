import type { Agent, Dispatcher } from 'undici';
import { MAX_RESPONSE_BYTES, type WebhookResponse } from './outbox.js';

/** Redirects followed before an attempt fails with 11215 (the limit browsers' fetch applies too). */
export const MAX_REDIRECTS = 20;

interface LoadedClient {
  agent: Agent;
  dispatcher: Dispatcher;
  request: typeof import('undici').request;
}

/**
 * The HTTP client of the outbox: undici's `request` over one keep-alive pool per receiving origin.
 * Measured against a local receiver (a POST of a status callback, 32 at a time): Node's global
 * fetch cost about 220 µs of CPU a request on this side, undici's `request` about 40 µs; with three
 * status callbacks a message, that is a fifth of what a message costs the node.
 *
 * Redirects are followed as Twilio does (a 301/302/303 after a POST goes on as a GET), at most
 * MAX_REDIRECTS of them.
 */
export class WebhookClient {
  /**
   * undici is loaded with the first webhook, not at start: reading and compiling it took some
   * 30 ms of every start-up, before the first answer (measured in a CPU profile of `start`).
   */
  #client: Promise<LoadedClient> | undefined;
  #closed = false;

  #load() {
    if (this.#closed) throw new Error('the webhook client is closed');
    if (!this.#client) {
      // Bundled (dist/bundle), undici is a CommonJS module whose exports are only `default`.
      const loading = import('undici').then((module) => {
        const { Agent, interceptors, request } = (module.Agent ? module : module.default) as unknown as typeof module;
        const agent = new Agent();
        // undici's limit counts the final answer too: with N, N - 1 redirects are followed.
        return { agent, dispatcher: agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS + 1 })), request };
      });
      // A load that failed is tried again by the next webhook, not remembered.
      loading.catch(() => {
        if (this.#client === loading) this.#client = undefined;
      });
      this.#client = loading;
    }
    return this.#client;
  }

  /**
   * One request, with Twilio's total time limit (connection included); never throws. The limit
   * is the receiver's time: it starts once the client is loaded, so the first webhook's loading
   * of undici (tens of milliseconds, more on a busy machine) is never counted against a short
   * timeout and reported as the receiver's silence.
   */
  async send(target: { url: string; body?: string; headers: Record<string, string> }, method: string, timeoutMs: number): Promise<WebhookResponse> {
    let client: LoadedClient;
    try {
      client = await this.#load();
    } catch (error) {
      return { error: `the webhook client is unavailable: ${(error as Error).message}`, errorCode: 11205 };
    }
    const { dispatcher, request } = client;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(target.url, {
        method: method as Dispatcher.HttpMethod,
        headers: target.headers,
        body: target.body,
        signal,
        dispatcher,
        // @ts-expect-error: read by the redirect interceptor, not declared in undici's request options
        throwOnMaxRedirect: true,
      });
      const body = await readCapped(response.body);
      const contentType = response.headers['content-type'];
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return {
        status: response.statusCode,
        contentType: Array.isArray(contentType) ? contentType[0] : contentType,
        body: body.text,
        errorCode: body.tooLarge ? 11750 : ok ? undefined : 11200,
      };
    } catch (error) {
      if (signal.aborted) return { error: `no answer within ${timeoutMs} ms`, errorCode: 11205 };
      const e = error as { code?: string; name?: string; message?: string };
      // 11215 too many redirects; 11210 HTTP bad host name; 11205 HTTP connection failure.
      if (e.message === 'max redirects' || /redirect loop/i.test(e.message ?? ''))
        return { error: `too many redirects (at most ${MAX_REDIRECTS} are followed)`, errorCode: 11215 };
      const code = e.code ?? e.name;
      return { error: `${code}: ${e.message}`, errorCode: code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 11210 : 11205 };
    }
  }

  /** Closes the kept-alive connections. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = await this.#client?.catch(() => undefined);
    await client?.agent.close();
  }
}

/** The body up to MAX_RESPONSE_BYTES; a longer one is cut there and the rest not read. */
async function readCapped(body: Dispatcher.ResponseData['body']): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: true };
    }
    chunks.push(chunk as Buffer);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: false };
}
