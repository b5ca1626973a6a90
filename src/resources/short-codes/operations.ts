import { operations as op } from '../../generated/api.js';
import type { OperationSpec } from '../../http/operation.js';
import { CAPABILITIES } from './short-codes.js';

const LIST_PATH = '/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes.json';
const INSTANCE_PATH = '/2010-04-01/Accounts/{AccountSid}/SMS/ShortCodes/{Sid}.json';
const capability = { name: 'Capabilities', in: 'body', required: false, type: 'string', enum: CAPABILITIES } as const;

/**
 * Shortroute's extensions to the short code resource. Twilio provisions short codes by
 * application, so its spec has no create or delete; they are declared here in its terms.
 */
export const shortCodeExtensions = {
  create: {
    method: 'POST',
    path: LIST_PATH,
    operationId: 'CreateShortCode (Shortroute extension)',
    params: [
      { name: 'ShortCode', in: 'body', required: true, type: 'string' },
      { name: 'CountryCode', in: 'body', required: false, type: 'string' },
      { name: 'FriendlyName', in: 'body', required: false, type: 'string' },
      { ...capability, type: 'array', items: capability },
    ],
    status: 201,
    response: op.v2010FetchShortCode.response,
  },
  delete: { method: 'DELETE', path: INSTANCE_PATH, operationId: 'DeleteShortCode (Shortroute extension)', params: [], status: 204, response: null },
} as const satisfies Record<string, OperationSpec>;
