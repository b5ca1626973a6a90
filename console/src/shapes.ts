// The JSON the server sends, typed from the functions that build it (type-only imports: nothing of
// the server is bundled into the console).
import type { messageJson } from '../../src/resources/messages/serialize.js';
import type { MessageRouting } from '../../src/resources/shortroute/inspection.js';
import type { MessageEventData, WebhookEventData } from '../../src/events/feed.js';
import type { SelectionRule } from '../../src/sending/sender-selection.js';

export type Message = ReturnType<typeof messageJson>;
export type { MessageRouting, MessageEventData, WebhookEventData, SelectionRule };
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
