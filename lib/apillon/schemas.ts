import * as z from 'zod/mini';
import { MAX_BUCKET_DESCRIPTION_LENGTH, MAX_BUCKET_NAME_BYTES } from '../core/access/buckets';
import { SORT_FIELDS, type SortField } from '../core/model/entries';
import { hasForbiddenCharacters, MAX_SEGMENT_BYTES, normaliseSegment, parsePath } from '../core/model/paths';
import { isUuid, UUID_PATTERN } from '../core/access/secrets';
import { uploadPolicyFields } from './policy-schemas';

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
export const queryParam = <T extends z.core.SomeType>(schema: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    z.optional(schema),
  );

const integerParam = (message: string, min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d{1,10}$/, message)), z.transform(Number)),
    z.number().check(z.gte(min, message), z.lte(max, message)),
  );

const booleanParam = (message: string) =>
  z.pipe(
    z.string().check(z.regex(/^(true|false)$/i, message)),
    z.transform((value: string) => value.toLowerCase() === 'true'),
  );

const commaList = <T>(message: string, parse: (item: string) => T | undefined, maxItems = 4) =>
  z.pipe(
    z.string(),
    z.transform((value: string, ctx) => {
      const items = value.split(',').map((item) => parse(item.trim()));
      if (items.length > maxItems || items.some((item) => item === undefined)) {
        ctx.issues.push({ code: 'custom', message, input: value });
        return z.NEVER;
      }
      return items as T[];
    }),
  );

const uuidParam = (message: string) =>
  z.pipe(z.string().check(z.regex(UUID_PATTERN, message)), z.transform((value: string) => value.toLowerCase()));

// ---- path parameters --------------------------------------------------------

/** Path ids are checked by the domain (a malformed id is simply not found). */
export const bucketPath = z.object({ bucketUuid: z.string() });
export const fileInBucketPath = z.object({ bucketUuid: z.string(), id: z.string() });
export const directoryInBucketPath = z.object({ bucketUuid: z.string(), directoryUuid: z.string() });
export const sessionInBucketPath = z.object({ bucketUuid: z.string(), sessionUuid: z.string() });

// ---- listings ---------------------------------------------------------------

/*
 * Listing queries are strict: a parameter the route does not take is a 422
 * PARAMETER_NOT_SUPPORTED naming it (a `directoryUuid` on the v1 route, a `search`
 * on the file list), and so is a combination the route cannot honour (a `page`
 * with a `nextToken`, more `desc` flags than `orderBy` fields), never silently ignored.
 */

type QueryIssueContext = { value: Record<string, unknown>; issues: z.core.$ZodRawIssue[] };

/** Issues for parameters that say different things: `page` with `nextToken`, `desc` beyond `orderBy`, a field sorted twice. */
function checkPagingAndOrdering(ctx: QueryIssueContext): void {
  const { value } = ctx;
  if (value.nextToken !== undefined && value.page !== undefined) {
    ctx.issues.push({ code: 'custom', path: ['page'], message: 'CONFLICTING_VALUE', input: value.page });
  }
  const orderBy = (value.orderBy as string[] | undefined) ?? [];
  const desc = (value.desc as boolean[] | undefined) ?? [];
  if (new Set(orderBy).size !== orderBy.length) ctx.issues.push({ code: 'custom', path: ['orderBy'], message: 'ORDER_BY_NOT_VALID', input: orderBy });
  if (desc.length > Math.max(1, orderBy.length)) ctx.issues.push({ code: 'custom', path: ['desc'], message: 'DESC_NOT_VALID', input: desc });
}

/**
 * A strict listing query with the paging/ordering checks (and the route's own `check`,
 * if any); `page` defaults to 1 after them.
 */
function listingQuery<T extends z.core.$ZodLooseShape>(shape: T, check?: (ctx: QueryIssueContext) => void) {
  return z.pipe(
    z.strictObject(shape).check((ctx) => {
      checkPagingAndOrdering(ctx as unknown as QueryIssueContext);
      check?.(ctx as unknown as QueryIssueContext);
    }),
    z.transform(<V extends object>(value: V) => ({ ...value, page: (value as { page?: number }).page ?? 1 })),
  );
}

