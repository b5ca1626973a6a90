/**
 * How SMPP's answers become Twilio's statuses and error codes. docs/compatibility.md states the
 * same table for users.
 */

/** submit_sm_resp statuses that mean "not now": the part is submitted again after a pause. */
export const RETRY_LATER = new Map<number, string>([
  [0x58, 'ESME_RTHROTTLED'],
  [0x14, 'ESME_RMSGQFUL'],
  [0x08, 'ESME_RSYSERR'],
]);

/** submit_sm_resp statuses that refuse the message for good, with the Twilio code it fails with. */
const REFUSED = new Map<number, { name: string; errorCode: number }>([
  [0x0b, { name: 'ESME_RINVDSTADR', errorCode: 21211 }],
  [0x50, { name: 'ESME_RINVDSTTON', errorCode: 21211 }],
  [0x51, { name: 'ESME_RINVDSTNPI', errorCode: 21211 }],
  [0x0a, { name: 'ESME_RINVSRCADR', errorCode: 21212 }],
  [0x48, { name: 'ESME_RINVSRCTON', errorCode: 21212 }],
  [0x49, { name: 'ESME_RINVSRCNPI', errorCode: 21212 }],
]);

/** The Twilio error a refused submit fails its message with (`failed`): 30008 when SMPP's status says no more. */
export function submitRefusal(commandStatus: number): { name: string; errorCode: number } {
  return REFUSED.get(commandStatus) ?? { name: commandStatusName(commandStatus), errorCode: 30008 };
}

export function commandStatusName(status: number): string {
  return `0x${status.toString(16).padStart(8, '0')}`;
}

/**
 * A receipt's final state as the message's end: DELIVRD is `delivered`; the others end it
 * `undelivered` or `failed` with a code from Twilio's dictionary. ENROUTE and ACCEPTD are not final
 * (the message stays `sent`).
 */
export const RECEIPT_OUTCOMES: Record<string, { status: 'delivered' | 'undelivered' | 'failed'; errorCode: number | null }> = {
  DELIVRD: { status: 'delivered', errorCode: null },
  UNDELIV: { status: 'undelivered', errorCode: 30003 },
  EXPIRED: { status: 'undelivered', errorCode: 30003 },
  DELETED: { status: 'undelivered', errorCode: 30008 },
  UNKNOWN: { status: 'undelivered', errorCode: 30008 },
  REJECTD: { status: 'failed', errorCode: 30007 },
};
