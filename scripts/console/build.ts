/**
 * `npm run console:build`: builds the web console (Vite + Preact, console/vite.config.ts) and packs its files
 * into console/dist/bundle.json ({sourceHash, files: {<path under /console/>: {contentType, body, encoding}}}),
 * which is committed: the consoleAssets function bundles it (as the docs function bundles docs/openapi.json), so
 * a fresh clone serves the console with `npm ci && npm start`, and deploys need no extra step.
 * `npm run console:build -- --check` exits 1 when the committed bundle was built from other sources (CI).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PackedSite } from '../../lib/http/static-bundle';
import { filesUnder, packFile, recordedSourceHash } from '../static-site/pack';
import { BUNDLE_FILE, CONSOLE_DIR, consoleSourceHash, ROOT } from './source-hash';

async function main(): Promise<void> {
  const sourceHash = consoleSourceHash();
  if (process.argv.includes('--check')) {
    if (recordedSourceHash(BUNDLE_FILE) !== sourceHash) {
      process.stderr.write('console/dist/bundle.json was not built from these sources: run `npm run console:build` and commit it.\n');
      process.exit(1);
    }
    process.stdout.write('console/dist/bundle.json is up to date.\n');
    return;
  }
  const { build } = await import('vite');
  await build({ configFile: path.join(CONSOLE_DIR, 'vite.config.ts'), mode: 'production' });
  const outDir = path.join(ROOT, '.build', 'console');
  const files: Record<string, PackedSite['files'][string]> = {};
  for (const file of filesUnder(outDir)) {
    const relative = path.relative(outDir, file).split(path.sep).join('/');
    files[relative] = packFile(relative, readFileSync(file));
  }
  if (!files['index.html']) throw new Error('The console build made no index.html.');
  mkdirSync(path.dirname(BUNDLE_FILE), { recursive: true });
  writeFileSync(BUNDLE_FILE, `${JSON.stringify({ sourceHash, files }, null, 1)}\n`);
  const bytes = Object.values(files).reduce((sum, f) => sum + f.body.length, 0);
  process.stdout.write(`wrote ${path.relative(process.cwd(), BUNDLE_FILE)}: ${Object.keys(files).length} files, ${(bytes / 1024).toFixed(1)} KiB\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
