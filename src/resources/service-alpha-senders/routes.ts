import { operations as op } from '../../generated/api.js';
import type { TwilioRoutes } from '../../http/route.js';
import { poolRoutes } from '../sender-pool/routes.js';
import { alphaSenderKind } from './service-alpha-senders.js';

/** /v1/Services/{ServiceSid}/AlphaSenders: the alpha sender in a service's sender pool. */
export function serviceAlphaSenderRoutes(routes: TwilioRoutes): void {
  poolRoutes(routes, {
    kind: alphaSenderKind,
    ops: { create: op.v1CreateAlphaSender, list: op.v1ListAlphaSender, fetch: op.v1FetchAlphaSender, delete: op.v1DeleteAlphaSender },
    key: 'alpha_senders',
    addressField: 'alpha_sender',
    countryCode: false,
  });
}
