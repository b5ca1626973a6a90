/**
 * The closed sets of values the tables hold, as `as const` objects whose unions type the table
 * interfaces in schema.ts: a typo in a status is a compile error, not a row no query finds.
 */

/** A message's status, as Twilio names them (the spec's `message_status`). */
export const MESSAGE_STATUS = {
  accepted: 'accepted',
  scheduled: 'scheduled',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  failed: 'failed',
  delivered: 'delivered',
  undelivered: 'undelivered',
  receiving: 'receiving',
  received: 'received',
  read: 'read',
  canceled: 'canceled',
} as const;
export type MessageStatus = (typeof MESSAGE_STATUS)[keyof typeof MESSAGE_STATUS];

export const MESSAGE_DIRECTION = { inbound: 'inbound', outboundApi: 'outbound-api', outboundReply: 'outbound-reply' } as const;
export type MessageDirection = (typeof MESSAGE_DIRECTION)[keyof typeof MESSAGE_DIRECTION];

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
  /**
   * Handed to its sender's SMPP connector (status `sending`): submitted when the connector can,
   * or `failed` with 30036 when its validity period ends first (next_at is that end).
   */
  connector: 'connector',
} as const;
export type Step = (typeof STEP)[keyof typeof STEP];

export const SENDER_TYPE = { shortCode: 'short_code', phoneNumber: 'phone_number', alphaSender: 'alpha_sender' } as const;
export type SenderType = (typeof SENDER_TYPE)[keyof typeof SENDER_TYPE];

export const WEBHOOK_KIND = { statusCallback: 'status_callback', inbound: 'inbound', fallback: 'fallback' } as const;
export type WebhookKind = (typeof WEBHOOK_KIND)[keyof typeof WEBHOOK_KIND];

export const WEBHOOK_STATUS = { pending: 'pending', delivered: 'delivered', failed: 'failed' } as const;
export type WebhookStatus = (typeof WEBHOOK_STATUS)[keyof typeof WEBHOOK_STATUS];

/** How a delivery rule ends a recipient's messages. */
export const RULE_STATUS = { failed: 'failed', undelivered: 'undelivered' } as const;
export type RuleStatus = (typeof RULE_STATUS)[keyof typeof RULE_STATUS];

export const ACCOUNT_STATUS = { active: 'active', suspended: 'suspended', closed: 'closed' } as const;
export type AccountStatus = (typeof ACCOUNT_STATUS)[keyof typeof ACCOUNT_STATUS];
