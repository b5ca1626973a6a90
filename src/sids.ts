import { randomBytes } from 'node:crypto';

/** Twilio's SID prefixes: two letters, then 32 hex digits. */
export const SID_PREFIX = {
  account: 'AC',
  service: 'MG',
  shortCode: 'SC',
  phoneNumber: 'PN',
  alphaSender: 'AI',
  message: 'SM',
  mmsMessage: 'MM',
  media: 'ME',
  webhook: 'WH',
  apiKey: 'SK',
} as const;
export type SidPrefix = (typeof SID_PREFIX)[keyof typeof SID_PREFIX];

export function newSid(prefix: SidPrefix): string {
  return prefix + randomBytes(16).toString('hex');
}

export function isSid(prefix: SidPrefix, value: string): boolean {
  return value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));
}
