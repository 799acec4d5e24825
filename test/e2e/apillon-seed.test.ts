/**
 * The Apillon seed's examples against the run's shared local stack (`npm start -- --in-memory`),
 * over HTTP: upload request → PUT the bytes (no Content-Type, as curl --data-binary
 * without a header) → detail until status 4 with both CIDs → listed → gateway →
 * delete (status 8) → gone from the listing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

const CONTENT = 'my test content';
/** `ipfs add` of "my test content" (CIDv0) and its CIDv1 (one chunk: the same block). */
const EXPECTED = { cidV1: /^bafybei[a-z2-7]{52}$/, cidV0: /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/ };

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the Apillon seed’s examples (local stack)', () => {
  let stack: Omit<LocalStack, 'stop'>;
  const json = (method: string, body?: unknown) => ({
    method,
    headers: { ...stack.headers.basic, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  beforeAll(async () => {
    stack = await sharedLocalStack();
  });

  it('takes a file from upload request to status 4, lists it, serves it, deletes it', async () => {
    // prepare
    const bucket = stack.bucketUuid;

    // act: request an upload, as the seed's curl example
    const requested = await stack.request(`/storage/${bucket}/upload`, json('POST', { fileName: 'My file.txt', contentType: 'text/plain', path: 'e2e/seed' }));
    expect(requested.status, requested.text).toBe(201);
    const { signedUrlForUpload, url, fileUuid, fileUploadRequestId } = requested.body.data;
    expect(url).toBe(signedUrlForUpload);

    // the upload request answers the detail before the bytes arrive
    const before = await stack.request(`/storage/${bucket}/file/${fileUuid}/detail`, json('GET'));
    expect(before.body.data.fileStatus).toBe(1);

    // PUT the bytes: no Content-Type, no credentials
    const put = await fetch(signedUrlForUpload, { method: 'PUT', body: Buffer.from(CONTENT) });
    expect(put.status).toBe(200);

    // poll the detail until the file is replicated
    const detail = await until(
      () => stack.request(`/storage/${bucket}/file/${fileUuid}/detail`, json('GET')),
      (response) => response.body?.data?.fileStatus === 4,
    );

    // assess
    expect(detail.status, detail.text).toBe(200);
    const file = detail.body.data.file;
    expect(detail.body.data.fileStatus).toBe(4);
    expect(file).toMatchObject({ id: fileUploadRequestId, fileUuid, name: 'My file.txt', contentType: 'text/plain', size: CONTENT.length, status: 5 });
    expect(file.CID).toMatch(EXPECTED.cidV1);
    expect(file.CIDv0).toMatch(EXPECTED.cidV0);
    expect(file.downloadLink).toBe(`${stack.baseUrl}/ipfs/${file.CID}`);

    // the same file by internal id and by either CID
    for (const id of [String(fileUploadRequestId), file.CID, file.CIDv0]) {
      const again = await stack.request(`/storage/${bucket}/file/${id}/detail`, json('GET'));
      expect(again.body.data.file.fileUuid).toBe(fileUuid);
    }

    // listed in its directory (found from the root by its path)
    const root = await stack.request(`/storage/${bucket}/content?orderBy=name&desc=false&limit=5&page=1`, json('GET'));
    const e2e = root.body.data.items.find((item: { name: string }) => item.name === 'e2e');
    const e2eContent = await stack.request(`/storage/${bucket}/content?directoryId=${e2e.id}`, json('GET'));
    const seed = e2eContent.body.data.items.find((item: { name: string }) => item.name === 'seed');
    const listed = await stack.request(`/storage/${bucket}/content?directoryId=${seed.id}`, json('GET'));
    expect(listed.body.data.total).toBe(1);
    expect(listed.body.data.items[0]).toMatchObject({ type: 'file', name: 'My file.txt', fileUuid, CID: file.CID, parentDirectoryId: seed.id, status: 5 });

    // the gateway serves the bytes without credentials
    const served = await fetch(file.downloadLink);
    expect(await served.text()).toBe(CONTENT);

    // delete → status 8, then a second delete is refused
    const deleted = await stack.request(`/storage/${bucket}/file/${fileUuid}`, { ...json('DELETE'), body: '' });
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body.data).toMatchObject({ fileUuid, status: 8 });
    const again = await stack.request(`/storage/${bucket}/file/${fileUuid}`, json('DELETE'));
    expect(again.body).toMatchObject({ code: 40006009, message: 'FILE_ALREADY_MARKED_FOR_DELETION' });

    // gone from the listing
    const after = await stack.request(`/storage/${bucket}/content?directoryId=${seed.id}`, json('GET'));
    expect(after.body.data).toMatchObject({ items: [], total: 0 });
  });

  it('answers the seed’s error examples in the Apillon shape', async () => {
    // act
    const [missingAuth, noName, noBucket] = await Promise.all([
      stack.request(`/storage/${stack.bucketUuid}/content`),
      stack.request(`/storage/${stack.bucketUuid}/upload`, json('POST', { contentType: 'text/plain' })),
      stack.request(`/storage/00000000-0000-4000-8000-000000000000/file/xxx/detail`, json('GET')),
    ]);

    // assess
    expect(missingAuth.status).toBe(400);
    expect(missingAuth.body).toMatchObject({ code: 40000003, message: 'Missing Authorization header' });
    expect(noName.status).toBe(422);
    expect(noName.body.errors).toContainEqual({ code: 42200008, property: 'fileName', message: 'FILE_NAME_NOT_PRESENT' });
    expect(noBucket.status).toBe(404);
    expect(noBucket.body).toMatchObject({ code: 40406002, message: 'BUCKET_NOT_FOUND', path: '/storage/00000000-0000-4000-8000-000000000000/file/xxx/detail' });
  });
});
