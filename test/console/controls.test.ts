// The console's "Opt-outs, rules & clock" view in a real browser (Debian's Chromium, driven by
// playwright-core): delivery rules added and removed through its form, opt-outs following STOP,
// HELP and START live, the manual clock moved by its form (and no form on the system clock or for
// a subaccount), the reset behind its confirmation, the rule form by keyboard alone, and the view
// at 390 px.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BACKENDS } from '../helpers/backends.js';
import { launchBrowser } from '../helpers/browser.js';
import { addService, addShortCode, addSubaccount } from '../helpers/fixtures.js';
import { addToPool, textFromHandset, useMessagingServer, usNumber, type StartedServer } from '../helpers/messaging.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const VIEW = 'Opt-outs, rules & clock';

/** The console's address with the credentials in it, as a script or CI opens it. */
function urlWithCredentials(server: TestServer, sid = server.account.sid, token = server.account.auth_token): string {
  return `${new URL(server.url).origin.replace('//', `//${sid}:${token}@`)}/`;
}

/** A fresh handset number (phone numbers are unique per server; handsets need not be, but tests read better apart). */
const handset = () => usNumber('212');

async function rulesOf(server: TestServer): Promise<Array<{ to: string; status: string; error_code: number }>> {
  const reply = await server.request('GET', `/_shortroute/Accounts/${server.account.sid}/DeliveryRules`);
  assert.equal(reply.status, 200, reply.text);
  return reply.body.delivery_rules;
}

async function optOutsOf(server: TestServer): Promise<Array<{ scope: string; address: string; date_created: string }>> {
  const reply = await server.request('GET', `/_shortroute/Accounts/${server.account.sid}/OptOuts`);
  assert.equal(reply.status, 200, reply.text);
  return reply.body.opt_outs;
}

async function clockOf(server: TestServer): Promise<{ mode: string; now: string }> {
  const reply = await server.request('GET', '/_shortroute/Clock');
  assert.equal(reply.status, 200, reply.text);
  return reply.body;
}

const rulesTable = (page: Page) => page.getByRole('table', { name: 'Delivery rules' });
const ruleRow = (page: Page, to: string) => rulesTable(page).locator(`tr[data-to="${to}"]`);
const optOutsTable = (page: Page) => page.getByRole('table', { name: 'Opt-outs' });
const optOutRow = (page: Page, address: string) => optOutsTable(page).locator(`tr[data-address="${address}"]`);
const clockRegion = (page: Page) => page.getByRole('region', { name: 'Clock', exact: true });

