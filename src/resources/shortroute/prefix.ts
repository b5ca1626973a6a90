/** Shortroute's own endpoints live under this prefix, which no Twilio path uses. */
export const SHORTROUTE_PREFIX = '/_shortroute';
