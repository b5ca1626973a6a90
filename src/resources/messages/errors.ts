import { notImplemented, TwilioError } from '../../http/errors.js';

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
