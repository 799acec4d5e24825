import { z } from 'zod';
import { toCidV1 } from '../cid';
import { MAX_BUCKET_DESCRIPTION_LENGTH, MAX_BUCKET_NAME_BYTES } from '../domain/buckets';
import { SORT_FIELDS, type SortField } from '../domain/entries';
import { MAX_SEGMENT_BYTES, normaliseSegment, parsePath } from '../domain/paths';
import { isUuid, UUID_PATTERN } from '../domain/secrets';

/**
 * Request schemas of the Apillon surface. Each problem is named with an Apillon
 * validation code (lib/http/validation.ts), so a bad request gets a 422 that says
 * which property is wrong and nothing is stored.
 */

/** A MIME type as it may appear in a response header: printable ASCII, no line breaks. */
const MIME_TYPE = /^[\x21-\x7e]+\/[\x21-\x7e]+(?: *;[\x20-\x7e]*)?$/;
/** Largest object one presigned PUT can carry (S3's single-upload limit, 5 GiB). */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
/** Files (and CIDs) in one request: what the SDK sends in one batch. */
export const MAX_FILES_PER_REQUEST = 200;

const holds = (check: (value: string) => unknown) => (value: string) => {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
};

/** Query parameters arrive as strings; an empty one counts as absent. */
const queryParam = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const integerParam = (message: string, min: number, max: number) =>
  z.string().regex(/^\d{1,10}$/, message).transform(Number).pipe(z.number().min(min, message).max(max, message));

const booleanParam = (message: string) =>
  z.string().regex(/^(true|false)$/i, message).transform((value) => value.toLowerCase() === 'true');

const commaList = <T>(message: string, parse: (item: string) => T | undefined, maxItems = 4) =>
  z.string().transform((value, ctx) => {
    const items = value.split(',').map((item) => parse(item.trim()));
    if (items.length > maxItems || items.some((item) => item === undefined)) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return items as T[];
  });

const uuidParam = (message: string) => z.string().regex(UUID_PATTERN, message).transform((value) => value.toLowerCase());

// ---- path parameters --------------------------------------------------------

/** Path ids are checked by the domain (a malformed id is simply not found). */
export const bucketPath = z.object({ bucketUuid: z.string() });
export const fileInBucketPath = z.object({ bucketUuid: z.string(), id: z.string() });
export const directoryInBucketPath = z.object({ bucketUuid: z.string(), directoryUuid: z.string() });
export const sessionInBucketPath = z.object({ bucketUuid: z.string(), sessionUuid: z.string() });

// ---- listings ---------------------------------------------------------------

const pagination = {
  page: queryParam(integerParam('PAGE_NOT_VALID', 1, 10_000_000)).default(1),
  limit: queryParam(integerParam('LIMIT_NOT_VALID', 1, 1000)).default(20),
  nextToken: queryParam(z.string().max(4096, 'NEXT_TOKEN_NOT_VALID')),
};

const ordering = {
  search: queryParam(z.string().max(MAX_SEGMENT_BYTES, 'SEARCH_NOT_VALID')),
  orderBy: queryParam(
    commaList<SortField>('ORDER_BY_NOT_VALID', (item) => (SORT_FIELDS as readonly string[]).includes(item) ? (item as SortField) : undefined),
  ).default([]),
  desc: queryParam(
    commaList<boolean>('DESC_NOT_VALID', (item) => (/^true$/i.test(item) ? true : /^false$/i.test(item) ? false : undefined)),
  ).default([]),
};

/** `GET /storage/:bucketUuid/content` (the seed's v1 listing). */
export const contentQuery = z.object({
  ...pagination,
  ...ordering,
  /** The directory's internal id or its uuid; the root when absent. */
  directoryId: queryParam(z.string().refine((value) => /^\d{1,15}$/.test(value) || isUuid(value), 'DIRECTORY_ID_NOT_VALID')),
});

/** `GET /storage/buckets/:bucketUuid/content` (what the SDK's listObjects and Directory.get send). */
export const bucketContentQuery = z.object({
  ...pagination,
  ...ordering,
  directoryUuid: queryParam(uuidParam('DIRECTORY_ID_NOT_VALID')),
  markedForDeletion: queryParam(booleanParam('MARKED_FOR_DELETION_NOT_VALID')).default(false),
});

