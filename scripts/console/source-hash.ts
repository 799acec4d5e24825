/**
 * The fingerprint of the console's sources: SHA-256 over every file under console/ that the build reads
 * (console/src/**, index.html, vite.config.ts, tsconfig.json), by path and content, plus the versions of the
 * packages it bundles (preact) and builds with (vite). console/dist/bundle.json records it, so a test can tell
 * cheaply, without running Vite, whether the committed build still matches its sources.
 */
import path from 'node:path';
import { filesUnder, ROOT, sourceHash } from '../static-site/pack';

export { ROOT };
export const CONSOLE_DIR = path.join(ROOT, 'console');
/** The packed build that functions/console/assets serves. */
export const BUNDLE_FILE = path.join(CONSOLE_DIR, 'dist', 'bundle.json');

/** Hex SHA-256 of the console's sources and toolchain versions (stable across machines: paths are relative, sorted). */
export function consoleSourceHash(): string {
  const inputs = [...filesUnder(path.join(CONSOLE_DIR, 'src')), ...['index.html', 'vite.config.ts', 'tsconfig.json'].map((name) => path.join(CONSOLE_DIR, name))];
  return sourceHash(CONSOLE_DIR, inputs, ['preact', 'vite']);
}
