/**
 * The one error catalogue. Every failure the service reports is an AppError built
 * from an entry here; each surface renders it in its own shape (Apillon: numeric
 * code + NAME, Quantum: error code string). Anything that is not an AppError is
 * rendered as an internal error with its details hidden.
 */

export interface ErrorDefinition {
  /** HTTP status. */
  readonly status: number;
  /** Apillon numeric code (HTTP status in the first three digits). */
  readonly code: number;
  /** Apillon message: the NAME, or the seed's literal sentence for auth errors. */
  readonly message: string;
  /** Quantum error code and its HTTP status, when the Quantum surface renders it differently. */
  readonly quantum: { readonly status: number; readonly message: string };
  /**
   * Only the Quantum surface answers it: no Apillon route can give it (its Apillon status, code and message are never
   * sent; README's table and docs/openapi.json say so).
   */
  readonly quantumOnly?: true;
}

function define(status: number, code: number, message: string, quantum?: [number, string], options: { quantumOnly?: true } = {}): ErrorDefinition {
  return { status, code, message, quantum: quantum ? { status: quantum[0], message: quantum[1] } : { status, message }, ...options };
}

export const ERRORS = {
  // Authentication and authorisation (messages exactly as the Apillon docs give them).
  missingAuthorization: define(400, 40000003, 'Missing Authorization header', [401, 'UNAUTHORIZED']),
  malformedAuthorization: define(400, 40000004, 'Malformed Authorization header', [401, 'UNAUTHORIZED']),
  invalidCredentials: define(401, 40100001, 'Invalid API key or API key secret', [401, 'UNAUTHORIZED']),
  missingPermission: define(403, 40300000, 'Insufficient permissions - missing KEY_READ permission', [403, 'UNAUTHORIZED']),
  masterKeyRequired: define(403, 40300002, 'Insufficient permissions - master key required', [403, 'UNAUTHORIZED']),
  recordOfAnotherAccount: define(403, 40300001, 'Insufficient permissions to access this record', [403, 'UNAUTHORIZED']),
  wrongApplicationToken: define(403, 40300003, 'Insufficient permissions to access this record', [400, 'INVALID_BUCKET']),

  // Request shape.
  /**
   * A Quantum path with a method its endpoint does not take (lib/quantum/routes.ts). Quantum only: API Gateway routes
   * an Apillon path only with its own methods, so any other method reaches the `$default` route: 404 ROUTE_NOT_FOUND.
   */
  methodNotAllowed: define(405, 40500001, 'METHOD_NOT_ALLOWED', [405, 'REQ_METHOD_INVALID'], { quantumOnly: true }),
  routeNotFound: define(404, 40400001, 'ROUTE_NOT_FOUND', [404, 'NOT_FOUND']),
  malformedJson: define(400, 40000005, 'MALFORMED_JSON_BODY', [400, 'INVALID_REQUEST']),
  unsupportedContentType: define(415, 41500001, 'UNSUPPORTED_CONTENT_TYPE', [400, 'INVALID_REQUEST']),
  bodyTooLarge: define(413, 41300001, 'REQUEST_BODY_TOO_LARGE', [400, 'INVALID_REQUEST']),
  invalidPath: define(400, 40006010, 'INVALID_PATH', [400, 'INVALID_PATH']),
  /** A Range no byte of the file satisfies (RFC 9110 §15.5.17); sent with `Content-Range: bytes *\/<size>`. */
  rangeNotSatisfiable: define(416, 41600001, 'RANGE_NOT_SATISFIABLE', [416, 'RANGE_NOT_SATISFIABLE']),
  /** Text that is not well-formed UTF-8 (WHATWG Encoding's fatal decode), or carries U+FFFD where a decoder replaced bytes. */
  invalidUtf8: define(400, 40000006, 'INVALID_UTF8', [400, 'INVALID_UTF8']),
  /** Concurrent requests kept changing what this one was decided on (the same path, the same folder); nothing was kept: try again. */
  concurrentUpdate: define(409, 40906002, 'CONCURRENT_UPDATE', [409, 'CONFLICT']),

  // Storage domain (Apillon's numbering).
  bucketNotFound: define(404, 40406002, 'BUCKET_NOT_FOUND', [404, 'BUCKET_DNE']),
  bucketExists: define(400, 40006011, 'BUCKET_ALREADY_EXISTS', [400, 'BUCKET_EXISTS']),
  bucketMarkedForDeletion: define(404, 40406009, 'BUCKET_IS_MARKED_FOR_DELETION'),
  directoryNotFound: define(404, 40406003, 'DIRECTORY_NOT_FOUND', [404, 'FILE_DNE']),
  invalidDirectory: define(400, 40006012, 'INVALID_DIRECTORY', [400, 'INVALID_DIR']),
  uploadSessionNotFound: define(404, 40406004, 'FILE_UPLOAD_SESSION_NOT_FOUND'),
  uploadSessionEnded: define(400, 40006001, 'FILE_UPLOAD_SESSION_ALREADY_ENDED'),
  maxBucketSizeReached: define(400, 40006002, 'MAX_BUCKET_SIZE_REACHED', [400, 'INSUFFICIENT_SPACE']),
  notEnoughStorageSpace: define(400, 40006003, 'NOT_ENOUGH_STORAGE_SPACE', [400, 'INSUFFICIENT_SPACE']),
  fileNotFound: define(404, 40406005, 'FILE_DOES_NOT_EXISTS', [404, 'FILE_DNE']),
  notAFile: define(404, 40406010, 'NOT_A_FILE', [404, 'NOT_A_FILE']),
  fileAlreadyExists: define(400, 40006013, 'FILE_ALREADY_EXISTS', [400, 'FILE_ALREADY_EXISTS']),
  fileMarkedForDeletion: define(400, 40006009, 'FILE_ALREADY_MARKED_FOR_DELETION'),
  tokenNotFound: define(404, 40406011, 'TOKEN_DOES_NOT_EXIST', [404, 'TOKEN_DNE']),
  invalidDownloadToken: define(400, 40006014, 'INVALID_DOWNLOAD_TOKEN', [400, 'INVALID_TOKEN']),
  // IPNS names (lib/apillon/ipns.ts).
  ipnsRecordNotFound: define(404, 40406012, 'IPNS_RECORD_NOT_FOUND'),
  ipnsPublishConflict: define(409, 40906001, 'IPNS_PUBLISH_CONFLICT'),
  // Multipart uploads (lib/core/upload/multipart.ts; Apillon's in a session, Quantum's /upload routes): no open upload of that
  // file in that session or bucket (never made, completed, aborted, or expired after 7 days).
  multipartUploadNotFound: define(404, 40406013, 'MULTIPART_UPLOAD_NOT_FOUND', [404, 'UPLOAD_DNE']),
  // A multipart upload another upload to its path replaced before it was completed (with overwrite: Apillon always,
  // Quantum `force`): every call on it answers this, its details naming the newer upload (`supersededBy`); its parts
  // are deleted and its file detail shows status 106 with the same reason (issue 21).
  multipartUploadSuperseded: define(409, 40906003, 'MULTIPART_UPLOAD_SUPERSEDED', [409, 'UPLOAD_SUPERSEDED']),
  // A bucket's upload policy (lib/core/upload/policy.ts): the message names the file and the limit (bytes or types).
  uploadPolicyViolation: define(422, 42206001, 'UPLOAD_POLICY_VIOLATION', [400, 'POLICY_VIOLATION']),
  // Bucket webhooks (lib/core/webhooks, issue 22): the target refusals name the reason (SSRF guard, address-policy.ts).
  webhookNotFound: define(404, 40406050, 'WEBHOOK_NOT_FOUND'),
  webhookHostNotResolved: define(400, 40006050, 'WEBHOOK_URL_HOST_NOT_RESOLVED'),
  webhookTargetLoopback: define(400, 40006051, 'WEBHOOK_URL_RESOLVES_TO_LOOPBACK_ADDRESS'),
  webhookTargetPrivate: define(400, 40006052, 'WEBHOOK_URL_RESOLVES_TO_PRIVATE_ADDRESS'),
  webhookTargetLinkLocal: define(400, 40006053, 'WEBHOOK_URL_RESOLVES_TO_LINK_LOCAL_ADDRESS'),
  webhookTargetMetadata: define(400, 40006054, 'WEBHOOK_URL_RESOLVES_TO_METADATA_ADDRESS'),
  webhookTargetReserved: define(400, 40006055, 'WEBHOOK_URL_RESOLVES_TO_RESERVED_ADDRESS'),
  // The trustless gateway (lib/gateway/trustless.ts).
  fileTooLargeForFormat: define(413, 41300002, 'FILE_TOO_LARGE_FOR_FORMAT'),
  dagTooLargeForFormat: define(413, 41300003, 'DAG_TOO_LARGE_FOR_FORMAT'),
  // Its CAR parameters (https://specs.ipfs.tech/http-gateways/trustless-gateway/): query, or the Accept media type's.
  dagScopeNotValid: define(400, 40006060, 'DAG_SCOPE_NOT_VALID'),
  entityBytesNotValid: define(400, 40006061, 'ENTITY_BYTES_NOT_VALID'),
  /** `entity-bytes` starting at or past the file's end: the message names the file's size in bytes. */
  entityBytesOutOfRange: define(400, 40006062, 'ENTITY_BYTES_OUT_OF_RANGE'),
  carVersionNotSupported: define(400, 40006063, 'CAR_VERSION_NOT_SUPPORTED'),
  carOrderNotSupported: define(400, 40006064, 'CAR_ORDER_NOT_SUPPORTED'),
  carDupsNotValid: define(400, 40006065, 'CAR_DUPS_NOT_VALID'),

  // Multipart uploads and bucket names (the Quantum surface's form upload and bucket routes).
  // Each limit of the form parser (lib/http/multipart.ts) has an entry of its own.
  multipartRequired: define(415, 41500031, 'MULTIPART_FORM_DATA_REQUIRED', [400, 'INVALID_CONTENT_TYPE']),
  malformedMultipart: define(400, 40000031, 'MALFORMED_MULTIPART_BODY', [400, 'INVALID_FORM_DATA']),
  uploadTooLarge: define(413, 41300031, 'UPLOAD_TOO_LARGE', [400, 'REQUEST_TOO_LARGE']),
  tooManyFormFiles: define(400, 40006031, 'TOO_MANY_FORM_FILES', [400, 'TOO_MANY_FILES']),
  tooManyFormFields: define(400, 40006034, 'TOO_MANY_FORM_FIELDS', [400, 'TOO_MANY_FIELDS']),
  formFieldTooLarge: define(400, 40006035, 'FORM_FIELD_TOO_LARGE', [400, 'FIELD_TOO_LARGE']),
  formFieldNameTooLong: define(400, 40006036, 'FORM_FIELD_NAME_TOO_LONG', [400, 'FIELD_NAME_TOO_LONG']),
  filesNotPresent: define(400, 40006032, 'FILES_NOT_PRESENT', [400, 'NO_FILES']),
  invalidBucketName: define(400, 40006033, 'INVALID_BUCKET_NAME', [400, 'INVALID_BUCKET_NAME']),

  // Validation (the 422 of the Apillon surface).
  validationFailed: define(422, 42200000, 'DATA_VALIDATION_FAILED', [400, 'INVALID_REQUEST']),

  // Server side.
  signedUrlFailed: define(500, 50006003, 'ERROR_AT_GENERATE_S3_SIGNED_URL', [500, 'SERVER_ERROR']),
  dependencyUnavailable: define(503, 50300001, 'SERVICE_UNAVAILABLE', [503, 'SERVICE_UNAVAILABLE']),
  /** The local stack's functions are all busy and its queue is full (lib/local/lambda-pool.ts): retry after `Retry-After` seconds. */
  serviceBusy: define(503, 50300002, 'SERVICE_BUSY', [503, 'SERVICE_BUSY']),
  internal: define(500, 50000001, 'INTERNAL_SERVER_ERROR', [500, 'SERVER_ERROR']),
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorName = keyof typeof ERRORS;

/** One field-level problem of a validation error (Apillon's `errors[]` item). */
export interface FieldError {
  readonly code: number;
  readonly property: string;
  readonly message: string;
  /**
   * The bound the value broke, where one applies: bytes for a size, items for a list, characters (UTF-16 units)
   * for text, the highest part number. An extra field beside the unchanged `message`, so a client reads the limit
   * without parsing text.
   */
  readonly maximum?: number;
  /** The lower bound the value broke, where one applies (as `maximum`). */
  readonly minimum?: number;
}

/**
 * The `property` of a field error: the path to the field with its segments joined by dots, list items by their
 * index (`files.1.size`, `part_numbers.0`), on both surfaces. Every field error names its field through this, whether
 * a schema (lib/http/validation.ts) or the domain (lib/core/upload/multipart.ts) found it.
 */
export function fieldPath(segments: readonly PropertyKey[]): string {
  return segments.map(String).join('.');
}

export class AppError extends Error {
  readonly definition: ErrorDefinition;
  readonly fieldErrors: readonly FieldError[];
  /** Apillon's `model` of a validation error: the name of the payload that failed. */
  readonly model?: string;
  /** HTTP headers the error response carries besides the body (e.g. `Content-Range` of a 416). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Facts of the refusal a client acts on, rendered as Quantum's `data` and the Apillon body's `details` (an extra
   * field beside the unchanged `code` and `message`). Every size refusal carries `limitBytes` (the limit, bytes) and
   * `reason` (a sentence naming the limit and what broke it); see {@link sizeRefusal}.
   */
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    readonly errorName: ErrorName,
    options: {
      message?: string;
      fieldErrors?: readonly FieldError[];
      model?: string;
      cause?: unknown;
      headers?: Readonly<Record<string, string>>;
      details?: Readonly<Record<string, unknown>>;
    } = {},
  ) {
    const definition: ErrorDefinition = ERRORS[errorName];
    super(options.message ?? definition.message, { cause: options.cause });
    this.name = 'AppError';
    this.definition = options.message ? { ...definition, message: options.message } : definition;
    this.fieldErrors = options.fieldErrors ?? [];
    this.model = options.model;
    this.headers = options.headers;
    this.details = options.details;
  }

  get status(): number {
    return this.definition.status;
  }
}

