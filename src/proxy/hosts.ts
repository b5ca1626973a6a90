/**
 * The hosts the official SDKs call for what Shortroute serves: Programmable Messaging's 2010 API on
 * api.twilio.com and Messaging Services on messaging.twilio.com. The CA may sign for these only.
 */
export const TUNNEL_HOSTS = ['api.twilio.com', 'messaging.twilio.com'] as const;
export type TunnelHost = (typeof TUNNEL_HOSTS)[number];

export const TUNNEL_PORT = 443;

export function isTunnelHost(host: string): host is TunnelHost {
  return (TUNNEL_HOSTS as readonly string[]).includes(host);
}

/**
 * Twilio's other products, by the host their SDK calls, so that a tunnel asked for one is refused
 * with a sentence a user can act on rather than a bare proxy error.
 */
const PRODUCTS: Record<string, string> = {
  accounts: 'Accounts (v1)',
  assistants: 'AI Assistants',
  bulkexports: 'Bulk Exports',
  chat: 'Programmable Chat',
  content: 'Content API',
  conversations: 'Conversations',
  events: 'Event Streams',
  flexapi: 'Flex',
  'flex-api': 'Flex',
  frontlineapi: 'Frontline',
  iam: 'IAM',
  insights: 'Voice Insights',
  intelligence: 'Conversational Intelligence',
  'ip-messaging': 'IP Messaging',
  lookups: 'Lookup',
  marketplace: 'Marketplace',
  monitor: 'Monitor',
  notify: 'Notify',
  numbers: 'Phone Numbers (Regulatory Compliance, Hosted Numbers)',
  oauth: 'OAuth',
  preview: 'Preview APIs',
  pricing: 'Pricing',
  proxy: 'Proxy',
  routes: 'Routes',
  serverless: 'Serverless (Functions and Assets)',
  studio: 'Studio',
  supersim: 'Super SIM',
  sync: 'Sync',
  taskrouter: 'TaskRouter',
  trunking: 'Elastic SIP Trunking',
  trusthub: 'Trust Hub',
  verify: 'Verify',
  video: 'Video',
  voice: 'Voice',
  wireless: 'Programmable Wireless',
};

/** `verify.twilio.com` → "Twilio Verify"; undefined for a host outside twilio.com. */
export function twilioProduct(host: string): string | undefined {
  if (host !== 'twilio.com' && !host.endsWith('.twilio.com')) return undefined;
  // TWILIO_EDGE and TWILIO_REGION make the SDK call api.<edge>.<region>.twilio.com and the like.
  if (/^(api|messaging)\.[a-z0-9-]+(\.[a-z0-9-]+)?\.twilio\.com$/.test(host)) {
    return "Twilio's regional hosts (unset TWILIO_EDGE and TWILIO_REGION)";
  }
  const name = PRODUCTS[host.slice(0, -'.twilio.com'.length)];
  return name ? `Twilio ${name}` : `the Twilio product at ${host}`;
}

/** Whether a listening address (or `--host`) is reachable from this machine only. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === 'localhost' || address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
