"""A user's Python program, exactly as it would talk to the real Twilio.

Run under `shortroute exec` (or after `eval "$(shortroute env)"`), it reaches Shortroute through
the environment alone; it prints what it saw as one JSON line for the test to check.
"""
import json
import os

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

account_sid = os.environ["TWILIO_ACCOUNT_SID"]
client = Client(account_sid, os.environ["TWILIO_AUTH_TOKEN"])
seen = {"pageUrls": []}

service = client.messaging.v1.services.create(friendly_name="Unchanged from Python")
seen["serviceUrl"] = service.url

# Twilio has no API to obtain a short code; Shortroute's documented extension does.
for short_code in ["44444", "55555", "66666"]:
    response = client.request(
        "POST",
        f"https://api.twilio.com/2010-04-01/Accounts/{account_sid}/SMS/ShortCodes.json",
        data={"ShortCode": short_code, "CountryCode": "US"},
    )
    sid = json.loads(response.text)["sid"]
    client.messaging.v1.services(service.sid).short_codes.create(short_code_sid=sid)

page = client.messaging.v1.services(service.sid).short_codes.page(page_size=1)
seen["pages"] = []
while page is not None:
    seen["pages"].append([sc.short_code for sc in page])
    if page.next_page_url:
        seen["pageUrls"].append(page.next_page_url)
    page = page.next_page()

message = client.messages.create(messaging_service_sid=service.sid, to="+14155550123", body="Hello from Python")
seen["sent"] = {"status": message.status, "from": message.from_}
fetched = client.messages(message.sid).fetch()
seen["fetched"] = {"sid": fetched.sid, "body": fetched.body, "messagingServiceSid": fetched.messaging_service_sid}
seen["expectedSid"] = message.sid

try:
    client.messaging.v1.services("MG" + "0" * 32).fetch()
    seen["unknown"] = "found"
except TwilioRestException as error:
    seen["unknown"] = {"name": type(error).__name__, "status": error.status, "code": error.code}

print(json.dumps(seen))
