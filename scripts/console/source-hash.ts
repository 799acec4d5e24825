/**
 * The fingerprint of the console's sources: SHA-256 over every file under console/ that the build reads
 * (console/src/**, index.html, vite.config.ts, tsconfig.json), by path and content, plus the versions of the
 * packages it bundles (preact) and builds with (vite). console/dist/bundle.json records it, so a test can tell
 * cheaply, without running Vite, whether the committed build still matches its sources.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CONSOLE_DIR = path.join(ROOT, 'console');
/** The packed build that functions/console/assets serves. */
export const BUNDLE_FILE = path.join(CONSOLE_DIR, 'dist', 'bundle.json');

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Hex SHA-256 of the console's sources and toolchain versions (stable across machines: paths are relative, sorted). */
export function consoleSourceHash(): string {
  const hash = createHash('sha256');
  const inputs = [...filesUnder(path.join(CONSOLE_DIR, 'src')), ...['index.html', 'vite.config.ts', 'tsconfig.json'].map((name) => path.join(CONSOLE_DIR, name))];
  for (const file of inputs) {
    hash.update(path.relative(CONSOLE_DIR, file).split(path.sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  for (const name of ['preact', 'vite']) hash.update(`${name}@${installedVersion(name)}\0`);
  return hash.digest('hex');
}
