/** What the network does next with a message (its `next_step`), at its `next_at`. */
export const STEP = {
  /** Choose the sender (Copilot) if none was given, and take a place in the sender's queue. */
  route: 'route',
  /** The sender's turn: start transmitting (status `sending`), or fail outright. */
  send: 'send',
  /** Transmitted: handed to the carrier (status `sent`). */
  sent: 'sent',
  /** The carrier's receipt: `delivered` or `undelivered`. */
  deliver: 'deliver',
  /** Waited in the queue past its validity period: `failed`, 30036. */
  expire: 'expire',
} as const;
export type Step = (typeof STEP)[keyof typeof STEP];
