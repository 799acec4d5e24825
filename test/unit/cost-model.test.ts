/**
 * The cost bench's arithmetic (bench/cost-model.ts) and the call recorder's capacity mode
 * (lib/store/aws-call-record.ts with `capacity`), which the bench reads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addCalls, addInvocations, emptyUsage, floors, itemBytes, priceOf, PRICES } from '../../bench/cost-model';
import { recordAwsCalls } from '../../lib/store/aws-call-record';

describe('the cost model', () => {
  it('adds DynamoDB units per table and index, reads apart from writes, S3 by price class', () => {
    // act
    const usage = addCalls(emptyUsage(), [
      {
        service: 'DynamoDB', operation: 'TransactWriteItems', requests: [],
        consumedCapacity: [{ TableName: 't', CapacityUnits: 12, Table: { CapacityUnits: 4 }, GlobalSecondaryIndexes: { ByRef: { CapacityUnits: 4 }, ListByName: { CapacityUnits: 4 } } }],
      },
      { service: 'DynamoDB', operation: 'Query', requests: [], consumedCapacity: [{ TableName: 't', CapacityUnits: 0.5, Table: { CapacityUnits: 0 }, GlobalSecondaryIndexes: { ListByName: { CapacityUnits: 0.5 } } }] },
      { service: 'DynamoDB', operation: 'GetItem', requests: [], consumedCapacity: [{ TableName: 't', CapacityUnits: 1 }] },
      { service: 'DynamoDB', operation: 'UpdateItem', requests: [], error: 'ConditionalCheckFailedException' },
      { service: 'S3', operation: 'CopyObject', requests: [] },
      { service: 'S3', operation: 'HeadObject', requests: [] },
      { service: 'S3', operation: 'DeleteObject', requests: [] },
      { service: 'SQS', operation: 'SendMessageBatch', requests: [] },
    ]);

    // assess
    expect(usage).toMatchObject({
      dynamoRequests: 4, dynamoFailed: 1, writeUnits: 12, readUnits: 1.5,
      writeUnitsBy: { table: 4, ByRef: 4, ListByName: 4 }, readUnitsBy: { table: 1, ListByName: 0.5 },
      s3ClassA: 1, s3ClassB: 1, s3Free: 1, sqsRequests: 1,
    });
  });

  it('bills each invocation its duration rounded up to the ms at its memory; SQS batches cost a receive and a delete', () => {
    // act
    const usage = addInvocations(emptyUsage(), [
      { function: 'storage-service-local-objectCreated', memorySizeMb: 1024, durationMs: 99.2, records: 10, ok: true },
      { function: 'storage-service-local-apillonSessionUpload', memorySizeMb: 512, durationMs: 200, ok: true },
    ]);

    // assess
    expect(usage.lambdaInvocations).toBe(2);
    expect(usage.lambdaGbSeconds).toBeCloseTo(0.1 + 0.1, 10);
    expect(usage).toMatchObject({ sqsRequests: 2, httpApiRequests: 1, invocationsBy: { objectCreated: 1, apillonSessionUpload: 1 } });
    expect(priceOf(usage).lambda).toBeCloseTo(2 * PRICES.lambdaRequest + 0.2 * PRICES.lambdaGbSecond, 12);
  });

  it('prices an upload floor as one S3 PUT and one minimal Lambda invocation per file', () => {
    // act
    const floor = floors.upload(200) * 1e6;

    // assess: $5 + $0.20 + 1 ms at 128 MB, per million files, times 200
    expect(floor).toBeCloseTo(200 * (5 + 0.2 + 0.001 * 0.125 * 13.3334), 6);
  });

  it('sizes items by the documented rule: names and UTF-8 values, numbers by significant digits', () => {
    // act, assess
    expect(itemBytes({ pk: 'ENTRY#1', name: 'é' })).toBe(2 + 7 + 4 + 2);
    expect(itemBytes({ n: 12345 })).toBe(1 + 4);
    expect(itemBytes({ ok: true, list: ['ab'] })).toBe(2 + 1 + 4 + 3 + 1 + 2);
  });
});

describe('the call recorder with capacity', () => {
  const directories: string[] = [];
  afterEach(() => directories.splice(0).forEach((directory) => rmSync(directory, { recursive: true, force: true })));

  /** A client whose middleware stack holds only the recorder; `send` runs it around `respond`. */
  function client(respond: (input: Record<string, unknown>) => Promise<{ output: Record<string, unknown> }>, capacity: boolean) {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'recorder-'));
    directories.push(directory);
    let middleware: any;
    recordAwsCalls({ middlewareStack: { add: (added: unknown) => void (middleware = added) } }, { directory, region: 'us-east-1', capacity });
    return {
      send: (commandName: string, input: Record<string, unknown>) => middleware((args: { input: Record<string, unknown> }) => respond(args.input), { clientName: 'DynamoDBClient', commandName })({ input }),
      lines: () => readFileSync(path.join(directory, `${process.env.AWS_LAMBDA_FUNCTION_NAME || 'process'}.jsonl`), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line)),
    };
  }

  it('asks DynamoDB for INDEXES capacity and records what it reported, and the error of a failed call', async () => {
    // prepare
    const sent: Record<string, unknown>[] = [];
    const recorded = client(async (input) => {
      sent.push(input);
      if (input.fail) throw Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' });
      return { output: { ConsumedCapacity: { TableName: 't', CapacityUnits: 3, Table: { CapacityUnits: 1 }, GlobalSecondaryIndexes: { ByRef: { CapacityUnits: 2 } } } } };
    }, true);

    // act
    await recorded.send('PutItemCommand', { TableName: 't', Item: { pk: 'a', sk: 'b' } });
    await expect(recorded.send('UpdateItemCommand', { TableName: 't', Key: { pk: 'a', sk: 'b' }, fail: true })).rejects.toThrow('no');

    // assess
    expect(sent.map((input) => input.ReturnConsumedCapacity)).toEqual(['INDEXES', 'INDEXES']);
    expect(recorded.lines()).toMatchObject([
      { service: 'DynamoDB', operation: 'PutItem', consumedCapacity: [{ CapacityUnits: 3, GlobalSecondaryIndexes: { ByRef: { CapacityUnits: 2 } } }] },
      { service: 'DynamoDB', operation: 'UpdateItem', error: 'ConditionalCheckFailedException' },
    ]);
  });

  it('leaves requests as they are without capacity (the IAM test\'s recording)', async () => {
    // prepare
    const sent: Record<string, unknown>[] = [];
    const recorded = client(async (input) => (sent.push(input), { output: {} }), false);

    // act
    await recorded.send('GetItemCommand', { TableName: 't', Key: { pk: 'a', sk: 'b' } });

    // assess
    expect(sent[0]).not.toHaveProperty('ReturnConsumedCapacity');
    expect(recorded.lines()[0]).not.toHaveProperty('consumedCapacity');
  });
});