/** `GET /storage/buckets/:bucketUuid/files` (the SDK's listFiles). */
export const bucketFilesQuery = z.object({
  ...pagination,
  fileStatus: queryParam(integerParam('FILE_STATUS_NOT_VALID', 1, 999)),
  sessionUuid: queryParam(uuidParam('SESSION_UUID_NOT_VALID')),
});

/** `GET /storage/buckets` (the SDK's listBuckets). */
export const bucketListQuery = z.object({ ...pagination, ...ordering });

// ---- buckets ----------------------------------------------------------------

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export const createBucketBody = z.object({
  // Normalised first, then measured in bytes: NFC can make a name longer (U+FB2C is 3 bytes, its NFC form 6),
  // and the name is part of a DynamoDB key.
  name: z
    .string({ error: 'BUCKET_NAME_NOT_PRESENT' })
    .refine((value) => value.trim() !== '', 'BUCKET_NAME_NOT_PRESENT')
    .refine((value) => value.length <= 4 * MAX_BUCKET_NAME_BYTES && !CONTROL.test(value) && value.isWellFormed(), 'BUCKET_NAME_NOT_VALID')
    .transform((value) => value.trim().normalize('NFC'))
    .refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_BUCKET_NAME_BYTES, 'BUCKET_NAME_NOT_VALID'),
  description: z
    .string({ error: 'BUCKET_DESCRIPTION_NOT_VALID' })
    .max(MAX_BUCKET_DESCRIPTION_LENGTH, 'BUCKET_DESCRIPTION_NOT_VALID')
    .refine((value) => value.isWellFormed(), 'BUCKET_DESCRIPTION_NOT_VALID')
    .nullish(),
  /** Whether the `/ipfs/<cid>` gateway serves its files without credentials (default: yes, as on Apillon). */
  public: z.boolean({ error: 'BUCKET_PUBLIC_NOT_VALID' }).optional(),
});

// ---- uploads ----------------------------------------------------------------

const fileName = z
  .string({ error: 'FILE_NAME_NOT_PRESENT' })
  .refine((value) => value.trim() !== '', 'FILE_NAME_NOT_PRESENT')
  .refine(holds(normaliseSegment), 'FILE_NAME_NOT_VALID');

const contentType = (missing: string) =>
  z
    .string({ error: missing })
    .refine((value) => value.trim() !== '', missing)
    .refine((value) => value.length <= 255 && MIME_TYPE.test(value.trim()), 'CONTENT_TYPE_NOT_VALID')
    .transform((value) => value.trim());

/** The Apillon `path`: the directory, `''`/absent for the root; `dir/` and `/dir` are accepted. */
const directoryPath = (message: string) =>
  z.string({ error: message }).max(1024, message).refine(holds((value) => parsePath(value, { lenientSlashes: true })), message);

const declaredSize = z
  .number({ error: 'FILE_SIZE_NOT_VALID' })
  .int('FILE_SIZE_NOT_VALID')
  .min(0, 'FILE_SIZE_NOT_VALID')
  .max(MAX_UPLOAD_BYTES, 'FILE_SIZE_NOT_VALID')
  .nullish();

/** `POST /storage/:bucketUuid/upload` (the seed's single upload request). */
export const singleUploadBody = z.object({
  fileName,
  contentType: contentType('FILE_CONTENT_TYPE_NOT_PRESENT'),
  path: directoryPath('PATH_NOT_VALID').nullish(),
  /** Optional: when given, the presigned URL signs it and the bytes must have exactly this size. */
  fileSize: declaredSize,
  size: declaredSize,
});

/** One file of a session upload; unknown fields (the SDK's `index`, `CID`…) are allowed and ignored. */
const sessionFile = z.looseObject({
  fileName,
  contentType: contentType('FILE_CONTENT_TYPE_NOT_PRESENT').nullish(),
  path: directoryPath('PATH_NOT_VALID').nullish(),
  fileSize: declaredSize,
  size: declaredSize,
});

