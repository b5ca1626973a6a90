import type { ServerResponse } from 'node:http';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { invalidParameter } from '../../http/errors.js';
import { type FeedEvent, FeedSubscription, formatPosition, parsePosition } from '../../events/feed.js';
import { shortrouteOperations as op } from './operations.js';

/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;
/** A reader this far behind (bytes waiting to be written to it) is cut off; it resumes with Last-Event-ID. */
const MAX_BUFFERED = 8 * 1024 * 1024;

/** One Server-Sent Events message. */
function frame(event: { id?: string; type: string; data: unknown }): string {
  return `${event.id === undefined ? '' : `id: ${event.id}\n`}event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * GET /_shortroute/Accounts/{AccountSid}/Events: what happens to the account's messages, live, as
 * Server-Sent Events. `message` is a change of a message's status (its history row: created,
 * routed, sent, delivered, failed, an inbound text received); `webhook` is an attempt of a status
 * callback or inbound webhook, with its answer. The stream reads the database, so it shows what
 * every node wrote. It starts with `ready`; `Last-Event-ID` (the header a browser's EventSource
 * sends when it reconnects, or the LastEventId parameter) resumes after an event.
 */
export function eventRoutes(routes: TwilioRoutes): void {
  const { app, deps } = routes;
  const open = new Set<{ response: ServerResponse; stop: (how?: { cut?: boolean }) => void }>();
  // Streams never end by themselves: closing the server ends them, or it would wait for them.
  app.addHook('preClose', async () => {
    for (const stream of [...open]) stream.stop();
  });

  twilioRoute(routes, op.events, async ({ account, params, request, reply }) => {
    const given = params.LastEventId ?? (request.headers['last-event-id'] as string | undefined);
    const from = given === undefined || given === '' ? undefined : parsePosition(given);
    if (given && !from) throw invalidParameter('LastEventId', `'${given}' is not an event id of this stream`);

    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // Proxies that buffer (nginx) would hold the events back.
      'x-accel-buffering': 'no',
    });
    const write = (event: FeedEvent | { id?: string; type: string; data: unknown }) => {
      if (response.writableEnded || response.destroyed) return stream.stop();
      if (response.writableLength > MAX_BUFFERED) return stream.stop({ cut: true });
      response.write(frame(event));
    };
    const subscription = new FeedSubscription(deps, account.sid, write);
    const keepalive = setInterval(() => response.write(': keep-alive\n\n'), KEEPALIVE_MS);
    const stream = {
      response,
      /** Ends the stream; a reader too far behind is cut off at once (end() would wait for it to read). */
      stop: (how: { cut?: boolean } = {}) => {
        subscription.close();
        clearInterval(keepalive);
        open.delete(stream);
        if (how.cut) response.destroy();
        else if (!response.writableEnded) response.end();
      },
    };
    open.add(stream);
    // The client may have gone while the request was authenticated: its 'close' has fired already.
    if (request.raw.destroyed || response.destroyed) return stream.stop();
    response.on('close', () => stream.stop());
    try {
      const start = await subscription.start(from);
      // Before any event of the subscription: its first read runs on a later turn.
      write({ id: formatPosition(start), type: 'ready', data: { account_sid: account.sid } });
    } catch (error) {
      request.log.warn({ err: error }, 'the event stream could not start');
      stream.stop();
    }
  });
}
