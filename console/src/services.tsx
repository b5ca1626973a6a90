import { useEffect, useState } from 'preact/hooks';
import { accountPath, allPages, api } from './api.js';
import type { PhoneNumber, PoolMember, Service, ShortCode } from './shapes.js';
import { Alert, Time } from './format.js';

/** The three kinds of pool member, as /v1/Services/{sid}/<segment> lists them. */
const KINDS = [
  { segment: 'ShortCodes', key: 'short_codes', param: 'ShortCodeSid', title: 'Short codes', one: 'short code', add: 'Add a short code' },
  { segment: 'PhoneNumbers', key: 'phone_numbers', param: 'PhoneNumberSid', title: 'Phone numbers', one: 'number', add: 'Add a number' },
  { segment: 'AlphaSenders', key: 'alpha_senders', param: 'AlphaSender', title: 'Alphanumeric sender', one: 'alpha sender', add: 'Add an alpha sender' },
] as const;
type Kind = (typeof KINDS)[number];

const addressOf = (m: PoolMember) => m.short_code ?? m.phone_number ?? m.alpha_sender ?? m.sid;

/**
 * The account's Messaging Services, each with its sender pool and its settings; short codes and
 * numbers of the account are added to a pool and removed from it here, through Twilio's own
 * /v1 pool endpoints (so the errors shown are the API's).
 */
