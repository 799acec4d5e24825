import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CarWriter } from '@ipld/car/writer';
import { CID } from 'multiformats/cid';
import { derivedCarKey } from '../core/model/object-keys';
import { INLINE_DOWNLOAD_MAX_BYTES, type BlobStreamDeps, type StorageDeps } from '../core/ports/storage';
import { selectResponse, type ConditionalHeaders } from '../http/conditional';
import { safeLocation } from '../http/headers';
import type { TrustlessBlock, TrustlessCar, TrustlessContent, TrustlessRequest } from './trustless';

/** Responses of the trustless gateway (apart from views.ts so that only the gateway bundles the CAR writer). */

/** What the gateway answers, and the bytes it hands out by it (the body, or the object behind a redirect). */
export interface TrustlessAnswer {
  readonly response: APIGatewayProxyStructuredResultV2;
  readonly servedBytes: number;
}

export interface TrustlessResponseOptions {
  readonly segments?: readonly string[];
  readonly head?: boolean;
  /** Immutable like any content under a CID (`/ipns/` passes its own). */
  readonly cacheControl?: string;
  /** Most CAR bytes in the response body; a larger CAR is a 302 to its derived object (default INLINE_DOWNLOAD_MAX_BYTES). */
  readonly inlineLimit?: number;
  /** The request's If-None-Match and Cache-Control: a 304 (nothing built, nothing served) when the client holds this very answer. */
  readonly conditional?: Pick<ConditionalHeaders, 'if-none-match' | 'cache-control'>;
}

/** Whether the client's copy tagged by If-None-Match is this answer (RFC 9110 §13.1.2; `no-cache` reloads): a 304 then. */
function notModified(options: TrustlessResponseOptions, etag: string, cacheHeaders: Record<string, string>): TrustlessAnswer | undefined {
  if (!options.conditional?.['if-none-match']) return undefined;
  const selection = selectResponse(options.conditional, { etag, lastModified: new Date(0), size: 0 });
  return selection.kind === 'not-modified' ? { response: { statusCode: 304, headers: cacheHeaders, body: '' }, servedBytes: 0 } : undefined;
}

const IMMUTABLE = 'public, max-age=29030400, immutable';

/**
 * `GET /ipfs/:cid[/<path…>]` in a trustless format: one block (`application/vnd.ipld.raw`), or a CARv1
 * (`application/vnd.ipld.car; version=1; order=dfs; dups=n|y`, root = the CID the path starts from) written by
 * `@ipld/car`'s stream writer as its blocks are read. A CAR of at most `inlineLimit` bytes is the body; a larger
 * one is written once to the files bucket under a key derived from its root CID and everything else that decides
 * its blocks ({@link derivedCarKey}: never stale), streamed with bounded memory (lib-storage's multipart Upload),
 * and answered by a 302 to a presigned GET of 60 s; a later request for the same CAR finds the object and only
 * signs. The ETag names the format (the spec's `"<cid>.raw"`): for a raw block the block's own CID, for a CAR the
 * root CID and, with a path or non-default parameters, a digest of them; If-None-Match naming it is a 304, before
 * anything is built. `head`: the same status and headers, no body.
 */
export async function trustlessResponse(
  deps: Pick<StorageDeps, 'blobs' | 'presignTtlSeconds'> & BlobStreamDeps,
  content: TrustlessContent,
  request: TrustlessRequest,
  cid: string,
  options: TrustlessResponseOptions = {},
): Promise<TrustlessAnswer> {
  if (content.format === 'raw') return rawResponse(content, cid, options);
  return carResponse(deps, content, request, cid, options);
}

function rawResponse(content: TrustlessBlock, cid: string, options: TrustlessResponseOptions): TrustlessAnswer {
  const body = content.block.bytes;
  const tag = `${(options.segments ?? []).length === 0 ? cid : CID.decode(content.block.cid).toString()}.raw`;
  const headers = {
    'content-type': 'application/vnd.ipld.raw',
    'content-disposition': `attachment; filename="${cid}.bin"`,
    'cache-control': options.cacheControl ?? IMMUTABLE,
    etag: `"${tag}"`,
    vary: 'Accept',
    'x-content-type-options': 'nosniff',
    'x-ipfs-roots': CID.decode(content.block.cid).toString(),
    'content-length': String(body.byteLength),
  };
  const unchanged = notModified(options, headers.etag, { etag: headers.etag, 'cache-control': headers['cache-control'], vary: 'Accept' });
  if (unchanged) return unchanged;
  if (options.head) return { response: { statusCode: 200, headers, body: '' }, servedBytes: 0 };
  return { response: { statusCode: 200, headers, body: Buffer.from(body).toString('base64'), isBase64Encoded: true }, servedBytes: body.byteLength };
}

