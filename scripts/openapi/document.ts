/**
 * The OpenAPI 3.1 document of both surfaces, built from what the service itself declares:
 * - the routes: every `httpApi` event of functions/<group>/<name>/function.yml (what API
 *   Gateway and serverless-offline route), so none is missed;
 * - parameters and bodies: the zod schemas each handler's `route()` declares
 *   (`handler.routeSpec`), converted with zod's own JSON Schema conversion (zod/v4/core's
 *   `toJSONSchema`, which takes classic and mini schemas alike), on their input side;
 * - envelopes and error codes: lib/http/render.ts's shapes and lib/errors.ts's catalogue
 *   (numeric Apillon codes, Quantum messages), plus the 422 field codes of lib/http/validation.ts.
 * Response `data` is described as an object: the views are plain TypeScript, not schemas.
 *
 * `npm run openapi:generate` writes docs/openapi.json; `-- --check` fails when it is stale.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { toJSONSchema } from 'zod/v4/core';
import { ERRORS, missingPermissionError, type ErrorName, type FieldError } from '../../lib/errors';
import { permissionName, type Permission } from '../../lib/core/access/principal';
import { fieldErrorsOf } from './field-codes';
import { declaredErrors, routeSpecOf } from './declarations';
import type { Schemas } from '../../lib/http/route';
import { VALIDATION_CODES } from '../../lib/http/validation';

const ROOT = path.resolve(__dirname, '..', '..');

import { routeTable, type RouteEntry } from './routes';

export { routeTable, type RouteEntry };

type JsonSchema = Record<string, unknown>;

/** zod → JSON Schema (2020-12) of what a client sends; parts JSON Schema cannot say (transforms, refinements) are left open. */
function inputSchema(schema: unknown): JsonSchema {
  const converted = toJSONSchema(schema as never, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete converted.$schema;
  return converted;
}

const UUID = { type: 'string', format: 'uuid' };

function errorCatalogue() {
  const entries = Object.entries(ERRORS).map(([name, definition]) => ({ name, ...definition }));
  return {
    apillonCodes: [...new Set(entries.filter((entry) => !entry.quantumOnly).map((entry) => entry.code))].sort((a, b) => a - b),
    quantumMessages: [...new Set(entries.map((entry) => entry.quantum.message))].sort(),
    table: entries,
  };
}

function components() {
  const catalogue = errorCatalogue();
  return {
    securitySchemes: {
      basic: { type: 'http', scheme: 'basic', description: 'API key and secret: `Authorization: Basic base64(key:secret)`; what it may do is its permissions (READ, WRITE, EXECUTE).' },
      masterKey: { type: 'apiKey', in: 'header', name: 'X-API-MKEY', description: 'Master key: everything on all the account’s buckets.' },
      applicationToken: { type: 'apiKey', in: 'header', name: 'X-API-AKEY', description: 'Application token: read, write and upload in one bucket.' },
    },
    schemas: {
      ApillonSuccess: {
        type: 'object',
        required: ['id', 'status', 'data'],
        additionalProperties: false,
        properties: { id: UUID, status: { type: 'integer' }, data: { type: ['object', 'array'] } },
      },
      ApillonError: {
        type: 'object',
        required: ['id', 'code', 'message', 'path', 'timestamp'],
        additionalProperties: false,
        properties: {
          id: UUID,
          code: { type: 'integer', enum: catalogue.apillonCodes, description: 'lib/errors.ts; the HTTP status is its first three digits.' },
          message: { type: 'string', description: 'The catalogue entry’s NAME (or the Apillon docs’ sentence for authentication errors).' },
          path: { type: 'string' },
          timestamp: { type: 'string', format: 'date-time' },
          details: { $ref: '#/components/schemas/RefusalDetails' },
        },
      },
      RefusalDetails: {
        type: 'object',
        description:
          'The facts of a refusal a client acts on (an extra field: `code` and `message` stay as they are). Every size refusal (request body, form, form field, quota, bucket limit, upload policy) names its limit: `limitBytes` and `reason`, a sentence naming the limit and what broke it.',
        properties: {
          limitBytes: { type: 'integer', description: 'The limit, bytes.' },
          reason: { type: 'string' },
          sizeBytes: { type: 'integer', description: 'Bytes of the request body or form that was refused.' },
          usedBytes: { type: 'integer', description: 'Quota / bucket limit: bytes already used.' },
          requestedBytes: { type: 'integer', description: 'Quota / bucket limit: bytes the refused request would add (absent for a file of undeclared size).' },
          availableBytes: { type: 'integer', description: 'Quota / bucket limit: bytes left.' },
          reservedBytes: { type: 'integer', description: 'Quota / bucket limit: bytes open multipart uploads reserved (their declared sizes, until they end); present when there are any.' },
          openUploadId: { type: 'string', description: 'FILE_ALREADY_EXISTS: the open multipart upload holding the path (Quantum `upload_id`, Apillon `fileUuid`).' },
          uploadId: { type: 'string', description: 'MULTIPART_UPLOAD_SUPERSEDED: the upload the call named.' },
          supersededBy: { type: 'string', description: 'MULTIPART_UPLOAD_SUPERSEDED: the later upload that took its path.' },
          largeFileRoute: { type: 'string', description: 'Quantum `file/add` over 10 MB: the route for large files.' },
          field: { type: 'string', description: 'A form field whose value is over its limit.' },
          limit: { type: 'integer', description: 'A count limit of a form (files, text fields).' },
          fileName: { type: 'string', description: 'Upload policy: the file refused.' },
          rule: { type: 'string', enum: ['maxFileSize', 'allowedContentTypes'] },
          maxFileSize: { type: 'integer' },
          allowedContentTypes: { type: 'array', items: { type: 'string' } },
        },
      },
      ApillonValidationError: {
        type: 'object',
        required: ['id', 'model', 'errors', 'path', 'timestamp'],
        additionalProperties: false,
        properties: {
          id: UUID,
          model: { type: 'string' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              required: ['code', 'property', 'message'],
              additionalProperties: false,
              properties: {
                code: { type: 'integer', enum: [42200000, ...new Set(Object.values(VALIDATION_CODES))].sort((a, b) => a - b) },
                property: { type: 'string' },
                message: { type: 'string' },
                maximum: { type: 'number', description: 'The bound the value broke: bytes for a size, items for a list, UTF-16 units for text.' },
                minimum: { type: 'number', description: 'The lower bound the value broke.' },
              },
            },
          },
          path: { type: 'string' },
          timestamp: { type: 'string', format: 'date-time' },
        },
      },
      QuantumSuccess: {
        type: 'object',
        required: ['status', 'message'],
        additionalProperties: false,
        properties: { status: { const: 'success' }, message: { type: 'string' }, data: { type: ['object', 'array'] } },
      },
      QuantumError: {
        type: 'object',
        required: ['status', 'message'],
        additionalProperties: false,
        properties: {
          status: { const: 'error' },
          message: { type: 'string', enum: catalogue.quantumMessages },
          data: {
            description: 'The refusal’s facts (RefusalDetails), or for INVALID_REQUEST the offending fields of the request.',
            anyOf: [
              { $ref: '#/components/schemas/RefusalDetails' },
              {
                type: 'object',
                required: ['errors'],
                additionalProperties: false,
                properties: {
                  errors: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['property', 'message'],
                      additionalProperties: false,
                      properties: { property: { type: 'string' }, message: { type: 'string' }, maximum: { type: 'number' }, minimum: { type: 'number' } },
                    },
                  },
                },
              },
            ],
          },
        },
      },
    },
  };
}

