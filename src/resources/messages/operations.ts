import { operations as op } from '../../generated/api.js';
import type { OperationSpec } from '../../http/operation.js';

/**
 * Twilio's create, with `To` read as optional: its absence is Twilio's 21604, not the generic
 * missing-parameter 20001.
 */
export const createMessageOp: OperationSpec = {
  ...op.v2010CreateMessage,
  params: op.v2010CreateMessage.params.map((p) => (p.name === 'To' ? { ...p, required: false } : p)),
};
