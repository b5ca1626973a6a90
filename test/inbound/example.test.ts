import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { addShortCode } from '../helpers/fixtures.js';
import { handsetInbox, textFromHandset, useTestServer } from '../helpers/messaging.js';
import { sdkClient } from '../helpers/sdk.js';
// @ts-expect-error: the README's example is plain JavaScript.
import { startWebhook } from '../../examples/webhook.mjs';

type Webhook = { app: { close(): Promise<void> }; received: Record<string, string>[]; url: string };

/** The README's "Receiving messages" example, run as written against a real server. */
for (const backend of BACKENDS) {
  describe(`${backend}: the README's webhook example`, () => {
    const env = useTestServer(backend);
    let webhook: Webhook;

    before(async () => {
      webhook = (await startWebhook({ authToken: env.server.account.auth_token, port: 0 })) as Webhook;
    });
    after(() => webhook?.app.close());

    test('verifies the signature, replies with TwiML, and the reply reaches the handset', async () => {
      const client = sdkClient(env.server);
      const shortCode = await addShortCode(env.server);
      const service = await client.messaging.v1.services.create({ friendlyName: 'Inbound', inboundRequestUrl: webhook.url });
      await client.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: shortCode.sid });

      const sent = await textFromHandset(env.server, '+14155550142', shortCode.short_code, 'hello');
      // The reply leaves the short code within 10 ms; its receipt comes 1 s after.
      for (const step of [10, 1_000]) {
        env.clock.advance(step);
        await env.server.background.settle();
      }

      assert.equal(webhook.received.length, 1);
      assert.equal(webhook.received[0]!.Body, 'hello');
      assert.equal(webhook.received[0]!.To, shortCode.short_code);
      const handset = await handsetInbox(env.server, '+14155550142');
      assert.deepEqual(
        handset.map((m) => [m.from, m.body, m.status]),
        [[shortCode.short_code, 'You said: hello', 'delivered']],
      );
      const inbound = await client.messages(sent.sid).fetch();
      assert.equal(inbound.direction, 'inbound');
      assert.equal(inbound.status, 'received');
    });
  });
}
