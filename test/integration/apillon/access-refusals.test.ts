/**
 * Every bucket-scoped Apillon operation refuses the same four ways before it reads or changes anything
 * (lib/apillon/buckets.ts `openBucket`, the errors its routes declare as OPEN_BUCKET_ERRORS): a key without the
 * permission (403 40300000), an unknown bucket (404 40406002), another account's bucket (403 40300001), and an
 * application token on another bucket of its account (403 40300003). Table-driven, one handler per row, invoked
 * in-process with API Gateway v2 events against DynamoDB Local and s3rver; each answer is also checked against
 * docs/openapi.json (the operation must document that status and code). Then each operation's own not-found answer
 * for a record the bucket does not hold, the account-level permission refusals, and the Quantum refusals of an unknown
 * bucket, an application token of another bucket, a key without the permission and a route that needs the master key.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { ERRORS, type ErrorName } from '../../../lib/errors';
import { tenantTest } from '../../support/fixtures';
import { contractViolation } from '../../support/openapi-contract';
import { createTestApiKey, createTestBucket, createTestApplicationToken, createTestTenant, type TestTenant } from '../../support/services';
import { basicAuthorization, invoke } from '../../support/events';
import { quantum, routeEvent } from '../quantum/support';
import { call } from './helpers';

const it = tenantTest();

type Route = Parameters<typeof call>[0];
const CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';

/** Each bucket-scoped route with parameters and a body its validation accepts, so only the bucket decides. */
const ROUTES: readonly [Route, string, (bucketUuid: string) => Record<string, string>, object?][] = [
  ['bucketGet', 'GET /storage/buckets/{bucketUuid}', (b) => ({ bucketUuid: b })],
  ['bucketUpdate', 'PATCH /storage/buckets/{bucketUuid}', (b) => ({ bucketUuid: b }), { maxFileSize: 1000 }],
  ['content', 'GET /storage/{bucketUuid}/content', (b) => ({ bucketUuid: b })],
  ['bucketContent', 'GET /storage/buckets/{bucketUuid}/content', (b) => ({ bucketUuid: b })],
  ['bucketFiles', 'GET /storage/buckets/{bucketUuid}/files', (b) => ({ bucketUuid: b })],
  ['fileDetail', 'GET /storage/{bucketUuid}/file/{id}/detail', (b) => ({ bucketUuid: b, id: randomUUID() })],
  ['fileDelete', 'DELETE /storage/{bucketUuid}/file/{id}', (b) => ({ bucketUuid: b, id: randomUUID() })],
  ['bucketFileGet', 'GET /storage/buckets/{bucketUuid}/files/{id}', (b) => ({ bucketUuid: b, id: randomUUID() })],
  ['bucketFileDelete', 'DELETE /storage/buckets/{bucketUuid}/files/{id}', (b) => ({ bucketUuid: b, id: randomUUID() })],
  ['directoryDelete', 'DELETE /storage/buckets/{bucketUuid}/directories/{directoryUuid}', (b) => ({ bucketUuid: b, directoryUuid: randomUUID() })],
  ['uploadRequest', 'POST /storage/{bucketUuid}/upload', (b) => ({ bucketUuid: b }), { fileName: 'a.txt', contentType: 'text/plain' }],
  ['sessionUpload', 'POST /storage/buckets/{bucketUuid}/upload', (b) => ({ bucketUuid: b }), { files: [{ fileName: 'a.txt', contentType: 'text/plain' }] }],
  ['sessionEnd', 'POST /storage/buckets/{bucketUuid}/upload/{sessionUuid}/end', (b) => ({ bucketUuid: b, sessionUuid: randomUUID() }), {}],
  ['multipartCreate', 'POST /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart', (b) => ({ bucketUuid: b, sessionUuid: randomUUID() }), { fileName: 'a.bin', size: 10 }],
  ['multipartParts', 'POST /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}/parts', (b) => ({ bucketUuid: b, sessionUuid: randomUUID(), fileUuid: randomUUID() }), { partNumbers: [1] }],
  ['multipartList', 'GET /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}', (b) => ({ bucketUuid: b, sessionUuid: randomUUID(), fileUuid: randomUUID() })],
  ['multipartComplete', 'POST /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}/complete', (b) => ({ bucketUuid: b, sessionUuid: randomUUID(), fileUuid: randomUUID() }), { parts: [{ partNumber: 1, ETag: '"e"' }] }],
  ['multipartAbort', 'DELETE /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}', (b) => ({ bucketUuid: b, sessionUuid: randomUUID(), fileUuid: randomUUID() })],
  ['ipnsList', 'GET /storage/buckets/{bucketUuid}/ipns', (b) => ({ bucketUuid: b })],
  ['ipnsCreate', 'POST /storage/buckets/{bucketUuid}/ipns', (b) => ({ bucketUuid: b }), { name: 'refused' }],
  ['ipnsGet', 'GET /storage/buckets/{bucketUuid}/ipns/{ipnsUuid}', (b) => ({ bucketUuid: b, ipnsUuid: randomUUID() })],
  ['ipnsDelete', 'DELETE /storage/buckets/{bucketUuid}/ipns/{ipnsUuid}', (b) => ({ bucketUuid: b, ipnsUuid: randomUUID() })],
  ['ipnsPublish', 'POST /storage/buckets/{bucketUuid}/ipns/{ipnsUuid}/publish', (b) => ({ bucketUuid: b, ipnsUuid: randomUUID() }), { cid: CID }],
  ['webhookGet', 'GET /storage/buckets/{bucketUuid}/webhook', (b) => ({ bucketUuid: b })],
  ['webhookPut', 'PUT /storage/buckets/{bucketUuid}/webhook', (b) => ({ bucketUuid: b }), { url: 'https://example.com/hook' }],
  ['webhookDelete', 'DELETE /storage/buckets/{bucketUuid}/webhook', (b) => ({ bucketUuid: b })],
  ['webhookDeliveries', 'GET /storage/buckets/{bucketUuid}/webhook/deliveries', (b) => ({ bucketUuid: b })],
];

