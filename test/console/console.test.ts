// The web console in a real browser (Debian's Chromium, driven by playwright-core): signing in by
// the form and by Basic credentials in the URL, messages arriving live with Copilot's rule, the
// phone view's conversation with a real webhook receiver, STOP, a subaccount's own view, and on
// PostgreSQL a console on one node showing a message sent through another.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BACKENDS } from '../helpers/backends.js';
import { launchBrowser } from '../helpers/browser.js';
import { addService, addShortCode, addSubaccount } from '../helpers/fixtures.js';
import { addToPool, advanceClock, buyNumber, unique, useMessagingServer, usNumber, type StartedServer } from '../helpers/messaging.js';
import { sdkClient } from '../helpers/sdk.js';
import { startAnother } from '../helpers/server.js';

const gbNumber = () => `+447400${String(unique()).padStart(6, '0')}`;

/** The console's address with the credentials in it, as a script or CI opens it. */
function urlWithCredentials(server: StartedServer, sid = server.account.sid, token = server.account.auth_token): string {
  return `${new URL(server.url).origin.replace('//', `//${sid}:${token}@`)}/`;
}

async function signInWithForm(page: Page, server: StartedServer, sid: string, token: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.getByLabel('Account SID or API key SID').fill(sid);
  await page.getByLabel('Auth token or API key secret').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const signedInAs = (page: Page) => page.getByLabel('Signed in as');
const row = (page: Page, sid: string) => page.locator(`tr[data-sid="${sid}"]`);

for (const backend of BACKENDS) {
  describe(`[${backend}] the console, in Chromium`, () => {
    const env = useMessagingServer(backend, {}, 'test');
    let browser: Browser;
    before(async () => {
      browser = await launchBrowser();
    });
    after(() => browser?.close());

    async function newPage(): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      return context.newPage();
    }

    async function serviceWithShortCode(values: Record<string, string> = {}) {
      const service = await addService(env.server, { StickySender: 'false', ...values });
      const code = await addShortCode(env.server, { CountryCode: 'US' });
      await addToPool(env.server, service.sid, 'ShortCodes', code.sid);
      return { sid: service.sid as string, shortCode: code.short_code as string };
    }

    test('the form signs in; wrong credentials are refused; signing out shows the form again', async () => {
      const page = await newPage();
      await signInWithForm(page, env.server, env.server.account.sid, 'not-the-token');
      await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
      await page.getByLabel('Auth token or API key secret').fill(env.server.account.auth_token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await signedInAs(page).filter({ hasText: env.server.account.sid }).waitFor();
      const cookies = await page.context().cookies();
      const session = cookies.find((c) => c.name === 'shortroute_console');
      assert.ok(session, 'a session cookie');
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Strict');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.equal(
        (await page.context().cookies()).some((c) => c.name === 'shortroute_console' && c.value !== ''),
        false,
      );
      await page.context().close();
    });

    test('Basic credentials in the URL open it signed in', async () => {
      const page = await newPage();
      await page.goto(urlWithCredentials(env.server));
      await signedInAs(page).filter({ hasText: env.server.account.sid }).waitFor();
      await page.context().close();
    });

    test("a message sent with the Node SDK appears without a reload, moves to delivered, and shows Copilot's rule", async () => {
      const page = await newPage();
      await page.goto(urlWithCredentials(env.server));
      await page.getByText('● live').waitFor();
      const client = sdkClient(env.server);
      const us = await serviceWithShortCode();
      const gbSid = (await buyNumber(env.server, { PhoneNumber: gbNumber() })).sid as string;
      await addToPool(env.server, us.sid, 'PhoneNumbers', gbSid);

      const toUs = await client.messages.create({ messagingServiceSid: us.sid, to: usNumber('415'), body: 'to a US handset' });
      await row(page, toUs.sid).waitFor();
      await advanceClock(env.server, env.clock, 2_000);
      await row(page, toUs.sid).locator('[data-status="delivered"]').waitFor();
      await row(page, toUs.sid).getByRole('button').click();
      await page
        .getByTestId('rule')
        .filter({ hasText: /^Short code$/ })
        .waitFor();
      await page.getByTestId('detail-status').filter({ hasText: 'delivered' }).waitFor();

      const toGb = await client.messages.create({ messagingServiceSid: us.sid, to: gbNumber(), body: 'to a GB handset' });
      await row(page, toGb.sid).waitFor();
      await advanceClock(env.server, env.clock, 2_000);
      await row(page, toGb.sid).getByRole('button').click();
      await page.getByTestId('rule').filter({ hasText: 'Country code geomatch (Short Code Reroute)' }).waitFor();
      await page.context().close();
    });

    test("the phone view texts a short code: the service's webhook gets it, its TwiML reply shows in the thread; after STOP a send fails with 21610", async () => {
      env.receiver.answer({ status: 200, contentType: 'text/xml', body: '<Response><Message>Thanks, got it</Message></Response>' });
      const service = await serviceWithShortCode({ InboundRequestUrl: `${env.receiver.url}/inbound` });
      const handset = usNumber('212');
      const page = await newPage();
      await page.goto(urlWithCredentials(env.server));
      await page.getByRole('button', { name: 'Phone' }).click();
      await page.getByLabel('Handset number').fill(handset);
      await page.getByLabel('To').selectOption(service.shortCode);
      await page.getByLabel('Text').fill('hello from the console');
      await page.getByRole('button', { name: 'Send from handset' }).click();

      await env.receiver.waitFor(1);
      const inbound = env.receiver.requests[0]!;
      assert.equal(inbound.params.From, handset);
      assert.equal(inbound.params.To, service.shortCode);
      assert.equal(inbound.params.Body, 'hello from the console');
      await env.server.background.settle();
      const thread = page.getByRole('list', { name: `Conversation of ${handset}` });
      await thread.getByText('hello from the console').waitFor();
      await thread.getByText('Thanks, got it').waitFor();
      assert.equal(await page.getByLabel('Text').inputValue(), '', 'the text box is cleared after a send');
      assert.equal(await page.getByRole('alert').count(), 0, 'no error after a send');

      env.receiver.answer({ status: 200, contentType: 'text/xml', body: '<Response/>' });
      await page.getByLabel('Text').fill('STOP');
      await page.getByRole('button', { name: 'Send from handset' }).click();
      await thread.getByText('STOP', { exact: true }).waitFor();
      await env.server.background.settle();
      const blocked = await sdkClient(env.server).messages.create({ messagingServiceSid: service.sid, to: handset, body: 'after STOP' });
      await env.server.background.settle();
      await thread.locator(`li[data-sid="${blocked.sid}"]`).getByText('21610').waitFor();
      await page.context().close();
    });

    test("a subaccount signed in sees none of its parent's messages", async () => {
      const parent = await sdkClient(env.server).messages.create({ from: '+15005550006', to: usNumber('415'), body: "the parent's" });
      const sub = await addSubaccount(env.server, { FriendlyName: 'Tenant' });
      const page = await newPage();
      await signInWithForm(page, env.server, sub.sid, sub.auth_token);
      await signedInAs(page).filter({ hasText: sub.sid }).waitFor();
      await page.getByText('● live').waitFor();
      const own = await sdkClient(env.server, { username: sub.sid, password: sub.auth_token }).messages.create({
        from: '+15005550006',
        to: usNumber('415'),
        body: 'the subaccount’s own',
      });
      await row(page, own.sid).waitFor();
      assert.equal(await row(page, parent.sid).count(), 0);
      assert.deepEqual(await page.getByLabel('Account').locator('option').allTextContents(), [`Tenant (${sub.sid})`]);
      await page.context().close();
    });

    test('readable in a 390 px wide window', async () => {
      await addSubaccount(env.server, { FriendlyName: 'A subaccount with a rather long friendly name' });
      await sdkClient(env.server).messages.create({
        from: '+15005550006',
        to: usNumber('415'),
        body: 'A body long enough to need wrapping on a phone. '.repeat(3),
      });
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await page.goto(urlWithCredentials(env.server));
      await signedInAs(page).waitFor();
      await page.locator('tr[data-sid]').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${e.className}` : ''}`)
          .slice(0, 8),
      );
      assert.ok(overflow <= 0, `the page is ${overflow} px wider than the window: ${wide.join(', ')}`);
      await context.close();
    });

    if (backend === 'postgres') {
      test('a console on one node shows a message sent through another', async () => {
        const other = await startAnother(env.server);
        try {
          const page = await newPage();
          await page.goto(urlWithCredentials(env.server));
          await page.getByText('● live').waitFor();
          const sent = await sdkClient(other).messages.create({ from: '+15005550006', to: usNumber('415'), body: 'through node B' });
          await row(page, sent.sid).waitFor();
          await page.context().close();
        } finally {
          await other.close();
        }
      });
    }
  });
}
