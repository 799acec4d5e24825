/**
 * The local files an upload sends: one file, or every regular file under a folder (symbolic
 * links to files followed, to folders not, so a link loop cannot hang the walk), in a stable
 * order (by relative path, UTF-16 code units).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface LocalFile {
  /** Relative to the uploaded folder, with `/` separators (`sub/a.txt`); the file's name for a single file. */
  readonly relative: string;
  readonly absolute: string;
  /** Bytes. */
  readonly size: number;
  readonly mtimeMs: number;
}

/** The files under `source` (a folder) or `source` itself (a file). Errors name the path. */
export async function walk(source: string): Promise<{ kind: 'file' | 'directory'; files: LocalFile[] }> {
  const absolute = path.resolve(source);
  const info = await stat(absolute).catch((error: NodeJS.ErrnoException) => {
    throw new Error(error.code === 'ENOENT' ? `${source}: no such file or folder` : `${source}: ${error.message}`);
  });
  if (info.isFile()) return { kind: 'file', files: [{ relative: path.basename(absolute), absolute, size: info.size, mtimeMs: info.mtimeMs }] };
  if (!info.isDirectory()) throw new Error(`${source}: neither a file nor a folder`);
  const files: LocalFile[] = [];
  await walkInto(absolute, '', files);
  files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  return { kind: 'directory', files };
}

async function walkInto(folder: string, prefix: string, files: LocalFile[]): Promise<void> {
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const absolute = path.join(folder, entry.name);
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await walkInto(absolute, relative, files);
    else if (entry.isFile() || entry.isSymbolicLink()) {
      const info = await stat(absolute).catch(() => undefined); // a dangling link is skipped
      if (info?.isFile()) files.push({ relative, absolute, size: info.size, mtimeMs: info.mtimeMs });
    }
  }
}

/** `sub/deeper/a.txt` → `{fileName: 'a.txt', directory: 'sub/deeper'}` (`''` at the top). */
export function splitRelative(relative: string): { fileName: string; directory: string } {
  const slash = relative.lastIndexOf('/');
  return slash < 0 ? { fileName: relative, directory: '' } : { fileName: relative.slice(slash + 1), directory: relative.slice(0, slash) };
}
