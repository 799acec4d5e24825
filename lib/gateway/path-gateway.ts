import { AppError } from '../errors';
import {
  cidVersionOf,
  entryCid,
  findPublicContent,
  publicDirectory,
  servedByGateway,
  type PublicContent,
  type PublicDirectory,
} from '../core/read/public-content';
import { isFile, type EntryRecord } from '../core/model/entries';
import { MAX_PATH_BYTES } from '../core/model/paths';
import type { StorageDeps } from '../core/ports/storage';

/**
 * The path gateway over directories (https://specs.ipfs.tech/http-gateways/path-gateway/):
 * `/ipfs/<cid>/<path…>` names the file or directory at `<path…>` under the directory
 * `<cid>` names, found through the bucket's path claims (one read per request, however
 * deep), never by walking directory nodes.
 *
 * What a path names is the bucket's current entry there, under a directory whose
 * current CID is the one asked for. A directory's CID is recomputed a few seconds
 * after a change below it, so for those seconds a path may already give the new
 * file while the old directory CID still resolves; the trustless formats (raw, CAR)
 * rebuild every node instead and never serve bytes that do not hash to the CIDs
 * asked for (lib/gateway/trustless.ts).
 */

/** The part of a content path after the root CID (or IPNS name). */
export interface ContentPath {
  /** Names from the root down, NFC (as entries are named), without `.`, `..` or empty segments. */
  readonly segments: readonly string[];
  /**
   * Whether the URL ended in `/` (a directory's canonical URL does); undefined where the server
   * in front strips it (serverless-offline), so that nobody can tell.
   */
  readonly trailingSlash: boolean | undefined;
  /** False when the URL held `.`, `..` or empty segments: the canonical URL is another one. */
  readonly canonical: boolean;
}

/**
 * Reads `remainder`, the URL path after `/ipfs/<cid>/` (or `/ipns/<name>/`) as API
 * Gateway hands it over in the greedy `{proxy+}` parameter: already percent-decoded
 * once, and not decoded again (a name may hold `%`). Segments are cleaned as URLs
 * and boxo's gateway clean them (RFC 3986 §5.2.4, Go's `path.Clean`): empty and `.`
 * segments go, `..` removes the segment before it; a `..` above the root CID would
 * leave the content root: 400 INVALID_PATH. `trailingSlash`: whether the URL ended in `/`,
 * undefined where that cannot be known.
 */
export function parseContentPath(remainder: string | undefined, trailingSlash: boolean | undefined): ContentPath {
  const raw = remainder ?? '';
  const parts = raw === '' ? [] : raw.split('/');
  // One trailing slash is the directory form, not an empty segment.
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const segments: string[] = [];
  let canonical = true;
  for (const part of parts) {
    if (part === '' || part === '.') {
      canonical = false;
    } else if (part === '..') {
      canonical = false;
      if (segments.pop() === undefined) throw new AppError('invalidPath');
    } else {
      const name = part.normalize('NFC');
      if (name !== part) canonical = false;
      segments.push(name);
    }
  }
  return { segments, trailingSlash: trailingSlash === undefined ? undefined : trailingSlash || raw.endsWith('/'), canonical };
}

/**
 * The path-absolute URL of `segments` under `prefix` (`/ipfs/<cid>` or `/ipns/<name>`),
 * each name percent-encoded (so `#`, `?`, `%` and spaces stay in the name), with a
 * trailing slash when `directory`, and `query` (the raw query string) kept.
 */
export function contentUrl(prefix: string, segments: readonly string[], directory: boolean, query?: string): string {
  const path = segments.map((segment) => encodeURIComponent(segment)).join('/');
  const url = segments.length === 0 ? `${prefix}${directory ? '/' : ''}` : `${prefix}/${path}${directory ? '/' : ''}`;
  return query ? `${url}?${query}` : url;
}