let tenant: TestTenant;
let other: TestTenant;
let noPermissions: Record<string, string>;
let secondBucket: string;

it.beforeAll(async ({ tenant: t, services }) => {
  tenant = t;
  const [otherTenant, key, bucket] = await Promise.all([
    createTestTenant(services),
    createTestApiKey(services, t.accountId, []),
    createTestBucket(services, t.accountId),
  ]);
  other = otherTenant;
  noPermissions = { authorization: basicAuthorization(key.apiKey, key.apiSecret) };
  secondBucket = bucket.bucketUuid;
  // The application token of the tenant's first bucket, used on the second.
  expect(await createTestApplicationToken(services, t.accountId, t.bucket.bucketUuid)).toBeTruthy();
});

describe('bucket-scoped Apillon operations refuse before touching the bucket', () => {
  const cases: [string, ErrorName, () => { headers: Record<string, string>; bucketUuid: string }][] = [
    ['a key without the permission', 'missingPermission', () => ({ headers: noPermissions, bucketUuid: tenant.bucket.bucketUuid })],
    ['an unknown bucket', 'bucketNotFound', () => ({ headers: tenant.headers.basic, bucketUuid: randomUUID() })],
    ['another account’s bucket', 'recordOfAnotherAccount', () => ({ headers: tenant.headers.basic, bucketUuid: other.bucket.bucketUuid })],
    ['an application token of another bucket', 'wrongApplicationToken', () => ({ headers: tenant.headers.application, bucketUuid: secondBucket })],
  ];

  it.for(ROUTES.flatMap(([route, routeKey, params, body]) => cases.map(([what, error, who]) => ({ route, routeKey, params, body, what, error, who }))))(
    '$routeKey: $what answers $error',
    async ({ route, routeKey, params, body, error, who }) => {
      // prepare
      const { headers, bucketUuid } = who();

      // act
      const response = await call(route, { headers, params: params(bucketUuid), ...(body ? { body } : {}) });

      // assess
      expect({ status: response.statusCode, code: response.body?.code }, response.rawBody).toEqual({ status: ERRORS[error].status, code: ERRORS[error].code });
      expect(contractViolation(routeKey, response)).toBeUndefined();
    },
  );
});

