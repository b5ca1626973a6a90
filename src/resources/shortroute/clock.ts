import { twilioRoute, type TwilioRoutes } from '../../http/route.js';
import { shortrouteOperations as op } from './operations.js';
import { FakeClock } from '../../clock.js';
import { TwilioError, invalidParameter } from '../../http/errors.js';

/** The longest single move: a year, far beyond any validity period or retry. */
const MAX_ADVANCE_MS = 366 * 86_400_000;

const systemClockInUse = () => new TwilioError(400, 20001, 'The clock is the system clock: start Shortroute with --clock manual to move time by hand');

/**
 * The server's clock, for CI runs in any language: with `--clock manual`, time stands still until
 * `POST /_shortroute/Clock` moves it (`Advance`, in ms, or `Set`, an ISO 8601 instant ahead), and
 * the answer comes once the network has done everything that fell due, webhooks included. The
 * clock is the whole server's, so only a main account (not a subaccount) may move it.
 */
export function clockRoutes(routes: TwilioRoutes, settle: () => Promise<void>): void {
  const { deps } = routes;
  const shown = () => ({ mode: deps.clock instanceof FakeClock ? 'manual' : 'system', now: deps.clock.now().toISOString() });

  twilioRoute(routes, op.fetchClock, async () => shown());

  twilioRoute(routes, op.moveClock, async ({ account, params }) => {
    // Signed in, but not allowed: Twilio's 403 (20403), not a failed sign-in.
    if (account.owner_account_sid !== null) throw new TwilioError(403, 20403, "Only a main account moves the clock: it is the whole server's");
    const clock = deps.clock;
    if (!(clock instanceof FakeClock)) throw systemClockInUse();
    const { Advance: advance, Set: set } = params;
    if ((advance === undefined) === (set === undefined)) throw invalidParameter('Advance', 'send either Advance (milliseconds) or Set (an ISO 8601 instant)');
    if (advance !== undefined) {
      if (!/^\d+$/.test(advance) || Number(advance) > MAX_ADVANCE_MS)
        throw invalidParameter('Advance', `'${advance}' must be a whole number of milliseconds from 0 to ${MAX_ADVANCE_MS}`);
      clock.advance(Number(advance));
    } else {
      const at = Date.parse(set!);
      if (Number.isNaN(at) || !/(Z|[+-]\d\d:?\d\d)$/.test(set!)) throw invalidParameter('Set', `'${set}' is not an ISO 8601 instant with a time zone`);
      if (at < clock.now().getTime()) throw invalidParameter('Set', `'${set}' is in the past: the clock only moves forward`);
      clock.set(new Date(at));
    }
    await settle();
    return shown();
  });
}