/**
 * A refusal over a size limit (issue 21: "a 413 that does not say the limit"): the catalogue error `name` whose
 * details name the limit in bytes (`limitBytes`), the other figures of the decision (`sizeBytes` of what was sent,
 * `usedBytes`/`requestedBytes` of a quota, …) and `reason`, one sentence saying it all.
 */
export function sizeRefusal(name: ErrorName, limitBytes: number, reason: string, facts: Readonly<Record<string, unknown>> = {}): AppError {
  return new AppError(name, { details: { limitBytes, ...facts, reason } });
}

/** Throws the catalogue error `name`; for use in expressions (`x ?? fail('fileNotFound')`). */
export function fail(name: ErrorName, options?: ConstructorParameters<typeof AppError>[1]): never {
  throw new AppError(name, options);
}

/** The Apillon-style validation error: 422 with one entry per offending property. */
export function validationError(fieldErrors: readonly FieldError[], model?: string): AppError {
  return new AppError('validationFailed', { fieldErrors, model });
}

/** The 422 of a nextToken this service did not issue for the listing asked for. */
export function invalidNextToken(): AppError {
  return validationError([{ code: 42200020, property: 'nextToken', message: 'NEXT_TOKEN_NOT_VALID' }]);
}

export function missingPermissionError(permissionName: string): AppError {
  return new AppError('missingPermission', { message: `Insufficient permissions - missing ${permissionName} permission` });
}

/** Any thrown value as an AppError; unknown errors become `internal` (details stay in the log). */
export function toAppError(error: unknown): AppError {
  return error instanceof AppError ? error : new AppError('internal', { cause: error });
}
