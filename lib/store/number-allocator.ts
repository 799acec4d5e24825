import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import type { Table } from './table';

/**
 * Apillon's integer ids (`id`, `fileUploadRequestId`), unique across the
 * service and stable, without one item that every write of every tenant
 * increments: each container reserves a block of numbers from the sequence
 * item with one atomic `ADD` (the hi/lo scheme) and hands them out from
 * memory. The sequence item is then written once per `blockSize` new entries
 * of a container, not once per entry. Numbers are unique and never reused;
 * they are not dense (a container that stops leaves the rest of its block
 * unused) and only roughly ordered across containers.
 */
export class NumberAllocator {
  private next = 0;
  private end = 0;
  private reserving: Promise<void> | undefined;

  constructor(
    private readonly table: Table,
    private readonly sequence = 'entry',
    private readonly blockSize = 1000,
  ) {}

  /** `count` fresh numbers (>= 1), from the current block and, when it runs out, from new ones. */
  async take(count: number): Promise<number[]> {
    const numbers: number[] = [];
    while (numbers.length < count) {
      if (this.next >= this.end) await this.reserve(count - numbers.length);
      else numbers.push(this.next++);
    }
    return numbers;
  }

  private reserve(atLeast: number): Promise<void> {
    // Concurrent callers of one container share one reservation.
    this.reserving ??= (async () => {
      try {
        const size = Math.max(this.blockSize, atLeast);
        const { Attributes } = await this.table.client.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: keys.sequence(this.sequence),
            UpdateExpression: 'ADD #value :size',
            ExpressionAttributeNames: { '#value': 'value' },
            ExpressionAttributeValues: { ':size': size },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        const last = Number(Attributes?.value);
        this.next = last - size + 1;
        this.end = last + 1;
      } finally {
        this.reserving = undefined;
      }
    })();
    return this.reserving;
  }
}
