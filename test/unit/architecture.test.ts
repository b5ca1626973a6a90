import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../helpers/cli.js';

/** The walls of docs/architecture.md, checked on every run rather than trusted. */

const SRC = join(ROOT, 'src');

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const files = sources();
const text = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));
const rel = (file: string) => relative(SRC, file);

/** The modules a file imports, resolved to source paths; `typeOnly` ones vanish at run time. */
function importsOf(file: string): { target: string; typeOnly: boolean }[] {
  const found: { target: string; typeOnly: boolean }[] = [];
  for (const match of text.get(file)!.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'(\.[^']+)';/gm)) {
    found.push({ target: normalize(join(dirname(file), match[2]!.replace(/\.js$/, '.ts'))), typeOnly: match[1] !== undefined });
  }
  return found;
}

describe('architecture', () => {
  test('SQL: no query is built outside src/storage/', () => {
    const offenders = files
      .filter((file) => !rel(file).startsWith('storage/'))
      .filter((file) => /\b(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`/.test(text.get(file)!))
      .map(rel);
    assert.deepEqual(offenders, []);
  });

  test('layers: nothing below resources/ (http, storage, webhooks, network, sending, inbound, auth, phone, proxy, background) imports from it', () => {
    const lower = ['http/', 'storage/', 'webhooks/', 'network/', 'sending/', 'inbound/', 'auth/', 'phone/', 'proxy/', 'background/'];
    const offenders = files
      .filter((file) => lower.some((layer) => rel(file).startsWith(layer)))
      .flatMap((file) =>
        importsOf(file)
          .filter((i) => rel(i.target).startsWith('resources/'))
          .map((i) => `${rel(file)} → ${rel(i.target)}`),
      );
    assert.deepEqual(offenders, []);
  });

  test('imports: no cycle among the modules that load one another at run time', () => {
    const graph = new Map(
      files.map((file) => [
        file,
        importsOf(file)
          .filter((i) => !i.typeOnly)
          .map((i) => i.target),
      ]),
    );
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].map(rel).join(' → '));
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file, [file]);
    assert.deepEqual(cycles, []);
  });
});