const BINARY = { description: 'The file’s bytes (up to 4 MiB in the response).', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } };
const REDIRECT = { description: 'A larger file: redirect to a presigned S3 GET valid for 60 s.', headers: { location: { schema: { type: 'string', format: 'uri' } } } };
const CANONICAL = {
  description: 'A directory URL without its trailing slash, or a path with `.`, `..` or empty segments: redirect to the canonical URL (query kept).',
  headers: { location: { schema: { type: 'string', format: 'uri-reference' } } },
};

const BYTES_SCHEMA = (mediaType: string) => ({ schema: { type: 'string', contentMediaType: mediaType } });
/**
 * `/ipfs/{cid}[/{proxy}]`: the file (at the path under a directory CID), a directory's index.html
 * or listing, or with `format=raw|car` (or Accept) a block or a CAR of the DAG (the trustless gateway).
 */
const GATEWAY_CONTENT = {
  description:
    'The file’s bytes (up to 4 MiB in the response); for a directory its `index.html`, else an HTML listing of it. With `format=raw` or `Accept: application/vnd.ipld.raw` the block at the end of the path, with `format=car` or `Accept: application/vnd.ipld.car` a CARv1 (`version=1; order=dfs; dups=n|y`) of the blocks from the root CID along the path and of the DAG there as `dag-scope` (block|entity|all) and `entity-bytes` (from:to, negatives from the end, `*`) ask, of any size: a CAR over 4 MiB is a 302 to a presigned GET (60 s) of it.',
  content: {
    'application/octet-stream': BYTES_SCHEMA('application/octet-stream'),
    'text/html': BYTES_SCHEMA('text/html'),
    'application/vnd.ipld.raw': BYTES_SCHEMA('application/vnd.ipld.raw'),
    'application/vnd.ipld.car': BYTES_SCHEMA('application/vnd.ipld.car'),
  },
};
/** `/ipns/{name}`: the content the name points at, or with `format=ipns-record` (or Accept) the signed IPNS record. */
const IPNS_CONTENT = {
  description:
    'What `/ipfs/<cid>[/<path>]` serves for the CID the name points at (files, a directory’s index.html or listing, `format=raw|car`); with `format=ipns-record` or `Accept: application/vnd.ipfs.ipns-record` the signed IPNS record.',
  content: {
    'application/octet-stream': BYTES_SCHEMA('application/octet-stream'),
    'text/html': BYTES_SCHEMA('text/html'),
    'application/vnd.ipld.raw': BYTES_SCHEMA('application/vnd.ipld.raw'),
    'application/vnd.ipld.car': BYTES_SCHEMA('application/vnd.ipld.car'),
    'application/vnd.ipfs.ipns-record': BYTES_SCHEMA('application/vnd.ipfs.ipns-record'),
  },
};

