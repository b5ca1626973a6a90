import { useEffect, useState } from 'preact/hooks';
import { accountPath, api, shortroutePath } from './api.js';
import type { LiveEvent } from './events.js';
import type { Message, MessagePage } from './shapes.js';
import { Alert, ErrorText, Time } from './format.js';

interface Sender {
  address: string;
  label: string;
}

/**
 * A handset: pick or type its number and one of the account's short codes or numbers, and text
 * it. The conversation shows threaded: the handset's texts, the app's TwiML replies and every
 * later message to the handset, live, with each one's status and error.
 */
export function PhoneView({ accountSid, listeners }: { accountSid: string; listeners: Set<(event: LiveEvent) => void> }) {
  const [handset, setHandset] = useState('+14155550100');
  const [senders, setSenders] = useState<Sender[]>([]);
  const [to, setTo] = useState('');
  const [thread, setThread] = useState<Message[]>([]);
  const [error, setError] = useState<string>();

  useEffect(() => {
    Promise.all([
      api<{ short_codes: Array<{ short_code: string; friendly_name: string }> }>(`${accountPath(accountSid)}/SMS/ShortCodes.json?PageSize=1000`),
      api<{ incoming_phone_numbers: Array<{ phone_number: string; friendly_name: string }> }>(
        `${accountPath(accountSid)}/IncomingPhoneNumbers.json?PageSize=1000`,
      ),
    ]).then(
      ([codes, numbers]) => {
        const all = [
          ...codes.short_codes.map((c) => ({ address: c.short_code, label: `${c.short_code} (short code)` })),
          ...numbers.incoming_phone_numbers.map((n) => ({ address: n.phone_number, label: `${n.phone_number} (number)` })),
        ];
        setSenders(all);
        setTo((current) => current || all[0]?.address || '');
      },
      (e: Error) => setError(e.message),
    );
  }, [accountSid]);

  const load = async () => {
    if (!handset) return setThread([]);
    const [sent, received] = await Promise.all([
      api<MessagePage>(`${accountPath(accountSid)}/Messages.json?PageSize=100&From=${encodeURIComponent(handset)}`),
      api<MessagePage>(`${accountPath(accountSid)}/Messages.json?PageSize=100&To=${encodeURIComponent(handset)}`),
    ]);
    const all = [...sent.messages, ...received.messages];
    all.sort((a, b) => Date.parse(a.date_created) - Date.parse(b.date_created) || (a.sid < b.sid ? -1 : 1));
    setThread(all);
  };

  useEffect(() => {
    void load().catch((e: Error) => setError(e.message));
    const onEvent = (event: LiveEvent) => {
      if (event.type === 'message' && (event.data.from === handset || event.data.to === handset)) void load();
    };
    listeners.add(onEvent);
    return () => listeners.delete(onEvent);
  }, [accountSid, handset]);

  const send = async (event: Event) => {
    event.preventDefault();
    // The element itself: an event's currentTarget is gone once the handler awaits.
    const element = event.currentTarget as HTMLFormElement;
    const form = new FormData(element);
    const body = String(form.get('body') ?? '');
    const media = String(form.get('media') ?? '')
      .split(/\s+/)
      .filter(Boolean);
    setError(undefined);
    try {
      await api(`${shortroutePath(accountSid)}/Handsets/${encodeURIComponent(handset)}/Messages`, { form: { To: to, Body: body, MediaUrl: media } });
      // The text and media go; the handset and the number it texts stay for the next one.
      for (const name of ['body', 'media']) {
        const field = element.elements.namedItem(name);
        if (field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement) field.value = '';
      }
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <section class="phone" aria-label="Phone">
      <form class="handset" onSubmit={send}>
        <label>
          Handset number
          <input value={handset} onInput={(e) => setHandset((e.currentTarget as HTMLInputElement).value.trim())} inputMode="tel" required />
        </label>
        <label>
          To
          <select value={to} onChange={(e) => setTo((e.currentTarget as HTMLSelectElement).value)} required>
            {senders.map((s) => (
              <option key={s.address} value={s.address}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label class="wide">
          Text
          <textarea name="body" rows={2} placeholder="Try STOP, START or HELP" />
        </label>
        <label class="wide">
          Media URLs <input name="media" placeholder="https://… (space-separated)" />
        </label>
        <button type="submit" disabled={!to}>
          Send from handset
        </button>
      </form>
      <Alert message={error} />
      <ol class="thread" aria-label={`Conversation of ${handset}`}>
        {thread.map((m) => {
          const fromHandset = m.from === handset;
          return (
            <li key={m.sid} class={fromHandset ? 'bubble mine' : 'bubble theirs'} data-sid={m.sid} data-status={m.status}>
              <p>{m.body || <span class="muted">(no body)</span>}</p>
              <small>
                {fromHandset ? `to ${m.to}` : `from ${m.from ?? '—'}`} · <Time value={m.date_created} /> · {m.status}
                <ErrorText code={m.error_code} message={m.error_message} />
              </small>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
