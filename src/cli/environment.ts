import { delimiter, join } from 'node:path';
import type { Shortroute } from '../app.js';
import { isLoopbackAddress } from '../proxy/hosts.js';

import { PACKAGE_ROOT } from '../package.js';

export { PACKAGE_ROOT };

/**
 * The variables that send an official Twilio SDK, in any language, to Shortroute with no code
 * change: the proxy (Shortroute tunnels api.twilio.com and messaging.twilio.com), the CA it signs
 * those hosts with, and the account to sign requests as.
 */
export interface EnvironmentInput {
  /** `http://127.0.0.1:4747`, with credentials in it when the proxy asks for them. */
  proxyUrl: string;
  caPath: string;
  bundlePath: string;
  account: { sid: string; authToken: string };
  /** The folder whose sitecustomize.py makes old twilio-python verify with REQUESTS_CA_BUNDLE. */
  pythonShimDir: string;
  /** The caller's own environment: PYTHONPATH and NO_PROXY are extended, never dropped. */
  current: Record<string, string | undefined>;
}

export const SHELLS = ['sh', 'fish', 'powershell', 'json'] as const;
export type Shell = (typeof SHELLS)[number];

const LOCAL_HOSTS = ['localhost', '127.0.0.1', '::1'];

/** The variables in the order they are printed. */
export function clientEnvironment(input: EnvironmentInput): [string, string][] {
  const noProxy = noProxyList(input.current);
  const pythonPath = [input.pythonShimDir, ...(input.current.PYTHONPATH ?? '').split(delimiter).filter((p) => p && p !== input.pythonShimDir)];
  return [
    // twilio-node (and the Twilio CLI) read HTTP_PROXY, upper case only, for their https requests;
    // Python, Go, Ruby, .NET and curl read HTTPS_PROXY, and PHP's curl the lower-case one.
    ['HTTP_PROXY', input.proxyUrl],
    ['HTTPS_PROXY', input.proxyUrl],
    ['https_proxy', input.proxyUrl],
    ['NO_PROXY', noProxy],
    ['no_proxy', noProxy],
    // Node adds this CA to its roots; the others replace the roots, so they get the bundle.
    ['NODE_EXTRA_CA_CERTS', input.caPath],
    ['REQUESTS_CA_BUNDLE', input.bundlePath],
    ['SSL_CERT_FILE', input.bundlePath],
    // The curl command reads this one, not SSL_CERT_FILE.
    ['CURL_CA_BUNDLE', input.bundlePath],
    ['PYTHONPATH', pythonPath.join(delimiter)],
    ['TWILIO_ACCOUNT_SID', input.account.sid],
    ['TWILIO_AUTH_TOKEN', input.account.authToken],
  ];
}

/**
 * The caller's NO_PROXY with local hosts added and any entry dropped that would let a Twilio
 * host bypass the proxy: such a request would reach the real Twilio with the user's credentials.
 */
function noProxyList(current: Record<string, string | undefined>): string {
  const given = (current.NO_PROXY ?? current.no_proxy ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bypassesTwilio = (entry: string) => {
    const host = entry
      .toLowerCase()
      .replace(/^\*?\.?/, '')
      .replace(/:\d+$/, '');
    return entry === '*' || host === 'twilio.com' || host.endsWith('.twilio.com');
  };
  const kept = given.filter((e) => !bypassesTwilio(e) && !LOCAL_HOSTS.includes(e));
  return [...LOCAL_HOSTS, ...kept].join(',');
}

/** The lines a shell evaluates: `eval "$(shortroute env)"`, fish's `| source`, PowerShell's `| Invoke-Expression`. */
export function formatEnvironment(vars: [string, string][], shell: Shell): string {
  switch (shell) {
    case 'json':
      return JSON.stringify(Object.fromEntries(vars), null, 2);
    case 'fish':
      return vars.map(([name, value]) => `set -gx ${name} '${value.replace(/[\\']/g, '\\$&')}';`).join('\n');
    case 'powershell':
      return vars.map(([name, value]) => `$env:${name} = '${value.replace(/'/g, "''")}'`).join('\n');
    case 'sh':
      return vars.map(([name, value]) => `export ${name}='${value.replace(/'/g, `'\\''`)}'`).join('\n');
  }
}

/** Variables that would make an SDK call another host than the ones Shortroute tunnels. */
export function environmentWarnings(current: Record<string, string | undefined>): string[] {
  return ['TWILIO_EDGE', 'TWILIO_REGION']
    .filter((name) => current[name])
    .map((name) => `${name}=${current[name]} is set: the SDK will call a regional host that Shortroute refuses; unset it`);
}

/** The proxy's address for a server listening at `url`; credentials only when it is bound beyond loopback. */
export function proxyUrlFor(url: string, boundToLoopback: boolean, account: { sid: string; authToken: string }): string {
  if (boundToLoopback) return url;
  const parsed = new URL(url);
  parsed.username = account.sid;
  parsed.password = encodeURIComponent(account.authToken);
  return parsed.href.replace(/\/$/, '');
}

export function pythonShimDir(packageRoot: string): string {
  return join(packageRoot, 'shims', 'python');
}

/** The variables for the server `app`, whose address and account are known once it listens. */
export async function sdkEnvironment(app: Shortroute): Promise<[string, string][]> {
  const ca = await app.caFiles();
  const credentials = { sid: app.account.sid, authToken: app.account.auth_token };
  const address = app.server.server.address();
  const bound = typeof address === 'object' && address ? address.address : undefined;
  return clientEnvironment({
    proxyUrl: proxyUrlFor(app.url, isLoopbackAddress(bound), credentials),
    caPath: ca.caPath,
    bundlePath: ca.bundlePath,
    account: credentials,
    pythonShimDir: pythonShimDir(PACKAGE_ROOT),
    current: process.env,
  });
}
