import { operations as op } from '../../generated/api.js';
import type { OperationSpec, ParamSpec } from '../../http/operation.js';

/** The same parameters, with `To` optional. */
type OptionalTo<T extends readonly ParamSpec[]> = {
  readonly [K in keyof T]: T[K] extends { name: 'To' } ? Omit<T[K], 'required'> & { readonly required: false } : T[K];
};

/**
 * Twilio's create, with `To` read as optional: its absence is Twilio's 21604, not the generic
 * missing-parameter 20001.
 */
export const createMessageOp = {
  ...op.v2010CreateMessage,
  params: op.v2010CreateMessage.params.map((p) => (p.name === 'To' ? { ...p, required: false } : p)) as unknown as OptionalTo<
    typeof op.v2010CreateMessage.params
  >,
} satisfies OperationSpec;