/** Routes whose success is not the surface's JSON envelope (files, the document itself). */
const SPECIAL_SUCCESS: Record<string, Record<string, unknown>> = {
  'apillon/ipfs-gateway': { 200: GATEWAY_CONTENT, 301: CANONICAL, 302: REDIRECT },
  'apillon/ipns-gateway': { 200: IPNS_CONTENT, 301: CANONICAL, 302: REDIRECT },
  'quantum/file-download': { 200: BINARY, 302: REDIRECT },
  'apillon/webhook-put': {
    201: { description: 'Created: the webhook with its signing `secret` (`whsec_…`, Standard Webhooks), shown this once.', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApillonSuccess' } } } },
    200: { description: 'Replaced: url and credentials changed, the secret kept (not shown).', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApillonSuccess' } } } },
  },
  'docs/openapi:/openapi.json': { 200: { description: 'This document.', content: { 'application/json': { schema: { type: 'object' } } } } },
  'docs/openapi:/docs': { 200: { description: 'The reference for people: Swagger UI rendering this document, with try-it requests to this service.', content: { 'text/html': { schema: { type: 'string' } } } } },
  'docs/openapi:/docs/{proxy+}': {
    200: { description: 'A file of the reference page (Swagger UI’s script and stylesheet, gzip-compressed when accepted).', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
    404: { description: 'No such file of the reference page: a short HTML page naming the path.', content: { 'text/html': { schema: { type: 'string' } } } },
  },
  'console/assets:/console': { 200: { description: 'The web console’s page (sign in with an API key and secret or a master key).', content: { 'text/html': { schema: { type: 'string' } } } } },
  'console/assets:/console/{proxy+}': {
    200: { description: 'A file of the console’s build (script, stylesheet).', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
    404: { description: 'No such file in the console’s build: a short HTML page naming the path.', content: { 'text/html': { schema: { type: 'string' } } } },
  },
};

/**
 * Operation descriptions longer than a function's one-line `description` (its OpenAPI summary, which AWS also keeps as
 * the Lambda's description: at most 256 characters), by `group/name`: contracts a client must know to use the route.
 */
const SUPERSEDED_QUANTUM = '409 UPLOAD_SUPERSEDED (data.uploadId, data.supersededBy, data.reason) once a later create with `force` took its location: its parts were deleted, nothing was kept or charged.';
const SUPERSEDED_APILLON = '409 MULTIPART_UPLOAD_SUPERSEDED (details.uploadId, details.supersededBy, details.reason) once a later upload to its path took it: its parts were deleted, nothing was kept or charged; its file detail shows status 106 with `supersededBy` and `rejectionReason`.';
const RESERVATION =
  'The declared size (less the bytes of a file it replaces) is reserved against the account’s quota and the bucket’s limit from this create until the upload ends, beside their usage: it is settled on the real size by the commit, and given back by an abort, a rejection on arrival, a deletion of the open upload or the sweep after 7 days, each exactly once. Uploads that together pass the quota or the limit are refused here, whichever way they race (a conditional write), never on arrival; the refusal’s details carry `reservedBytes` when open uploads hold any.';
const OPERATION_DESCRIPTIONS: Record<string, string> = {
  'quantum/upload-create':
    'One open upload per location (a conditional write: of concurrent creates exactly one takes it). Without `force`, a location an open upload holds is refused as a file there is: 400 FILE_ALREADY_EXISTS, `data.openUploadId` naming that upload (so is `file/add` without `force`). With `force`, this upload supersedes an open one there whose complete was not asked for yet: every call on that one then answers ' +
    SUPERSEDED_QUANTUM.replace(' once a later create with `force` took its location', '') +
    ' An upload whose complete was asked for is not superseded; whichever of the two commits last, the later upload’s bytes stay (the earlier ends at status 106 and its `upload/list` answers 409 UPLOAD_SUPERSEDED). ' +
    RESERVATION,
  'quantum/upload-parts': SUPERSEDED_QUANTUM,
  'quantum/upload-list': SUPERSEDED_QUANTUM,
  'quantum/upload-complete':
    SUPERSEDED_QUANTUM +
    ' Once its complete is asked for no create supersedes it; but should a later forced upload to its location commit first, this one is not put over it: it ends at status 106 (superseded) and `upload/list` of it answers 409 UPLOAD_SUPERSEDED.',
  'quantum/upload-abort': 'Its reserved space and its location are given back. ' + SUPERSEDED_QUANTUM,
  'apillon/multipart-create':
    'One open upload per path (a conditional write). A later create at the path (Apillon always overwrites) supersedes an open upload there whose complete was not asked for yet: every call on that one then answers ' +
    SUPERSEDED_APILLON.replace(' once a later upload to its path took it', '') +
    ' An upload whose complete was asked for is not superseded; whichever of the two commits last, the later upload’s bytes stay (the earlier ends at status 106 with `supersededBy`). ' +
    RESERVATION,
  'apillon/multipart-parts': SUPERSEDED_APILLON,
  'apillon/multipart-list': SUPERSEDED_APILLON,
  'apillon/multipart-complete':
    SUPERSEDED_APILLON +
    ' Once its complete is asked for no create supersedes it; but should a later upload to its path commit first, this one is not put over it: it ends at status 106 with `supersededBy` in its file detail.',
  'apillon/multipart-abort': 'Its reserved space and its path are given back. ' + SUPERSEDED_APILLON,
};

/** OpenAPI path key: `{location+}` becomes `{location}` (it may hold slashes). */
export const openApiPath = (template: string) => template.replace(/\{(\w+)\+\}/g, '{$1}');

export async function buildDocument(): Promise<Record<string, unknown>> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const paths: Record<string, Record<string, unknown>> = {};
  const catalogue = errorCatalogue();

  for (const route of routeTable()) {
    // ANY routes are the Quantum catch-all (405 REQ_METHOD_INVALID / 400 INVALID_PATH): described in info, not as operations.
    if (route.method === 'ANY' || route.method === '*') continue;
    const spec = await routeSpecOf(route);
    const surface = spec?.surface ?? route.group;
    const schemas: Schemas = spec?.schemas ?? {};
    const pathSchema = schemas.path ? inputSchema(schemas.path) : undefined;
    const queryJson = schemas.query ? inputSchema(schemas.query) : undefined;

    const parameters: Record<string, unknown>[] = [];
    for (const [, name, greedy] of route.path.matchAll(/\{(\w+)(\+?)\}/g)) {
      const schema = ((pathSchema?.properties as Record<string, JsonSchema> | undefined)?.[name!] ?? { type: 'string' }) as JsonSchema;
      parameters.push({ name, in: 'path', required: true, schema, ...(greedy ? { description: 'The rest of the path: may contain `/`.' } : {}) });
    }
    for (const [name, schema] of Object.entries((queryJson?.properties ?? {}) as Record<string, JsonSchema>)) {
      parameters.push({ name, in: 'query', required: false, schema });
    }

    let requestBody: unknown;
    if (schemas.body) {
      requestBody = { required: true, content: { 'application/json': { schema: inputSchema(schemas.body) } } };
    } else if (spec?.bodyFormat === 'raw' && route.method === 'POST') {
      requestBody = {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['files'],
              properties: {
                files: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' }, description: 'One part per file (up to 50); stored under the last part of its file name.' },
                force: { type: 'string', enum: ['true', 'false'], description: '`true` overwrites files that exist.' },
              },
            },
          },
        },
      };
    }

    const key = `${route.group}/${route.name}`;
    const handlerSource = readFileSync(path.join(ROOT, 'functions', route.group, route.name, 'handler.ts'), 'utf8');
    const successStatus = /status: 201/.test(handlerSource) ? '201' : '200';
    const special = SPECIAL_SUCCESS[`${key}:${route.path}`] ?? SPECIAL_SUCCESS[key];
    const responses: Record<string, unknown> = {};
    if (special) Object.assign(responses, special);
    else if (surface === 'apillon') responses[successStatus] = { description: 'Success.', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApillonSuccess' } } } };
    else if (surface === 'quantum') responses['200'] = { description: 'Success.', content: { 'application/json': { schema: { $ref: '#/components/schemas/QuantumSuccess' } } } };

    const described = spec && { model: spec.model, permission: spec.permission, fieldErrors: fieldErrorsOf(spec) };
    if (spec && (surface === 'apillon' || surface === 'quantum')) Object.assign(responses, errorResponses(surface, declaredErrors(spec, route.path), route.path, described!));
    else if (spec) {
      // The catch-all (surface per path): its errors in both shapes are described in info.
      Object.assign(responses, errorResponses('apillon', declaredErrors(spec, route.path), route.path, described!));
    }

    const auth = spec ? spec.auth !== false : false;
    const operation: Record<string, unknown> = {
      operationId: operationId(route),
      summary: route.description,
      ...(OPERATION_DESCRIPTIONS[key] ? { description: OPERATION_DESCRIPTIONS[key] } : {}),
      tags: [surface],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
      security: auth ? [{ basic: [] }, { masterKey: [] }, { applicationToken: [] }] : [],
    };
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'storage-service',
      version: pkg.version,
      description: [
        'Two APIs over one storage core. **apillon**: the Apillon Web3 Storage API under `/storage` (and the public `/ipfs/{cid}` and `/ipns/{name}` gateways), usable by the official `@apillon/sdk`; envelope `{id, status, data}`, errors `{id, code, message, path, timestamp}` with numeric codes. **quantum**: the Quantum Storage API under `/API/...` and at the same bare paths; envelope `{status: "success", message, data?}`, errors `{status: "error", message: CODE}`.',
        'On the Quantum paths, a method an endpoint does not take answers `405 REQ_METHOD_INVALID`, and a path without its bucket, location or token `400 INVALID_PATH` / `400 INVALID_TOKEN` (`404 UPLOAD_DNE` for an `/upload/<verb>/<bucket>` without its upload id). ' +
          'Any other path or method no route serves answers 404: `40400001 ROUTE_NOT_FOUND` in the Apillon shape, `NOT_FOUND` in the Quantum shape under `/API` and the bare Quantum paths.',
        'Generated from the routes (`functions/*/*/function.yml`), the handlers’ zod schemas and declared errors, and the error catalogue (`lib/errors.ts`) by `npm run openapi:generate`. Each operation lists the statuses and codes it can answer, with an example of each.',
        '',
        '| error | HTTP | Apillon code | Apillon message | Quantum HTTP | Quantum message |',
        '|---|---|---|---|---|---|',
        ...catalogue.table.map((entry) =>
          entry.quantumOnly
            ? `| ${entry.name} | — | — | — (Quantum only) | ${entry.quantum.status} | ${entry.quantum.message} |`
            : `| ${entry.name} | ${entry.status} | ${entry.code} | ${entry.message} | ${entry.quantum.status} | ${entry.quantum.message} |`,
        ),
      ].join('\n'),
    },
    // Relative: the service the document is served from (try-it requests on /docs go there).
    servers: [{ url: '/', description: 'This service' }],
    tags: [
      { name: 'apillon', description: 'Apillon Web3 Storage API' },
      { name: 'quantum', description: 'Quantum Storage API' },
      { name: 'docs', description: 'This reference' },
      { name: 'console', description: 'The web console (a page for people, served from the package)' },
    ],
    paths,
    webhooks: WEBHOOKS,
    components: components(),
  };
}

