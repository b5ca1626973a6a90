/**
 * Twilio's default opt-out handling on a Messaging Service or number (support article 223134027,
 * docs/messaging/tutorials/advanced-opt-out): a message that is exactly one keyword, in any case,
 * opts the sender out or back in, or asks for help; Twilio replies and still passes the message on.
 * Multi-word messages ("STOP PLEASE") are ordinary messages.
 */
export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'] as const;
export const OPT_IN_KEYWORDS = ['START', 'YES', 'UNSTOP'] as const;
export const HELP_KEYWORDS = ['HELP', 'INFO'] as const;

export type Keyword = { type: 'STOP' | 'START' | 'HELP'; reply: string };

/** Twilio's default replies on long codes. */
export const DEFAULT_REPLIES = {
  STOP: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
  START: 'You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
  HELP: 'Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
} as const;

export function keywordOf(body: string): Keyword | undefined {
  const word = body
    .trim()
    .replace(/[.!]+$/, '')
    .toUpperCase();
  if (/\s/.test(word)) return undefined;
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word)) return { type: 'STOP', reply: DEFAULT_REPLIES.STOP };
  if ((OPT_IN_KEYWORDS as readonly string[]).includes(word)) return { type: 'START', reply: DEFAULT_REPLIES.START };
  if ((HELP_KEYWORDS as readonly string[]).includes(word)) return { type: 'HELP', reply: DEFAULT_REPLIES.HELP };
  return undefined;
}
