/**
 * The error codes a webhook can end with, with the titles of Twilio's error dictionary
 * (twilio.com/docs/api/errors/<code>): fetching the URL failed, or its answer was not usable TwiML.
 */
export const WEBHOOK_ERRORS: Record<number, string> = {
  11100: 'Invalid URL format',
  11200: 'HTTP retrieval failure',
  11205: 'HTTP connection failure',
  11206: 'HTTP protocol violation',
  11210: 'HTTP bad host name',
  11215: 'HTTP too many redirects',
  11220: 'SSL/TLS handshake error',
  11750: 'TwiML response body too large',
  12100: 'Document parse failure',
  12200: 'Schema validation warning',
  12300: 'Invalid Content-Type',
};

export function webhookErrorTitle(code: number): string {
  return WEBHOOK_ERRORS[code] ?? `Error ${code}`;
}