describe('Apillon operations on a record that does not exist in the bucket', () => {
  const id = () => randomUUID();
  const rows: [Route, string, () => Record<string, string>, ErrorName, object?, Record<string, string>?][] = [
    ['fileDetail', 'GET /storage/{bucketUuid}/file/{id}/detail', () => ({ bucketUuid: tenant.bucket.bucketUuid, id: id() }), 'fileNotFound'],
    ['fileDelete', 'DELETE /storage/{bucketUuid}/file/{id}', () => ({ bucketUuid: tenant.bucket.bucketUuid, id: id() }), 'fileNotFound'],
    ['bucketFileGet', 'GET /storage/buckets/{bucketUuid}/files/{id}', () => ({ bucketUuid: tenant.bucket.bucketUuid, id: id() }), 'fileNotFound'],
    ['bucketFileDelete', 'DELETE /storage/buckets/{bucketUuid}/files/{id}', () => ({ bucketUuid: tenant.bucket.bucketUuid, id: id() }), 'fileNotFound'],
    ['directoryDelete', 'DELETE /storage/buckets/{bucketUuid}/directories/{directoryUuid}', () => ({ bucketUuid: tenant.bucket.bucketUuid, directoryUuid: id() }), 'directoryNotFound'],
    ['ipnsGet', 'GET /storage/buckets/{bucketUuid}/ipns/{ipnsUuid}', () => ({ bucketUuid: tenant.bucket.bucketUuid, ipnsUuid: id() }), 'ipnsRecordNotFound'],
    ['ipnsDelete', 'DELETE /storage/buckets/{bucketUuid}/ipns/{ipnsUuid}', () => ({ bucketUuid: tenant.bucket.bucketUuid, ipnsUuid: id() }), 'ipnsRecordNotFound'],
    ['ipnsPublish', 'POST /storage/buckets/{bucketUuid}/ipns/{ipnsUuid}/publish', () => ({ bucketUuid: tenant.bucket.bucketUuid, ipnsUuid: id() }), 'ipnsRecordNotFound', { cid: CID }],
    ['multipartParts', 'POST /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}/parts', () => ({ bucketUuid: tenant.bucket.bucketUuid, sessionUuid: id(), fileUuid: id() }), 'multipartUploadNotFound', { partNumbers: [1] }],
    ['multipartList', 'GET /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}', () => ({ bucketUuid: tenant.bucket.bucketUuid, sessionUuid: id(), fileUuid: id() }), 'multipartUploadNotFound'],
    ['multipartComplete', 'POST /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}/complete', () => ({ bucketUuid: tenant.bucket.bucketUuid, sessionUuid: id(), fileUuid: id() }), 'multipartUploadNotFound', { parts: [{ partNumber: 1, ETag: '"e"' }] }],
    ['multipartAbort', 'DELETE /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart/{fileUuid}', () => ({ bucketUuid: tenant.bucket.bucketUuid, sessionUuid: id(), fileUuid: id() }), 'multipartUploadNotFound'],
    ['webhookGet', 'GET /storage/buckets/{bucketUuid}/webhook', () => ({ bucketUuid: tenant.bucket.bucketUuid }), 'webhookNotFound'],
    ['webhookDelete', 'DELETE /storage/buckets/{bucketUuid}/webhook', () => ({ bucketUuid: tenant.bucket.bucketUuid }), 'webhookNotFound'],
    ['webhookDeliveries', 'GET /storage/buckets/{bucketUuid}/webhook/deliveries', () => ({ bucketUuid: tenant.bucket.bucketUuid }), 'webhookNotFound'],
    ['content', 'GET /storage/{bucketUuid}/content', () => ({ bucketUuid: tenant.bucket.bucketUuid }), 'directoryNotFound', undefined, { directoryId: '999999' }],
    ['bucketContent', 'GET /storage/buckets/{bucketUuid}/content', () => ({ bucketUuid: tenant.bucket.bucketUuid }), 'directoryNotFound', undefined, { directoryUuid: randomUUID() }],
  ];

  it.for(rows.map(([route, routeKey, params, error, body, query]) => ({ route, routeKey, params, error, body, query })))('$routeKey answers $error', async ({ route, routeKey, params, error, body, query }) => {
    // act
    const response = await call(route, { headers: tenant.headers.basic, params: params(), ...(body ? { body } : {}), ...(query ? { query } : {}) });

    // assess
    expect({ status: response.statusCode, code: response.body?.code }, response.rawBody).toEqual({ status: ERRORS[error].status, code: ERRORS[error].code });
    expect(contractViolation(routeKey, response)).toBeUndefined();
  });

  it.for([
    ['bucketsList', 'GET /storage/buckets'],
    ['info', 'GET /storage/info'],
    ['ipfsClusterInfo', 'GET /storage/ipfs-cluster-info'],
    ['linksOnIpfs', 'POST /storage/link-on-ipfs-multiple'],
    ['linkOnIpfs', 'GET /storage/link-on-ipfs/{cid}'],
  ] as [Route, string][])('%s: a key without the permission answers 403 40300000', async ([route, routeKey]) => {
    // act
    const response = await call(route, { headers: noPermissions, params: route === 'linkOnIpfs' ? { cid: CID } : {}, ...(route === 'linksOnIpfs' ? { body: { cids: [CID] } } : {}) });

    // assess
    expect({ status: response.statusCode, code: response.body?.code }, response.rawBody).toEqual({ status: 403, code: ERRORS.missingPermission.code });
    expect(contractViolation(routeKey, response)).toBeUndefined();
  });
});

