// How the console shows times and Twilio's error codes.
/** A time in the viewer's zone, its UTC value on hover. Takes ISO 8601 or RFC 2822 (the 2010 API's). */
export function Time({ value }: { value: string | null | undefined }) {
  if (!value) return <span class="muted">—</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  const local = date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
  return (
    <time dateTime={date.toISOString()} title={`${date.toISOString().replace('.000Z', 'Z')} (UTC)`}>
      {local}
    </time>
  );
}

/** A Twilio error code with its title, as a message carries them. */
export function ErrorText({ code, message }: { code: number | null; message: string | null }) {
  if (code === null) return null;
  return (
    <span class="error-code">
      {' '}
      {code}: {message}
    </span>
  );
}

/** An error the view could not act on, read out by screen readers as it appears. */
export function Alert({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" class="error">
      {message}
    </p>
  );
}
