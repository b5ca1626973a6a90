/**
 * Every error Shortroute answers with, as Twilio shapes it: `{code, message, more_info, status}`
 * (the body twilio-node's RestException reads). Domain code throws these; one handler writes them.
 * Codes and titles come from Twilio's error dictionary; the HTTP status of the ones the
 * dictionary does not state is recorded in docs/compatibility.md.
 */
export class TwilioError extends Error {
  readonly status: number;
  readonly code: number;
  readonly moreInfo: string;

  constructor(status: number, code: number, message: string) {
    super(message);
    this.name = 'TwilioError';
    this.status = status;
    this.code = code;
    this.moreInfo = `https://www.twilio.com/docs/errors/${code}`;
  }

  toJSON(): { code: number; message: string; more_info: string; status: number } {
    return { code: this.code, message: this.message, more_info: this.moreInfo, status: this.status };
  }
}

// Generic (20xxx)
export const missingParameter = (name: string) => new TwilioError(400, 20001, `Missing required parameter ${name} in the post body`);
export const invalidParameter = (name: string, why: string) => new TwilioError(400, 20001, `Invalid parameter ${name}: ${why}`);
export const unauthenticated = (why = 'Authenticate') => new TwilioError(401, 20003, why);
export const forbiddenAccount = (accountSid: string) => new TwilioError(401, 20003, `Authenticated account cannot access account ${accountSid}`);
/** A browser's request from another site (it carries the credentials the browser keeps for this origin). */
export const crossSiteRefused = () =>
  new TwilioError(403, 20403, 'Forbidden: a request from another site, or from the console without its X-Shortroute-Console header, cannot change anything');
export const methodNotAllowed = (method: string, path: string) => new TwilioError(405, 20004, `Method ${method} is not allowed on ${path}`);
export const pageSizeTooLarge = () => new TwilioError(400, 20007, 'Page size too large. The maximum page size is 1000.');
/** Twilio's v1 messages quote the path without the version prefix; 2010 ones quote it whole. */
export const notFound = (path: string) => new TwilioError(404, 20404, `The requested resource ${path} was not found`);
export const payloadTooLarge = (limit: number) => new TwilioError(413, 20413, `The request body is larger than the limit of ${limit} bytes`);
export const unsupportedMediaType = (type: string) =>
  new TwilioError(415, 20415, `Content-Type ${type} is not supported; send application/x-www-form-urlencoded`);
export const internalError = () => new TwilioError(500, 20500, 'An internal server error occurred');
export const notImplemented = (what: string) => new TwilioError(501, 20501, `${what} is not implemented by Shortroute`);
export const serviceUnavailable = (why: string) => new TwilioError(503, 20503, `Service unavailable: ${why}`);
// The HTTPS proxy for Twilio's hosts (src/proxy/). Twilio has no proxy errors; these use its
// generic codes for the nearest HTTP status (docs/compatibility.md, "The HTTPS proxy").
export const notAnOpenProxy = (why: string) => new TwilioError(403, 20403, `Shortroute is not an open proxy: ${why}`);
export const proxyAuthenticationRequired = () =>
  new TwilioError(407, 20003, 'Proxy authentication required: put an account SID and auth token (or an API key SID and secret) in the proxy URL');
export const misdirectedRequest = (host: string, tunnel: string) =>
  new TwilioError(421, 20403, `Misdirected request: this tunnel is to ${tunnel}, not ${host}`);
export const productNotServed = (host: string, product: string) =>
  new TwilioError(404, 20404, `Shortroute does not serve ${product} (${host}); it serves Messaging on api.twilio.com and messaging.twilio.com`);
export const invalidPageToken = () => new TwilioError(400, 21481, 'Invalid PageToken');

// Phone numbers and short codes (21xxx)
export const invalidSender = (param: string, value: string) =>
  new TwilioError(400, 21421, `${param} ${value} is not a valid phone number or short code of this account`);
export const shortCodeUnavailable = (shortCode: string, country: string) =>
  new TwilioError(400, 21422, `Short code ${shortCode} (${country}) is not available: another account or this one holds it`);

export const phoneNumberUnavailable = (number: string) =>
  new TwilioError(400, 21422, `Phone number ${number} is not available: another account or this one holds it`);
export const invalidAreaCode = (areaCode: string) => new TwilioError(400, 21451, `Invalid area code ${areaCode}: no phone numbers can be found in it`);
export const noMessagingCapability = (number: string) => new TwilioError(400, 21715, `Phone Number ${number} does not have SMS or MMS capability`);
export const invalidAlphaSender = (why: string) =>
  new TwilioError(400, 21709, `Alpha Sender ID is Invalid or Not Authorized for this Messaging Service: ${why}`);

// Messaging Services (217xx)
export const senderAlreadyInService = () => new TwilioError(409, 21710, 'Phone Number or Short Code is already in the Messaging Service.');
export const senderInAnotherService = () => new TwilioError(400, 21712, 'Phone Number or Short Code is associated with another Messaging Service.');
export const invalidUsecase = (value: string) =>
  new TwilioError(
    400,
    21713,
    `Messaging Service Use Case is Invalid: '${value}' is not one of discussion, marketing, notifications, poll, undeclared, verification`,
  );
