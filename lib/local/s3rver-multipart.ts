import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The S3 multipart operations s3rver 3.7 lacks, added to an s3rver instance before it runs (dev and tests only).
 *
 * s3rver 3.7 implements CreateMultipartUpload, UploadPart and CompleteMultipartUpload over its filesystem
 * store (`<root>/<bucket>/._S3rver_uploads/<uploadId>/{key,metadata,<partNumber>,<partNumber>.md5}`), but
 * answers `405` to ListParts and AbortMultipartUpload and `501 NotImplemented` to ListMultipartUploads; its
 * UploadPart creates an upload that does not exist (so a part PUT after an abort would be accepted), and its
 * CompleteMultipartUpload checks neither the ETags nor the 5 MiB minimum of every part but the last. This
 * middleware, placed just before s3rver's router, answers those three operations from the same folders and
 * makes the other two refuse what S3 refuses (the error codes of API_UploadPart / API_CompleteMultipartUpload):
 *
 * - `GET /<bucket>/<key>?uploadId=` → ListParts (`max-parts` ≤ 1000, `part-number-marker`), `404 NoSuchUpload`;
 * - `DELETE /<bucket>/<key>?uploadId=` → AbortMultipartUpload (`204`; parts deleted), `404 NoSuchUpload`;
 * - `GET /<bucket>?uploads` → ListMultipartUploads (`prefix`; at most `max-uploads`, default 1000, never truncated
 *   beyond that: local stores hold few);
 * - `PUT ?uploadId&partNumber` and `POST ?uploadId` of an upload that does not exist (aborted, completed, or
 *   of another key) → `404 NoSuchUpload`; a part number outside 1–10,000 → `400 InvalidArgument`;
 * - `POST ?uploadId` (complete): parts in ascending order (`InvalidPartOrder`), each one uploaded with the
 *   ETag given (`InvalidPart`), each but the last at least 5 MiB (`EntityTooSmall`); then s3rver assembles them;
 * - `PUT ?uploadId&partNumber` with `x-amz-copy-source` → UploadPartCopy (s3rver: `501 NotImplemented`): the bytes of
 *   `x-amz-copy-source-range` (`bytes=first-last`, inclusive; the whole source without it) become the part, answered
 *   `<CopyPartResult><ETag>` with the part's MD5 as S3 does; `404 NoSuchKey` for a missing source, `400
 *   InvalidArgument` for a range outside it;
 * - `x-amz-copy-source-if-match` on CopyObject and UploadPartCopy (s3rver ignores it on CopyObject): `412
 *   PreconditionFailed` when the source's ETag differs (API_CopyObject, API_UploadPartCopy).
 *
 * What is still not S3: the completed object's ETag is the MD5 of its bytes (S3: MD5 of the parts' MD5s, `-N`),
 * and the completion event is `ObjectCreated:Post` (S3: `ObjectCreated:CompleteMultipartUpload`); the event
 * function takes any `ObjectCreated:*`.
 */

interface S3ErrorClass {
  new (code: string, message: string, detail?: Record<string, unknown>): Error;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  req: NodeJS.ReadableStream;
  headers: Record<string, string | string[] | undefined>;
}

/** The parts of s3rver's FilesystemStore used here (s3rver/lib/stores/filesystem.js). */
interface S3rverStore {
  rootDirectory: string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  /** Throws (ENOENT) when the object does not exist; `etag` is the quoted MD5. */
  getMetadata(bucket: string, key: string): Promise<{ etag: string; 'content-length': number }>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: NodeJS.ReadableStream): Promise<{ size: number; md5: string }>;
}

interface S3rverLike {
  readonly middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
  readonly store: S3rverStore;
}

/** S3's minimum part size for every part but the last (bytes). */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Adds the operations above to `s3rver` (call before `run()`: Koa composes its middleware when it starts listening). */
export function addMultipartOperations(s3rver: unknown): void {
  const server = s3rver as S3rverLike;
  let S3Error: S3ErrorClass;
  const uploadsOf = (bucket: string) => path.join(server.store.rootDirectory, bucket, '._S3rver_uploads');

  async function uploadDirectory(bucket: string, key: string, uploadId: string): Promise<string> {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
    const directory = path.join(uploadsOf(bucket), uploadId);
    const storedKey = await fs.readFile(path.join(directory, 'key'), 'utf8').catch(() => undefined);
    if (storedKey !== key) throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: uploadId });
    return directory;
  }

  async function partsIn(directory: string): Promise<{ number: number; size: number; etag: string; lastModified: Date }[]> {
    const names = (await fs.readdir(directory)).filter((name) => /^\d+$/.test(name));
    const parts = await Promise.all(
      names.map(async (name) => {
        const [stat, md5] = await Promise.all([fs.stat(path.join(directory, name)), fs.readFile(path.join(directory, `${name}.md5`), 'utf8').catch(() => undefined)]);
        return md5 === undefined ? undefined : { number: Number(name), size: stat.size, etag: md5.trim(), lastModified: stat.mtime };
      }),
    );
    return parts.filter((part) => part !== undefined).sort((a, b) => a.number - b.number);
  }

  /**
   * The source of a copy (`x-amz-copy-source`: `[/]bucket/key`, URL-encoded, optionally `?versionId=`), checked as S3
   * checks it: `NoSuchKey` when missing, `PreconditionFailed` when `x-amz-copy-source-if-match` names another ETag.
   */
  async function copySourceOf(ctx: KoaContext): Promise<{ bucket: string; key: string; size: number }> {
    const header = single(ctx.headers['x-amz-copy-source']) ?? '';
    const [bucket, ...rest] = decodeURIComponent(header.split('?')[0]!.replace(/^\//, '')).split('/');
    const key = rest.join('/');
    const metadata = bucket && key ? await server.store.getMetadata(bucket, key).catch(() => undefined) : undefined;
    if (!bucket || !key || !metadata) throw new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
    const ifMatch = single(ctx.headers['x-amz-copy-source-if-match']);
    const unquote = (eTag: string) => eTag.replace(/"/g, '').trim();
    if (ifMatch !== undefined && unquote(ifMatch) !== unquote(metadata.etag)) {
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'x-amz-copy-source-If-Match' });
    }
    return { bucket, key, size: Number(metadata['content-length']) };
  }

  /** UploadPartCopy: the source's range (inclusive bytes; all of it without one) stored as the part. */
  async function uploadPartCopy(ctx: KoaContext, bucket: string, uploadId: string, partNumber: number): Promise<void> {
    const source = await copySourceOf(ctx);
    const rangeHeader = single(ctx.headers['x-amz-copy-source-range']);
    let [start, end] = [0, source.size - 1];
    if (rangeHeader !== undefined) {
      const range = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim());
      if (!range || Number(range[1]) > Number(range[2]) || Number(range[2]) >= source.size) {
        throw new S3Error('InvalidArgument', `Range specified is not valid for source object of size: ${source.size}`, { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: rangeHeader });
      }
      [start, end] = [Number(range[1]), Number(range[2])];
    }
    // Opened before it is read (as s3rver's getObject does): a source deleted since its check is NoSuchKey, and once
    // open the bytes stay readable whatever happens to the file.
    const { createReadStream } = await import('node:fs');
    const bytes = source.size === 0
      ? (await import('node:stream')).Readable.from([])
      : await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
          const stream = createReadStream(server.store.getResourcePath(source.bucket, source.key, 'object'), { start, end });
          stream.once('error', () => reject(new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: source.key })));
          stream.once('open', () => resolve(stream));
        });
    const { md5 } = await server.store.putPart(bucket, uploadId, partNumber, bytes);
    ctx.body = {
      CopyPartResult: { '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' }, LastModified: new Date().toISOString(), ETag: `"${md5}"` },
    };
  }

  const multipart = async (ctx: KoaContext, next: () => Promise<void>): Promise<void> => {
    // s3rver's own error class (its error handler renders it as S3's XML error); the package ships no types.
    // @ts-expect-error s3rver/lib/models/error has no type declarations
    S3Error ??= ((await import('s3rver/lib/models/error.js')) as { default: S3ErrorClass }).default;
    const [bucket, ...rest] = ctx.path.replace(/^\//, '').split('/');
    const key = rest.join('/');
    const uploadId = single(ctx.query.uploadId);
    if (!bucket) return next();

    if (key === '' && ctx.method === 'GET' && 'uploads' in ctx.query) {
      const prefix = single(ctx.query.prefix) ?? '';
      const max = Math.min(Number(single(ctx.query['max-uploads']) ?? 1000) || 1000, 1000);
      const ids = await fs.readdir(uploadsOf(bucket)).catch(() => [] as string[]);
      const uploads = (
        await Promise.all(
          ids.map(async (id) => {
            const directory = path.join(uploadsOf(bucket), id);
            const [storedKey, stat] = await Promise.all([fs.readFile(path.join(directory, 'key'), 'utf8').catch(() => undefined), fs.stat(directory).catch(() => undefined)]);
            return storedKey === undefined || !stat ? undefined : { Key: storedKey, UploadId: id, Initiated: stat.birthtime.getTime() ? stat.birthtime : stat.ctime };
          }),
        )
      )
        .filter((upload) => upload !== undefined && upload.Key.startsWith(prefix))
        .sort((a, b) => a!.Key.localeCompare(b!.Key))
        .slice(0, max);
      ctx.body = {
        ListMultipartUploadsResult: {
          '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
          Bucket: bucket,
          Prefix: prefix,
          MaxUploads: max,
          IsTruncated: false,
          Upload: uploads.map((upload) => ({ Key: upload!.Key, UploadId: upload!.UploadId, Initiated: upload!.Initiated.toISOString(), StorageClass: 'STANDARD' })),
        },
      };
      return;
    }
    // CopyObject: s3rver copies, but ignores x-amz-copy-source-if-match.
    if (key !== '' && uploadId === undefined && ctx.method === 'PUT' && ctx.headers['x-amz-copy-source'] !== undefined) {
      await copySourceOf(ctx);
      return next();
    }
    if (key === '' || uploadId === undefined) return next();

    if (ctx.method === 'GET') {
      const directory = await uploadDirectory(bucket, key, uploadId);
      const maxParts = Math.min(Number(single(ctx.query['max-parts']) ?? 1000) || 1000, 1000);
      const marker = Number(single(ctx.query['part-number-marker']) ?? 0) || 0;
      const after = (await partsIn(directory)).filter((part) => part.number > marker);
      const page = after.slice(0, maxParts);
      ctx.body = {
        ListPartsResult: {
          '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumberMarker: marker,
          NextPartNumberMarker: page.at(-1)?.number ?? marker,
          MaxParts: maxParts,
          IsTruncated: after.length > page.length,
          StorageClass: 'STANDARD',
          Part: page.map((part) => ({ PartNumber: part.number, LastModified: part.lastModified.toISOString(), ETag: `"${part.etag}"`, Size: part.size })),
        },
      };
      return;
    }
    if (ctx.method === 'DELETE') {
      const directory = await uploadDirectory(bucket, key, uploadId);
      await fs.rm(directory, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    if (ctx.method === 'PUT') {
      const partNumber = Number(single(ctx.query.partNumber));
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
        throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber' });
      }
      await uploadDirectory(bucket, key, uploadId);
      if (ctx.headers['x-amz-copy-source'] !== undefined) return uploadPartCopy(ctx, bucket, uploadId, partNumber);
      return next();
    }
    if (ctx.method === 'POST') {
      const directory = await uploadDirectory(bucket, key, uploadId);
      const requested = await readCompleteRequest(ctx);
      const stored = new Map((await partsIn(directory)).map((part) => [part.number, part]));
      requested.forEach((part, index) => {
        if (index > 0 && part.number <= requested[index - 1]!.number) {
          throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: uploadId });
        }
        const found = stored.get(part.number);
        if (!found || found.etag !== part.etag) {
          throw new S3Error('InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part\'s entity tag.', { UploadId: uploadId, PartNumber: part.number });
        }
        if (index < requested.length - 1 && found.size < MIN_PART_BYTES) {
          throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', { ProposedSize: found.size, MinSizeAllowed: MIN_PART_BYTES, PartNumber: part.number });
        }
      });
      return next();
    }
    return next();
  };

  // Just before the router (the last middleware), after s3rver's XML encoder, so a plain-object body becomes XML.
  server.middleware.splice(server.middleware.length - 1, 0, multipart);
}

/**
 * The parts of a CompleteMultipartUpload body, read here and handed on to s3rver's own parser (which reads the request
 * stream again): the body is buffered and the request's stream replaced by one over the same bytes.
 */
async function readCompleteRequest(ctx: KoaContext): Promise<{ number: number; etag: string }[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(Buffer.from(chunk as Uint8Array));
  const body = Buffer.concat(chunks);
  const { Readable } = await import('node:stream');
  const replay = Readable.from([body]) as unknown as NodeJS.ReadableStream & Record<string, unknown>;
  // s3rver's xmlBodyParser reads `ctx.req` (raw-body): give it the same headers and the buffered bytes.
  const original = ctx.req as unknown as Record<string, unknown>;
  Object.assign(replay, { headers: original.headers, method: original.method, url: original.url });
  ctx.req = replay;
  const text = body.toString('utf8');
  return [...text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((match) => ({
    number: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(match[1]!)?.[1]),
    etag: (/<ETag>([\s\S]*?)<\/ETag>/.exec(match[1]!)?.[1] ?? '').replace(/&quot;|"/g, '').trim(),
  }));
}
