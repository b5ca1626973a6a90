// A webhook for messages sent to your Shortroute (or Twilio) numbers: it checks that the request
// was signed with your auth token, using the official SDK, and replies with TwiML.
//
//   TWILIO_AUTH_TOKEN=... PUBLIC_URL=http://127.0.0.1:3000 node examples/webhook.mjs
//
// Then set the service's InboundRequestUrl to $PUBLIC_URL/sms.
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import twilio from 'twilio';

export async function startWebhook({ authToken, publicUrl, port = 3000, host = '127.0.0.1' }) {
  const app = Fastify();
  let base = publicUrl;
  await app.register(formbody);
  const received = [];

  app.post('/sms', async (request, reply) => {
    // Validate against the URL as configured on the service: scheme, host, port, path and query.
    const url = new URL(request.url, base).href;
    const signature = request.headers['x-twilio-signature'] ?? '';
    if (!twilio.validateRequest(authToken, signature, url, request.body)) {
      return reply.code(403).send('invalid signature');
    }
    received.push(request.body);
    const response = new twilio.twiml.MessagingResponse();
    response.message(`You said: ${request.body.Body}`);
    return reply.type('text/xml').send(response.toString());
  });

  await app.listen({ port, host });
  base ??= `http://${host}:${app.server.address().port}`;
  return { app, received, url: `${base}/sms` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await startWebhook({
    authToken: process.env.TWILIO_AUTH_TOKEN,
    publicUrl: process.env.PUBLIC_URL,
    port: Number(process.env.PORT ?? 3000),
  });
  console.log(`webhook listening: set the service's InboundRequestUrl to ${url}`);
}