describe('Quantum operations refuse before touching a bucket', () => {
  const unknown = () => `absent-${randomUUID().slice(0, 8)}`;
  type Row = [keyof typeof quantum, string, string, () => Record<string, string>, () => Record<string, string>, ErrorName, object?];
  // The large-file routes (lib/quantum/uploads.ts): a body their validation accepts, so only the bucket or the upload decides.
  const upload = (verb: 'create' | 'parts' | 'list' | 'complete' | 'abort'): [keyof typeof quantum, string, string, object | undefined] => {
    const handler = `upload${verb[0]!.toUpperCase()}${verb.slice(1)}` as keyof typeof quantum;
    if (verb === 'create') return [handler, 'POST', '/upload/create/{bucket}/{location+}', { size: 10 }];
    const body = verb === 'parts' ? { part_numbers: [1] } : verb === 'complete' ? { parts: [{ part_number: 1, etag: '"e"' }] } : undefined;
    return [handler, verb === 'list' ? 'GET' : 'POST', `/upload/${verb}/{bucket}/{upload}`, body];
  };
  const uploadParams = (bucket: string) => ({ bucket, location: 'big.bin', upload: randomUUID() });
  const uploadRows: Row[] = (['create', 'parts', 'list', 'complete', 'abort'] as const).flatMap((verb): Row[] => {
    const [handler, method, route, body] = upload(verb);
    const rows: Row[] = [
      [handler, method, route, () => uploadParams(unknown()), () => tenant.headers.master, 'bucketNotFound', body],
      [handler, method, route, () => uploadParams(tenant.bucket.name), () => noPermissions, 'missingPermission', body],
    ];
    if (verb !== 'create') rows.push([handler, method, route, () => uploadParams(tenant.bucket.name), () => tenant.headers.master, 'multipartUploadNotFound', body]);
    return rows;
  });
  const rows: Row[] = [
    ['fileGet', 'GET', '/file/get/{bucket}/{location+}', () => ({ bucket: unknown(), location: 'a.txt' }), () => tenant.headers.master, 'bucketNotFound'],
    ['fileGet', 'GET', '/file/get/{bucket}/{location+}', () => ({ bucket: unknown(), location: 'a.txt' }), () => tenant.headers.application, 'wrongApplicationToken'],
    ['fileMkdir', 'POST', '/file/mkdir/{bucket}/{location+}', () => ({ bucket: unknown(), location: 'a' }), () => tenant.headers.master, 'bucketNotFound'],
    ['fileMkdir', 'POST', '/file/mkdir/{bucket}/{location+}', () => ({ bucket: unknown(), location: 'a' }), () => tenant.headers.application, 'wrongApplicationToken'],
    ['fileRemove', 'POST', '/file/remove/{bucket}/{location+}', () => ({ bucket: unknown(), location: 'a' }), () => tenant.headers.master, 'bucketNotFound'],
    ['fileRemove', 'POST', '/file/remove/{bucket}/{location+}', () => ({ bucket: unknown(), location: 'a' }), () => tenant.headers.application, 'wrongApplicationToken'],
    ['fileRemove', 'POST', '/file/remove/{bucket}/{location+}', () => ({ bucket: tenant.bucket.name, location: 'a' }), () => noPermissions, 'missingPermission'],
    ['fileQuota', 'GET', '/file/quota', () => ({}), () => noPermissions, 'missingPermission'],
    ['fileAdd', 'POST', '/file/add/{bucket}/{location+}', () => ({ bucket: unknown(), location: 'a' }), () => tenant.headers.master, 'bucketNotFound'],
    ['tokenCreate', 'POST', '/token/create/{bucket}', () => ({ bucket: unknown() }), () => tenant.headers.application, 'masterKeyRequired'],
    ['tokenRemove', 'POST', '/token/remove/{token}', () => ({ token: 'not-a-token' }), () => tenant.headers.application, 'masterKeyRequired'],
    ['tokenRemoveBucket', 'POST', '/token/remove/b/{bucket}', () => ({ bucket: unknown() }), () => tenant.headers.application, 'masterKeyRequired'],
    ...uploadRows,
  ];

  it.for(rows.map(([handler, method, route, params, headers, error, body]) => ({ handler, method, route, params, headers, error, body })))(
    '$method $route: answers $error',
    async ({ handler, method, route, params, headers, error, body }) => {
      // act
      const all = params();
      const used = Object.fromEntries(Object.entries(all).filter(([name]) => route.includes(`{${name}`)));
      const response = await invoke(
        quantum[handler],
        routeEvent({ method, route, params: used, headers: { ...headers(), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) }),
      );

      // assess
      expect({ status: response.statusCode, message: response.body?.message }, response.rawBody).toEqual({ status: ERRORS[error].quantum.status, message: ERRORS[error].quantum.message });
      expect(contractViolation(`${method} /API${route}`, response)).toBeUndefined();
    },
  );
});

