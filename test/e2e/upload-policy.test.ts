/**
 * A bucket's upload policy over HTTP on the run's shared local stack (issue 21): Apillon (create with a policy,
 * PATCH, a refusal at the request, a refusal when the bytes arrive through the S3 event path) and Quantum
 * (`POST /API/bucket/policy/<bucket>`, a `file/add` refusal).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { until, type LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

let stack: Omit<LocalStack, 'stop'>;

beforeAll(async () => {
  stack = await sharedLocalStack();
});

const json = (method: string, body: unknown, headers: Record<string, string> = stack.headers.basic): RequestInit => ({
  method,
  headers: { ...headers, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});


describe('an upload policy over HTTP (local stack)', () => {
  it('Apillon: set on create, changed by PATCH, refused at the request (422) and on arrival (107)', async () => {
    // prepare
    const created = await stack.request('/storage/buckets', json('POST', { name: `e2e-policy-${randomUUID().slice(0, 8)}`, maxFileSize: 100, allowedContentTypes: ['image/*'] }));
    expect(created.status, created.text).toBe(201);
    const bucketUuid = created.body.data.bucketUuid;

    // act
    const patched = await stack.request(`/storage/buckets/${bucketUuid}`, json('PATCH', { maxFileSize: 10 }));
    const refused = await stack.request(`/storage/${bucketUuid}/upload`, json('POST', { fileName: 'a.png', contentType: 'image/png', fileSize: 11 }));
    const undeclared = await stack.request(`/storage/${bucketUuid}/upload`, json('POST', { fileName: 'b.png', contentType: 'image/png' }));
    const put = await fetch(undeclared.body.data.signedUrlForUpload, { method: 'PUT', body: Buffer.alloc(20) });
    const detail = await until(async () => {
      const answer = await stack.request(`/storage/${bucketUuid}/file/${undeclared.body.data.fileUuid}/detail`, { headers: stack.headers.basic });
      return answer.body?.data?.fileStatus > 1 ? answer.body.data : undefined;
    }, 60_000);

    // assess
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.data).toMatchObject({ maxFileSize: 10, allowedContentTypes: ['image/*'] });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe('FILE_TOO_LARGE: "a.png" is 11 bytes; this bucket takes files of at most 10 bytes');
    expect(put.status).toBe(200);
    expect(detail.fileStatus).toBe(107);
    expect(detail.file.rejectionReason).toBe('FILE_TOO_LARGE: "b.png" is 20 bytes; this bucket takes files of at most 10 bytes');
  }, 90_000);

  it('Quantum: POST /API/bucket/policy/<bucket>, then file/add refuses what it does not take', async () => {
    // prepare
    const name = `e2e-qpolicy-${randomUUID().slice(0, 8)}`;
    expect((await stack.request(`/API/bucket/create/${name}`, { method: 'POST', headers: stack.headers.master })).status).toBe(200);

    // act
    const set = await stack.request(`/API/bucket/policy/${name}`, json('POST', { max_file_size: 5, allowed_content_types: ['text/plain'] }, stack.headers.master));
    const form = new FormData();
    form.append('files', new Blob(['too long'], { type: 'text/plain' }), 'long.txt');
    const added = await stack.request(`/API/file/add/${name}/docs`, { method: 'POST', headers: stack.headers.master, body: form });

    // assess
    expect(set.status, set.text).toBe(200);
    expect(set.body.data).toEqual({ max_file_size: 5, allowed_content_types: ['text/plain'] });
    expect(added.status).toBe(400);
    expect(added.body).toMatchObject({ status: 'error', message: 'POLICY_VIOLATION', data: { fileName: 'long.txt', maxFileSize: 5 } });
  }, 60_000);
});