const pagination = {
  /** Absent = 1 (set after the checks, which need to know whether it was given). */
  page: queryParam(integerParam('PAGE_NOT_VALID', 1, 10_000_000)),
  limit: z._default(queryParam(integerParam('LIMIT_NOT_VALID', 1, 1000)), 20),
  nextToken: queryParam(z.string().check(z.maxLength(4096, 'NEXT_TOKEN_NOT_VALID'))),
};

const ordering = {
  search: queryParam(z.string().check(z.maxLength(MAX_SEGMENT_BYTES, 'SEARCH_NOT_VALID'))),
  orderBy: z._default(
    queryParam(
      commaList<SortField>('ORDER_BY_NOT_VALID', (item) => (SORT_FIELDS as readonly string[]).includes(item) ? (item as SortField) : undefined),
    ),
    [],
  ),
  desc: z._default(
    queryParam(commaList<boolean>('DESC_NOT_VALID', (item) => (/^true$/i.test(item) ? true : /^false$/i.test(item) ? false : undefined))),
    [],
  ),
};

/** `GET /storage/:bucketUuid/content` (the seed's v1 listing). */
export const contentQuery = listingQuery({
  ...pagination,
  ...ordering,
  /** The directory's internal id or its uuid; the root when absent. */
  directoryId: queryParam(z.string().check(z.refine((value) => /^\d{1,15}$/.test(value) || isUuid(value), 'DIRECTORY_ID_NOT_VALID'))),
});

/** `GET /storage/buckets/:bucketUuid/content` (what the SDK's listObjects and Directory.get send). */
export const bucketContentQuery = listingQuery({
  ...pagination,
  ...ordering,
  directoryUuid: queryParam(uuidParam('DIRECTORY_ID_NOT_VALID')),
  markedForDeletion: z._default(queryParam(booleanParam('MARKED_FOR_DELETION_NOT_VALID')), false),
}, (ctx) => {
  // The files marked for deletion are the bucket's, oldest first: no directory, search or order applies to them.
  if (!ctx.value.markedForDeletion) return;
  for (const name of ['directoryUuid', 'search', 'orderBy', 'desc'] as const) {
    const given = ctx.value[name];
    if (given !== undefined && !(Array.isArray(given) && given.length === 0)) {
      ctx.issues.push({ code: 'custom', path: [name], message: 'PARAMETER_NOT_SUPPORTED', input: given });
    }
  }
});

/** `GET /storage/buckets/:bucketUuid/files` (the SDK's listFiles). */
export const bucketFilesQuery = listingQuery({
  ...pagination,
  fileStatus: queryParam(integerParam('FILE_STATUS_NOT_VALID', 1, 999)),
  sessionUuid: queryParam(uuidParam('SESSION_UUID_NOT_VALID')),
});

/** `GET /storage/buckets` (the SDK's listBuckets). */
export const bucketListQuery = listingQuery({ ...pagination, ...ordering });

// ---- buckets ----------------------------------------------------------------

export const createBucketBody = z.object({
  // Normalised first, then measured in bytes: NFC can make a name longer (U+FB2C is 3 bytes, its NFC form 6),
  // and the name is part of a DynamoDB key.
  name: z
    .pipe(
      z.string({ error: 'BUCKET_NAME_NOT_PRESENT' }).check(
        z.refine((value) => value.trim() !== '', 'BUCKET_NAME_NOT_PRESENT'),
        // The one rule for names (lib/core/model/paths.ts): no control, format (bidi, zero-width) or replacement characters.
        z.refine((value) => value.length <= 4 * MAX_BUCKET_NAME_BYTES && !hasForbiddenCharacters(value.normalize('NFC')), 'BUCKET_NAME_NOT_VALID'),
      ),
      z.transform((value: string) => value.trim().normalize('NFC')),
    )
    .check(z.refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_BUCKET_NAME_BYTES, 'BUCKET_NAME_NOT_VALID')),
  description: z.nullish(
    z.string({ error: 'BUCKET_DESCRIPTION_NOT_VALID' }).check(
      z.maxLength(MAX_BUCKET_DESCRIPTION_LENGTH, 'BUCKET_DESCRIPTION_NOT_VALID'),
      z.refine((value) => value.isWellFormed(), 'BUCKET_DESCRIPTION_NOT_VALID'),
    ),
  ),
  /** Whether the `/ipfs/<cid>` gateway serves its files without credentials (default: yes, as on Apillon). */
  public: z.optional(z.boolean({ error: 'BUCKET_PUBLIC_NOT_VALID' })),
  // The bucket's upload policy (lib/core/upload/policy.ts).
  ...uploadPolicyFields,
});