describe('Apillon operations that change or upload into a bucket marked for deletion', () => {
  let marked: string;

  it.beforeAll(async ({ services }) => {
    // As a removal of a bucket with files leaves it until its files are purged.
    const bucket = await createTestBucket(services, tenant.accountId);
    await services.buckets.markForDeletion(bucket.bucketUuid, new Date().toISOString());
    marked = bucket.bucketUuid;
  });

  const rows: [Route, string, () => Record<string, string>, object][] = [
    ['bucketUpdate', 'PATCH /storage/buckets/{bucketUuid}', () => ({ bucketUuid: marked }), { maxFileSize: 1000 }],
    ['webhookPut', 'PUT /storage/buckets/{bucketUuid}/webhook', () => ({ bucketUuid: marked }), { url: 'https://example.com/hook' }],
    ['uploadRequest', 'POST /storage/{bucketUuid}/upload', () => ({ bucketUuid: marked }), { fileName: 'a.txt', contentType: 'text/plain' }],
    ['sessionUpload', 'POST /storage/buckets/{bucketUuid}/upload', () => ({ bucketUuid: marked }), { files: [{ fileName: 'a.txt', contentType: 'text/plain' }] }],
    ['multipartCreate', 'POST /storage/buckets/{bucketUuid}/upload/{sessionUuid}/multipart', () => ({ bucketUuid: marked, sessionUuid: randomUUID() }), { fileName: 'a.bin', size: 10 }],
  ];

  it.for(rows.map(([route, routeKey, params, body]) => ({ route, routeKey, params, body })))('$routeKey answers 404 40406009', async ({ route, routeKey, params, body }) => {
    // act
    const response = await call(route, { headers: tenant.headers.basic, params: params(), body });

    // assess
    expect({ status: response.statusCode, code: response.body?.code }, response.rawBody).toEqual({ status: 404, code: ERRORS.bucketMarkedForDeletion.code });
    expect(contractViolation(routeKey, response)).toBeUndefined();
  });
});
