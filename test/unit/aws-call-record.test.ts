/**
 * The IAM requests each SDK call amounts to (lib/store/aws-call-record.ts), as IAM evaluates them
 * (AWS Service Authorization Reference), and the `unrecorded` comments of a function.yml
 * (test/support/iam-template.ts), which the IAM test relies on.
 */
import { describe, expect, it } from 'vitest';
import { iamRequestsOf, requestAttributes } from '../../lib/store/aws-call-record';
import { authoredStatements } from '../support/iam-template';

const settings = { region: 'eu-west-1' };
const table = 'arn:aws:dynamodb:eu-west-1:000000000000:table/t';

describe('AWS calls as IAM requests', () => {
  it('checks a transaction item by item, on the table, with its leading key and attributes', () => {
    // act
    const requests = iamRequestsOf('DynamoDB', 'TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 't', Item: { pk: 'ENTRY#1', sk: 'ENTRY', name: 'a' } } },
        { Update: { TableName: 't', Key: { pk: 'ACCOUNT#1', sk: 'ACCOUNT' }, UpdateExpression: 'ADD usedBytes :n SET #u = :now', ExpressionAttributeNames: { '#u': 'updatedAt' } } },
        { Delete: { TableName: 't', Key: { pk: { S: 'CLAIM#x' }, sk: { S: 'CLAIM' } } } },
        { ConditionCheck: { TableName: 't', Key: { pk: 'BUCKET#1', sk: 'BUCKET' }, ConditionExpression: 'attribute_exists(pk) AND recordStatus = :active' } },
      ],
    }, settings);

    // assess
    expect(requests).toEqual([
      { action: 'dynamodb:PutItem', resource: table, context: { 'dynamodb:LeadingKeys': ['ENTRY#1'], 'dynamodb:Attributes': ['name', 'pk', 'sk'] } },
      { action: 'dynamodb:UpdateItem', resource: table, context: { 'dynamodb:LeadingKeys': ['ACCOUNT#1'], 'dynamodb:Attributes': ['pk', 'sk', 'updatedAt', 'usedBytes'] } },
      { action: 'dynamodb:DeleteItem', resource: table, context: { 'dynamodb:LeadingKeys': ['CLAIM#x'], 'dynamodb:Attributes': ['pk', 'sk'] } },
      { action: 'dynamodb:ConditionCheckItem', resource: table, context: { 'dynamodb:LeadingKeys': ['BUCKET#1'], 'dynamodb:Attributes': ['pk', 'recordStatus', 'sk'] } },
    ]);
  });

  it('puts a query of an index on the index, batches on each table they name', () => {
    // act
    const query = iamRequestsOf('DynamoDB', 'Query', { TableName: 't', IndexName: 'ByCid' }, settings);
    const batch = iamRequestsOf('DynamoDB', 'BatchGetItem', { RequestItems: { t: { Keys: [] }, u: { Keys: [] } } }, settings);

    // assess
    expect(query).toEqual([{ action: 'dynamodb:Query', resource: `${table}/index/ByCid` }]);
    expect(batch.map((request) => `${request.action} ${request.resource}`)).toEqual([`dynamodb:BatchGetItem ${table}`, 'dynamodb:BatchGetItem arn:aws:dynamodb:eu-west-1:000000000000:table/u']);
  });

  it('reads S3 HEAD as GetObject, a copy (whole or a part) as GetObject of the source and PutObject of the target, a bucket HEAD as ListBucket', () => {
    // act
    const head = iamRequestsOf('S3', 'HeadObject', { Bucket: 'files', Key: 'files/a' }, settings);
    const copy = iamRequestsOf('S3', 'CopyObject', { Bucket: 'replica', Key: 'files/a b', CopySource: 'files/uploads/a%20b' }, settings);
    const bucket = iamRequestsOf('S3', 'HeadBucket', { Bucket: 'files' }, settings);
    const partCopy = iamRequestsOf('S3', 'UploadPartCopy', { Bucket: 'replica', Key: 'files/a', UploadId: 'u', PartNumber: 2, CopySource: 'files/files/a', CopySourceRange: 'bytes=0-9' }, settings);

    // assess
    expect(head).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::files/files/a' }]);
    expect(copy).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::files/uploads/a b' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::replica/files/a b' },
    ]);
    expect(bucket).toEqual([{ action: 's3:ListBucket', resource: 'arn:aws:s3:::files' }]);
    expect(partCopy).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::files/files/a' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::replica/files/a' },
    ]);
  });

  it('sends a batch to SQS as sqs:SendMessage on the queue its URL names; reads SSM parameters by name', () => {
    // act
    const sqs = iamRequestsOf('SQS', 'SendMessageBatch', { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/events', Entries: [] }, settings);
    const ssm = iamRequestsOf('SSM', 'GetParameter', { Name: '/svc/kek', WithDecryption: true }, settings);

    // assess
    expect(sqs).toEqual([{ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:123456789012:events' }]);
    expect(ssm).toEqual([{ action: 'ssm:GetParameter', resource: 'arn:aws:ssm:eu-west-1:000000000000:parameter/svc/kek' }]);
  });

  it('refuses a call it has no mapping for, so that no new call slips past the IAM test', () => {
    // act, assess
    expect(() => iamRequestsOf('S3', 'PutBucketPolicy', { Bucket: 'b' }, settings)).toThrow(/no IAM mapping for S3 PutBucketPolicy/);
  });

  it('names top-level attributes of expressions, not values, functions or nested paths', () => {
    // act
    const names = requestAttributes({ Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET a.b[0] = :v, #c = if_not_exists(#c, :z) REMOVE d', ExpressionAttributeNames: { '#c': 'count' } });

    // assess
    expect(names).toEqual(['a', 'count', 'd', 'pk', 'sk']);
  });
});

describe('function.yml statements and their unrecorded comments', () => {
  it('reads each statement actions, and a comment above or inside a statement as its own', () => {
    // prepare
    const text = [
      'fn:',
      '  handler: x',
      '  iamRoleStatements:',
      '    - Effect: Allow',
      '      Action: [dynamodb:GetItem, dynamodb:Query]',
      '      Resource: x',
      '    # unrecorded s3:ListBucket <- lib/store/blob-store.ts#isMissingObject: 404 rather than 403',
      '    - Effect: Allow',
      '      Action: [s3:ListBucket]',
      '      Resource: y',
      '    - Effect: Allow',
      '      # unrecorded ssm:GetParameter <- lib/store/key-sealer.ts#kekSource: AWS only',
      '      Action: [ssm:GetParameter]',
      '      Resource: z',
      'other:',
    ].join('\n');

    // act
    const { key, statements } = authoredStatements(text);

    // assess
    expect(key).toBe('fn');
    expect(statements.map((statement) => statement.actions)).toEqual([['dynamodb:GetItem', 'dynamodb:Query'], ['s3:ListBucket'], ['ssm:GetParameter']]);
    expect(statements.map((statement) => statement.justifications.map((j) => `${j.action} ${j.file}#${j.symbol}`))).toEqual([
      [],
      ['s3:ListBucket lib/store/blob-store.ts#isMissingObject'],
      ['ssm:GetParameter lib/store/key-sealer.ts#kekSource'],
    ]);
  });
});
