/**
 * What the commit step reads (issue 18 item 5): the files of one upload session arriving in
 * one batch of object events read their session once, not once per file, and no file reads
 * its bucket apart from the decision's batch read. Counted at the DynamoDB client.
 */
import { describe, expect } from 'vitest';
import { handler as objectCreated } from '../../../functions/events/object-created/handler';
import { requestSessionUpload } from '../../../lib/apillon/uploads';
import { ALL_PERMISSIONS, type Principal } from '../../../lib/core/access/principal';
import { uploadKeyOf } from '../../../lib/core/upload/uploads';
import { setServicesForTests, type Services } from '../../../lib/app/services';
import { lambdaContext, s3ObjectCreatedNotification, sqsEvent, sqsRecord } from '../../support/events';
import { tenantTest } from '../../support/fixtures';
import { buildTestServices, type TestTenant } from '../../support/services';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

describe('a batch of object events of one upload session', () => {
  it('reads the session once and no bucket item, and takes all ten files to status 4', async () => {
    // prepare: ten upload requests of one session, their bytes uploaded
    const principal: Principal = { accountId: tenant.accountId, credentialKind: 'api', credentialId: 'test', permissions: new Set(ALL_PERMISSIONS) };
    const files = Array.from({ length: 10 }, (_, i) => ({ fileName: `page-${i}.html`, path: 'site', fileSize: 6 }));
    const { uploads } = await requestSessionUpload(services, principal, tenant.bucket.bucketUuid, { files });
    await Promise.all(uploads.map(({ file }) => services.blobs.put(uploadKeyOf(file), new TextEncoder().encode(`page ${file.name.slice(5, 6)}`), 'text/html')));
    const counting = buildTestServices();
    const reads: string[] = [];
    counting.clients.dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        // GetItem reads by key: which kind of item (the key's prefix: SESSION, BUCKET, ENTRY, ...)
        if (context.commandName === 'GetItemCommand') {
          const pk = (args.input as { Key?: { pk?: string | { S?: string } } }).Key?.pk;
          reads.push(String(typeof pk === 'object' ? pk.S : pk).split('#')[0]!);
        }
        return next(args);
      },
      { step: 'initialize', name: 'countGetItems' },
    );
    const event = sqsEvent(uploads.map(({ file }) => sqsRecord(s3ObjectCreatedNotification(services.config.FILES_BUCKET, [uploadKeyOf(file)]))));

    // act
    setServicesForTests(counting);
    let response;
    try {
      response = await objectCreated(event, lambdaContext());
    } finally {
      setServicesForTests(services);
    }

    // assess
    expect(response.batchItemFailures).toEqual([]);
    for (const { file } of uploads) expect((await services.entries.get(file.uuid))?.fileStatus).toBe(4);
    expect(reads.filter((kind) => kind === 'SESSION')).toHaveLength(1);
    expect(reads.filter((kind) => kind === 'BUCKET')).toHaveLength(0);
  });
});