// ---- uploads ----------------------------------------------------------------

export const fileName = z.string({ error: 'FILE_NAME_NOT_PRESENT' }).check(
  z.refine((value) => value.trim() !== '', 'FILE_NAME_NOT_PRESENT'),
  z.refine(holds(normaliseSegment), 'FILE_NAME_NOT_VALID'),
);

export const contentType = (missing: string) =>
  z.pipe(
    z.string({ error: missing }).check(
      z.refine((value) => value.trim() !== '', missing),
      z.refine((value) => value.length <= 255 && MIME_TYPE.test(value.trim()), 'CONTENT_TYPE_NOT_VALID'),
    ),
    z.transform((value: string) => value.trim()),
  );

/** The Apillon `path`: the directory, `''`/absent for the root; `dir/` and `/dir` are accepted. */
export const directoryPath = (message: string) =>
  z.string({ error: message }).check(
    z.maxLength(1024, message),
    z.refine(holds((value) => parsePath(value, { lenientSlashes: true })), message),
  );

const declaredSize = z.nullish(
  z.number({ error: 'FILE_SIZE_NOT_VALID' }).check(
    z.int('FILE_SIZE_NOT_VALID'),
    z.gte(0, 'FILE_SIZE_NOT_VALID'),
    z.lte(MAX_UPLOAD_BYTES, 'FILE_SIZE_NOT_VALID'),
  ),
);

/** `fileSize` and `size` are two names of one declaration: both given and different is a 422 naming `size`. */
function checkSizesAgree(ctx: { value: { fileSize?: number | null; size?: number | null }; issues: z.core.$ZodRawIssue[] }): void {
  const { fileSize, size } = ctx.value;
  if (fileSize != null && size != null && fileSize !== size) {
    ctx.issues.push({ code: 'custom', path: ['size'], message: 'CONFLICTING_VALUE', input: size });
  }
}

/** `POST /storage/:bucketUuid/upload` (the seed's single upload request). */
export const singleUploadBody = z
  .object({
    fileName,
    contentType: contentType('FILE_CONTENT_TYPE_NOT_PRESENT'),
    path: z.nullish(directoryPath('PATH_NOT_VALID')),
    /** Optional: when given, the presigned URL signs it and the bytes must have exactly this size. */
    fileSize: declaredSize,
    size: declaredSize,
  })
  .check(checkSizesAgree);

/** One file of a session upload; unknown fields (the SDK's `index`, `CID`…) are allowed and ignored. */
const sessionFile = z
  .looseObject({
    fileName,
    contentType: z.nullish(contentType('FILE_CONTENT_TYPE_NOT_PRESENT')),
    path: z.nullish(directoryPath('PATH_NOT_VALID')),
    fileSize: declaredSize,
    size: declaredSize,
  })
  .check(checkSizesAgree);

/** `POST /storage/buckets/:bucketUuid/upload` (the SDK's upload batch). */
export const sessionUploadBody = z.object({
  files: z.pipe(
    z.array(z.unknown(), { error: 'FILES_NOT_PRESENT' }).check(
      z.minLength(1, 'FILES_NOT_PRESENT'),
      z.maxLength(MAX_FILES_PER_REQUEST, 'TOO_MANY_FILES'),
    ),
    z.array(sessionFile),
  ),
  sessionUuid: z.nullish(uuidParam('SESSION_UUID_NOT_VALID')),
});

