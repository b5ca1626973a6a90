// A user's Node program, exactly as it would talk to the real Twilio: no httpClient, no base URL.
// Run under `shortroute exec`, it reaches Shortroute through the variables exec sets; it prints
// what it saw as one JSON line for the test to check.
import twilio from 'twilio';

const accountSid = process.env.TWILIO_ACCOUNT_SID;
const client = twilio(accountSid, process.env.TWILIO_AUTH_TOKEN);
const seen = { pageUrls: [] };

const service = await client.messaging.v1.services.create({ friendlyName: 'Unchanged from Node' });
seen.serviceUrl = service.url;

// Twilio has no API to obtain a short code; Shortroute's documented extension does, through the SDK's generic request.
for (const shortCode of ['11111', '22222', '33333']) {
  const response = await client.request({
    method: 'post',
    uri: `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/SMS/ShortCodes.json`,
    data: { ShortCode: shortCode, CountryCode: 'US' },
  });
  const body = typeof response.body === 'string' ? JSON.parse(response.body) : response.body;
  await client.messaging.v1.services(service.sid).shortCodes.create({ shortCodeSid: body.sid });
}

let page = await client.messaging.v1.services(service.sid).shortCodes.page({ pageSize: 1 });
seen.pages = [];
while (page) {
  seen.pages.push(page.instances.map((sc) => sc.shortCode));
  if (page.nextPageUrl) seen.pageUrls.push(page.nextPageUrl);
  page = await page.nextPage();
}

const message = await client.messages.create({ messagingServiceSid: service.sid, to: '+14155550123', body: 'Hello from Node' });
seen.sent = { status: message.status, from: message.from };
const fetched = await client.messages(message.sid).fetch();
seen.fetched = { sid: fetched.sid, body: fetched.body, messagingServiceSid: fetched.messagingServiceSid };
seen.expectedSid = message.sid;

try {
  await client.messaging.v1.services(`MG${'0'.repeat(32)}`).fetch();
  seen.unknown = 'found';
} catch (error) {
  seen.unknown = { name: error.constructor.name, status: error.status, code: error.code };
}
console.log(JSON.stringify(seen));
