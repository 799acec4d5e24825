/**
 * Hostile paths against every path-taking endpoint of both surfaces: each gets
 * a 4xx in the surface's own shape (never a 500) and nothing is stored.
 */
import { describe, expect } from 'vitest';
import { handler as apillonSessionUpload } from '../../functions/apillon/session-upload/handler';
import { handler as apillonUploadRequest } from '../../functions/apillon/upload-request/handler';
import { RecordStatus } from '../../lib/core/model/entries';
import type { Services } from '../../lib/app/services';
import type { BucketRecord } from '../../lib/core/ports';
import { invoke, type InvokeResult } from '../support/events';
import { tenantTest } from '../support/fixtures';
import type { TestTenant } from '../support/services';
import { addFiles, download, fileToken, quantum, routeEvent, snapshot } from './quantum/support';

const it = tenantTest();

interface Hostile {
  readonly label: string;
  readonly value: string;
  /** The Apillon `path` field accepts leading and trailing slashes (the SDK sends `dir/`): this one is a plain relative path there. */
  readonly lenientSlashes?: true;
}

/** Traversal in many encodings, separators, control characters, odd Unicode, over-long names, empty segments. */
const HOSTILE: readonly Hostile[] = [
  { label: 'parent segment', value: '..' },
  { label: 'parent then a name', value: '../etc/passwd' },
  { label: 'climbing out from inside', value: 'a/../../b' },
  { label: 'current-directory segment', value: './a' },
  { label: 'lone dot', value: '.' },
  { label: 'percent-encoded dots', value: '%2e%2e' },
  { label: 'percent-encoded dots and slash', value: '%2e%2e%2fetc' },
  { label: 'mixed-case encoded dots', value: '%2E%2e/x' },
  { label: 'encoded slashes between dots', value: '..%2f..%2fetc' },
  { label: 'double-encoded dots', value: '%252e%252e' },
  { label: 'double-encoded traversal inside a path', value: 'a/%252e%252e/%252e%252e/b' },
  { label: 'triple-encoded dots', value: '%25252e%25252e' },
  { label: 'encoded newline', value: 'a%0Ab' },
  { label: 'encoded lone dot', value: '%2e' },
  { label: 'backslash traversal', value: '..\\..\\windows' },
  { label: 'backslash inside a name', value: 'a\\b' },
  { label: 'encoded backslashes', value: '..%5c..%5cx' },
  { label: 'absolute path', value: '/etc/passwd', lenientSlashes: true },
  { label: 'UNC path', value: '//server/share', lenientSlashes: true },
  { label: 'drive letter', value: 'C:\\Windows' },
  { label: 'NUL byte', value: 'a\u0000b' },
  { label: 'encoded NUL', value: 'a%00.txt' },
  { label: 'newline', value: 'a\nb' },
  { label: 'carriage return', value: 'a\rb' },
  { label: 'tab', value: 'a\tb' },
  { label: 'terminal escape sequence', value: '\u001b[31mred' },
  { label: 'DEL', value: 'a\u007fb' },
  { label: 'C1 control (NEL)', value: 'a\u0085b' },
  { label: 'Unicode line separator', value: 'a\u2028b' },
  { label: 'fullwidth dots', value: '\uff0e\uff0e' },
  { label: 'fullwidth dots and slash', value: '\uff0e\uff0e\uff0fetc' },
  { label: 'fullwidth backslash', value: 'a\uff3cb' },
  { label: 'two-dot leader', value: '\u2025' },
  { label: 'small full stops', value: '\ufe52\ufe52' },
  { label: 'lone surrogate', value: 'a\ud800b' },
  { label: '1025-byte name', value: 'x'.repeat(1025) },
  { label: '256-byte name', value: 'x'.repeat(256) },
  { label: '1200-byte Unicode name', value: '\u00e9'.repeat(600) },
  { label: 'path over 1024 bytes', value: Array.from({ length: 5 }, () => 'y'.repeat(250)).join('/') },
  { label: 'empty segment', value: 'a//b' },
  { label: 'trailing slash', value: 'a/', lenientSlashes: true },
  { label: 'only a slash', value: '/', lenientSlashes: true },
  { label: 'whitespace-only name', value: '   ' },
];

/** Hostile as a single file name: no separators (the Quantum form keeps only a client name's basename). */
const HOSTILE_NAMES = HOSTILE.filter((hostile) => !/[/\\]/.test(hostile.value) && !/[\ud800-\udfff]/.test(hostile.value));

let services: Services;
let tenant: TestTenant;