for (const backend of BACKENDS) {
  describe(`[${backend}] the console's opt-outs, rules and clock, in Chromium`, () => {
    const env = useMessagingServer(backend, {}, 'test');
    let browser: Browser;
    before(async () => {
      browser = await launchBrowser();
    });
    after(() => browser?.close());

    /** A page signed in (by the URL's credentials) showing the view, its clock read. */
    async function openView(server: TestServer = env.server, sid?: string, token?: string, width = 1280): Promise<Page> {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      await page.goto(urlWithCredentials(server, sid, token));
      await page.getByRole('button', { name: VIEW }).click();
      await page.getByTestId('clock-mode').waitFor();
      return page;
    }

    async function serviceWithShortCode(server: StartedServer) {
      const service = await addService(server, { StickySender: 'false' });
      const code = await addShortCode(server, { CountryCode: 'US' });
      await addToPool(server, service.sid, 'ShortCodes', code.sid);
      return { sid: service.sid as string, shortCode: code.short_code as string };
    }

    test("a rule added through the form is listed, on the page and by the server; a bad code shows the server's error; Remove deletes it", async () => {
      const page = await openView();
      const to = handset();
      await page.getByLabel('Recipient').fill(to);
      await page.getByLabel('Error code').fill('30003');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await ruleRow(page, to).waitFor();
      // No Status: 30003's own, undelivered.
      assert.deepEqual(await rulesOf(env.server), [{ to, status: 'undelivered', error_code: 30003 }]);
      assert.equal(await ruleRow(page, to).locator('td').nth(1).textContent(), 'undelivered');

      // A status chosen over the code's own; the form was emptied after the first rule.
      const other = handset();
      assert.equal(await page.getByLabel('Recipient').inputValue(), '');
      await page.getByLabel('Recipient').fill(other);
      await page.getByLabel('Error code').fill('30003');
      await page.getByLabel('Status').selectOption('failed');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await ruleRow(page, other).waitFor();
      assert.equal((await rulesOf(env.server)).find((r) => r.to === other)?.status, 'failed');

      await page.getByLabel('Recipient').fill(handset());
      await page.getByLabel('Error code').fill('12');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await page.getByRole('alert').filter({ hasText: "Invalid parameter ErrorCode: '12' is not a five-digit Twilio error code (20001)" }).waitFor();
      assert.equal((await rulesOf(env.server)).length, 2);

      await page.getByRole('button', { name: `Remove rule for ${to}` }).click();
      await ruleRow(page, to).waitFor({ state: 'detached' });
      // Focus moves to the next rule's button, not to the page (once the list has rendered: a
      // busy machine can show the row gone a frame before the focus moves).
      const moved = await page
        .waitForFunction((label) => document.activeElement?.getAttribute('aria-label') === label, `Remove rule for ${other}`, { timeout: 5000 })
        .then(
          () => true,
          () => false,
        );
      assert.ok(moved, `focus is on "Remove rule for ${other}", not ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80))}`);
      await page.keyboard.press('Enter');
      await page.getByText('No delivery rules.').waitFor();
      assert.deepEqual(await rulesOf(env.server), []);
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'to', 'focus is back in the form');
      await page.context().close();
    });

    test('STOP shows the opt-out live, HELP changes nothing, START removes it', async () => {
      const service = await serviceWithShortCode(env.server);
      const page = await openView();
      await page.getByText('● live').waitFor();
      const stops = handset();
      const asksHelp = handset();
      const alsoStops = handset();

      await textFromHandset(env.server, stops, service.shortCode, 'STOP');
      await optOutRow(page, stops).waitFor();
      assert.match((await optOutRow(page, stops).textContent()) ?? '', new RegExp(`service ${service.sid}`));

      // HELP, then another STOP: once the second STOP shows, the page has read the list after HELP.
      await textFromHandset(env.server, asksHelp, service.shortCode, 'HELP');
      await textFromHandset(env.server, alsoStops, service.shortCode, 'STOP');
      await optOutRow(page, alsoStops).waitFor();
      const listed = await optOutsTable(page)
        .locator('tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-address')));
      assert.deepEqual(listed.sort(), [stops, alsoStops].sort());
      assert.deepEqual(
        (await optOutsOf(env.server)).map((o) => `${o.scope} ${o.address}`).sort(),
        [`${service.sid} ${stops}`, `${service.sid} ${alsoStops}`].sort(),
      );

      await textFromHandset(env.server, stops, service.shortCode, 'START');
      await optOutRow(page, stops).waitFor({ state: 'detached' });
      assert.equal(await optOutRow(page, alsoStops).count(), 1);
      assert.deepEqual(
        (await optOutsOf(env.server)).map((o) => o.address),
        [alsoStops],
      );
      await page.context().close();
    });

    test('the manual clock moves by the form; the system clock and a subaccount have no form', async () => {
      const page = await openView();
      await clockRegion(page).getByTestId('clock-mode').filter({ hasText: 'manual' }).waitFor();
      const before = await clockOf(env.server);
      assert.equal(await clockRegion(page).locator('time').getAttribute('datetime'), before.now);
      assert.equal(await page.getByLabel('Unit').inputValue(), 'minutes', 'minutes first');
      await page.getByLabel('Advance by').fill('2');
      await page.getByLabel('Unit').selectOption('minutes');
      await page.getByRole('button', { name: 'Advance', exact: true }).click();
      const expected = new Date(Date.parse(before.now) + 120_000).toISOString();
      await clockRegion(page).locator(`time[datetime="${expected}"]`).waitFor();
      await clockRegion(page).getByRole('status').filter({ hasText: 'Moved 2 minutes ahead.' }).waitFor();
      const afterMove = await clockOf(env.server);
      assert.equal(Date.parse(afterMove.now) - Date.parse(before.now), 120_000);
      assert.equal(env.clock.now().toISOString(), expected);
      await page.context().close();

      // A subaccount sees the clock but may not move it.
      const sub = await addSubaccount(env.server, { FriendlyName: 'Tenant' });
      const subPage = await openView(env.server, sub.sid, sub.auth_token);
      await clockRegion(subPage).getByText('Only a main account moves the clock').waitFor();
      assert.equal(await subPage.getByLabel('Advance by').count(), 0);
      assert.equal(await subPage.getByRole('button', { name: 'Advance', exact: true }).count(), 0);
      await subPage.context().close();

      const system = await startTestServer(backend);
      try {
        const systemPage = await openView(system);
        await clockRegion(systemPage).getByTestId('clock-mode').filter({ hasText: 'system' }).waitFor();
        await clockRegion(systemPage).getByText('--clock manual').waitFor();
        assert.equal(await systemPage.getByLabel('Advance by').count(), 0);
        assert.equal(await systemPage.getByRole('button', { name: 'Advance', exact: true }).count(), 0);
        const shown = Date.parse((await clockRegion(systemPage).locator('time').getAttribute('datetime'))!);
        assert.ok(Math.abs(shown - Date.now()) < 60_000, 'the system time is shown');
        await systemPage.context().close();
      } finally {
        await system.cleanup();
      }
    });

    test('Reset asks first: Escape and Cancel change nothing; confirming empties the account', async () => {
      const to = handset();
      const added = await env.server.request('POST', `/_shortroute/Accounts/${env.server.account.sid}/DeliveryRules`, { To: to, ErrorCode: '30005' });
      assert.equal(added.status, 201, added.text);
      const sent = await env.server.request('POST', `/2010-04-01/Accounts/${env.server.account.sid}/Messages.json`, {
        From: '+15005550006',
        To: usNumber('415'),
        Body: 'before the reset',
      });
      assert.equal(sent.status, 201, sent.text);
      const messagePath = `/2010-04-01/Accounts/${env.server.account.sid}/Messages/${sent.body.sid}.json`;

      const page = await openView();
      await ruleRow(page, to).waitFor();
      const dialog = page.getByRole('dialog', { name: `Reset account ${env.server.account.sid}?` });
      const opener = page.getByRole('button', { name: 'Reset account…' });
      const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());

      await opener.click();
      await dialog.waitFor();
      await dialog.getByText('credentials, API keys and subaccounts stay').waitFor();
      assert.equal(await focused(), 'Cancel', 'focus starts on Cancel');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await focused(), 'Reset account…', 'focus goes back to the button');

      await opener.click();
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.deepEqual(
        (await rulesOf(env.server)).map((r) => r.to),
        [to],
      );
      assert.equal((await env.server.request('GET', messagePath)).status, 200);
      await ruleRow(page, to).waitFor();

      await opener.click();
      await dialog.getByRole('button', { name: 'Reset', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('status').filter({ hasText: 'The account is empty.' }).waitFor();
      await page.getByText('No delivery rules.').waitFor();
      assert.deepEqual(await rulesOf(env.server), []);
      assert.deepEqual(await optOutsOf(env.server), []);
      assert.equal((await env.server.request('GET', messagePath)).status, 404);
      await page.context().close();
    });

    test('by keyboard alone: Tab to the view, Tab into the rule form, type, Enter adds the rule', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(urlWithCredentials(env.server));
      await page.getByLabel('Signed in as').filter({ hasText: env.server.account.sid }).waitFor();

      /** Presses Tab until the focused element is `what` (at most 60 times). */
      const tabTo = async (what: string, isIt: (label: string) => boolean) => {
        for (let presses = 0; presses < 60; presses++) {
          await page.keyboard.press('Tab');
          const label = await page.evaluate(() => {
            const e = document.activeElement;
            return `${e?.tagName} ${e?.closest('label')?.firstChild?.textContent?.trim() ?? e?.textContent?.trim() ?? ''}`;
          });
          if (isIt(label)) return;
        }
        assert.fail(`Tab never reached ${what}`);
      };
      await tabTo('the view’s button', (label) => label === `BUTTON ${VIEW}`);
      await page.keyboard.press('Enter');
      await page.locator('nav button[aria-current="page"]', { hasText: VIEW }).waitFor();
      await tabTo('Recipient', (label) => label === 'INPUT Recipient');
      const to = handset();
      await page.keyboard.type(to);
      await page.keyboard.press('Tab');
      await page.keyboard.type('30007');
      await page.keyboard.press('Enter');
      await ruleRow(page, to).waitFor();
      assert.deepEqual(
        (await rulesOf(env.server)).filter((r) => r.to === to),
        [{ to, status: 'undelivered', error_code: 30007 }],
      );
      await context.close();
    });

    test('readable in a 390 px wide window, a rule and an opt-out listed', async () => {
      const service = await serviceWithShortCode(env.server);
      const stops = handset();
      await textFromHandset(env.server, stops, service.shortCode, 'STOP');
      const added = await env.server.request('POST', `/_shortroute/Accounts/${env.server.account.sid}/DeliveryRules`, { To: handset(), ErrorCode: '30006' });
      assert.equal(added.status, 201, added.text);
      const page = await openView(env.server, undefined, undefined, 390);
      await optOutRow(page, stops).waitFor();
      await rulesTable(page).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      const wide = await page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => !e.closest('.controls-scroll') && e.getBoundingClientRect().right > window.innerWidth + 1)
          .map((e) => `${e.tagName.toLowerCase()}${e.className ? `.${e.className}` : ''}`)
          .slice(0, 8),
      );
      assert.ok(overflow <= 0, `the page is ${overflow} px wider than the window: ${wide.join(', ')}`);
      assert.deepEqual(wide, []);
      await page.context().close();
    });
  });
}
