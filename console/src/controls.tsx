import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, shortroutePath } from './api.js';
import type { LiveEvent } from './events.js';
import { Alert, Time } from './format.js';
import type { Session } from './shapes.js';

/** GET /_shortroute/Accounts/{sid}/OptOuts: who texted STOP to which service or number (the scope). */
interface OptOut {
  scope: string;
  address: string;
  date_created: string | null;
}

/** GET /_shortroute/Accounts/{sid}/DeliveryRules: messages to `to` end with the code. */
interface DeliveryRule {
  to: string;
  status: 'failed' | 'undelivered';
  error_code: number;
}

/** GET /_shortroute/Clock, and when it was read (a system clock's time moves on from there). */
interface ClockState {
  mode: 'manual' | 'system';
  now: string;
  readAt: number;
}

const CLOCK = '/_shortroute/Clock';
const UNITS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000 } as const;
type Unit = keyof typeof UNITS;

/** Events come in bursts (a STOP, its reply, the reply's statuses): one read after the burst. */
const REFRESH_DELAY_MS = 150;

/**
 * Runs `read` and hands its answer to `use`, unless a later call started meanwhile: two reads of
 * one list may answer out of order, and the older answer must not win.
 */
function useLatest<T>(read: () => Promise<T>, use: (value: T) => void): () => Promise<void> {
  const calls = useRef(0);
  return async () => {
    const call = ++calls.current;
    const value = await read();
    if (call === calls.current) use(value);
  };
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The account's test controls: its opt-outs (updated live: a STOP or START arrives as an inbound
 * message), the delivery rules that make messages to a recipient fail, the server's clock (moved
 * here when it runs with `--clock manual`), and a reset that empties the account.
 */
export function ControlsView({ accountSid, session, listeners }: { accountSid: string; session: Session; listeners: Set<(event: LiveEvent) => void> }) {
  const base = shortroutePath(accountSid);
  const [optOuts, setOptOuts] = useState<OptOut[]>();
  const [rules, setRules] = useState<DeliveryRule[]>();
  const [clock, setClock] = useState<ClockState>();
  const [error, setError] = useState<string>();

  const readOptOuts = useLatest(
    () => api<{ opt_outs: OptOut[] }>(`${base}/OptOuts`),
    (body) => setOptOuts(body.opt_outs),
  );
  const readRules = useLatest(
    () => api<{ delivery_rules: DeliveryRule[] }>(`${base}/DeliveryRules`),
    (body) => setRules(body.delivery_rules),
  );
  const readClock = useLatest(
    () => api<Omit<ClockState, 'readAt'>>(CLOCK),
    (body) => setClock({ ...body, readAt: performance.now() }),
  );
  const readAll = () =>
    Promise.all([readOptOuts(), readRules(), readClock()]).then(
      () => setError(undefined),
      (e) => setError(messageOf(e)),
    );

  useEffect(() => {
    void readAll();
    // Opt-outs change with inbound texts; a manual clock moved elsewhere (CI) shows in the
    // statuses it moves, so any message event reads the clock again.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inbound = false;
    const onEvent = (event: LiveEvent) => {
      if (event.type !== 'message') return;
      if (event.data.direction === 'inbound') inbound = true;
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        const reads = inbound ? [readClock(), readOptOuts()] : [readClock()];
        inbound = false;
        Promise.all(reads).catch((e) => setError(messageOf(e)));
      }, REFRESH_DELAY_MS);
    };
    listeners.add(onEvent);
    return () => {
      listeners.delete(onEvent);
      clearTimeout(timer);
    };
  }, [accountSid]);

  return (
    <section class="controls-view" aria-label="Opt-outs, rules and clock">
      <Alert message={error} />
      <OptOuts optOuts={optOuts} />
      <Rules base={base} rules={rules} onChanged={readRules} />
      <Clock clock={clock} session={session} onMoved={(moved) => setClock({ ...moved, readAt: performance.now() })} />
      <Reset accountSid={accountSid} base={base} onReset={readAll} />
    </section>
  );
}

