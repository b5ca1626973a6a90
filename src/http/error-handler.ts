import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Backend } from '../storage/backend.js';
import { internalError, notFound, payloadTooLarge, serviceUnavailable, TwilioError, unsupportedMediaType } from './errors.js';

/**
 * The one place errors become responses: every failure leaves as Twilio JSON with the matching
 * HTTP status; never HTML, never a stack. Unexpected errors are logged in full and answered 500.
 */
export function installErrorHandler(app: FastifyInstance, options: { backend: Backend; bodyLimit: number }): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A client that went away mid-request (ECONNRESET on its own socket) is not a database outage,
    // whatever the backend says of that code: nothing to alarm, and the answer goes nowhere.
    if (request.raw.aborted) {
      request.log.debug({ err: error }, 'the client went away before its request was read');
      reply
        .code(400)
        .type('application/json')
        .send(new TwilioError(400, 20001, 'The request was aborted by the client').toJSON());
      return;
    }
    const twilio = toTwilioError(error, options, request.headers['content-type']);
    if (twilio.status >= 500) request.log.error({ err: error }, 'request failed');
    if (twilio.status === 503) reply.header('Retry-After', '1');
    reply.code(twilio.status).type('application/json').send(twilio.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    const error = notFound(request.url.split('?')[0]!);
    reply.code(404).type('application/json').send(error.toJSON());
  });
}

function toTwilioError(error: FastifyError, options: { backend: Backend; bodyLimit: number }, contentType?: string): TwilioError {
  if (error instanceof TwilioError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge(options.bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(contentType ?? 'none');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new TwilioError(400, 20001, `Malformed request body: ${error.message}`);
  }
  if (options.backend.isConnectionError(error)) return serviceUnavailable('the database cannot be reached; retry shortly');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new TwilioError(error.statusCode, 20001, error.message);
  }
  return internalError();
}

/**
 * Fastify's own early failures (a URL it cannot decode, say) and requests that arrive while the
 * server closes: Twilio JSON too, never Fastify's body.
 */
export function frameworkError(error: FastifyError, reply: FastifyReply): void {
  const twilio = new TwilioError(error.statusCode ?? 400, 20001, `Malformed request: ${error.message}`);
  reply.code(twilio.status).type('application/json').send(twilio.toJSON());
}

export function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    reply.header('Retry-After', '1');
    throw serviceUnavailable('Shortroute is shutting down; retry shortly');
  });
}
