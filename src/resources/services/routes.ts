import { operations as op } from '../../generated/api.js';
import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { pagingErrors, readPaging, v1Page } from '../../http/paging.js';
import { createService, deleteService, fetchService, listServices, serviceParamErrors, updateService } from './services.js';
import { serviceJson } from './serialize.js';
import type { ServiceRow } from '../../storage/store.js';

/** /v1/Services: the Messaging Service resource. */
export function serviceRoutes(routes: TwilioRoutes): void {
  const { deps } = routes;
  const keyOf = (row: ServiceRow) => ({ date: row.date_created, sid: row.sid });

  twilioRoute(routes, op.v1CreateService, async ({ account, params, baseUrl }) => serviceJson(await createService(deps, account.sid, params), baseUrl), {
    errors: serviceParamErrors,
  });

  twilioRoute(
    routes,
    op.v1ListService,
    async ({ account, params, baseUrl }) => {
      const request = readPaging(params);
      const result = await listServices(deps, account.sid, request.query);
      return v1Page({ baseUrl, path: '/v1/Services', key: 'services', request, result, keyOf, serialize: (row) => serviceJson(row, baseUrl) });
    },
    { errors: pagingErrors },
  );

  twilioRoute(routes, op.v1FetchService, async ({ account, path, baseUrl }) => serviceJson(await fetchService(deps, account.sid, path.Sid), baseUrl));

  twilioRoute(
    routes,
    op.v1UpdateService,
    async ({ account, path, params, baseUrl }) => serviceJson(await updateService(deps, account.sid, path.Sid, params), baseUrl),
    { errors: serviceParamErrors },
  );

  twilioRoute(routes, op.v1DeleteService, async ({ account, path }) => deleteService(deps, account.sid, path.Sid));
}
