import type { Params } from '../http/params.js';

/**
 * How a parameter becomes a column, for every resource that stores what it is sent: `text` and
 * `int` as given, `url` with the empty value clearing it (null), `bool` as 0/1.
 */
export interface ColumnField {
  readonly param: string;
  readonly column: string;
  readonly kind: 'text' | 'int' | 'url' | 'bool';
}

/**
 * The columns of the parameters given (the others are left alone). `emptyName` is what an empty
 * FriendlyName stands for: a number's friendly name falls back to the number, as on create.
 */
export function columnsFrom(params: Params, fields: readonly ColumnField[], emptyName?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = params[field.param];
    if (value === undefined) continue;
    if (field.kind === 'bool') out[field.column] = value ? 1 : 0;
    else if (field.kind === 'url') out[field.column] = value === '' ? null : value;
    else if (field.column === 'friendly_name' && value === '' && emptyName !== undefined) out[field.column] = emptyName;
    else out[field.column] = value;
  }
  return out;
}
