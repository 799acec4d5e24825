import { describe, expect } from 'vitest';
import { processObjectCreated } from '../../../lib/core/lifecycle/lifecycle';
import { requestUpload, uploadKeyOf, uploadUrl } from '../../../lib/core/upload/uploads';
import type { Services } from '../../../lib/app/services';
import { tenantTest } from '../../support/fixtures';
import type { TestTenant } from '../../support/services';

const it = tenantTest({ quotaBytes: 1000 });

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('a presigned upload URL used again after its file was committed', () => {
  it('changes nothing: the checked bytes stay, the new ones are thrown away, usage is unchanged', async () => {
    // prepare
    const file = await requestUpload(services, tenant.bucket, { fileName: 'x.txt', directory: [], contentType: 'text/plain', overwrite: true });
    const url = await uploadUrl(services, file);
    expect((await fetch(url, { method: 'PUT', body: 'small' })).status).toBe(200);
    const committed = await processObjectCreated(services, uploadKeyOf(file));
    const usageBefore = (await services.accounts.getAccount(tenant.accountId))!.usedBytes;

    // act: the URL is still valid for the rest of its 60 s
    expect((await fetch(url, { method: 'PUT', body: `EVIL-CONTENT-${'A'.repeat(5000)}` })).status).toBe(200);
    const replayed = await processObjectCreated(services, uploadKeyOf(file));

    // assess
    expect(committed).toMatchObject({ fileStatus: 4, size: 5 });
    expect(replayed).toMatchObject({ fileStatus: 4, size: 5, cidV1: committed!.cidV1 });
    expect(text(await services.blobs.readAll(replayed!.objectKey!))).toBe('small');
    expect(await services.blobs.head(uploadKeyOf(file))).toBeUndefined();
    expect((await services.accounts.getAccount(tenant.accountId))!.usedBytes).toBe(usageBefore);
  });

  it('never lets the client write the committed object: the URL names the upload area, not the file', async () => {
    // prepare
    const file = await requestUpload(services, tenant.bucket, { fileName: 'y.txt', directory: [], contentType: 'text/plain', overwrite: true });

    // act
    const url = new URL(await uploadUrl(services, file));

    // assess
    expect(decodeURIComponent(url.pathname)).toContain(uploadKeyOf(file));
    expect(decodeURIComponent(url.pathname)).not.toContain('/files/');
  });
});
