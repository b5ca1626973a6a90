import { operations as op } from '../../generated/api.js';
import type { TwilioRoutes } from '../../http/route.js';
import { memberParts, poolRoutes } from '../sender-pool/routes.js';
import { alphaSenderKind } from './service-alpha-senders.js';

/** /v1/Services/{ServiceSid}/AlphaSenders: the alpha sender in a service's sender pool. */
export function serviceAlphaSenderRoutes(routes: TwilioRoutes): void {
  poolRoutes(routes, {
    kind: alphaSenderKind,
    ops: { create: op.v1CreateAlphaSender, list: op.v1ListAlphaSender, fetch: op.v1FetchAlphaSender, delete: op.v1DeleteAlphaSender },
    key: 'alpha_senders',
    json: (row, owner, url) => {
      const { added, capabilities } = memberParts(row);
      return {
        sid: row.sid,
        account_sid: owner.accountSid,
        service_sid: owner.serviceSid,
        date_created: added,
        date_updated: added,
        alpha_sender: row.address,
        capabilities,
        url,
      };
    },
  });
}