export const poolFull = (limit: number) =>
  new TwilioError(400, 21714, `Messaging Service Number Pool size limit reached (${limit} phone numbers and short codes)`);
export const invalidValidityPeriod = (value: string) =>
  new TwilioError(400, 21624, `Invalid validity period value ${value}: must be an integer from 1 to 36000`);

// Accounts and API keys. Twilio answers its auth errors as 20003 ("Permission Denied" /
// "Authenticate"), e.g. a Standard key fetching an Account (twilio/twilio-python#259).
export const accountInactive = (accountSid: string, status: string) => new TwilioError(401, 20003, `Account ${accountSid} is ${status}`);
export const apiKeyNotPermitted = () =>
  new TwilioError(401, 20003, 'API keys cannot use the Accounts and Keys resources; authenticate with the account SID and auth token');
export const subaccountCannotCreateSubaccounts = () => new TwilioError(401, 20003, "Subaccounts cannot create subaccounts; use the main account's credentials");
export const statusChangeOwnerOnly = (accountSid: string) => new TwilioError(401, 20003, `Only the owner of account ${accountSid} can change its status`);
export const accountClosedForGood = () => new TwilioError(400, 21479, 'Unable to update Status for subaccount, subaccount is closed and can not be re-opened.');

// Messages (the Messages API, inbound texts and TwiML replies)

/**
 * Message create and update errors, with Twilio's codes and titles (its error dictionary). Twilio
 * answers them 400 unless noted; the choices where it is silent are in docs/compatibility.md.
 */
export const messageErrors = {
  toRequired: () => new TwilioError(400, 21604, "A 'To' phone number is required."),
  senderRequired: () => new TwilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message"),
  bodyRequired: () => new TwilioError(400, 21602, 'Message body is required.'),
  contentRequired: () => new TwilioError(400, 21619, 'A text message body, media URL or Content SID is required'),
  invalidTo: (to: string) => new TwilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`),
  toShortCode: (to: string) => new TwilioError(400, 21265, `'To' number cannot be a Short Code: ${to}`),
  sameToFrom: () => new TwilioError(400, 21266, "'To' and 'From' numbers cannot be the same"),
  invalidFrom: (from: string) => new TwilioError(400, 21212, `The 'From' number ${from} is not a valid phone number, short code, or alphanumeric sender ID.`),
  fromNotOwned: (from: string) =>
    new TwilioError(400, 21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`),
  fromNotMmsCapable: (from: string) =>
    new TwilioError(
      400,
      21606,
      `The From number ${from} is not MMS-capable: send MediaUrl from an MMS-capable number or short code, or through a service with MMS Converter.`,
    ),
  shortCodeCountry: (from: string, country: string) =>
    new TwilioError(
      400,
      21606,
      `The From short code ${from} cannot send to ${country}: for short codes, the From number must be in the same country as the To number.`,
    ),
  queueFull: (from: string) => new TwilioError(400, 21611, `This 'From' number ${from} has exceeded the maximum number of queued messages`),
  unreachable: (to: string) => new TwilioError(400, 21612, `The 'To' phone number ${to} is not currently reachable using the 'From' phone number via SMS.`),
  regionBlocked: (to: string) =>
    new TwilioError(400, 21408, `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`),
  unsubscribed: () => new TwilioError(400, 21610, 'Attempt to send to unsubscribed recipient'),
  notMobile: (to: string) => new TwilioError(400, 21614, `'To' number ${to} is not a valid mobile number`),
  bodyTooLong: () => new TwilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'),
  invalidMediaUrl: (url: string) => new TwilioError(400, 21620, `Invalid media URL(s): ${url}`),
  tooManyMedia: () => new TwilioError(400, 21623, 'Number of media files exceeds allowed limit: at most 10 MediaUrl per message'),
  invalidStatusCallback: (url: string) => new TwilioError(400, 21609, `Invalid 'StatusCallback': ${url}`),
  serviceNotFound: (sid: string) => new TwilioError(404, 21701, `The Messaging Service ${sid} does not exist`),
  invalidService: (sid: string) => new TwilioError(400, 21705, `The Messaging Service ${sid} is invalid`),
  senderNotInService: (from: string, sid: string) =>
    new TwilioError(400, 21711, `Sender ${from} is not associated with the specified Messaging Service ${sid}.`),
  sendAtMissing: () => new TwilioError(400, 35111, 'SendAt timestamp is missing'),
  sendAtUnsupported: (why: string) => new TwilioError(400, 35114, `Scheduling does not support this timestamp: ${why}`),
  scheduleNeedsService: () => new TwilioError(400, 35118, 'MessagingServiceSid is required to schedule a message'),
  cannotDelete: () => new TwilioError(400, 20009, 'Cannot delete this resource before it is complete'),
  invalidUpdate: (why: string) => new TwilioError(400, 30400, `Parameters are not valid: ${why}`),
  cannotCancel: (status: string) => new TwilioError(400, 30409, `This message cannot be canceled: its status is ${status}, and only scheduled messages can be`),
  /** A Twilio feature Shortroute does not simulate: 501 naming it, never a silent success. */
  unsupported: (param: string, why: string) => notImplemented(`${param} (${why})`),
};