/** `POST /storage/buckets/:bucketUuid/upload` (the SDK's upload batch). */
export const sessionUploadBody = z.object({
  files: z
    .array(z.unknown(), { error: 'FILES_NOT_PRESENT' })
    .min(1, 'FILES_NOT_PRESENT')
    .max(MAX_FILES_PER_REQUEST, 'TOO_MANY_FILES')
    .pipe(z.array(sessionFile)),
  sessionUuid: uuidParam('SESSION_UUID_NOT_VALID').nullish(),
});

/** `POST /storage/buckets/:bucketUuid/upload/:sessionUuid/end`: empty, or the SDK's upload options. */
export const endSessionBody = z.looseObject({
  wrapWithDirectory: z.boolean({ error: 'WRAP_WITH_DIRECTORY_NOT_VALID' }).nullish(),
  directoryPath: directoryPath('DIRECTORY_PATH_NOT_VALID').nullish(),
});

// ---- links ------------------------------------------------------------------

const cid = z.string({ error: 'CID_NOT_VALID' }).refine((value) => toCidV1(value) !== null, 'CID_NOT_VALID');

export const linkQuery = z.object({
  type: queryParam(z.string().regex(/^ip[fn]s$/i, 'LINK_TYPE_NOT_VALID').transform((value) => value.toLowerCase() as 'ipfs' | 'ipns')),
});

/** `GET /storage/link-on-ipfs/:cid`: a CID, or an IPNS name with `type=ipns` (checked by the domain with the type). */
export const linkTargetPath = z.object({ cid: z.string().max(256, 'CID_NOT_VALID') });

export const linkPath = z.object({ cid });

/** `GET /ipfs/:cid?format=raw|car` (the trustless gateway); other parameters are left alone. */
export const gatewayQuery = z.looseObject({
  format: queryParam(z.string().regex(/^(raw|car)$/, 'FORMAT_NOT_VALID')),
});

export const linksBody = z.object({
  cids: z
    .array(z.unknown(), { error: 'CIDS_NOT_PRESENT' })
    .min(1, 'CIDS_NOT_PRESENT')
    .max(MAX_FILES_PER_REQUEST, 'TOO_MANY_FILES')
    .pipe(z.array(cid)),
});

// ---- IPNS -------------------------------------------------------------------

export const ipnsInBucketPath = z.object({ bucketUuid: z.string(), ipnsUuid: z.string() });

/** `GET /ipns/:name`. */
export const ipnsNamePath = z.object({ name: z.string().max(256, 'IPNS_NAME_NOT_VALID') });

/** `GET /ipns/:name?format=ipns-record`: the signed record instead of the content. */
export const ipnsGatewayQuery = z.looseObject({
  format: queryParam(z.string().regex(/^ipns-record$/, 'FORMAT_NOT_VALID')),
});

/** `GET /storage/buckets/:bucketUuid/ipns` (the SDK's listIpnsNames). */
export const ipnsListQuery = z.object({
  ...pagination,
  search: ordering.search,
  ipnsName: queryParam(z.string().max(256, 'IPNS_NAME_NOT_VALID')),
  ipnsValue: queryParam(z.string().max(300, 'IPNS_VALUE_NOT_VALID')),
});

const ipnsLabel = z
  .string({ error: 'IPNS_NAME_NOT_PRESENT' })
  .refine((value) => value.trim() !== '', 'IPNS_NAME_NOT_PRESENT')
  .refine((value) => value.length <= 255 && !CONTROL.test(value) && value.isWellFormed(), 'IPNS_NAME_NOT_VALID')
  .transform((value) => value.trim().normalize('NFC'));

/** `POST /storage/buckets/:bucketUuid/ipns` (the SDK's createIpns: `{name, description?, cid?}`). */
export const createIpnsBody = z.object({
  name: ipnsLabel,
  description: z
    .string({ error: 'IPNS_DESCRIPTION_NOT_VALID' })
    .max(1000, 'IPNS_DESCRIPTION_NOT_VALID')
    .refine((value) => value.isWellFormed(), 'IPNS_DESCRIPTION_NOT_VALID')
    .nullish(),
  cid: cid.nullish(),
});

/** `POST …/ipns/:ipnsUuid/publish {cid}`. */
export const publishIpnsBody = z.object({ cid: z.string({ error: 'CID_NOT_PRESENT' }).pipe(cid) });
