/**
 * Timestamps are stored as ISO 8601 with milliseconds (they sort as text on every backend and
 * order keyset pages); they leave in the form each API version uses.
 */
export const toStored = (date: Date): string => date.toISOString();

/** v1: `2015-07-30T20:12:31Z` (the spec's examples carry no fraction). */
export const toIso = (stored: string): string => `${stored.slice(0, 19)}Z`;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** 2010-04-01: RFC 2822, `Thu, 30 Jul 2015 20:12:31 +0000`. */
export function toRfc2822(stored: string): string {
  const d = new Date(stored);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}
