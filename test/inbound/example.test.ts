import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeClock } from '../../src/clock.js';
import { BACKENDS } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addShortCode } from '../helpers/fixtures.js';
import { sdkClient } from '../helpers/sdk.js';
// @ts-expect-error: the README's example is plain JavaScript.
import { startWebhook } from '../../examples/webhook.mjs';

type Webhook = { app: { close(): Promise<void> }; received: Record<string, string>[]; url: string };

/** The README's "Receiving messages" example, run as written against a real server. */
for (const backend of BACKENDS) {
  describe(`${backend}: the README's webhook example`, () => {
    const clock = new FakeClock('2026-03-01T00:00:00Z');
    let server: TestServer & { cleanup(): Promise<void> };
    let webhook: Webhook;

    before(async () => {
      server = await startTestServer(backend, { clock });
      webhook = (await startWebhook({ authToken: server.account.auth_token, port: 0 })) as Webhook;
    });
    after(async () => {
      await webhook.app.close();
      await server.cleanup();
    });

    test('verifies the signature, replies with TwiML, and the reply reaches the handset', async () => {
      const client = sdkClient(server);
      const shortCode = await addShortCode(server);
      const service = await client.messaging.v1.services.create({ friendlyName: 'Inbound', inboundRequestUrl: webhook.url });
      await client.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: shortCode.sid });

      const sent = await server.request('POST', `/_shortroute/Accounts/${server.account.sid}/Handsets/+14155550142/Messages`, {
        To: shortCode.short_code,
        Body: 'hello',
      });
      assert.equal(sent.status, 201, sent.text);
      await server.network.settle();
      // The reply leaves the short code within 10 ms; its receipt comes 1 s after.
      for (const step of [10, 1_000]) {
        clock.advance(step);
        await server.network.settle();
      }

      assert.equal(webhook.received.length, 1);
      assert.equal(webhook.received[0]!.Body, 'hello');
      assert.equal(webhook.received[0]!.To, shortCode.short_code);
      const handset = await server.request('GET', `/_shortroute/Accounts/${server.account.sid}/Handsets/+14155550142/Messages`);
      assert.deepEqual(
        handset.body.messages.map((m: { from: string; body: string; status: string }) => [m.from, m.body, m.status]),
        [[shortCode.short_code, 'You said: hello', 'delivered']],
      );
      const inbound = await client.messages(sent.body.sid).fetch();
      assert.equal(inbound.direction, 'inbound');
      assert.equal(inbound.status, 'received');
    });
  });
}
