// The outbox's HTTP client: the receiver's time limit counts the receiver's time only.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebhookClient } from '../../src/webhooks/http-client.js';
import { Receiver } from '../helpers/receiver.js';

let receiver: Receiver;
before(async () => {
  receiver = await Receiver.start();
});
after(async () => {
  await receiver.close();
});

test('a short timeout starts once the client is loaded: a busy event loop before the request is not the receiver silent', async () => {
  // A new client loads undici with its first request. The event loop is kept busy meanwhile (as
  // the loading itself, or other work, keeps it on a loaded machine) for longer than the limit:
  // the limit must start after that, not when send() was called.
  const client = new WebhookClient();
  try {
    const sent = client.send({ url: `${receiver.url}/first`, body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 'POST', 100);
    const busyUntil = performance.now() + 150;
    while (performance.now() < busyUntil) {
      // the event loop is held, as by a module being compiled
    }
    const response = await sent;
    assert.equal(response.error, undefined);
    assert.equal(response.status, 200);
    assert.equal(receiver.requests.filter((r) => r.path === '/first').length, 1);
  } finally {
    await client.close();
  }
});
