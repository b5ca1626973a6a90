// The JSON the server sends, typed from the functions that build it (type-only imports: nothing of
// the server is bundled into the console).
import type { messageJson } from '../../src/resources/messages/serialize.js';
import type { MessageRouting } from '../../src/resources/shortroute/inspection.js';
import type { MessageEventData, WebhookEventData } from '../../src/events/feed.js';
import type { SelectionRule } from '../../src/sending/sender-selection.js';
import type { serviceJson } from '../../src/resources/services/serialize.js';
import type { shortCodeJson } from '../../src/resources/short-codes/serialize.js';
import type { phoneNumberJson } from '../../src/resources/phone-numbers/serialize.js';

export type Message = ReturnType<typeof messageJson>;
export type { MessageRouting, MessageEventData, WebhookEventData, SelectionRule };
export type Service = ReturnType<typeof serviceJson>;
export type ShortCode = ReturnType<typeof shortCodeJson>;
export type PhoneNumber = ReturnType<typeof phoneNumberJson>;
export type WebhookLog = MessageRouting['webhooks'][number];

/** GET /_shortroute/console/session */
export interface Session {
  account_sid: string;
  api_key_sid: string | null;
  accounts: Array<{ sid: string; friendly_name: string; status: string; owner_account_sid: string | null }>;
}

/** A page of the 2010 Messages list. */
export interface MessagePage {
  messages: Message[];
  next_page_uri: string | null;
}

/** Twilio's error body. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** A member of a service's sender pool (/v1/Services/{sid}/ShortCodes, PhoneNumbers, AlphaSenders). */
export interface PoolMember {
  sid: string;
  short_code?: string;
  phone_number?: string;
  alpha_sender?: string;
  country_code?: string;
  capabilities: string[];
}
