import { useState } from 'preact/hooks';
import { api, shortroutePath } from './api.js';
import { type Listeners, useLiveList } from './live-list.js';
import type { WebhookLog } from './shapes.js';
import { Alert, Time } from './format.js';

/** The longest answer body shown. */
const EXCERPT = 2000;

/**
 * Every webhook of the account, newest first: status callbacks, inbound requests and fallbacks,
 * each with its attempts (the request as sent, signature included, and the answer), its error
 * with Twilio's title, and where it stands in its retry schedule.
 */
export function WebhooksView({ accountSid, listeners }: { accountSid: string; listeners: Listeners }) {
  const [kind, setKind] = useState('');
  const [messageSid, setMessageSid] = useState('');
  const query = new URLSearchParams({ PageSize: '50' });
  if (kind) query.set('Kind', kind);
  if (messageSid) query.set('MessageSid', messageSid);
  const list = useLiveList<WebhookLog>(`${shortroutePath(accountSid)}/Webhooks?${query}`, 'webhooks', listeners, (event, shown) => {
    if (event.type !== 'webhook') return;
    const { data } = event;
    if ((kind && data.kind !== kind) || (messageSid && data.message_sid !== messageSid)) return;
    if (!shown.has(data.webhook_sid)) return shown.refresh(data.webhook_sid);
    // A retry of a webhook already shown, however far down: its message's webhooks read again.
    api<{ webhooks: WebhookLog[] }>(`${shortroutePath(accountSid)}/Webhooks?MessageSid=${data.message_sid}&PageSize=1000`).then(
      (page) => {
        for (const hook of page.webhooks) shown.patch(hook.sid, () => hook);
      },
      () => shown.refresh(),
    );
  });
  const hooks = list.items;

  return (
    <section class="webhooks" aria-label="Webhooks">
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter webhooks">
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">any</option>
            <option value="status_callback">status callback</option>
            <option value="inbound">inbound</option>
            <option value="fallback">fallback</option>
          </select>
        </label>
        <label>
          Message SID
          <input value={messageSid} onChange={(e) => setMessageSid((e.currentTarget as HTMLInputElement).value.trim())} placeholder="SM…" />
        </label>
      </form>
      <Alert message={list.error} />
      {hooks.length === 0 && <p class="muted">No webhooks yet.</p>}
      <ol class="webhook-list">
        {hooks.map((hook) => (
          <li key={hook.sid} data-sid={hook.sid}>
            <WebhookEntry hook={hook} />
          </li>
        ))}
      </ol>
      {list.more && (
        <button type="button" onClick={list.older}>
          Older webhooks
        </button>
      )}
    </section>
  );
}

const KINDS: Record<string, string> = { status_callback: 'Status callback', inbound: 'Inbound', fallback: 'Fallback' };

/** One webhook: a summary line (opens to its attempts), its error and its retry schedule. */
export function WebhookEntry({ hook }: { hook: WebhookLog }) {
  const status = hook.params.MessageStatus ?? hook.params.SmsStatus;
  return (
    <details class="webhook">
      <summary>
        <Time value={hook.date_created} /> · {KINDS[hook.kind] ?? hook.kind}
        {status !== undefined && ` (${String(status)})`} · {hook.method} {hook.url} ·{' '}
        <strong class={`hook-status ${hook.status}`} data-status={hook.status}>
          {hook.status}
        </strong>
        {hook.error_code !== null && (
          <span class="error-code">
            {' '}
            {hook.error_code}: {hook.error_message}
          </span>
        )}
      </summary>
      <p class="schedule">
        {hook.message_sid && <>Message {hook.message_sid} · </>}
        Attempt {hook.attempts.length} of {hook.max_attempts}
        {hook.next_attempt_at ? (
          <>
            {' '}
            · next attempt <Time value={hook.next_attempt_at} />
          </>
        ) : (
          hook.status === 'failed' && ' · no more attempts'
        )}
      </p>
      {hook.attempts.map((a) => (
        <div key={a.attempt} class="attempt">
          <h4>
            Attempt {a.attempt} · <Time value={a.date} /> · {a.duration_ms} ms ·{' '}
            {a.response ? `HTTP ${a.response.status}` : <span class="error">{a.error}</span>}
          </h4>
          <div class="exchange">
            <div>
              <h5>Request</h5>
              <pre>{`${a.request.method} ${a.request.url}\n${headerLines(a.request.headers)}${a.request.body ? `\n\n${formLines(a.request.body)}` : ''}`}</pre>
            </div>
            {a.response && (
              <div>
                <h5>Answer</h5>
                <pre>{`HTTP ${a.response.status}\n${headerLines(a.response.headers)}${a.response.body ? `\n\n${excerpt(a.response.body)}` : ''}`}</pre>
              </div>
            )}
          </div>
        </div>
      ))}
    </details>
  );
}

const headerLines = (headers: Record<string, string>) =>
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');

/** A form body one parameter a line, decoded, as a reader compares it with Twilio's docs. */
function formLines(body: string): string {
  try {
    return [...new URLSearchParams(body)].map(([name, value]) => `${name}=${value}`).join('\n');
  } catch {
    return body;
  }
}

const excerpt = (body: string) => (body.length > EXCERPT ? `${body.slice(0, EXCERPT)}… (${body.length} characters)` : body);
