/**
 * Packing a static site into the JSON a function bundles and serves (lib/http/static-bundle.ts): the web console's
 * Vite build (scripts/console/build.ts) and the API reference's renderer (scripts/docs/build.ts). Each packed file
 * is `{contentType, body, encoding}`: text as is (`utf8`), binary as `base64`, and large text gzip-compressed
 * (`gzip`: base64 of the gzip bytes, served as such to clients that accept gzip). A pack records the SHA-256 of
 * its inputs (`sourceHash`), so `--check` tells cheaply whether the committed pack still matches them.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PackedSite } from '../../lib/http/static-bundle';

export const ROOT = path.resolve(__dirname, '..', '..');

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const TEXT = new Set(['.html', '.js', '.css', '.svg']);

/** Every file under `dir`, sorted, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

/**
 * One packed file for `relative` (its extension decides the content type; a type the static server does not
 * serve throws). Text of at least `gzipFrom` bytes is stored gzip-compressed.
 */
export function packFile(relative: string, bytes: Buffer, gzipFrom = Infinity): PackedSite['files'][string] {
  const extension = path.extname(relative);
  const contentType = CONTENT_TYPES[extension];
  if (!contentType) throw new Error(`${relative}: a type the static server does not serve (${extension}).`);
  if (!TEXT.has(extension)) return { contentType, body: bytes.toString('base64'), encoding: 'base64' };
  if (bytes.length >= gzipFrom) return { contentType, body: gzipSync(bytes, { level: 9 }).toString('base64'), encoding: 'gzip' };
  return { contentType, body: bytes.toString('utf8'), encoding: 'utf8' };
}

/** The version of an installed package (node_modules/<name>/package.json). */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Hex SHA-256 of `files` (by path relative to `base` and content) and of the versions of `packages`: stable across machines. */
export function sourceHash(base: string, files: readonly string[], packages: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(base, file).split(path.sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  for (const name of packages) hash.update(`${name}@${installedVersion(name)}\0`);
  return hash.digest('hex');
}

/** The `sourceHash` a committed pack records (undefined when it is missing or unreadable). */
export function recordedSourceHash(bundleFile: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(bundleFile, 'utf8')) as { sourceHash?: string }).sourceHash;
  } catch {
    return undefined;
  }
}
