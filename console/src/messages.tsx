import { useEffect, useState } from 'preact/hooks';
import { accountPath, api, shortroutePath } from './api.js';
import type { LiveEvent } from './events.js';
import type { Message, MessageEventData, MessageRouting, SelectionRule } from './shapes.js';
import { Alert, ErrorText, Time } from './format.js';
import { type Listeners, useLiveList } from './live-list.js';
import { WebhookEntry } from './webhooks.js';

/** Copilot's rules, as Twilio's docs name them. */
const RULES: Record<SelectionRule, string> = {
  short_code: 'Short code',
  alpha_sender: 'Alphanumeric sender ID',
  area_code_geomatch: 'Area code geomatch',
  sticky_sender: 'Sticky sender',
  country_code_geomatch: 'Country code geomatch',
  any_number: 'A number of the pool',
};

export function ruleLabel(rule: string | null, rerouted: boolean): string {
  if (!rule) return '—';
  const label = RULES[rule as SelectionRule] ?? rule.replace(/_/g, ' ');
  return rerouted ? `${label} (Short Code Reroute)` : label;
}

interface Filters {
  to: string;
  from: string;
  status: string;
  direction: string;
  service: string;
}

const NO_FILTERS: Filters = { to: '', from: '', status: '', direction: '', service: '' };

/**
 * Whether a live event's message may pass the filters that do not change over its life. To and
 * From are left to the server, which reads a number in any spelling (a refresh asks it).
 */
function matches(filters: Filters, data: MessageEventData): boolean {
  return (!filters.direction || data.direction.startsWith(filters.direction)) && (!filters.service || data.messaging_service_sid === filters.service);
}

/**
 * The account's messages, newest first, a page of 50 at a time ("Older" reads the next), every
 * filter applied by the server (GET /_shortroute/Accounts/{sid}/Messages). Live events update the
 * rows shown in place; events about messages not shown bring the newest page again.
 */
export function MessagesView({ accountSid, listeners }: { accountSid: string; listeners: Listeners }) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [selected, setSelected] = useState<string>();
  const query = new URLSearchParams({ PageSize: '50' });
  const names = { to: 'To', from: 'From', status: 'Status', direction: 'Direction', service: 'MessagingServiceSid' } as const;
  for (const key of Object.keys(names) as Array<keyof Filters>) if (filters[key]) query.set(names[key], filters[key]);

  const list = useLiveList<Message>(`${shortroutePath(accountSid)}/Messages?${query}`, 'messages', listeners, (event, shown) => {
    if (event.type !== 'message' || !matches(filters, event.data)) return;
    const { data } = event;
    if (!shown.has(data.message_sid)) {
      // A message not shown whose status the filter leaves out is not worth a read.
      if (filters.status && data.status !== filters.status) return;
      return shown.refresh(data.message_sid);
    }
    shown.patch(data.message_sid, (m) =>
      filters.status && data.status !== filters.status
        ? undefined
        : { ...m, status: data.status as Message['status'], error_code: data.error_code, error_message: data.error_message },
    );
  });
  const messages = list.items;

  const set = (name: keyof Filters) => (event: Event) => setFilters({ ...filters, [name]: (event.currentTarget as HTMLInputElement).value.trim() });

  return (
    <section class="messages" aria-label="Messages">
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter messages">
        <label>
          To <input value={filters.to} onChange={set('to')} placeholder="+14155550100" />
        </label>
        <label>
          From <input value={filters.from} onChange={set('from')} placeholder="12345" />
        </label>
        <label>
          Status
          <select value={filters.status} onChange={set('status')}>
            <option value="">any</option>
            {['accepted', 'scheduled', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'receiving', 'received', 'read', 'canceled'].map(
              (s) => (
                <option key={s}>{s}</option>
              ),
            )}
          </select>
        </label>
        <label>
          Direction
          <select value={filters.direction} onChange={set('direction')}>
            <option value="">any</option>
            <option value="outbound">outbound</option>
            <option value="inbound">inbound</option>
          </select>
        </label>
        <label>
          Service <input value={filters.service} onChange={set('service')} placeholder="MG…" />
        </label>
      </form>
      <Alert message={list.error} />
      <div class="split">
        <table class="message-list">
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Body</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.sid} data-sid={m.sid} aria-selected={selected === m.sid} class={selected === m.sid ? 'selected' : undefined}>
                <td>
                  <Time value={m.date_created} />
                </td>
                <td>{m.from ?? '—'}</td>
                <td>{m.to}</td>
                <td>
                  <button type="button" class="link" onClick={() => setSelected(m.sid)} aria-label={`Open message ${m.sid}`}>
                    {m.body.length > 60 ? `${m.body.slice(0, 60)}…` : m.body || '(no body)'}
                  </button>
                </td>
                <td>
                  <span class={`status ${m.status}`} data-status={m.status}>
                    {m.status}
                  </span>
                  {m.error_code !== null && <span class="code"> {m.error_code}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {selected && <MessageDetail key={selected} accountSid={accountSid} sid={selected} listeners={listeners} onClose={() => setSelected(undefined)} />}
      </div>
      {messages.length === 0 && <p class="muted">No messages yet.</p>}
      {list.more && (
        <button type="button" onClick={list.older}>
          Older messages
        </button>
      )}
    </section>
  );
}