const REQUIRED_HEADER = (name: string, description: string) => ({ name, in: 'header', required: true, schema: { type: 'string' }, description });

/** What a bucket webhook receives (issue 22; lib/core/webhooks/files-ready.ts builds it, deliver.ts signs and sends it). */
const WEBHOOKS = {
  'files.ready': {
    post: {
      summary: 'The files of an upload session (or a single upload) reached status 4',
      description:
        'One call per session, however many files, sent to the URL set with `PUT /storage/buckets/{bucketUuid}/webhook`, signed the Standard Webhooks way ' +
        '(HMAC-SHA256 with the webhook’s `whsec_` secret; verify with any Standard Webhooks library). `webhook-id` is the same in every attempt of one event: drop duplicates by it. ' +
        'A 2xx answer ends the delivery; anything else (a 3xx included: redirects are not followed), a timeout (10 s) or a connection error is retried with exponential backoff ' +
        '(10 s, 50 s, 250 s, … the first three attempts within a minute) for 24 h. Only the first 4 KiB of an answer are read.',
      parameters: [
        REQUIRED_HEADER('webhook-id', 'The event id (`msg_files_ready_<session or file uuid without dashes>`).'),
        REQUIRED_HEADER('webhook-timestamp', 'Seconds since the epoch when this attempt was signed.'),
        REQUIRED_HEADER('webhook-signature', '`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`.'),
        { name: 'authorization', in: 'header', required: false, schema: { type: 'string' }, description: '`Basic base64(param1:param2)` or `Bearer <param1>`, as the webhook’s `authType` says.' },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['type', 'bucketUuid', 'sessionUuid', 'timestamp', 'files'],
              properties: {
                type: { const: 'files.ready' },
                bucketUuid: UUID,
                sessionUuid: { anyOf: [UUID, { type: 'null' }], description: 'null for a single upload outside a session.' },
                timestamp: { type: 'string', format: 'date-time', description: 'When the files were found ready (the same in every attempt).' },
                files: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['fileUuid', 'name', 'path', 'size', 'CID', 'CIDv1', 'CIDv0'],
                    properties: {
                      fileUuid: UUID,
                      name: { type: 'string' },
                      path: { type: 'string', description: 'The file’s directory (`a/b/`; `""` at the root).' },
                      size: { type: 'integer', description: 'Bytes.' },
                      CID: { type: 'string', description: 'The CIDv1 (as every `CID` of this API).' },
                      CIDv1: { type: 'string' },
                      CIDv0: { type: 'string' },
                    },
                  },
                },
              },
            },
          },
        },
      },
      responses: { 200: { description: 'Any 2xx: received.' } },
    },
  },
};