/** `POST /storage/buckets/:bucketUuid/upload/:sessionUuid/end`: empty, or the SDK's upload options. */
export const endSessionBody = z
  .looseObject({
    wrapWithDirectory: z.nullish(z.boolean({ error: 'WRAP_WITH_DIRECTORY_NOT_VALID' })),
    directoryPath: z.nullish(directoryPath('DIRECTORY_PATH_NOT_VALID')),
  })
  .check((ctx) => {
    // Apillon's docs: "The directory path is mandatory when the wrapWithDirectory option is set to true".
    const { wrapWithDirectory, directoryPath: path } = ctx.value;
    if (wrapWithDirectory === true && (path == null || path.replace(/^\/+|\/+$/g, '') === '')) {
      ctx.issues.push({ code: 'custom', path: ['directoryPath'], message: 'DIRECTORY_PATH_NOT_PRESENT', input: path });
    }
  });

// ---- IPNS -------------------------------------------------------------------
// (the routes that take a CID: lib/apillon/cid-schemas.ts)

export const ipnsInBucketPath = z.object({ bucketUuid: z.string(), ipnsUuid: z.string() });

/** `GET /ipns/:name`. */
export const ipnsNamePath = z.object({ name: z.string().check(z.maxLength(256, 'IPNS_NAME_NOT_VALID')) });

/** `/ipns/:name` and `/ipns/:name/{proxy+}`: the name and the rest of the content path (decoded once by API Gateway). */
export const ipnsGatewayPath = z.object({ name: ipnsNamePath.shape.name, proxy: z.optional(z.string()) });

/**
 * The trustless gateway's CAR parameters (https://specs.ipfs.tech/http-gateways/trustless-gateway/), read as text
 * here and checked by lib/gateway/trustless.ts `trustlessRequest` (400 DAG_SCOPE_NOT_VALID, ENTITY_BYTES_NOT_VALID,
 * CAR_VERSION_NOT_SUPPORTED, CAR_ORDER_NOT_SUPPORTED, CAR_DUPS_NOT_VALID): `dag-scope` block|entity|all,
 * `entity-bytes` from:to, `car-version` 1, `car-order` dfs|unk, `car-dups` y|n.
 */
export const trustlessCarParameters = {
  'dag-scope': queryParam(z.string()),
  'entity-bytes': queryParam(z.string()),
  'car-version': queryParam(z.string()),
  'car-order': queryParam(z.string()),
  'car-dups': queryParam(z.string()),
};

/**
 * `GET /ipns/:name?format=ipns-record|raw|car`: the signed record, or a block / CAR of what the
 * name points at, instead of the content; other parameters are left alone.
 */
export const ipnsGatewayQuery = z.looseObject({
  format: queryParam(z.string().check(z.regex(/^(ipns-record|raw|car)$/, 'FORMAT_NOT_VALID'))),
  ...trustlessCarParameters,
});

/** `GET /storage/buckets/:bucketUuid/ipns` (the SDK's listIpnsNames): paged by number (no nextToken), not sorted (oldest first). */
export const ipnsListQuery = listingQuery({
  page: pagination.page,
  limit: pagination.limit,
  search: ordering.search,
  ipnsName: queryParam(z.string().check(z.maxLength(256, 'IPNS_NAME_NOT_VALID'))),
  ipnsValue: queryParam(z.string().check(z.maxLength(300, 'IPNS_VALUE_NOT_VALID'))),
});

/** An IPNS name's label (Apillon's `name`): as a bucket's name, the one rule for names (lib/core/model/paths.ts). */
export const ipnsLabel = z.pipe(
  z.string({ error: 'IPNS_NAME_NOT_PRESENT' }).check(
    z.refine((value) => value.trim() !== '', 'IPNS_NAME_NOT_PRESENT'),
    z.refine((value) => value.length <= 255 && value.isWellFormed() && !hasForbiddenCharacters(value.normalize('NFC')), 'IPNS_NAME_NOT_VALID'),
  ),
  z.transform((value: string) => value.trim().normalize('NFC')),
);

/** An IPNS name's description: up to 1,000 characters of well-formed text. */
export const ipnsDescription = z.nullish(
  z.string({ error: 'IPNS_DESCRIPTION_NOT_VALID' }).check(
    z.maxLength(1000, 'IPNS_DESCRIPTION_NOT_VALID'),
    z.refine((value) => value.isWellFormed(), 'IPNS_DESCRIPTION_NOT_VALID'),
  ),
);
