// The console's Services and Webhooks views, and the Messages view's server-side filters and
// keyboard use, in a real browser (Debian's Chromium, driven by playwright-core): a short code
// added to a pool and removed from it through the page lands in the API; the account switcher
// shows a subaccount's own services; a failing status callback shows its error, its request
// (signature included) and its retry; a message is found by status and opened with the keyboard;
// bursts and late commits leave no message where "Older" cannot reach it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BACKENDS } from '../helpers/backends.js';
import { launchBrowser } from '../helpers/browser.js';
import { addService, addShortCode, addSubaccount } from '../helpers/fixtures.js';
import { addToPool, advanceClock, storedMessage, usNumber, useMessagingServer, type StartedServer } from '../helpers/messaging.js';
import { sdkClient } from '../helpers/sdk.js';
import { basicAuth, form, send } from '../helpers/server.js';

/** The console's address with the credentials in it, as a script or CI opens it. */
const urlWithCredentials = (server: StartedServer) => `${new URL(server.url).origin.replace('//', `//${server.account.sid}:${server.account.auth_token}@`)}/`;

for (const backend of BACKENDS) {
  describe(`[${backend}] the console's services, webhooks and filters, in Chromium`, () => {
    const env = useMessagingServer(backend, {}, 'test');
    let browser: Browser;
    before(async () => {
      browser = await launchBrowser();
    });
    after(() => browser?.close());

    async function signedIn(): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(urlWithCredentials(env.server));
      await page.getByText('● live').waitFor();
      return page;
    }
    /**
     * Clicks "Older messages" until every one of `sids` is shown; what is still missing once Older
     * is gone and 10 s pass with nothing new. A row committed after a read comes with its event, a
     * poll and a refresh later, so a list may lack it for a moment, never for good.
     */
    async function missingAfterOlder(page: Page, sids: string[]): Promise<string[]> {
      const older = page.getByRole('button', { name: 'Older messages' });
      for (;;) {
        const state = await page
          .waitForFunction(
            (wanted) => {
              const shown = new Set([...document.querySelectorAll('tr[data-sid]')].map((row) => row.getAttribute('data-sid')));
              if (wanted.every((sid) => shown.has(sid))) return 'shown';
              return [...document.querySelectorAll('button')].some((b) => b.textContent?.trim() === 'Older messages') ? 'older' : false;
            },
            sids,
            { timeout: 10_000 },
          )
          .then(
            (handle) => handle.jsonValue(),
            () => 'stuck',
          );
        if (state === 'shown') return [];
        if (state === 'stuck') {
          const shown = new Set(await page.locator('tr[data-sid]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-sid'))));
          return sids.filter((sid) => !shown.has(sid));
        }
        const rows = await page.locator('tr[data-sid]').count();
        await older.click();
        await page.waitForFunction((n) => document.querySelectorAll('tr[data-sid]').length > n, rows);
      }
    }
    /**
     * Holds the first of the page's requests for an older page (a PageToken read of the
     * messages) until `release()`, and counts them all.
     */
    async function holdFirstOlderRead(page: Page): Promise<{ asked: Promise<void>; release: () => void; reads: () => number }> {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let reached!: () => void;
      const asked = new Promise<void>((resolve) => (reached = resolve));
      let reads = 0;
      await page.route(
        (url) => url.pathname.endsWith('/Messages') && url.searchParams.has('PageToken'),
        async (route) => {
          if (reads++ === 0) {
            reached();
            await held;
          }
          await route.continue();
        },
      );
      return { asked, release, reads: () => reads };
    }
    /** How many of `sids` the list shows. */
    const shownOf = (page: Page, sids: string[]) =>
      page.locator('tr[data-sid]').evaluateAll((rows, wanted) => rows.filter((row) => wanted.includes(row.getAttribute('data-sid') ?? '')).length, sids);
    const pool = async (serviceSid: string) => {
      const reply = await env.server.request('GET', `/v1/Services/${serviceSid}/ShortCodes`);
      assert.equal(reply.status, 200, reply.text);
      return (reply.body.short_codes as Array<{ sid: string }>).map((m) => m.sid);
    };

    test('Services: the pool and settings show; a short code is added and removed through the page, and stays on the account', async () => {
      const service = await addService(env.server, { FriendlyName: 'Alerts', InboundRequestUrl: 'https://example.com/inbound', ValidityPeriod: '600' });
      const inPool = await addShortCode(env.server, { CountryCode: 'US' });
      const spare = await addShortCode(env.server, { CountryCode: 'US' });
      await addToPool(env.server, service.sid, 'ShortCodes', inPool.sid);
      const page = await signedIn();
      await page.getByRole('button', { name: 'Services' }).click();
      await page.getByRole('button', { name: /Alerts/ }).click();
      const detail = page.getByRole('article', { name: 'Service Alerts' });
      await detail.getByText('POST https://example.com/inbound').waitFor();
      await detail.getByText('600 s').waitFor();
      const codes = detail.getByRole('region', { name: 'Short codes' });
      await codes.locator(`li[data-sid="${inPool.sid}"]`).waitFor();

      await codes.getByLabel('Add a short code').selectOption(spare.sid);
      await codes.getByRole('button', { name: 'Add' }).click();
      await codes.locator(`li[data-sid="${spare.sid}"]`).waitFor();
      assert.deepEqual((await pool(service.sid)).sort(), [inPool.sid, spare.sid].sort());

      await codes.getByRole('button', { name: `Remove short code ${inPool.short_code} from the pool` }).click();
      await codes.locator(`li[data-sid="${inPool.sid}"]`).waitFor({ state: 'detached' });
      assert.deepEqual(await pool(service.sid), [spare.sid]);
      const onAccount = await env.server.request('GET', `/2010-04-01/Accounts/${env.server.account.sid}/SMS/ShortCodes/${inPool.sid}.json`);
      assert.equal(onAccount.status, 200, 'removed from the pool, still on the account');

      // The API's own refusal shows: an alpha sender of digits only.
      const alpha = detail.getByRole('region', { name: 'Alphanumeric sender' });
      await alpha.getByLabel('Add an alpha sender').fill('12345');
      await alpha.getByRole('button', { name: 'Add' }).click();
      await detail.getByRole('alert').waitFor();
      await page.context().close();
    });

    test("Services follows the account switcher: a subaccount's own services, none of its parent's", async () => {
      await addService(env.server, { FriendlyName: 'Parent service' });
      const sub = await addSubaccount(env.server, { FriendlyName: 'Tenant' });
      const created = await send(`${env.server.url}/v1/Services`, 'POST', basicAuth(sub.sid, sub.auth_token), form({ FriendlyName: 'Tenant service' }));
      assert.equal(created.status, 201, created.text);
      const page = await signedIn();
      await page.getByRole('button', { name: 'Services' }).click();
      await page.getByRole('button', { name: /Parent service/ }).waitFor();
      await page.getByLabel('Account').selectOption(sub.sid);
      await page.getByRole('button', { name: /Tenant service/ }).waitFor();
      assert.equal(await page.getByRole('button', { name: /Parent service/ }).count(), 0);
      await page.context().close();
    });

    test('Webhooks: a failing status callback shows 11200 with its title, the signed request, the answer and the next attempt', async () => {
      env.receiver.answer({ status: 503, contentType: 'text/plain', body: 'down for maintenance' });
      const page = await signedIn();
      await page.getByRole('button', { name: 'Webhooks' }).click();
      const sent = await sdkClient(env.server).messages.create({
        from: '+15005550006',
        to: usNumber('415'),
        body: 'watch my callback',
        statusCallback: `${env.receiver.url}/status`,
      });
      await advanceClock(env.server, env.clock, 2_000);
      await env.receiver.waitFor(1);
      const failing = page.locator('.webhook-list > li').filter({ hasText: '11200' }).first();
      await failing.getByText('HTTP retrieval failure').waitFor();
      const entry = page.locator(`.webhook-list > li[data-sid="${await failing.getAttribute('data-sid')}"]`);
      await entry.locator('summary').click();
      await entry.getByText(/X-Twilio-Signature: \S+/i).waitFor();
      await entry.getByText(`MessageSid=${sent.sid}`).waitFor();
      await entry.getByText('down for maintenance').waitFor();
      await entry.getByText(/next attempt/).waitFor();

      // The retry succeeds: the entry moves to delivered without a reload.
      env.receiver.answer({ status: 204 });
      await advanceClock(env.server, env.clock, 120_000, 10_000);
      await entry.locator('.hook-status[data-status="delivered"]').waitFor();
      await page.context().close();
    });

    test('Messages: status and direction filter on the server; a message opens with the keyboard alone', async () => {
      const client = sdkClient(env.server);
      const unreachable = usNumber('415');
      const rule = await env.server.request('POST', `/_shortroute/Accounts/${env.server.account.sid}/DeliveryRules`, { To: unreachable, ErrorCode: '30003' });
      assert.equal(rule.status, 201, rule.text);
      const failing = await client.messages.create({ from: '+15005550006', to: unreachable, body: 'to an unreachable handset' });
      // More than a page above it: only the server's filter finds it.
      const later = [];
      for (let i = 0; i < 55; i++) later.push(await client.messages.create({ from: '+15005550006', to: usNumber('415'), body: `a fine one, ${i}` }));
      const fine = later.at(-1)!;
      await advanceClock(env.server, env.clock, 5_000, 1_000);
      const page = await signedIn();
      const rowOf = (sid: string) => page.locator(`tr[data-sid="${sid}"]`);
      await rowOf(fine.sid).waitFor();
      assert.equal(await rowOf(failing.sid).count(), 0, 'not on the first page');
      await page.getByLabel('Status').selectOption('undelivered');
      await rowOf(fine.sid).waitFor({ state: 'detached' });
      await rowOf(failing.sid).waitFor();
      await page.getByLabel('Direction').selectOption('inbound');
      await rowOf(failing.sid).waitFor({ state: 'detached' });
      await page.getByLabel('Direction').selectOption('outbound');
      await rowOf(failing.sid).waitFor();

      // Keyboard only: Tab to the message's button, Enter opens it.
      const target = rowOf(failing.sid).getByRole('button');
      await page.locator('body').focus();
      for (let i = 0; i < 40 && !(await target.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab');
      assert.ok(await target.evaluate((e) => e === document.activeElement), 'the message is reached with Tab');
      await page.keyboard.press('Enter');
      const detail = page.getByRole('complementary', { name: `Message ${failing.sid}` });
      await detail.getByText('30003: Unreachable destination handset').waitFor();
      await page.context().close();
    });

    test('a burst of more than a page while the list is open: every message is shown or reachable with Older', async () => {
      const page = await signedIn();
      const client = sdkClient(env.server);
      const first = await client.messages.create({ from: '+15005550006', to: usNumber('415'), body: 'before the burst' });
      await page.locator(`tr[data-sid="${first.sid}"]`).waitFor();
      // At once: more than a page arrives within one of the list's refreshes.
      const burst = (
        await Promise.all(Array.from({ length: 70 }, (_, i) => client.messages.create({ from: '+15005550006', to: usNumber('415'), body: `burst ${i}` })))
      ).map((m) => m.sid);
      await page.waitForFunction(
        (sids) => [...document.querySelectorAll('tr[data-sid]')].filter((r) => sids.includes(r.getAttribute('data-sid') ?? '')).length >= 50,
        burst,
      );
      assert.deepEqual(await missingAfterOlder(page, [first.sid, ...burst]), [], 'no message skipped');
      await page.context().close();
    });

    test('a message that commits after the rows around it were read is shown in its place', async () => {
      // Sends run concurrently: one created before another may commit after it. Here a message
      // dated between two rows already shown (below the newest page) commits once they are read.
      const store = env.server.store;
      const base = Date.parse('2030-01-01T00:00:00.000Z');
      const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();
      const row = (seconds: number, body: string) => storedMessage(env.server.account.sid, body, at(seconds));
      const rows = Array.from({ length: 60 }, (_, i) => row(i, `seeded ${i}`));
      await store.messages.insertMany(rows);
      const page = await signedIn();
      await page.locator(`tr[data-sid="${rows[59]!.sid}"]`).waitFor();
      await page.getByRole('button', { name: 'Older messages' }).click();
      await page.locator(`tr[data-sid="${rows[0]!.sid}"]`).waitFor();

      const late = row(5.5, 'committed late');
      await store.transaction(async (tx) => {
        await tx.messages.insert(late);
        await tx.messages.addEvent({ message_sid: late.sid, status: 'delivered', detail: null, date: env.clock.now().toISOString() });
      });
      await page.locator(`tr[data-sid="${late.sid}"]`).waitFor({ timeout: 10_000 });
      const order = await page.locator('tr[data-sid]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-sid')));
      assert.equal(order.indexOf(late.sid), order.indexOf(rows[6]!.sid) + 1, 'between the rows it was created between');
      assert.equal(order.indexOf(rows[5]!.sid), order.indexOf(late.sid) + 1);
      await page.context().close();
    });

    test('"Older" answered after a burst brought a new newest page: read again from the new end, nothing skipped', async () => {
      // Dated after every other test's messages (the late commit's 2030 included): the newest rows.
      const store = env.server.store;
      const at = (year: number, seconds: number) => new Date(Date.parse(`${year}-01-01T00:00:00.000Z`) + seconds * 1000).toISOString();
      const before = Array.from({ length: 60 }, (_, i) => storedMessage(env.server.account.sid, `before ${i}`, at(2031, i)));
      await store.messages.insertMany(before);
      const page = await signedIn();
      await page.locator(`tr[data-sid="${before[59]!.sid}"]`).waitFor();

      // The first read of an older page is held until the burst below has replaced the list.
      const { asked, release, reads } = await holdFirstOlderRead(page);
      await page.getByRole('button', { name: 'Older messages' }).click();
      await asked;

      const burst = Array.from({ length: 60 }, (_, i) => storedMessage(env.server.account.sid, `burst ${i}`, at(2032, i)));
      await store.transaction(async (tx) => {
        await tx.messages.insertMany(burst);
        await tx.messages.addEvent({ message_sid: burst[59]!.sid, status: 'delivered', detail: null, date: env.clock.now().toISOString() });
      });
      await page.locator(`tr[data-sid="${burst[59]!.sid}"]`).waitFor({ timeout: 10_000 });
      await page.locator(`tr[data-sid="${before[59]!.sid}"]`).waitFor({ state: 'detached' });
      const rows = await page.locator('tr[data-sid]').count();
      release();
      await page.waitForFunction((n) => document.querySelectorAll('tr[data-sid]').length > n, rows);
      assert.ok(reads() >= 2, 'the held page was read again from the new end');
      assert.deepEqual(
        await missingAfterOlder(
          page,
          [...burst, ...before].map((m) => m.sid),
        ),
        [],
        'no message skipped',
      );
      await page.context().close();
    });

    test('a double click on "Older" reads one page, and a patch made while a refresh reads further down stays', async () => {
      // Dated after every other test's rows: the newest.
      const store = env.server.store;
      const at = (seconds: number) => new Date(Date.parse('2033-01-01T00:00:00.000Z') + seconds * 1000).toISOString();
      const rows = Array.from({ length: 160 }, (_, i) => storedMessage(env.server.account.sid, `double ${i}`, at(i)));
      await store.messages.insertMany(rows);
      const sids = rows.map((m) => m.sid);
      const page = await signedIn();
      await page.locator(`tr[data-sid="${rows[159]!.sid}"]`).waitFor();

      const first = await holdFirstOlderRead(page);
      await page.getByRole('button', { name: 'Older messages' }).dblclick();
      await first.asked;
      first.release();
      await page.locator(`tr[data-sid="${rows[60]!.sid}"]`).waitFor();
      await page.getByRole('button', { name: 'Older messages' }).click();
      await page.locator(`tr[data-sid="${rows[10]!.sid}"]`).waitFor();
      assert.deepEqual([first.reads(), await shownOf(page, sids)], [2, 150], 'one page for the double click, one for the click');
      await page.unroute('**');

      // A refresh that looks below the newest page for a late row is held there; meanwhile an
      // event changes a row of the newest page, and the refresh's older copy must not undo it.
      const late = storedMessage(env.server.account.sid, 'double, committed late', at(100.5));
      const lookDown = await holdFirstOlderRead(page);
      await store.transaction(async (tx) => {
        await tx.messages.insert(late);
        await tx.messages.addEvent({ message_sid: late.sid, status: 'delivered', detail: null, date: env.clock.now().toISOString() });
      });
      await lookDown.asked;
      await store.messages.addEvent({ message_sid: rows[159]!.sid, status: 'failed', detail: null, date: env.clock.now().toISOString() });
      const newestStatus = page.locator(`tr[data-sid="${rows[159]!.sid}"] .status`);
      await page.locator(`tr[data-sid="${rows[159]!.sid}"] .status[data-status="failed"]`).waitFor();
      lookDown.release();
      await page.locator(`tr[data-sid="${late.sid}"]`).waitFor({ timeout: 10_000 });
      assert.equal(await newestStatus.getAttribute('data-status'), 'failed');
      await page.context().close();
    });
  });
}
