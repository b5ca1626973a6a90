/**
 * The reference: the same two reads written plainly, as the performance issue's reference server
 * did them. Fastify, HTTP Basic checked against the accounts table, one better-sqlite3 statement,
 * and the body built with JSON.stringify, straight from Shortroute's SQLite file (opened read-only).
 * The bare server is the ceiling for a Node server; this is what a straightforward implementation
 * of the read reaches on the same machine. Answers only the benchmark's two reads, with no paging
 * tokens, subaccounts, keys or errors beyond 401 and 404.
 *   node --import tsx reference-server.ts <port> <shortroute.db>
 */
import { timingSafeEqual } from 'node:crypto';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const [port, file] = process.argv.slice(2);
const db = new Database(file!, { readonly: true });
const accountBySid = db.prepare<[string], { sid: string; auth_token: string }>('select sid, auth_token from accounts where sid = ?');
const columns = 'sender_sid, account_sid, service_sid, address, country_code, capabilities, date_created';
interface Member {
  sender_sid: string;
  account_sid: string;
  service_sid: string;
  address: string;
  country_code: string;
  capabilities: string;
  date_created: string;
}
const memberBySid = db.prepare<[string, string], Member>(
  `select ${columns} from service_senders where sender_sid = ? and service_sid = ? and sender_type = 'short_code'`,
);
const page = db.prepare<[string, number], Member>(
  `select ${columns} from service_senders where service_sid = ? and sender_type = 'short_code' order by date_created, sender_sid limit ?`,
);

function caller(header: string | undefined): { sid: string } | undefined {
  const decoded = Buffer.from((header ?? '').slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const account = accountBySid.get(decoded.slice(0, colon));
  const given = Buffer.from(decoded.slice(colon + 1));
  const expected = Buffer.from(account?.auth_token ?? '');
  return account && given.length === expected.length && timingSafeEqual(given, expected) ? account : undefined;
}

// Twilio's dates are whole seconds.
const iso = (stored: string) => new Date(stored).toISOString().replace(/\.\d{3}Z$/, 'Z');
const shortCode = (row: Member, listUrl: string) => ({
  sid: row.sender_sid,
  account_sid: row.account_sid,
  service_sid: row.service_sid,
  date_created: iso(row.date_created),
  date_updated: iso(row.date_created),
  short_code: row.address,
  country_code: row.country_code,
  capabilities: row.capabilities === '' ? [] : row.capabilities.split(','),
  url: `${listUrl}/${row.sender_sid}`,
});

const app = Fastify({ logger: false });
app.get('/v1/Services/:ServiceSid/ShortCodes/:Sid', async (request, reply) => {
  const account = caller(request.headers.authorization);
  if (!account) return reply.code(401).send({ code: 20003 });
  const { ServiceSid, Sid } = request.params as { ServiceSid: string; Sid: string };
  const row = memberBySid.get(Sid, ServiceSid);
  if (!row || row.account_sid !== account.sid) return reply.code(404).send({ code: 20404 });
  const listUrl = `http://${request.headers.host}/v1/Services/${ServiceSid}/ShortCodes`;
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(shortCode(row, listUrl)));
});
app.get('/v1/Services/:ServiceSid/ShortCodes', async (request, reply) => {
  const account = caller(request.headers.authorization);
  if (!account) return reply.code(401).send({ code: 20003 });
  const { ServiceSid } = request.params as { ServiceSid: string };
  const size = Number((request.query as { PageSize?: string }).PageSize ?? 50);
  const rows = page.all(ServiceSid, size + 1).filter((row) => row.account_sid === account.sid);
  const listUrl = `http://${request.headers.host}/v1/Services/${ServiceSid}/ShortCodes`;
  const last = rows[size - 1];
  const body = {
    short_codes: rows.slice(0, size).map((row) => shortCode(row, listUrl)),
    meta: {
      page: 0,
      page_size: size,
      first_page_url: `${listUrl}?PageSize=${size}&Page=0`,
      previous_page_url: null,
      url: `${listUrl}?PageSize=${size}&Page=0`,
      next_page_url: rows.length > size && last ? `${listUrl}?PageSize=${size}&Page=1&PageToken=PT${last.sender_sid}` : null,
      key: 'short_codes',
    },
  };
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
});
await app.listen({ host: '127.0.0.1', port: Number(port) });
console.log(`reference listening on ${port}`);
