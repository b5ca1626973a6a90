/**
 * The error codes a message can end with after it was accepted, with Twilio's titles (its error
 * dictionary, twilio.com/docs/api/errors/<code>), and whether it ends `failed` (never handed to
 * a carrier) or `undelivered` (the carrier's receipt said no).
 */
export const DELIVERY_ERRORS: Record<number, { title: string; status: 'failed' | 'undelivered' }> = {
  21211: { title: "Invalid 'To' Phone Number", status: 'failed' },
  21212: { title: "Invalid 'From' Number", status: 'failed' },
  21408: { title: 'Permission to send an SMS has not been enabled for the region indicated by the To number', status: 'failed' },
  21610: { title: 'Attempt to send to unsubscribed recipient', status: 'failed' },
  21612: { title: 'The To phone number is not currently reachable via SMS', status: 'failed' },
  21614: { title: "'To' number is not a valid mobile number", status: 'failed' },
  21703: { title: 'The Messaging Service does not have a phone number available to send a message', status: 'failed' },
  21704: { title: 'The Messaging Service contains no phone numbers', status: 'failed' },
  30001: { title: 'Queue overflow', status: 'failed' },
  30002: { title: 'Account suspended', status: 'failed' },
  30003: { title: 'Unreachable destination handset', status: 'undelivered' },
  30004: { title: 'Message blocked', status: 'undelivered' },
  30005: { title: 'Unknown destination handset', status: 'undelivered' },
  30006: { title: 'Landline or unreachable carrier', status: 'undelivered' },
  30007: { title: 'Message filtered', status: 'undelivered' },
  30008: { title: 'Unknown error', status: 'undelivered' },
  30034: { title: 'US A2P 10DLC - Message from an Unregistered Number', status: 'undelivered' },
  30036: { title: 'Validity Period Expired', status: 'failed' },
};

export function deliveryErrorTitle(code: number): string {
  return DELIVERY_ERRORS[code]?.title ?? `Error ${code}`;
}

/** The status a message ends in with this error: as listed, else `undelivered` for 30xxx carrier codes. */
export function statusForError(code: number): 'failed' | 'undelivered' {
  return DELIVERY_ERRORS[code]?.status ?? (code >= 30000 && code < 31000 ? 'undelivered' : 'failed');
}

/**
 * Twilio's test-credential recipients (twilio.com/docs/iam/test-credentials): a message to one of
 * these fails with its code, at once when sent with `From`, or after acceptance through a service.
 */
export const MAGIC_RECIPIENTS: Record<string, number> = {
  '+15005550001': 21211,
  '+15005550002': 21612,
  '+15005550003': 21408,
  '+15005550004': 21610,
  '+15005550009': 21614,
};

/** The error of a magic test recipient (E.164, `+` optional), if it is one. */
export function magicRecipientError(to: string): number | undefined {
  const key = `+${to.trim().replace(/^\+/, '')}`;
  return Object.hasOwn(MAGIC_RECIPIENTS, key) ? MAGIC_RECIPIENTS[key] : undefined;
}