it.beforeAll(async ({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
  await addFiles(tenant.headers.master, tenant.bucket.name, 'docs', [{ name: 'caf\u00e9.txt', content: 'NFC name' }]);
});

/** Everything a hostile request could have changed: the bucket's paths, objects, files (any status), usage, bucket names, tokens. */
async function state(bucket: BucketRecord) {
  const [bucketSnapshot, active, marked, buckets, tokens] = await Promise.all([
    snapshot(services, bucket),
    services.listings.listFiles({ bucketUuid: bucket.bucketUuid, recordStatus: RecordStatus.ACTIVE, offset: 0, limit: 1000 }),
    services.listings.listFiles({ bucketUuid: bucket.bucketUuid, recordStatus: RecordStatus.MARKED_FOR_DELETION, offset: 0, limit: 1000 }),
    services.buckets.list(bucket.accountId),
    services.accounts.listBucketTokens(bucket.bucketUuid),
  ]);
  return {
    ...bucketSnapshot,
    files: active.items.map((file) => file.uuid).sort(),
    marked: marked.items.length,
    buckets: buckets.map((item) => item.name).sort(),
    tokens: tokens.length,
  };
}

/** The problems with one answer, or none: a 4xx in the surface's error shape. */
function quantumShapeProblems(response: InvokeResult, message?: string): string[] {
  const problems: string[] = [];
  if (response.statusCode < 400 || response.statusCode > 499) problems.push(`status ${response.statusCode}`);
  const body = response.body ?? {};
  if (Object.keys(body).sort().join() !== 'message,status' || body.status !== 'error') problems.push(`body ${response.rawBody.slice(0, 120)}`);
  if (message !== undefined && body.message !== message) problems.push(`message ${body.message}`);
  return problems;
}

function apillonShapeProblems(response: InvokeResult): string[] {
  const problems: string[] = [];
  if (response.statusCode < 400 || response.statusCode > 499) problems.push(`status ${response.statusCode}`);
  const keys = Object.keys(response.body ?? {}).sort().join();
  if (keys !== 'code,id,message,path,timestamp' && keys !== 'errors,id,model,path,timestamp') problems.push(`body ${response.rawBody.slice(0, 120)}`);
  return problems;
}

/** Runs `attempt` for every hostile value and lists the ones whose answer is wrong, by label. */
async function misbehaving(values: readonly Hostile[], attempt: (value: string) => Promise<string[]>): Promise<string[]> {
  const found: string[] = [];
  for (const hostile of values) {
    const problems = await attempt(hostile.value);
    if (problems.length > 0) found.push(`${hostile.label}: ${problems.join(', ')}`);
  }
  return found;
}

describe('hostile paths on the Quantum surface', () => {
  const headers = () => tenant.headers.master;
  const onLocation = (handler: 'fileMkdir' | 'fileRemove' | 'fileGet', method: string, route: string) => (location: string) =>
    invoke(quantum[handler], routeEvent({ method, route: `/file/${route}/{bucket}/{location+}`, params: { bucket: tenant.bucket.name, location }, headers: headers() }));

  it.each([
    ['POST /file/mkdir', onLocation('fileMkdir', 'POST', 'mkdir')],
    ['POST /file/remove', onLocation('fileRemove', 'POST', 'remove')],
    ['GET /file/get', onLocation('fileGet', 'GET', 'get')],
    ['POST /file/add (location)', (location: string) => addFiles(headers(), tenant.bucket.name, location, [{ name: 'payload.txt', content: 'payload' }])],
  ])('%s answers 400 INVALID_PATH to each and stores nothing', async (_, call) => {
    // prepare
    const before = await state(tenant.bucket);

    // act
    const wrong = await misbehaving(HOSTILE, async (value) => quantumShapeProblems(await call(value), 'INVALID_PATH'));

    // assess
    expect(HOSTILE.length).toBeGreaterThanOrEqual(30);
    expect(wrong).toEqual([]);
    expect(await state(tenant.bucket)).toEqual(before);
  });

  it('POST /file/add answers 400 INVALID_PATH to each hostile file name and stores nothing', async () => {
    // prepare
    const before = await state(tenant.bucket);

    // act: names sent as RFC 5987 `filename*`, so every byte reaches the server as it is
    const wrong = await misbehaving(HOSTILE_NAMES, async (name) => {
      const boundary = 'hostile-boundary-7d1f';
      const body = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename*=UTF-8''${encodeURIComponent(name)}\r\n` +
          `Content-Type: text/plain\r\n\r\npayload\r\n--${boundary}--\r\n`,
      );
      const response = await invoke(
        quantum.fileAdd,
        routeEvent({
          method: 'POST',
          route: '/file/add/{bucket}/{location+}',
          params: { bucket: tenant.bucket.name, location: 'uploads' },
          headers: { ...headers(), 'content-type': `multipart/form-data; boundary=${boundary}` },
          body,
        }),
      );
      return quantumShapeProblems(response, 'INVALID_PATH');
    });

    // assess
    expect(HOSTILE_NAMES.length).toBeGreaterThanOrEqual(20);
    expect(wrong).toEqual([]);
    expect(await state(tenant.bucket)).toEqual(before);
  });

  const onBucket = (handler: 'bucketCreate' | 'bucketRemove' | 'tokenCreate', route: string) => (bucket: string) =>
    invoke(quantum[handler], routeEvent({ method: 'POST', route, params: { bucket }, headers: headers() }));

  it.each([
    ['POST /bucket/create', onBucket('bucketCreate', '/bucket/create/{bucket}')],
    ['POST /bucket/remove', onBucket('bucketRemove', '/bucket/remove/{bucket}')],
    ['POST /token/create', onBucket('tokenCreate', '/token/create/{bucket}')],
  ])('%s answers a 4xx to each hostile bucket name and changes nothing', async (_, call) => {
    // prepare
    const before = await state(tenant.bucket);

    // act
    const wrong = await misbehaving(HOSTILE, async (value) => quantumShapeProblems(await call(value)));

    // assess
    expect(wrong).toEqual([]);
    expect(await state(tenant.bucket)).toEqual(before);
  });
});

describe('hostile paths on the Apillon surface', () => {
  const uploadRequest = (body: object) =>
    invoke(apillonUploadRequest, {
      method: 'POST',
      path: '/storage/{bucketUuid}/upload',
      rawPath: `/storage/${tenant.bucket.bucketUuid}/upload`,
      pathParameters: { bucketUuid: tenant.bucket.bucketUuid },
      headers: tenant.headers.basic,
      body,
    });
  const sessionUpload = (file: object) =>
    invoke(apillonSessionUpload, {
      method: 'POST',
      path: '/storage/buckets/{bucketUuid}/upload',
      rawPath: `/storage/buckets/${tenant.bucket.bucketUuid}/upload`,
      pathParameters: { bucketUuid: tenant.bucket.bucketUuid },
      headers: tenant.headers.basic,
      body: { files: [file] },
    });
  const relativeOnApillon = HOSTILE.filter((hostile) => !hostile.lenientSlashes);

  it.each([
    ['POST /storage/:bucketUuid/upload `path`', relativeOnApillon, (value: string) => uploadRequest({ fileName: 'a.txt', contentType: 'text/plain', path: value })],
    ['POST /storage/:bucketUuid/upload `fileName`', HOSTILE, (value: string) => uploadRequest({ fileName: value, contentType: 'text/plain' })],
    ['POST /storage/buckets/:bucketUuid/upload `path`', relativeOnApillon, (value: string) => sessionUpload({ fileName: 'a.txt', path: value })],
    ['POST /storage/buckets/:bucketUuid/upload `fileName`', HOSTILE, (value: string) => sessionUpload({ fileName: value })],
  ])('%s answers a 4xx to each and stores nothing', async (_, values, call) => {
    // prepare
    const before = await state(tenant.bucket);

    // act
    const wrong = await misbehaving(values, async (value) => apillonShapeProblems(await call(value)));

    // assess
    expect(wrong).toEqual([]);
    expect(await state(tenant.bucket)).toEqual(before);
  });
});

describe('NFC/NFD twins name the same entry', () => {
  const nfd = 'cafe\u0301.txt';

  it('a Quantum upload of the NFD twin without force is 400 FILE_ALREADY_EXISTS and stores nothing', async () => {
    // prepare
    const before = await state(tenant.bucket);

    // act
    const response = await addFiles(tenant.headers.master, tenant.bucket.name, 'docs', [{ name: nfd, content: 'NFD twin' }]);

    // assess
    expect(quantumShapeProblems(response, 'FILE_ALREADY_EXISTS')).toEqual([]);
    expect(await state(tenant.bucket)).toEqual(before);
  });

  it('mkdir of the NFD twin is 400 INVALID_DIR (a file has that name)', async () => {
    // prepare
    const before = await state(tenant.bucket);

    // act
    const response = await invoke(
      quantum.fileMkdir,
      routeEvent({ method: 'POST', route: '/file/mkdir/{bucket}/{location+}', params: { bucket: tenant.bucket.name, location: `docs/${nfd}` }, headers: tenant.headers.master }),
    );

    // assess
    expect(quantumShapeProblems(response, 'INVALID_DIR')).toEqual([]);
    expect(await state(tenant.bucket)).toEqual(before);
  });

  it('get of the NFD twin gives a token for the NFC file itself', async () => {
    // act
    const token = await fileToken(tenant.headers.master, tenant.bucket.name, `docs/${nfd}`);
    const result = await download(token);

    // assess
    expect(Buffer.from(result.body!, 'base64').toString('utf8')).toBe('NFC name');
  });

  it('an Apillon upload request for the NFD twin targets the NFC path (it would replace that file, never sit beside it)', async () => {
    // act
    const response = await uploadRequestFor(nfd);

    // assess
    expect(response.statusCode).toBe(201);
    const file = await services.entries.get(response.body.data.fileUuid);
    expect(file).toMatchObject({ path: 'docs/caf\u00e9.txt', name: 'caf\u00e9.txt', fileStatus: 1 });
    expect((await snapshot(services, tenant.bucket)).paths.filter((path) => path.startsWith('docs/'))).toEqual(['docs/caf\u00e9.txt']);
  });

  function uploadRequestFor(fileName: string) {
    return invoke(apillonUploadRequest, {
      method: 'POST',
      path: '/storage/{bucketUuid}/upload',
      rawPath: `/storage/${tenant.bucket.bucketUuid}/upload`,
      pathParameters: { bucketUuid: tenant.bucket.bucketUuid },
      headers: tenant.headers.basic,
      body: { fileName, contentType: 'text/plain', path: 'docs' },
    });
  }
});