async function carResponse(deps: Pick<StorageDeps, 'blobs' | 'presignTtlSeconds'> & BlobStreamDeps, content: TrustlessCar, request: TrustlessRequest, cid: string, options: TrustlessResponseOptions): Promise<TrustlessAnswer> {
  const segments = options.segments ?? [];
  const root = CID.decode(content.root);
  const contentType = `application/vnd.ipld.car; version=1; order=dfs; dups=${request.dups ? 'y' : 'n'}`;
  // Everything besides the root that decides the blocks; the defaults (no path, dag-scope=all, dups=n) add nothing.
  const variantOf = { segments, scope: request.scope, entityBytes: request.entityBytes ?? null, dups: request.dups };
  const variant = createHash('sha256').update(JSON.stringify(variantOf)).digest('hex').slice(0, 32);
  const plain = segments.length === 0 && request.scope === 'all' && !request.entityBytes && !request.dups;
  const headers = {
    'content-type': contentType,
    'content-disposition': `attachment; filename="${cid}.car"`,
    'cache-control': options.cacheControl ?? IMMUTABLE,
    etag: `"${cid}.car${plain ? '' : `.${variant.slice(0, 16)}`}"`,
    vary: 'Accept',
    'x-content-type-options': 'nosniff',
    'x-ipfs-roots': root.toString(),
  };
  // Content under a CID (and a path below it) does not change: a client holding this CAR's tag holds this CAR.
  const unchanged = notModified(options, headers.etag, { etag: headers.etag, 'cache-control': headers['cache-control'], vary: 'Accept' });
  if (unchanged) return unchanged;
  const limit = options.inlineLimit ?? INLINE_DOWNLOAD_MAX_BYTES;
  const key = derivedCarKey(root.toString(), variant);
  const redirect = async (size: number): Promise<TrustlessAnswer> => {
    const url = await deps.blobs.presignDownload(key, Math.min(deps.presignTtlSeconds, 60), `${cid}.car`, contentType, 'attachment');
    // The URL expires: the redirect is not cached (the CAR behind it is immutable, its ETag says which it is).
    const response = { statusCode: 302, headers: { ...headers, 'cache-control': 'no-store', location: safeLocation(url) }, body: '' };
    return { response, servedBytes: options.head ? 0 : size };
  };

  // A CAR that may not fit the body (a directory tree's size is known only once walked) may have been written by
  // an earlier request: only a signature then.
  if (content.fileBytes === undefined || content.fileBytes > limit) {
    const existing = await deps.blobs.head(key);
    if (existing) return redirect(existing.size);
  }

  const { writer, out } = CarWriter.create([root]);
  const produced = (async () => {
    try {
      for await (const block of content.blocks()) await writer.put({ cid: CID.decode(block.cid), bytes: block.bytes });
    } finally {
      await writer.close();
    }
  })();
  // Should the consumer stop first (S3 failed), the producer's own failure is not the one to report.
  produced.catch(() => undefined);
  const pieces = out[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  let bufferedBytes = 0;
  for (;;) {
    const { done, value } = await pieces.next();
    if (done) {
      await produced; // a block that did not verify (404), or a tree too large (413): thrown before anything is sent
      const body = Buffer.concat(buffered);
      const inline = { ...headers, 'content-length': String(body.byteLength) };
      if (options.head) return { response: { statusCode: 200, headers: inline, body: '' }, servedBytes: 0 };
      return { response: { statusCode: 200, headers: inline, body: body.toString('base64'), isBase64Encoded: true }, servedBytes: body.byteLength };
    }
    buffered.push(value);
    bufferedBytes += value.byteLength;
    if (bufferedBytes > limit) break;
  }
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    yield* buffered.splice(0);
    for (;;) {
      const { done, value } = await pieces.next();
      if (done) break;
      yield value;
    }
    // A failure of the walk fails the upload (lib-storage aborts it): no partial CAR is ever stored.
    await produced;
  };
  const size = await deps.blobStreams.putStream(key, rest(), contentType);
  return redirect(size);
}
