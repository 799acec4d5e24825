/**
 * Quantum input rules (issue 11): the last value of a repeated form field wins,
 * routes without a body ignore one, each form limit has its own code, invalid
 * UTF-8 and hidden characters in names are refused with nothing stored.
 */
import { describe, expect } from 'vitest';
import type { Services } from '../../../lib/app/services';
import type { BucketRecord } from '../../../lib/core/ports';
import { expectQuantumError, expectQuantumSuccess } from '../../support/envelopes';
import { invoke } from '../../support/events';
import { createTestBucket, createTestTenant, type TestTenant } from '../../support/services';
import { addFiles, quantum, routeEvent, snapshot, storedText } from './support';
import { tenantTest } from '../../support/fixtures';

const it = tenantTest({ quotaBytes: 1_000_000 });

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const freshBucket = () => createTestBucket(services, tenant.accountId);
const master = () => tenant.headers.master;


/** A form whose parts are raw bytes (file names no encoder would send). */
function rawForm(parts: { disposition: Buffer; content: string | Buffer }[]): { body: Buffer; contentType: string } {
  const boundary = 'raw-boundary';
  const chunks = parts.flatMap((part) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; `),
    part.disposition,
    Buffer.from('\r\nContent-Type: text/plain\r\n\r\n'),
    Buffer.from(part.content),
    Buffer.from('\r\n'),
  ]);
  return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

function addRaw(bucket: BucketRecord, form: { body: Buffer; contentType: string }, location = 'in') {
  return invoke(
    quantum.fileAdd,
    routeEvent({
      method: 'POST',
      route: '/file/add/{bucket}/{location+}',
      params: { bucket: bucket.name, location },
      headers: { ...master(), 'content-type': form.contentType },
      body: form.body,
    }),
  );
}

describe('repeated form fields', () => {
  it('overwrites with force=false then force=true (the last value wins, as in Django)', async () => {
    // prepare
    const bucket = await freshBucket();
    await addFiles(master(), bucket.name, undefined, [{ name: 'f.txt', content: 'old' }]);

    // act
    const { body, contentType } = rawForm([
      { disposition: Buffer.from('name="force"'), content: 'false' },
      { disposition: Buffer.from('name="force"'), content: 'true' },
      { disposition: Buffer.from('name="files"; filename="f.txt"'), content: 'new' },
    ]);
    const response = await invoke(
      quantum.fileAdd,
      routeEvent({ method: 'POST', route: '/file/add/{bucket}', params: { bucket: bucket.name }, headers: { ...master(), 'content-type': contentType }, body }),
    );

    // assess
    expectQuantumSuccess(response);
    expect(await storedText(services, bucket, 'f.txt')).toBe('new');
  });

  it('keeps the file with force=true then force=false', async () => {
    // prepare
    const bucket = await freshBucket();
    await addFiles(master(), bucket.name, undefined, [{ name: 'f.txt', content: 'old' }]);

    // act
    const { body, contentType } = rawForm([
      { disposition: Buffer.from('name="force"'), content: 'true' },
      { disposition: Buffer.from('name="force"'), content: 'false' },
      { disposition: Buffer.from('name="files"; filename="f.txt"'), content: 'new' },
    ]);
    const response = await invoke(
      quantum.fileAdd,
      routeEvent({ method: 'POST', route: '/file/add/{bucket}', params: { bucket: bucket.name }, headers: { ...master(), 'content-type': contentType }, body }),
    );

    // assess
    expectQuantumError(response, { status: 400, message: 'FILE_ALREADY_EXISTS' });
    expect(await storedText(services, bucket, 'f.txt')).toBe('old');
  });
});

describe('routes that take no body', () => {
  it.each([
    ['a form body', 'application/x-www-form-urlencoded', 'a=b'],
    ['malformed JSON', 'application/json', '{oops'],
    ['another media type', 'application/xml', '<x/>'],
  ])('POST /bucket/create/<name> ignores %s (as Django does)', async (_, contentType, body) => {
    // prepare
    const name = `nobody-${Math.random().toString(36).slice(2, 10)}`;

    // act
    const response = await invoke(
      quantum.bucketCreate,
      routeEvent({ method: 'POST', route: '/bucket/create/{bucket}', params: { bucket: name }, headers: { ...master(), 'content-type': contentType }, body }),
    );

    // assess
    expectQuantumSuccess(response);
    expect(await services.buckets.getByName(tenant.accountId, name)).toBeDefined();
  });

  it('POST /file/mkdir ignores a body', async () => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await invoke(
      quantum.fileMkdir,
      routeEvent({ method: 'POST', route: '/file/mkdir/{bucket}/{location+}', params: { bucket: bucket.name, location: 'd' }, headers: master(), body: 'a=b' }),
    );

    // assess
    expectQuantumSuccess(response);
    expect((await snapshot(services, bucket)).paths).toEqual(['d']);
  });
});

describe('form limits and strict text', () => {
  it('answers a text field over 4,096 bytes with 400 FIELD_TOO_LARGE, not TOO_MANY_FILES', async () => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await addFiles(master(), bucket.name, 'in', [{ name: 'a.txt', content: 'a' }], { note: 'x'.repeat(4097) });

    // assess
    expectQuantumError(response, { status: 400, message: 'FIELD_TOO_LARGE', data: { limitBytes: 4096, field: 'note', reason: 'the value of field "note" is over 4096 bytes' } });
    expect((await snapshot(services, bucket)).paths).toEqual([]);
  });

  it('answers a field name over 200 bytes with 400 FIELD_NAME_TOO_LONG, naming the limit', async () => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await addFiles(master(), bucket.name, 'in', [{ name: 'a.txt', content: 'a' }], { ['n'.repeat(201)]: 'v' });

    // assess
    expectQuantumError(response, { status: 400, message: 'FIELD_NAME_TOO_LONG', data: { limitBytes: 200, reason: 'a field name is over 200 bytes' } });
    expect((await snapshot(services, bucket)).paths).toEqual([]);
  });

  it('answers more than 20 text fields with 400 TOO_MANY_FIELDS', async () => {
    // prepare
    const bucket = await freshBucket();
    const fields = Object.fromEntries(Array.from({ length: 21 }, (_, index) => [`f${index}`, 'v']));

    // act
    const response = await addFiles(master(), bucket.name, 'in', [{ name: 'a.txt', content: 'a' }], fields);

    // assess
    expectQuantumError(response, { status: 400, message: 'TOO_MANY_FIELDS', data: { limit: 20 } });
    expect((await snapshot(services, bucket)).paths).toEqual([]);
  });

  it.each([
    ['0xFF 0xFE in a file name', Buffer.from([0x6e, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74])],
    ['a truncated sequence in a file name', Buffer.from([0x6e, 0xe2, 0x82, 0x2e, 0x74, 0x78, 0x74])],
    ['U+FFFD in a file name', Buffer.from('n\uFFFD.txt', 'utf8')],
  ])('refuses %s with 400 INVALID_UTF8 and stores nothing', async (_, fileName) => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await addRaw(bucket, rawForm([{ disposition: Buffer.concat([Buffer.from('name="files"; filename="'), fileName, Buffer.from('"')]), content: 'x' }]));

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_UTF8' });
    expect(await snapshot(services, bucket)).toMatchObject({ paths: [], objects: [] });
  });

  it('refuses a force value that is not UTF-8 with 400 INVALID_UTF8', async () => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await addRaw(
      bucket,
      rawForm([
        { disposition: Buffer.from('name="force"'), content: Buffer.from([0x74, 0xff, 0x75, 0x65]) },
        { disposition: Buffer.from('name="files"; filename="a.txt"'), content: 'x' },
      ]),
    );

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_UTF8' });
    expect((await snapshot(services, bucket)).paths).toEqual([]);
  });

  it.each([
    ['file/mkdir', quantum.fileMkdir, 'POST', '/file/mkdir/{bucket}/{location+}'],
    ['file/get', quantum.fileGet, 'GET', '/file/get/{bucket}/{location+}'],
    ['file/remove', quantum.fileRemove, 'POST', '/file/remove/{bucket}/{location+}'],
  ] as const)('%s answers a location with %%FF with 400 INVALID_UTF8', async (_, handler, method, route) => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await invoke(handler, routeEvent({ method, route, params: { bucket: bucket.name, location: 'a/b%FFc' }, headers: master() }));

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_UTF8' });
    expect((await snapshot(services, bucket)).paths).toEqual([]);
  });
});

describe('hidden characters in names', () => {
  it.each([
    ['a right-to-left override', 'evil\u202Egpj.exe'],
    ['a zero-width space', 'in\u200Bvoice.pdf'],
    ['a byte order mark', '\uFEFFa.txt'],
    ['a left-to-right isolate', 'a\u2066b.txt'],
  ])('file/add refuses a file name with %s (400 INVALID_PATH)', async (_, name) => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await addFiles(master(), bucket.name, 'in', [{ name, content: 'x' }]);

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_PATH' });
    expect((await snapshot(services, bucket)).paths).toEqual([]);
  });

  it('file/mkdir refuses a folder name with a bidi control (400 INVALID_PATH)', async () => {
    // prepare
    const bucket = await freshBucket();

    // act
    const response = await invoke(
      quantum.fileMkdir,
      routeEvent({ method: 'POST', route: '/file/mkdir/{bucket}/{location+}', params: { bucket: bucket.name, location: 'a/\u202Edir' }, headers: master() }),
    );

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_PATH' });
    expect((await snapshot(services, bucket)).paths).toEqual([]);
  });

  it('bucket/create refuses a bucket name with a bidi control', async () => {
    // act
    const response = await invoke(
      quantum.bucketCreate,
      routeEvent({ method: 'POST', route: '/bucket/create/{bucket}', params: { bucket: 'b\u202Ec' }, headers: master() }),
    );

    // assess
    expectQuantumError(response, { status: 400, message: 'INVALID_PATH' });
    expect(await services.buckets.getByName(tenant.accountId, 'b\u202Ec')).toBeUndefined();
  });
});

describe('GET /bucket', () => {
  it('lists bucket names in the one listing order (folded, code point order, prefix first)', async () => {
    // prepare
    const owner = await createTestTenant(services, { bucketName: 'report_2' });
    for (const name of ['Report.x', 'report-2', 'report']) await createTestBucket(services, owner.accountId, { name });

    // act
    const response = await invoke(quantum.bucketList, routeEvent({ method: 'GET', route: '/bucket', headers: owner.headers.master }));

    // assess
    expectQuantumSuccess(response);
    expect(response.body.data.Buckets).toEqual(['report', 'report-2', 'Report.x', 'report_2']);
  });
});
