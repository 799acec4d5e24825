/**
 * `npm run docs:build`: packs the API reference's page (docs/reference: index.html, reference.js, reference.css)
 * with the renderer it loads, Swagger UI (swagger-ui-dist's swagger-ui-bundle.js and swagger-ui.css), into
 * docs/reference/dist/bundle.json ({sourceHash, files}), which the docs function bundles and serves under /docs
 * (lib/http/static-bundle.ts, as the console's build). Assets get content-hashed names (`assets/<name>-<hash>.<ext>`,
 * cached a year) written into index.html; the renderer's two files are stored gzip-compressed.
 * `npm run docs:build -- --check` exits 1 when the committed pack was made from other sources (CI).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PackedSite } from '../../lib/http/static-bundle';
import { packFile, recordedSourceHash, ROOT, sourceHash } from '../static-site/pack';

const SOURCE_DIR = path.join(ROOT, 'docs', 'reference');
/** The pack functions/docs/openapi serves. */
export const DOCS_BUNDLE_FILE = path.join(SOURCE_DIR, 'dist', 'bundle.json');
const RENDERER = path.join(ROOT, 'node_modules', 'swagger-ui-dist');
const ASSETS = [path.join(RENDERER, 'swagger-ui-bundle.js'), path.join(RENDERER, 'swagger-ui.css'), path.join(SOURCE_DIR, 'reference.js'), path.join(SOURCE_DIR, 'reference.css')];
const PAGE = path.join(SOURCE_DIR, 'index.html');
/** Text at least this large is stored and sent gzip-compressed (the renderer's files; not the page or ours). */
const GZIP_FROM = 64 * 1024;

/** Hex SHA-256 of the page's sources and the renderer's version. */
export function docsSourceHash(): string {
  return sourceHash(ROOT, [PAGE, ...ASSETS.filter((file) => file.startsWith(SOURCE_DIR))], ['swagger-ui-dist']);
}

function main(): void {
  const hash = docsSourceHash();
  if (process.argv.includes('--check')) {
    if (recordedSourceHash(DOCS_BUNDLE_FILE) !== hash) {
      process.stderr.write('docs/reference/dist/bundle.json was not packed from these sources: run `npm run docs:build` and commit it.\n');
      process.exit(1);
    }
    process.stdout.write('docs/reference/dist/bundle.json is up to date.\n');
    return;
  }
  const files: Record<string, PackedSite['files'][string]> = {};
  let page = readFileSync(PAGE, 'utf8');
  for (const asset of ASSETS) {
    const bytes = readFileSync(asset);
    const name = path.basename(asset);
    const extension = path.extname(name);
    const hashed = `assets/${path.basename(name, extension)}-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}${extension}`;
    files[hashed] = packFile(hashed, bytes, GZIP_FROM);
    if (!page.includes(`{{${name}}}`)) throw new Error(`docs/reference/index.html does not load {{${name}}}.`);
    page = page.replaceAll(`{{${name}}}`, hashed);
  }
  const left = /\{\{[^}]*\}\}/.exec(page);
  if (left) throw new Error(`docs/reference/index.html names ${left[0]}, which is not packed.`);
  files['index.html'] = packFile('index.html', Buffer.from(page, 'utf8'));
  mkdirSync(path.dirname(DOCS_BUNDLE_FILE), { recursive: true });
  writeFileSync(DOCS_BUNDLE_FILE, `${JSON.stringify({ sourceHash: hash, files }, null, 1)}\n`);
  const bytes = Object.values(files).reduce((sum, f) => sum + f.body.length, 0);
  process.stdout.write(`wrote ${path.relative(process.cwd(), DOCS_BUNDLE_FILE)}: ${Object.keys(files).length} files, ${(bytes / 1024).toFixed(1)} KiB\n`);
}

if (require.main === module) main();