function OptOuts({ optOuts }: { optOuts: OptOut[] | undefined }) {
  return (
    <section aria-labelledby="controls-opt-outs">
      <h2 id="controls-opt-outs">Opt-outs</h2>
      <p class="muted">
        Handsets that texted STOP to a service or number (the scope): messages to them from there fail with 21610 until they text START. HELP changes nothing.
        The list follows the texts as they arrive.
      </p>
      {optOuts === undefined ? (
        <p class="muted">Loading…</p>
      ) : optOuts.length === 0 ? (
        <p class="muted">No opt-outs.</p>
      ) : (
        <div class="controls-scroll">
          <table class="controls-table" aria-label="Opt-outs">
            <thead>
              <tr>
                <th scope="col">Handset</th>
                <th scope="col">Scope</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {optOuts.map((o) => (
                <tr key={`${o.scope} ${o.address}`} data-address={o.address}>
                  <th scope="row">{o.address}</th>
                  <td>
                    <span class="muted">{o.scope.startsWith('MG') ? 'service ' : 'number '}</span>
                    <code>{o.scope}</code>
                  </td>
                  <td>
                    <Time value={o.date_created} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * The delivery rules, and a form that adds one. The server checks the number and the code (a
 * five-digit Twilio code): its error is shown as it words it, so the inputs ask for no pattern.
 */
function Rules({ base, rules, onChanged }: { base: string; rules: DeliveryRule[] | undefined; onChanged: () => Promise<void> }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const recipient = useRef<HTMLInputElement>(null);
  const table = useRef<HTMLTableElement>(null);
  // A removed rule's button goes: focus moves to the next one (or the form), not to the page.
  const refocus = useRef<number>();
  useEffect(() => {
    const at = refocus.current;
    if (at === undefined) return;
    refocus.current = undefined;
    const buttons = table.current?.querySelectorAll('button') ?? [];
    (buttons[Math.min(at, buttons.length - 1)] ?? recipient.current)?.focus();
  }, [rules]);

  const add = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const status = String(data.get('status') ?? '');
    setBusy(true);
    setError(undefined);
    try {
      // No Status stands for the code's own (an empty one would be refused).
      await api(`${base}/DeliveryRules`, {
        form: { To: String(data.get('to') ?? '').trim(), ErrorCode: String(data.get('code') ?? '').trim(), ...(status && { Status: status }) },
      });
      form.reset();
      await onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (to: string, index: number) => {
    setError(undefined);
    try {
      await api(`${base}/DeliveryRules/${encodeURIComponent(to)}`, { method: 'DELETE' });
    } catch (e) {
      // Removed meanwhile (another tab, a script): the list read next shows it gone.
      if (!(e instanceof ApiError && e.status === 404)) setError(messageOf(e));
    }
    refocus.current = index;
    await onChanged().catch((e) => setError(messageOf(e)));
  };

  return (
    <section aria-labelledby="controls-rules">
      <h2 id="controls-rules">Delivery rules</h2>
      <p class="muted">A message to a recipient with a rule ends with its error code instead of being delivered.</p>
      <form class="controls-form" onSubmit={add} aria-label="Add a delivery rule">
        <label>
          Recipient
          <input ref={recipient} name="to" inputMode="tel" autocomplete="off" spellcheck={false} placeholder="+14155550100" required />
        </label>
        <label>
          Error code
          <input name="code" inputMode="numeric" autocomplete="off" placeholder="30003" required />
        </label>
        <label>
          Status
          <select name="status">
            <option value="">the code's own</option>
            <option value="failed">failed</option>
            <option value="undelivered">undelivered</option>
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Add rule
        </button>
      </form>
      <Alert message={error} />
      {rules === undefined ? (
        <p class="muted">Loading…</p>
      ) : rules.length === 0 ? (
        <p class="muted">No delivery rules.</p>
      ) : (
        <div class="controls-scroll">
          <table class="controls-table" aria-label="Delivery rules" ref={table}>
            <thead>
              <tr>
                <th scope="col">Recipient</th>
                <th scope="col">Error code</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule, index) => (
                <tr key={rule.to} data-to={rule.to}>
                  <th scope="row">{rule.to}</th>
                  <td class="code">{rule.error_code}</td>
                  <td>
                    <span class={`status ${rule.status}`}>{rule.status}</span>
                  </td>
                  <td>
                    <button type="button" onClick={() => remove(rule.to, index)} aria-label={`Remove rule for ${rule.to}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * The server's clock. A manual one stands still until moved; the whole server shares it, so only
 * a main account signed in may move it (the server's rule: it checks who signed in, whichever
 * account the console shows). A system clock's time is shown ticking from the time read.
 */
function Clock({ clock, session, onMoved }: { clock: ClockState | undefined; session: Session; onMoved: (moved: Omit<ClockState, 'readAt'>) => void }) {
  const [error, setError] = useState<string>();
  const [note, setNote] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [unit, setUnit] = useState<Unit>('minutes');
  const [, tick] = useState(0);
  const system = clock?.mode === 'system';
  useEffect(() => {
    if (!system) return;
    const timer = setInterval(() => tick((n) => n + 1), 1_000);
    return () => clearInterval(timer);
  }, [system]);
  const signedIn = session.accounts.find((a) => a.sid === session.account_sid);
  const mainAccount = (signedIn?.owner_account_sid ?? null) === null;

  const advance = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const amount = Number(data.get('amount'));
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      // The answer comes once everything that fell due meanwhile is done, webhooks included.
      const moved = await api<Omit<ClockState, 'readAt'>>(CLOCK, { form: { Advance: String(Math.round(amount * UNITS[unit])) } });
      onMoved(moved);
      setNote(`Moved ${amount} ${amount === 1 ? unit.slice(0, -1) : unit} ahead.`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const now = clock && (system ? new Date(Date.parse(clock.now) + performance.now() - clock.readAt).toISOString() : clock.now);
  return (
    <section aria-labelledby="controls-clock">
      <h2 id="controls-clock">Clock</h2>
      {!clock ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <dl class="controls-clock">
            <dt>Mode</dt>
            <dd data-testid="clock-mode">{clock.mode}</dd>
            <dt>Now</dt>
            <dd data-testid="clock-now">
              <Time value={now} />
            </dd>
          </dl>
          {system ? (
            <p class="muted">
              The server runs on the system clock. Started with <code>--clock manual</code>, its time stands still until moved here (or with{' '}
              <code>POST /_shortroute/Clock</code>), so a test walks messages through their lives at once.
            </p>
          ) : !mainAccount ? (
            <p class="muted">Only a main account moves the clock: it is the whole server's. Sign in with the main account to move it.</p>
          ) : (
            <form class="controls-form" onSubmit={advance} aria-label="Move the clock">
              <label>
                Advance by
                <input name="amount" type="number" min="0" step="any" defaultValue="1" required />
              </label>
              <label>
                Unit
                <select name="unit" value={unit} onChange={(e) => setUnit((e.currentTarget as HTMLSelectElement).value as Unit)}>
                  {(Object.keys(UNITS) as Unit[]).map((unit) => (
                    <option key={unit} value={unit}>
                      {unit}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit" disabled={busy}>
                Advance
              </button>
            </form>
          )}
          <Alert message={error} />
          <p role="status" class="muted">
            {note}
          </p>
        </>
      )}
    </section>
  );
}

/**
 * Empties the account, after a confirmation (a modal dialog: focus starts on Cancel, Escape
 * cancels, and focus goes back to the button that opened it).
 */
function Reset({ accountSid, base, onReset }: { accountSid: string; base: string; onReset: () => Promise<void> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [note, setNote] = useState<string>();

  const open = () => {
    setError(undefined);
    setNote(undefined);
    dialog.current?.showModal();
    cancel.current?.focus();
  };
  const reset = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api(`${base}/Reset`, { method: 'POST' });
      dialog.current?.close();
      setNote('The account is empty.');
      await onReset();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="controls-reset">
      <h2 id="controls-reset">Reset</h2>
      <p class="muted">Empties the account for the next test run.</p>
      <button type="button" class="controls-danger" onClick={open}>
        Reset account…
      </button>
      <p role="status" class="muted">
        {note}
      </p>
      <dialog
        ref={dialog}
        class="controls-confirm"
        aria-labelledby="controls-reset-title"
        aria-describedby="controls-reset-what"
        // Escape cancels, except while the reset is under way.
        onCancel={(e) => busy && e.preventDefault()}
      >
        <h2 id="controls-reset-title">Reset account {accountSid}?</h2>
        <p id="controls-reset-what">
          This empties the account: its messages and webhook log, delivery rules, opt-outs, Messaging Services, short codes and phone numbers. Its credentials,
          API keys and subaccounts stay. There is no undo.
        </p>
        <Alert message={error} />
        <div class="controls-actions">
          <button type="button" ref={cancel} onClick={() => dialog.current?.close()} disabled={busy}>
            Cancel
          </button>
          <button type="button" class="controls-danger" onClick={reset} disabled={busy}>
            Reset
          </button>
        </div>
      </dialog>
    </section>
  );
}