/**
 * What `/ipfs/<cid>/<segments…>` names for the public gateway: `cid` found by
 * {@link findPublicContent} (a file or a directory of a public bucket), then the
 * active entry at `<segments…>` under that directory, served only as
 * {@link servedByGateway} allows (a file content addressed and in S3, a directory
 * with its CID). The result's `cid` is the entry's own CID in the version asked for.
 * 404 FILE_DOES_NOT_EXISTS when nothing is there (or `cid` is a file and a path
 * follows it); 422 CID_NOT_VALID for a string that is no CID.
 */
export async function resolveContentPath(deps: Pick<StorageDeps, 'buckets' | 'entries' | 'blobs'>, cid: string, segments: readonly string[]): Promise<PublicContent> {
  const root = await findPublicContent(deps, cid);
  if (segments.length === 0) return root;
  if (root.kind !== 'directory') throw new AppError('fileNotFound');
  return entryBelow(deps, root.directory, segments, cidVersionOf(cid));
}

/**
 * The entry at `segments` below `directory`, through the bucket's path claim (one
 * consistent read) and the entry's record, in the shape {@link resolveContentPath}
 * gives. 404 FILE_DOES_NOT_EXISTS when no entry the gateway serves is there.
 */
export async function entryBelow(
  deps: Pick<StorageDeps, 'entries' | 'blobs'>,
  directory: PublicDirectory,
  segments: readonly string[],
  version: 0 | 1,
): Promise<PublicContent> {
  const path = [...(directory.path === '' ? [] : [directory.path]), ...segments].join('/');
  // No entry has a longer path; DynamoDB would refuse the key.
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) throw new AppError('fileNotFound');
  const claim = await deps.entries.getPathClaim(directory.bucket.bucketUuid, path);
  const entry = claim ? await deps.entries.get(claim.entryUuid) : undefined;
  if (!entry || entry.bucketUuid !== directory.bucket.bucketUuid || !servedByGateway(directory.bucket, entry)) throw new AppError('fileNotFound');
  const cid = entryCid(entry, version);
  if (!cid) throw new AppError('fileNotFound');
  if (!isFile(entry)) return { kind: 'directory', cid, directory: publicDirectory(directory.bucket, entry) };
  const object = await deps.blobs.head(entry.objectKey);
  if (!object) throw new AppError('fileNotFound');
  return { kind: 'file', cid, file: entry, size: object.size };
}

/** Name of the file a directory URL serves instead of a listing, when the directory has one (path gateway spec). */
export const INDEX_FILE_NAME = 'index.html';

/**
 * The `index.html` the gateway serves for `directory` (a file the gateway serves at
 * that name in it), or undefined when it has none: then it lists the directory.
 */
export async function directoryIndexFile(deps: Pick<StorageDeps, 'entries' | 'blobs'>, directory: PublicDirectory, version: 0 | 1): Promise<PublicContent | undefined> {
  try {
    const found = await entryBelow(deps, directory, [INDEX_FILE_NAME], version);
    return found.kind === 'file' ? found : undefined;
  } catch (error) {
    if (error instanceof AppError && error.errorName === 'fileNotFound') return undefined;
    throw error;
  }
}

/**
 * The children of `directory` its node links, sorted by name bytes (UTF-8), the order of the
 * node's links: its listing narrowed by the gateway's rule ({@link servedByGateway}: active,
 * with CIDs, files content addressed) to entries with both CIDs, one per name (the newest),
 * as lib/core/directories/directories.ts `directoryLinks` takes them (which the trustless gateway then
 * applies to build the node).
 */
export async function linkedChildren(deps: Pick<StorageDeps, 'listings'>, directory: PublicDirectory): Promise<EntryRecord[]> {
  const byName = new Map<string, EntryRecord>();
  for (const child of await deps.listings.listAll(directory.bucket.bucketUuid, directory.uuid)) {
    if (!servedByGateway(directory.bucket, child) || !child.cidV0 || !child.cidV1) continue;
    const other = byName.get(child.name);
    if (!other || other.updatedAt < child.updatedAt) byName.set(child.name, child);
  }
  return [...byName.values()].sort((a, b) => Buffer.compare(Buffer.from(a.name, 'utf8'), Buffer.from(b.name, 'utf8')));
}
