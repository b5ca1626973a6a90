/**
 * The ceiling: a bare Fastify server answering the benchmark's paths with the very bytes
 * Shortroute answered, behind the same HTTP Basic check, and nothing else.
 *   node --import tsx bare-server.ts <port> <responses.json>
 */
import { readFileSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';

const [port, file] = process.argv.slice(2);
const { auth, responses } = JSON.parse(readFileSync(file!, 'utf8')) as { auth: string; responses: Record<string, string> };
const expected = createHash('sha256').update(auth).digest();

const app = Fastify({ logger: false });
app.get('/*', async (request, reply) => {
  const given = createHash('sha256')
    .update(request.headers.authorization ?? '')
    .digest();
  if (!timingSafeEqual(given, expected)) return reply.code(401).send({ code: 20003 });
  const body = responses[request.url];
  if (body === undefined) return reply.code(404).send({ code: 20404 });
  return reply.type('application/json; charset=utf-8').send(body);
});
await app.listen({ host: '127.0.0.1', port: Number(port) });
console.log(`bare listening on ${port}`);
