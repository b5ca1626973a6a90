import { operations as op } from '../../generated/api.js';
import type { OperationSpec } from '../../http/operation.js';
import { CAPABILITIES } from './phone-numbers.js';

const capability = { name: 'Capabilities', in: 'body', required: false, type: 'string', enum: CAPABILITIES } as const;

/**
 * Twilio's create, plus Shortroute's extension `Capabilities` (repeat the key: Voice, SMS, MMS,
 * Fax), so that tests can hold a number that cannot message.
 */
export const createPhoneNumberOp = {
  ...op.v2010CreateIncomingPhoneNumber,
  params: [...op.v2010CreateIncomingPhoneNumber.params, { ...capability, type: 'array', items: capability }] as const,
} satisfies OperationSpec;