/** One message: body, segments, the sender and Copilot's rule, its history and its callbacks. */
function MessageDetail({
  accountSid,
  sid,
  listeners,
  onClose,
}: {
  accountSid: string;
  sid: string;
  listeners: Set<(e: LiveEvent) => void>;
  onClose: () => void;
}) {
  const [message, setMessage] = useState<Message>();
  const [routing, setRouting] = useState<MessageRouting>();
  const load = () =>
    Promise.all([api<Message>(`${accountPath(accountSid)}/Messages/${sid}.json`), api<MessageRouting>(`${shortroutePath(accountSid)}/Messages/${sid}`)]).then(
      ([m, r]) => {
        setMessage(m);
        setRouting(r);
      },
      () => {},
    );
  useEffect(() => {
    void load();
    const onEvent = (event: LiveEvent) => {
      if (event.data.message_sid === sid) void load();
    };
    listeners.add(onEvent);
    return () => listeners.delete(onEvent);
  }, [sid]);
  if (!message || !routing) return <aside class="detail">Loading…</aside>;
  return (
    <aside class="detail" aria-label={`Message ${sid}`}>
      <button type="button" class="close" onClick={onClose} aria-label="Close">
        ×
      </button>
      <h2>{sid}</h2>
      <p class="body">{message.body || <span class="muted">(no body)</span>}</p>
      <dl>
        <dt>Status</dt>
        <dd>
          <span class={`status ${message.status}`} data-testid="detail-status">
            {message.status}
          </span>
          <ErrorText code={message.error_code} message={message.error_message} />
        </dd>
        <dt>Segments</dt>
        <dd>
          {routing.num_segments ?? message.num_segments} ({routing.encoding ?? '—'})
        </dd>
        <dt>From</dt>
        <dd>{routing.from ?? '—'}</dd>
        <dt>To</dt>
        <dd>{routing.to}</dd>
        <dt>Sender chosen by</dt>
        <dd data-testid="rule">{ruleLabel(routing.selection_rule, routing.rerouted)}</dd>
        <dt>Service</dt>
        <dd>{routing.messaging_service_sid ?? '—'}</dd>
      </dl>
      <h3>History</h3>
      <ol class="timeline">
        {routing.events.map((e, i) => (
          <li key={i}>
            <Time value={e.date} /> <strong>{e.status}</strong>
            {e.error_code !== null && <span class="code"> {e.error_code}</span>}
            {e.detail && <span class="muted"> {e.detail}</span>}
          </li>
        ))}
      </ol>
      <h3>Webhooks</h3>
      {routing.webhooks.length === 0 && <p class="muted">None.</p>}
      {routing.webhooks.map((hook) => (
        <WebhookEntry key={hook.sid} hook={hook} />
      ))}
    </aside>
  );
}