const EXAMPLE_ID = '5b0c1c1e-0000-4000-8000-000000000000';
const EXAMPLE_TIME = '2026-01-01T00:00:00.000Z';

/** What of a route its error answers are described from, besides its declared errors. */
export interface ErrorDescription {
  /** Apillon's `model` of its 422. */
  readonly model: string | undefined;
  /** The permission the stack checks (RouteSpec.permission): its 403 names it. */
  readonly permission: Permission | undefined;
  /** Its 422 field codes (field-codes.ts): the DATA_VALIDATION_FAILED examples. */
  readonly fieldErrors: readonly FieldError[];
}

/**
 * The error answers of one operation: for each HTTP status its declared errors give in `surface`'s shape, the codes
 * it carries (Apillon's numeric codes, Quantum's messages: the schema's enum and the description) and one example
 * body per error. Apillon's DATA_VALIDATION_FAILED has its own shape (field errors): one example per field code the
 * route's validation gives. A 403 for a missing permission names the permission the route checks.
 */
export function errorResponses(surface: 'apillon' | 'quantum', names: readonly ErrorName[], pathTemplate: string, described: ErrorDescription): Record<string, unknown> {
  const { model, permission, fieldErrors } = described;
  // The message as the route answers it (the catalogue's missingPermission names KEY_READ; the route names its own).
  const messageOf = (name: ErrorName) => (name === 'missingPermission' && permission !== undefined ? missingPermissionError(permissionName(permission)).message : ERRORS[name].message);
  const byStatus = new Map<number, ErrorName[]>();
  for (const name of names) {
    const definition = ERRORS[name];
    const status = surface === 'apillon' ? definition.status : definition.quantum.status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), name]);
  }
  const path = openApiPath(pathTemplate);
  const responses: Record<string, unknown> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const entries = byStatus.get(status)!.sort((a, b) => (surface === 'apillon' ? ERRORS[a].code - ERRORS[b].code : ERRORS[a].quantum.message.localeCompare(ERRORS[b].quantum.message)) || a.localeCompare(b));
    const examples: Record<string, { summary: string; value: unknown }> = {};
    const lines: string[] = [];
    let schema: unknown;
    if (surface === 'apillon') {
      const catalogue = entries.filter((name) => name !== 'validationFailed');
      const codes = [...new Set(catalogue.map((name) => ERRORS[name].code))];
      const shapes: unknown[] = [];
      if (entries.includes('validationFailed')) {
        shapes.push({ $ref: '#/components/schemas/ApillonValidationError' });
        const codes = fieldErrors.map((field) => `\`${field.code}\` ${field.message}`).join(', ');
        lines.push(`- \`DATA_VALIDATION_FAILED\`: a parameter or body field is wrong; \`errors\` names each (${codes ? `field codes: ${codes}, or ` : ''}\`42200000\` \`<FIELD>_NOT_VALID\`); nothing changed.`);
        const fields = fieldErrors.length > 0 ? fieldErrors : [{ code: 42200000, property: 'body', message: 'BODY_NOT_VALID' }];
        for (const field of fields) {
          examples[fields.length === 1 ? 'validationFailed' : `validationFailed.${field.message}`] = {
            summary: `DATA_VALIDATION_FAILED: ${field.code} ${field.message}`,
            value: { id: EXAMPLE_ID, model: model ?? 'Request', errors: [field], path, timestamp: EXAMPLE_TIME },
          };
        }
      }
      if (codes.length > 0) shapes.push({ allOf: [{ $ref: '#/components/schemas/ApillonError' }, { properties: { code: { enum: codes } } }] });
      for (const name of catalogue) {
        const { code } = ERRORS[name];
        const message = messageOf(name);
        lines.push(`- \`${code}\` ${message}`);
        examples[name] = { summary: `${code} ${message}`, value: { id: EXAMPLE_ID, code, message, path, timestamp: EXAMPLE_TIME } };
      }
      schema = shapes.length === 1 ? shapes[0] : { oneOf: shapes };
    } else {
      const messages = [...new Set(entries.map((name) => ERRORS[name].quantum.message))];
      schema = { allOf: [{ $ref: '#/components/schemas/QuantumError' }, { properties: { message: { enum: messages } } }] };
      for (const message of messages) {
        const names = entries.filter((name) => ERRORS[name].quantum.message === message);
        lines.push(`- \`${message}\` (${names.map(messageOf).join(', ')})`);
        examples[names[0]!] = { summary: message, value: { status: 'error', message } };
      }
    }
    responses[String(status)] = {
      description: `${STATUS_TEXT[status] ?? 'Error'}:\n${lines.join('\n')}`,
      content: { 'application/json': { schema, examples } },
    };
  }
  return responses;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function operationId(route: RouteEntry): string {
  const words = `${route.method.toLowerCase()} ${route.path}`.replace(/[{}+]/g, '').split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join('');
}
