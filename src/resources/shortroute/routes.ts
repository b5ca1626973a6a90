import { serviceUnavailable } from '../../http/errors.js';
import type { TwilioRoutes } from '../../http/route.js';
import { clockRoutes } from './clock.js';
import { eventRoutes } from './events.js';
import { inspectionRoutes } from './inspection.js';
import { SHORTROUTE_PREFIX } from './prefix.js';

export { SHORTROUTE_PREFIX };

/** Shortroute's own endpoints, all under /_shortroute/ so they never meet a Twilio path. */
export function shortrouteRoutes(routes: TwilioRoutes, info: { version: string; settle: () => Promise<void> }): void {
  const { app, deps } = routes;
  // Readiness, without credentials: answers 200 only while the database answers too.
  app.get(`${SHORTROUTE_PREFIX}/health`, async () => {
    try {
      await deps.store.ping();
    } catch {
      throw serviceUnavailable('the database cannot be reached');
    }
    return { status: 'ok', backend: deps.store.backend.name, version: info.version };
  });
  inspectionRoutes(routes);
  eventRoutes(routes);
  clockRoutes(routes, info.settle);
}
