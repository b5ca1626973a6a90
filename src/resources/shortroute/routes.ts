import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { serviceUnavailable } from '../../http/errors.js';
import { inspectionRoutes } from './inspection.js';
import { clockRoutes } from './clock.js';

import { SHORTROUTE_PREFIX } from './prefix.js';

export { SHORTROUTE_PREFIX };

/** Shortroute's own endpoints, all under /_shortroute/ so they never meet a Twilio path. */
export function shortrouteRoutes(app: FastifyInstance, deps: Deps, info: { version: string; settle: () => Promise<void> }): void {
  // Readiness: answers 200 only while the database answers too.
  app.get(`${SHORTROUTE_PREFIX}/health`, async () => {
    try {
      await deps.store.ping();
    } catch {
      throw serviceUnavailable('the database cannot be reached');
    }
    return { status: 'ok', backend: deps.store.backend.name, version: info.version };
  });
  inspectionRoutes(app, deps);
  clockRoutes(app, deps, info.settle);
}
