import { operations as op } from '../../generated/api.js';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v2010Page } from '../../http/paging.js';
import type { PhoneNumberRow } from '../../storage/store.js';
import { createPhoneNumberOp } from './operations.js';
import { createPhoneNumber, deletePhoneNumber, fetchPhoneNumber, listPhoneNumbers, updatePhoneNumber } from './phone-numbers.js';
import { phoneNumberJson } from './serialize.js';

/** /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers: the account's phone numbers. */
export function phoneNumberRoutes(routes: TwilioRoutes): void {
  const { deps } = routes;
  const keyOf = (row: PhoneNumberRow) => ({ date: row.date_created, sid: row.sid });

  twilioRoute(routes, createPhoneNumberOp, async ({ account, params }) => phoneNumberJson(await createPhoneNumber(deps, account.sid, params)));

  twilioRoute(
    routes,
    op.v2010ListIncomingPhoneNumber,
    async ({ account, params }) => {
      const request = readPaging(params);
      const result = await listPhoneNumbers(deps, account.sid, params, request.query);
      const filters = { PhoneNumber: params.PhoneNumber, FriendlyName: params.FriendlyName };
      const path = `/2010-04-01/Accounts/${account.sid}/IncomingPhoneNumbers.json`;
      return v2010Page({ path, key: 'incoming_phone_numbers', filters, request, result, keyOf, serialize: phoneNumberJson });
    },
    { errors: pagingErrors },
  );

  twilioRoute(routes, op.v2010FetchIncomingPhoneNumber, async ({ account, path }) => phoneNumberJson(await fetchPhoneNumber(deps, account.sid, path.Sid)));

  twilioRoute(routes, op.v2010UpdateIncomingPhoneNumber, async ({ account, path, params }) =>
    phoneNumberJson(await updatePhoneNumber(deps, account.sid, path.Sid, params)),
  );

  twilioRoute(routes, op.v2010DeleteIncomingPhoneNumber, async ({ account, path }) => deletePhoneNumber(deps, account.sid, path.Sid));
}
