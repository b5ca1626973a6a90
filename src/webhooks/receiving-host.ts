/**
 * The host a webhook is delivered to, as the dispatcher shares delivery slots: host and port of
 * its URL, lower-cased (`example.com:8443`; the default port is left out, as URL does). A URL that
 * does not parse has none: '' (its delivery fails at once with 11100).
 */
export function receivingHost(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
}
