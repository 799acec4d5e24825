/**
 * The object-created function as ObjectEventsQueue invokes it: SQS batches of S3
 * event notifications, against DynamoDB Local and s3rver. One poison object
 * fails only its own message (ReportBatchItemFailures); S3's test event,
 * unreadable bodies and duplicate deliveries change nothing.
 */
import { describe, expect } from 'vitest';
import { handler as objectCreated } from '../../../functions/events/object-created/handler';
import type { Services } from '../../../lib/app/services';
import { lambdaContext, s3ObjectCreatedNotification, s3TestEvent, sqsEvent, sqsRecord } from '../../support/events';
import type { TestTenant } from '../../support/services';
import { tableSnapshot } from '../apillon/helpers';
import { makePoison, statusOf, uploadedFile } from './helpers';
import { tenantTest } from '../../support/fixtures';

const it = tenantTest();

let services: Services;
let tenant: TestTenant;

it.beforeAll(({ services: s, tenant: t }) => {
  services = s;
  tenant = t;
});

const notification = (keys: readonly string[]) => s3ObjectCreatedNotification(services.config.FILES_BUCKET, keys);

describe('a batch with one poison object', () => {
  it('reports exactly that message as failed and takes the others to status 4', async () => {
    // prepare
    const [first, poison, last] = await Promise.all([
      uploadedFile(services, tenant, 'first.txt', 'first'),
      uploadedFile(services, tenant, 'poison.txt', 'poison'),
      uploadedFile(services, tenant, 'last.txt', 'last'),
    ]);
    await makePoison(services, poison.uuid);
    const records = [first, poison, last].map((file) => sqsRecord(notification([file.key])));

    // act
    const response = await objectCreated(sqsEvent(records), lambdaContext());

    // assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
    expect(await statusOf(services, first.uuid)).toBe(4);
    expect(await statusOf(services, last.uuid)).toBe(4);
    expect(await statusOf(services, poison.uuid)).toBeLessThan(4); // stuck at 2 or 3, wherever its bad key stops it
  });

  it('fails the poison message again on its redelivery, and only it', async () => {
    // prepare
    const [good, poison] = await Promise.all([uploadedFile(services, tenant, 'good2.txt', 'good'), uploadedFile(services, tenant, 'poison2.txt', 'bad')]);
    await makePoison(services, poison.uuid);
    const poisonRecord = sqsRecord(notification([poison.key]));
    await objectCreated(sqsEvent([poisonRecord]), lambdaContext());

    // act: the queue delivers it again (receive count 2), batched with a new message
    const retry = sqsRecord(poisonRecord.body, { messageId: poisonRecord.messageId, receiveCount: 2 });
    const response = await objectCreated(sqsEvent([sqsRecord(notification([good.key])), retry]), lambdaContext());

    // assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poisonRecord.messageId }]);
    expect(await statusOf(services, good.uuid)).toBe(4);
  });
});

describe('messages that carry no object', () => {
  it("acknowledges S3's s3:TestEvent and changes nothing", async () => {
    // prepare
    const before = await tableSnapshot(services);

    // act
    const response = await objectCreated(sqsEvent([sqsRecord(s3TestEvent(services.config.FILES_BUCKET))]), lambdaContext());

    // assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await tableSnapshot(services)).toEqual(before);
  });

  it('treats an unreadable body as done (no retry can fix it) without failing the others of the batch', async () => {
    // prepare
    const good = await uploadedFile(services, tenant, 'beside-garbage.txt', 'fine');
    const records = [sqsRecord('not json'), sqsRecord({ Records: 'nope' }), sqsRecord({ Records: [{ eventName: 'ObjectCreated:Put' }] }), sqsRecord(notification([good.key]))];

    // act
    const response = await objectCreated(sqsEvent(records), lambdaContext());

    // assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await statusOf(services, good.uuid)).toBe(4);
  });

  it('ignores notifications of other event types (ObjectRemoved)', async () => {
    // prepare
    const file = await uploadedFile(services, tenant, 'removed-event.txt', 'still here');
    const removed = s3ObjectCreatedNotification(services.config.FILES_BUCKET, [file.key], 'ObjectRemoved:Delete');

    // act
    const response = await objectCreated(sqsEvent([sqsRecord(removed)]), lambdaContext());

    // assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await statusOf(services, file.uuid)).toBe(1);
  });
});

describe('the same message delivered twice (SQS is at-least-once)', () => {
  it('changes nothing the second time: same records, same usage', async () => {
    // prepare
    const file = await uploadedFile(services, tenant, 'twice.txt', 'exactly once charged');
    const record = sqsRecord(notification([file.key]));
    expect((await objectCreated(sqsEvent([record]), lambdaContext())).batchItemFailures).toEqual([]);
    const after = await tableSnapshot(services);

    // act
    const response = await objectCreated(sqsEvent([record, record]), lambdaContext());

    // assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await statusOf(services, file.uuid)).toBe(4);
    expect(await tableSnapshot(services)).toEqual(after);
  });
});
