import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it); SHORTROUTE_CHROMIUM names another. */
export const CHROMIUM = process.env.SHORTROUTE_CHROMIUM ?? '/usr/bin/chromium';

/** A headless Chromium driven by playwright-core. Without one the suite fails: it is never skipped. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set SHORTROUTE_CHROMIUM)`);
  // As root (CI containers), Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}
