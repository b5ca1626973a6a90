import assert from 'node:assert/strict';
import type { TestServer } from './server.js';

let nextNumber = 10000 + Math.floor(Math.random() * 80000);

/** A short code on the server's main account (Shortroute's create extension); returns its JSON. */
export async function addShortCode(server: TestServer, values: Record<string, string | string[]> = {}) {
  const reply = await server.request('POST', `/2010-04-01/Accounts/${server.account.sid}/SMS/ShortCodes.json`, {
    ShortCode: String(nextNumber++),
    ...values,
  });
  assert.equal(reply.status, 201, reply.text);
  return reply.body as { sid: string; short_code: string; friendly_name: string };
}

export async function addService(server: TestServer, values: Record<string, string> = {}) {
  const reply = await server.request('POST', '/v1/Services', { FriendlyName: 'Test service', ...values });
  assert.equal(reply.status, 201, reply.text);
  return reply.body as { sid: string; friendly_name: string };
}

/** Asserts a Twilio error body with the given HTTP status and code. */
export function assertTwilioError(reply: { status: number; body: any; text: string }, status: number, code: number): void {
  assert.equal(reply.status, status, reply.text);
  assert.deepEqual(Object.keys(reply.body ?? {}).sort(), ['code', 'message', 'more_info', 'status'], reply.text);
  assert.equal(reply.body.code, code, reply.text);
  assert.equal(reply.body.status, status);
  assert.equal(reply.body.more_info, `https://www.twilio.com/docs/errors/${code}`);
  assert.equal(typeof reply.body.message, 'string');
}

/** A subaccount of the server's main account; its JSON carries its own auth token. */
export async function addSubaccount(server: TestServer, values: Record<string, string> = {}) {
  const reply = await server.request('POST', '/2010-04-01/Accounts.json', values);
  assert.equal(reply.status, 201, reply.text);
  return reply.body as { sid: string; auth_token: string; friendly_name: string; status: string; owner_account_sid: string };
}

/** An API key of the given account (the main one by default); the only time its secret is shown. */
export async function addApiKey(server: TestServer, accountSid = server.account.sid, values: Record<string, string> = {}) {
  const reply = await server.request('POST', `/2010-04-01/Accounts/${accountSid}/Keys.json`, values);
  assert.equal(reply.status, 201, reply.text);
  return reply.body as { sid: string; secret: string; friendly_name: string | null };
}

/**
 * Another top-level account beside the server's main one (Twilio has no API to make one: they
 * are separate sign-ups), written straight into the store.
 */
export async function addTopLevelAccount(server: TestServer, sid: string, authToken: string): Promise<void> {
  const now = new Date().toISOString();
  await server.store.accounts.insert({
    sid,
    auth_token: authToken,
    friendly_name: 'Other',
    status: 'active',
    owner_account_sid: null,
    date_created: now,
    date_updated: now,
  });
}
