/**
 * The trustless gateway over HTTP on the run's shared local stack: a 7 MiB file (more than a Lambda response holds)
 * uploaded with the seed's route, then its CAR: a 302 to the object the function wrote (lib-storage's multipart
 * upload into s3rver), which `@ipld/car` and `ipfs-unixfs-exporter` verify and rebuild into the file; an
 * `entity-bytes` range in the body; a leaf found by its own CID, as a client walking block by block asks for it;
 * a bad `dag-scope` a 400 in the Apillon shape.
 */
import { createHash } from 'node:crypto';
import { CarReader } from '@ipld/car/reader';
import * as dagPb from '@ipld/dag-pb';
import { exporter } from 'ipfs-unixfs-exporter';
import { CID } from 'multiformats/cid';
import { beforeAll, describe, expect, it } from 'vitest';
import { prngBytes } from '../support/data';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

const BYTES = Buffer.from(prngBytes(7 * 1024 * 1024 + 12_345, 7_001));

let stack: Omit<LocalStack, 'stop'>;
let cid: string;

/** Every block hashes to its CID; the file the exporter reads from the CAR's blocks (bytes `offset`, `length`). */
async function verified(bytes: Uint8Array, offset?: number, length?: number): Promise<{ blocks: number; content: Buffer }> {
  const reader = await CarReader.fromBytes(bytes);
  let blocks = 0;
  for await (const block of reader.blocks()) {
    expect(createHash('sha256').update(block.bytes).digest().equals(Buffer.from(block.cid.multihash.digest))).toBe(true);
    blocks += 1;
  }
  const blockstore = {
    async *get(blockCid: CID) {
      const block = await reader.get(blockCid);
      if (!block) throw new Error(`block ${blockCid} missing`);
      yield block.bytes;
    },
  };
  const entry = await exporter((await reader.getRoots())[0]!, blockstore);
  if (entry.type !== 'file') throw new Error(`a ${entry.type}`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of entry.content({ offset, length })) chunks.push(chunk as Uint8Array);
  return { blocks, content: Buffer.concat(chunks) };
}

beforeAll(async () => {
  stack = await sharedLocalStack();
});

beforeAll(async () => {
  const json = (method: string, body?: unknown) => ({ method, headers: { ...stack.headers.basic, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const requested = await stack.request(`/storage/${stack.bucketUuid}/upload`, json('POST', { fileName: 'large.bin', contentType: 'application/octet-stream', path: 'e2e/trustless' }));
  expect(requested.status, requested.text).toBe(201);
  const { signedUrlForUpload, fileUuid } = requested.body.data;
  expect((await fetch(signedUrlForUpload, { method: 'PUT', body: BYTES })).status).toBe(200);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const detail = await stack.request(`/storage/${stack.bucketUuid}/file/${fileUuid}/detail`, json('GET'));
    if (detail.body?.data?.file?.CID && detail.body.data.fileStatus >= 3) {
      cid = detail.body.data.file.CID as string;
      break;
    }
    if (Date.now() > deadline) throw new Error(`no CID: ${detail.text}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}, 180_000);

describe('the trustless gateway over HTTP (local stack)', () => {
  it('answers the CAR of a 7 MiB file with a 302 to a CAR that verifies and rebuilds the file', async () => {
    // act
    const answer = await fetch(`${stack.baseUrl}/ipfs/${cid}?format=car`, { redirect: 'manual' });
    const car = await fetch(answer.headers.get('location')!);

    // assess
    expect(answer.status).toBe(302);
    expect(answer.headers.get('content-type')).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n');
    expect(car.status).toBe(200);
    const { blocks, content } = await verified(new Uint8Array(await car.arrayBuffer()));
    expect(blocks).toBe(30); // 29 leaves (28 of 256 KiB and one of 12,345 bytes) and their root
    expect(content.equals(BYTES)).toBe(true);
  }, 60_000);

  it('answers entity-bytes in the body: the root and the leaf that holds the last 1000 bytes', async () => {
    // act
    const answer = await fetch(`${stack.baseUrl}/ipfs/${cid}?format=car&entity-bytes=-1000:*`);

    // assess
    expect(answer.status).toBe(200);
    const { blocks, content } = await verified(new Uint8Array(await answer.arrayBuffer()), BYTES.length - 1000, 1000);
    expect(blocks).toBe(2);
    expect(content.equals(BYTES.subarray(BYTES.length - 1000))).toBe(true);
  });

  it('answers a leaf by its own CID with its raw block (the DAG the root request built says where it is)', async () => {
    // prepare
    const root = await fetch(`${stack.baseUrl}/ipfs/${cid}?format=raw`);
    expect(root.status).toBe(200);
    const leaf = dagPb.decode(new Uint8Array(await root.arrayBuffer())).Links[28]!.Hash;

    // act
    const answer = await fetch(`${stack.baseUrl}/ipfs/${leaf.toString()}?format=raw`);

    // assess
    expect(answer.status).toBe(200);
    const block = new Uint8Array(await answer.arrayBuffer());
    expect(createHash('sha256').update(block).digest().equals(Buffer.from(leaf.multihash.digest))).toBe(true);
    expect(Buffer.from(dagPb.decode(block).Data!).includes(BYTES.subarray(BYTES.length - 12_345))).toBe(true);
  });

  it('answers a bad dag-scope with 400 DAG_SCOPE_NOT_VALID', async () => {
    // act
    const answer = await fetch(`${stack.baseUrl}/ipfs/${cid}?format=car&dag-scope=everything`);

    // assess
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: 40006060, message: 'DAG_SCOPE_NOT_VALID' });
  });
});
