import { helpText, parseConfig, UsageError } from '../config.js';
import { reachableUrl, readMainAccount } from '../app.js';
import { isLoopbackAddress } from '../proxy/hosts.js';
import { clientEnvironment, environmentWarnings, formatEnvironment, PACKAGE_ROOT, proxyUrlFor, pythonShimDir, SHELLS, type Shell } from './environment.js';

/** `shortroute env`: the lines a shell evaluates so that its programs' SDKs reach the server. */
export async function cmdEnv(args: string[]): Promise<number> {
  const config = parseConfig(args, process.env, {}, { shell: { type: 'string', default: 'sh' }, format: { type: 'string' } });
  if (config.help) {
    console.log(helpText());
    return 0;
  }
  const shell = (config.extra.format ?? config.extra.shell) as string;
  if (!(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`--shell must be sh, fish or powershell (or --format json), not '${shell}'`);
  if (config.port === 0)
    throw new UsageError('shortroute env needs the port the server listens on, not 0 (shortroute exec picks one and sets the variables itself)');
  if (config.inMemory && !config.accountSid) {
    throw new UsageError(
      'an in-memory server makes up its account at start, so env cannot know it: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN for both, or use shortroute exec',
    );
  }
  for (const warning of environmentWarnings(process.env)) console.error(`shortroute: warning: ${warning}`);
  const account = await readMainAccount(config);
  const { loadCertificateAuthority } = await import('../proxy/certificate-authority.js');
  const ca = loadCertificateAuthority(config.caDir);
  const url = reachableUrl(config.host, config.port);
  const credentials = { sid: account.sid, authToken: account.auth_token };
  const vars = clientEnvironment({
    proxyUrl: proxyUrlFor(url, isLoopbackAddress(config.host), credentials),
    caPath: ca.caPath,
    bundlePath: ca.bundlePath,
    account: credentials,
    pythonShimDir: pythonShimDir(PACKAGE_ROOT),
    current: process.env,
  });
  console.log(formatEnvironment(vars, shell as Shell));
  return 0;
}
