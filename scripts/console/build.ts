/**
 * `npm run console:build`: builds the web console (Vite + Preact, console/vite.config.ts) and packs its files
 * into console/dist/bundle.json ({sourceHash, files: {<path under /console/>: {contentType, body, encoding}}}),
 * which is committed: the consoleAssets function bundles it (as the docs function bundles docs/openapi.json), so
 * a fresh clone serves the console with `npm ci && npm start`, and deploys need no extra step.
 * `npm run console:build -- --check` exits 1 when the committed bundle was built from other sources (CI).
 */
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { BUNDLE_FILE, CONSOLE_DIR, consoleSourceHash, ROOT } from './source-hash';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const TEXT = new Set(['.html', '.js', '.css', '.svg']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

async function main(): Promise<void> {
  const sourceHash = consoleSourceHash();
  if (process.argv.includes('--check')) {
    let recorded: string | undefined;
    try {
      recorded = (JSON.parse(readFileSync(BUNDLE_FILE, 'utf8')) as { sourceHash?: string }).sourceHash;
    } catch {
      // missing: stale
    }
    if (recorded !== sourceHash) {
      process.stderr.write('console/dist/bundle.json was not built from these sources: run `npm run console:build` and commit it.\n');
      process.exit(1);
    }
    process.stdout.write('console/dist/bundle.json is up to date.\n');
    return;
  }
  const { build } = await import('vite');
  await build({ configFile: path.join(CONSOLE_DIR, 'vite.config.ts'), mode: 'production' });
  const outDir = path.join(ROOT, '.build', 'console');
  const files: Record<string, { contentType: string; body: string; encoding: 'utf8' | 'base64' }> = {};
  for (const file of filesUnder(outDir)) {
    const extension = path.extname(file);
    const contentType = CONTENT_TYPES[extension];
    if (!contentType) throw new Error(`The console build made ${file}, of a type the console function does not serve (${extension}).`);
    const bytes = readFileSync(file);
    const relative = path.relative(outDir, file).split(path.sep).join('/');
    files[relative] = TEXT.has(extension) ? { contentType, body: bytes.toString('utf8'), encoding: 'utf8' } : { contentType, body: bytes.toString('base64'), encoding: 'base64' };
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
