import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import { MessagesView } from './messages.js';
import { PhoneView } from './phone.js';
import { ServicesView } from './services.js';
import { WebhooksView } from './webhooks.js';
import { ControlsView } from './controls.js';
import type { Session } from './shapes.js';
import { useEvents, type LiveEvent } from './events.js';

const SESSION = '/_shortroute/console/session';
const VIEWS = { messages: 'Messages', phone: 'Phone', services: 'Services', webhooks: 'Webhooks', controls: 'Opt-outs, rules & clock' } as const;
type View = keyof typeof VIEWS;

/** Signed in (the session cookie), or the sign-in form. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const load = () =>
    api<Session>(SESSION).then(setSession, (error) => {
      if (error instanceof ApiError && error.status === 401) setSession(null);
      else throw error;
    });
  useEffect(() => {
    void signInFromUrl().then((reloading) => {
      if (!reloading) void load();
    });
  }, []);
  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={load} />;
  return <Shell session={session} onSignedOut={() => window.location.assign('/?signed-out')} />;
}

/**
 * Opened as `http://AC…:token@host/` (as scripts and CI do), the page signs in with those
 * credentials and opens itself again without them (no page can rewrite its own credentials);
 * true when it is about to.
 */
async function signInFromUrl(): Promise<boolean> {
  // location.href leaves the credentials out; the document's URL keeps them.
  const url = new URL(document.URL);
  if (!url.username) return false;
  try {
    await api(SESSION, { form: { Username: decodeURIComponent(url.username), Password: decodeURIComponent(url.password) } });
  } catch {
    return false;
  }
  window.location.replace(`${window.location.origin}${url.pathname}${url.search}${url.hash}`);
  return true;
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      await api(SESSION, { form: { Username: String(form.get('username') ?? ''), Password: String(form.get('password') ?? '') } });
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'Those credentials were refused.' : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <h1>Shortroute</h1>
      <form onSubmit={submit} aria-describedby={error ? 'signin-error' : undefined}>
        <label>
          Account SID or API key SID
          <input name="username" autocomplete="username" required pattern="(AC|SK)[0-9a-fA-F]{32}" spellcheck={false} />
        </label>
        <label>
          Auth token or API key secret
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p id="signin-error" role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function Shell({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) {
  const [accountSid, setAccountSid] = useState(session.account_sid);
  const [view, setView] = useState<View>('messages');
  const [listeners] = useState(() => new Set<(event: LiveEvent) => void>());
  const live = useEvents(accountSid, (event) => {
    for (const listener of listeners) listener(event);
  });
  const signOut = async () => {
    await api(SESSION, { method: 'DELETE' });
    onSignedOut();
  };
  const account = session.accounts.find((a) => a.sid === accountSid);
  return (
    <div class="shell">
      <header>
        <strong class="brand">Shortroute</strong>
        <nav aria-label="Views">
          {(Object.keys(VIEWS) as View[]).map((key) => (
            <button key={key} type="button" aria-current={view === key ? 'page' : undefined} onClick={() => setView(key)}>
              {VIEWS[key]}
            </button>
          ))}
        </nav>
        <span class={live ? 'live on' : 'live'} title={live ? 'Live: events arrive as they happen' : 'Connecting to the event stream…'}>
          {live ? '● live' : '○ connecting'}
        </span>
        <label class="account">
          <span class="visually-hidden">Account</span>
          <select aria-label="Account" value={accountSid} onChange={(e) => setAccountSid((e.currentTarget as HTMLSelectElement).value)}>
            {session.accounts.map((a) => (
              <option key={a.sid} value={a.sid}>
                {a.friendly_name} ({a.sid})
              </option>
            ))}
          </select>
        </label>
        <output class="signed-in" aria-label="Signed in as" title={account?.sid}>
          {account?.sid}
        </output>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {view === 'messages' && <MessagesView key={accountSid} accountSid={accountSid} listeners={listeners} />}
        {view === 'phone' && <PhoneView key={accountSid} accountSid={accountSid} listeners={listeners} />}
        {view === 'services' && <ServicesView key={accountSid} accountSid={accountSid} />}
        {view === 'webhooks' && <WebhooksView key={accountSid} accountSid={accountSid} listeners={listeners} />}
        {view === 'controls' && <ControlsView key={accountSid} accountSid={accountSid} session={session} listeners={listeners} />}
      </main>
    </div>
  );
}