export function ServicesView({ accountSid }: { accountSid: string }) {
  const [services, setServices] = useState<Service[]>();
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    allPages<Service>('/v1/Services?PageSize=100', 'services', accountSid).then(
      (all) => {
        setServices(all);
        setSelected((current) => current ?? all[0]?.sid);
      },
      (e: Error) => setError(e.message),
    );
  }, [accountSid]);
  if (error) return <Alert message={error} />;
  if (!services) return <p class="loading">Loading…</p>;
  if (services.length === 0) return <p class="muted">No Messaging Services yet: create one with POST /v1/Services.</p>;
  const service = services.find((s) => s.sid === selected);
  return (
    <section class="services" aria-label="Services">
      <nav class="service-list" aria-label="Messaging Services">
        <ul>
          {services.map((s) => (
            <li key={s.sid}>
              <button type="button" class="link" aria-current={s.sid === selected ? 'true' : undefined} onClick={() => setSelected(s.sid)}>
                {s.friendly_name}
                <span class="muted sid">{s.sid}</span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {service && <ServiceDetail key={service.sid} accountSid={accountSid} service={service} />}
    </section>
  );
}

function ServiceDetail({ accountSid, service }: { accountSid: string; service: Service }) {
  const [pool, setPool] = useState<Record<Kind['segment'], PoolMember[]>>();
  const [owned, setOwned] = useState<{ codes: ShortCode[]; numbers: PhoneNumber[] }>({ codes: [], numbers: [] });
  const [error, setError] = useState<string>();
  const base = `/v1/Services/${service.sid}`;

  const load = async () => {
    const lists = await Promise.all(KINDS.map((k) => allPages<PoolMember>(`${base}/${k.segment}?PageSize=1000`, k.key, accountSid)));
    setPool({ ShortCodes: lists[0]!, PhoneNumbers: lists[1]!, AlphaSenders: lists[2]! });
  };
  useEffect(() => {
    void load().catch((e: Error) => setError(e.message));
    Promise.all([
      api<{ short_codes: ShortCode[] }>(`${accountPath(accountSid)}/SMS/ShortCodes.json?PageSize=1000`),
      api<{ incoming_phone_numbers: PhoneNumber[] }>(`${accountPath(accountSid)}/IncomingPhoneNumbers.json?PageSize=1000`),
    ]).then(
      ([codes, numbers]) => setOwned({ codes: codes.short_codes, numbers: numbers.incoming_phone_numbers }),
      (e: Error) => setError(e.message),
    );
  }, [service.sid]);

  /** A change through the API; its Twilio error, if any, is shown, and the pool read again. */
  const change = async (request: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await request();
    } catch (e) {
      setError((e as Error).message);
    }
    await load().catch((e: Error) => setError(e.message));
  };
  const remove = (kind: Kind, member: PoolMember) => change(() => api(`${base}/${kind.segment}/${member.sid}`, { method: 'DELETE', account: accountSid }));
  const add = (kind: Kind, value: string) => change(() => api(`${base}/${kind.segment}`, { form: { [kind.param]: value }, account: accountSid }));

  const inPool = new Set(pool ? [...pool.ShortCodes, ...pool.PhoneNumbers].map((m) => m.sid) : []);
  const candidates: Record<Kind['segment'], Array<{ value: string; label: string }>> = {
    ShortCodes: owned.codes.filter((c) => !inPool.has(c.sid)).map((c) => ({ value: c.sid, label: `${c.short_code} (${c.sid})` })),
    PhoneNumbers: owned.numbers.filter((n) => !inPool.has(n.sid)).map((n) => ({ value: n.sid, label: `${n.phone_number} (${n.sid})` })),
    AlphaSenders: [],
  };

  return (
    <article class="service-detail" aria-label={`Service ${service.friendly_name}`}>
      <h2>
        {service.friendly_name} <span class="muted sid">{service.sid}</span>
      </h2>
      <Alert message={error} />
      <h3>Sender pool</h3>
      {!pool && <p class="loading">Loading…</p>}
      {pool &&
        KINDS.map((kind) => (
          <section key={kind.segment} class="pool" aria-label={kind.title}>
            <h4>{kind.title}</h4>
            {pool[kind.segment].length === 0 ? (
              <p class="muted">None.</p>
            ) : (
              <ul>
                {pool[kind.segment].map((m) => (
                  <li key={m.sid} data-sid={m.sid}>
                    <strong>{addressOf(m)}</strong> <span class="muted sid">{m.sid}</span>
                    {m.country_code && <span class="muted"> {m.country_code}</span>}{' '}
                    <button type="button" onClick={() => remove(kind, m)} aria-label={`Remove ${kind.one} ${addressOf(m)} from the pool`}>
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <AddMember kind={kind} candidates={candidates[kind.segment]} onAdd={(value) => add(kind, value)} />
          </section>
        ))}
      <h3>Settings</h3>
      <dl class="settings">
        <dt>Inbound request URL</dt>
        <dd>{service.inbound_request_url ? `${service.inbound_method} ${service.inbound_request_url}` : '—'}</dd>
        <dt>Fallback URL</dt>
        <dd>{service.fallback_url ? `${service.fallback_method} ${service.fallback_url}` : '—'}</dd>
        <dt>Status callback</dt>
        <dd>{service.status_callback ?? '—'}</dd>
        <dt>Inbound webhook of the number instead</dt>
        <dd>{yesNo(service.use_inbound_webhook_on_number)}</dd>
        <dt>Sticky sender</dt>
        <dd>{yesNo(service.sticky_sender)}</dd>
        <dt>Area code geomatch</dt>
        <dd>{yesNo(service.area_code_geomatch)}</dd>
        <dt>Fall back to a long code</dt>
        <dd>{yesNo(service.fallback_to_long_code)}</dd>
        <dt>Smart encoding</dt>
        <dd>{yesNo(service.smart_encoding)}</dd>
        <dt>MMS converter</dt>
        <dd>{yesNo(service.mms_converter)}</dd>
        <dt>Validity period</dt>
        <dd>{service.validity_period === null ? '—' : `${service.validity_period} s`}</dd>
        <dt>Created</dt>
        <dd>
          <Time value={service.date_created} />
        </dd>
      </dl>
    </article>
  );
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** Adds one member: a pick of the account's senders not in this pool, or a typed alpha sender. */
function AddMember({ kind, candidates, onAdd }: { kind: Kind; candidates: Array<{ value: string; label: string }>; onAdd: (value: string) => Promise<void> }) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const typed = kind.segment === 'AlphaSenders';
  if (!typed && candidates.length === 0) return null;
  const submit = async (event: Event) => {
    event.preventDefault();
    const chosen = value || (typed ? '' : candidates[0]!.value);
    if (!chosen) return;
    setBusy(true);
    await onAdd(chosen);
    setBusy(false);
    setValue('');
  };
  return (
    <form class="add-member" onSubmit={submit}>
      {typed ? (
        <label>
          {kind.add}
          <input value={value} onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} maxLength={11} placeholder="Shortroute" />
        </label>
      ) : (
        <label>
          {kind.add}
          <select value={value || candidates[0]!.value} onChange={(e) => setValue((e.currentTarget as HTMLSelectElement).value)}>
            {candidates.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" disabled={busy}>
        Add
      </button>
    </form>
  );
}
