import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * This checkout or installed package, found from wherever this code was loaded: the sources (run
 * by tsx), the compiled files in dist/, or the one-file bundle the CLI starts from (dist/bundle/).
 * The nearest folder above that holds Shortroute's package.json.
 */
function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).name === 'shortroute') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of shortroute above ${fileURLToPath(import.meta.url)}`);
  }
}

/** Where the SDK client, the Python shim and the package's own files are found. */
export const PACKAGE_ROOT = packageRoot();

export const VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version;
