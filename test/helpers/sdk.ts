import assert from 'node:assert/strict';
import twilio from 'twilio';
import { ShortrouteRequestClient } from '../../src/sdk/request-client.js';
import type { TestServer } from './server.js';

// The SDK rewrites hostnames with these even with a custom client: never in these tests.
delete process.env.TWILIO_EDGE;
delete process.env.TWILIO_REGION;

export type Client = ReturnType<typeof twilio>;

/** The official SDK pointed at a test server: the main account, or the given credentials. */
export function sdkClient(server: TestServer, credentials: { username?: string; password?: string; accountSid?: string } = {}): Client {
  const username = credentials.username ?? server.account.sid;
  const password = credentials.password ?? server.account.auth_token;
  return twilio(username, password, { accountSid: credentials.accountSid, httpClient: new ShortrouteRequestClient(server.url) });
}

/** Asserts the SDK call fails with a RestException carrying this HTTP status and Twilio code. */
export async function rejectsWith(call: Promise<unknown>, status: number, code: number): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof twilio.RestException, `expected a RestException, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    assert.equal(error.code, code, error.message);
    assert.equal(error.moreInfo, `https://www.twilio.com/docs/errors/${code}`);
    assert.equal(typeof error.message, 'string');
    return true;
  });
}

export function assertDate(value: unknown): void {
  assert.ok(value instanceof Date, `expected a Date, got ${String(value)}`);
  assert.ok(!Number.isNaN(value.getTime()), 'the SDK could not parse the date');
}

/** Runs the SDK's callback-style each() to its end and returns what it visited. */
export function collectEach<T>(run: (options: { callback: (item: T) => void; done: (error?: Error) => void }) => void): Promise<T[]> {
  const seen: T[] = [];
  return new Promise((resolve, reject) => {
    run({
      callback: (item) => {
        seen.push(item);
      },
      done: (error) => (error ? reject(error) : resolve(seen)),
    });
  });
}
