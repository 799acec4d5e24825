/**
 * Bad input on every Apillon route: a clear 4xx in the Apillon shape, never a
 * 500, and nothing stored (the whole table is compared before and after).
 */
import { describe, expect } from 'vitest';
import type { Services } from '../../../lib/app/services';
import { tenantTest } from '../../support/fixtures';
import type { TestTenant } from '../../support/services';
import { call, handlers, tableSnapshot, uploadFile, type CallInit } from './helpers';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;
let fileUuid: string;

it.beforeAll(async ({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
  ({ fileUuid } = await uploadFile(services, tenant.bucket.bucketUuid, tenant.headers.basic, { fileName: 'kept.txt', bytes: 'kept' }));
});

type Route = keyof typeof handlers;
const b = () => tenant.bucket.bucketUuid;
const auth = () => tenant.headers.basic;
const json = (body: string) => ({ headers: { ...auth(), 'content-type': 'application/json' }, body });

const CASES: [string, Route, () => CallInit][] = [
  ['no credentials', 'content', () => ({ params: { bucketUuid: b() } })],
  ['a malformed Basic header', 'content', () => ({ params: { bucketUuid: b() }, headers: { authorization: 'Basic %%%' } })],
  ['a Bearer token', 'content', () => ({ params: { bucketUuid: b() }, headers: { authorization: 'Bearer abc' } })],
  ['a wrong secret', 'content', () => ({ params: { bucketUuid: b() }, headers: { authorization: `Basic ${Buffer.from(`${tenant.apiKey.apiKey}:wrong`).toString('base64')}` } })],
  ['a huge master key', 'content', () => ({ params: { bucketUuid: b() }, headers: { 'x-api-mkey': 'k'.repeat(5000) } })],
  ['truncated JSON (single upload)', 'uploadRequest', () => ({ params: { bucketUuid: b() }, ...json('{"fileName":') })],
  ['truncated JSON (batch)', 'sessionUpload', () => ({ params: { bucketUuid: b() }, ...json('{"files":[') })],
  ['truncated JSON (bucket)', 'bucketCreate', () => json('{') ],
  ['truncated JSON (links)', 'linksOnIpfs', () => json('{"cids":') ],
  ['a JSON string body', 'uploadRequest', () => ({ params: { bucketUuid: b() }, ...json('"fileName"') })],
  ['a JSON null body', 'sessionUpload', () => ({ params: { bucketUuid: b() }, ...json('null') })],
  ['a 2 MB body', 'sessionUpload', () => ({ params: { bucketUuid: b() }, headers: auth(), body: { files: [{ fileName: 'x'.repeat(2_000_000) }] } })],
  ['5000 files', 'sessionUpload', () => ({ params: { bucketUuid: b() }, headers: auth(), body: { files: Array.from({ length: 5000 }, (_, i) => ({ fileName: `${i}` })) } })],
  ['files of the wrong type', 'sessionUpload', () => ({ params: { bucketUuid: b() }, headers: auth(), body: { files: [1, 'two', null] } })],
  ['fullwidth dots as a name', 'uploadRequest', () => ({ params: { bucketUuid: b() }, headers: auth(), body: { fileName: '．．', contentType: 'text/plain' } })],
  ['a NUL in a name', 'uploadRequest', () => ({ params: { bucketUuid: b() }, headers: auth(), body: { fileName: 'a\u0000b', contentType: 'text/plain' } })],
  ['a lone surrogate in a name', 'uploadRequest', () => ({ params: { bucketUuid: b() }, headers: auth(), body: { fileName: 'a\ud800', contentType: 'text/plain' } })],
  ['a backslash path', 'uploadRequest', () => ({ params: { bucketUuid: b() }, headers: auth(), body: { fileName: 'a', contentType: 'text/plain', path: '..\\..' } })],
  ['an encoded traversal path', 'uploadRequest', () => ({ params: { bucketUuid: b() }, headers: auth(), body: { fileName: 'a', contentType: 'text/plain', path: '%2e%2e/x' } })],
  ['a path as a number', 'uploadRequest', () => ({ params: { bucketUuid: b() }, headers: auth(), body: { fileName: 'a', contentType: 'text/plain', path: 5 } })],
  ['a 2000-character bucket uuid', 'uploadRequest', () => ({ params: { bucketUuid: 'b'.repeat(2000) }, headers: auth(), body: { fileName: 'a', contentType: 'text/plain' } })],
  ['an unknown bucket', 'sessionUpload', () => ({ params: { bucketUuid: '00000000-0000-4000-8000-000000000000' }, headers: auth(), body: { files: [{ fileName: 'a' }] } })],
  ['a bad session uuid in the path', 'sessionEnd', () => ({ params: { bucketUuid: b(), sessionUuid: '../../x' }, headers: auth() })],
  ['an end body that is an array', 'sessionEnd', () => ({ params: { bucketUuid: b(), sessionUuid: '00000000-0000-4000-8000-000000000001' }, ...json('[1]') })],
  ['a file id with a NUL', 'fileDetail', () => ({ params: { bucketUuid: b(), id: 'a\u0000' }, headers: auth() })],
  ['a file id of 5000 characters', 'bucketFileGet', () => ({ params: { bucketUuid: b(), id: '9'.repeat(5000) }, headers: auth() })],
  ['a 16-digit id', 'fileDelete', () => ({ params: { bucketUuid: b(), id: '9999999999999999' }, headers: auth() })],
  ['deleting a directory by a file uuid', 'directoryDelete', () => ({ params: { bucketUuid: b(), directoryUuid: fileUuid }, headers: auth() })],
  ['a negative page', 'bucketContent', () => ({ params: { bucketUuid: b() }, query: { page: '-3' }, headers: auth() })],
  ['a huge limit', 'bucketFiles', () => ({ params: { bucketUuid: b() }, query: { limit: '99999999999' }, headers: auth() })],
  ['orderBy injection', 'content', () => ({ params: { bucketUuid: b() }, query: { orderBy: 'name;DROP' }, headers: auth() })],
  ['a forged listing token', 'content', () => ({ params: { bucketUuid: b() }, query: { nextToken: Buffer.from('{"key":{"listPk":"x"},"scope":"y"}').toString('base64url') }, headers: auth() })],
  ['a bucket name that grows past 255 bytes under NFC', 'bucketCreate', () => ({ headers: auth(), body: { name: '\uFB2C'.repeat(200) } })],
  ['a bucket description of 5000 characters', 'bucketCreate', () => ({ headers: auth(), body: { name: 'described', description: '\u{1F4E6}'.repeat(2500) } })],
  ['a forged content token (listing partition only)', 'content', () => ({ params: { bucketUuid: b() }, query: { nextToken: Buffer.from(JSON.stringify({ key: { listPk: `${b()}#ROOT` }, scope: JSON.stringify([`${b()}#ROOT`, ['name'], [], '']) })).toString('base64url') }, headers: auth() })],
  ['a forged SDK content token (listing partition only)', 'bucketContent', () => ({ params: { bucketUuid: b() }, query: { nextToken: Buffer.from(JSON.stringify({ key: { listPk: `${b()}#ROOT` }, scope: JSON.stringify([`${b()}#ROOT`, ['name'], [], '']) })).toString('base64url') }, headers: auth() })],
  ['a forged files token (unknown attributes)', 'bucketFiles', () => ({ params: { bucketUuid: b() }, query: { nextToken: Buffer.from(JSON.stringify({ key: { filesPk: `FILES#${b()}`, a: 'x', c: 'y', d: 'z' }, scope: JSON.stringify([b(), null, null, 5]) })).toString('base64url') }, headers: auth() })],
  ['a garbage CID link', 'linkOnIpfs', () => ({ params: { cid: '<script>' }, headers: auth() })],
  ['cids of the wrong type', 'linksOnIpfs', () => ({ headers: auth(), body: { cids: [1, {}] } })],
  ['a garbage gateway CID', 'ipfsGateway', () => ({ params: { cid: 'Qm' + '1'.repeat(44) } })],
];

describe('bad input', () => {
  it.each(CASES)('%s → 4xx in the Apillon shape, nothing stored', async (_, route, init) => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await call(route, init());

    // assess
    expect(response.statusCode, response.rawBody).toBeGreaterThanOrEqual(400);
    expect(response.statusCode, response.rawBody).toBeLessThan(500);
    expect(response.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.code ?? response.body.errors?.[0]?.code).toEqual(expect.any(Number));
    expect(response.rawBody).not.toMatch(/at .*\.ts:\d+|Error:/);
    expect(await tableSnapshot(services)).toEqual(before);
  });
});
