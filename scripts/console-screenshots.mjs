// Takes the README's pictures of the console (docs/console/*.png): starts the built server in
// memory with a webhook receiver beside it, gives it a service, senders and some traffic through
// the API (a US and a GB recipient, an unreachable one, a handset's text answered with TwiML, a
// STOP and a failing status callback), then opens each view in Debian's Chromium.
//
//   npm run build && node scripts/console-screenshots.mjs
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}docs/console`;
const SID = `AC${'5c'.repeat(16)}`;
const TOKEN = 'screenshots-auth-token';
const AUTH = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;

/** The app's webhooks: inbound texts get a TwiML reply; the status callback of one path fails. */
const receiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.url === '/inbound') {
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end('<Response><Message>Thanks! Your appointment is confirmed. Reply STOP to opt out.</Message></Response>');
    } else if (request.url === '/flaky') {
      response.writeHead(503, { 'content-type': 'text/plain' });
      response.end('down for maintenance');
    } else {
      response.writeHead(204);
      response.end();
    }
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const hooks = `http://127.0.0.1:${receiver.address().port}`;

const port = 4700 + Math.floor(Math.random() * 200);
const server = spawn(process.execPath, [`${root}dist/bundle/shortroute.js`, 'start', '--in-memory', '--port', String(port), '--clock', 'manual'], {
  env: { ...process.env, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;

async function call(method, path, values) {
  const body = values && new URLSearchParams(values).toString();
  const headers = { authorization: AUTH, ...(body && { 'content-type': 'application/x-www-form-urlencoded' }) };
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
const account = `/2010-04-01/Accounts/${SID}`;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let browser;
try {
  for (let i = 0; ; i++) {
    try {
      await fetch(`${base}/_shortroute/health`);
      break;
    } catch (error) {
      if (i > 100) throw error;
      await pause(100);
    }
  }
  const service = await call('POST', '/v1/Services', {
    FriendlyName: 'Appointments',
    InboundRequestUrl: `${hooks}/inbound`,
    StatusCallback: `${hooks}/status`,
    ValidityPeriod: '3600',
  });
  const code = await call('POST', `${account}/SMS/ShortCodes.json`, { ShortCode: '84321', CountryCode: 'US', FriendlyName: 'Reminders' });
  await call('POST', `${account}/SMS/ShortCodes.json`, { ShortCode: '84322', CountryCode: 'US', FriendlyName: 'Spare' });
  const gb = await call('POST', `${account}/IncomingPhoneNumbers.json`, { PhoneNumber: '+447400123456', FriendlyName: 'UK line' });
  await call('POST', `/v1/Services/${service.sid}/ShortCodes`, { ShortCodeSid: code.sid });
  await call('POST', `/v1/Services/${service.sid}/PhoneNumbers`, { PhoneNumberSid: gb.sid });
  await call('POST', `/v1/Services/${service.sid}/AlphaSenders`, { AlphaSender: 'Clinic' });
  await call('POST', `/_shortroute/Accounts/${SID}/DeliveryRules`, { To: '+14155550199', ErrorCode: '30003' });
  const send = (to, body, extra = {}) => call('POST', `${account}/Messages.json`, { MessagingServiceSid: service.sid, To: to, Body: body, ...extra });
  await send('+14155550142', 'Your appointment is tomorrow at 10:00. Reply C to confirm.');
  await send('+447400654321', 'Your appointment is tomorrow at 10:00 (Short Code Reroute to the UK number).');
  await send('+14155550199', 'A reminder to a handset that cannot be reached.');
  await send('+12125550123', 'Your results are ready — see the patient portal.', { StatusCallback: `${hooks}/flaky` });
  await call('POST', `/_shortroute/Accounts/${SID}/Handsets/${encodeURIComponent('+14155550142')}/Messages`, { To: '84321', Body: 'C' });
  await call('POST', `/_shortroute/Accounts/${SID}/Handsets/${encodeURIComponent('+16465550100')}/Messages`, { To: '84321', Body: 'STOP' });
  // The manual clock answers once everything that fell due was done, webhooks included.
  await call('POST', '/_shortroute/Clock', { Advance: '5000' });

  mkdirSync(out, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.SHORTROUTE_CHROMIUM ?? '/usr/bin/chromium',
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(`http://${SID}:${TOKEN}@127.0.0.1:${port}/`);
  await page.getByText('● live').waitFor();
  const shoot = async (name) => {
    // The event stream stays open, so the network is never idle: wait for what a view loads.
    await page.getByText('Loading…').waitFor({ state: 'detached' });
    await page.screenshot({ path: `${out}/${name}.png` });
    console.log(`docs/console/${name}.png`);
  };

  await page.locator('tr[data-sid]').nth(3).getByRole('button').click();
  await page.locator('.detail .webhook summary').first().click();
  await shoot('messages');

  await page.getByRole('button', { name: 'Phone' }).click();
  await page.getByLabel('Handset number').fill('+14155550142');
  await page.getByLabel('Handset number').press('Tab');
  await page.getByText('Thanks! Your appointment').waitFor();
  await shoot('phone');

  await page.getByRole('button', { name: 'Services' }).click();
  await page.getByText('84321').first().waitFor();
  await shoot('services');

  await page.getByRole('button', { name: 'Webhooks' }).click();
  await page.locator('.webhook-list > li').filter({ hasText: '11200' }).first().locator('summary').click();
  await shoot('webhooks');

  await page.getByRole('button', { name: 'Opt-outs, rules & clock' }).click();
  await page.getByText('+16465550100').first().waitFor();
  await shoot('controls');

  const narrow = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'light' });
  const phone = await narrow.newPage();
  await phone.goto(`http://${SID}:${TOKEN}@127.0.0.1:${port}/`);
  await phone.locator('tr[data-sid]').first().waitFor();
  await phone.screenshot({ path: `${out}/messages-390px.png` });
  console.log('docs/console/messages-390px.png');
} finally {
  await browser?.close();
  server.kill('SIGTERM');
  receiver.close();
}
