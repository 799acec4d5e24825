import { describe, expect, it } from 'vitest';
import { buildFileDag, ResumableFileDag, type DagCheckpoint, type DagOptions } from '../../lib/cid/dag';
import { prngBytes } from '../support/data';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Builds `data` in slices of `sliceBytes`, each from the previous checkpoint sent through JSON (as the queue carries it). */
function slicedRoots(data: Uint8Array, options: DagOptions, sliceBytes: number, pieceBytes: number) {
  let checkpoint: DagCheckpoint | undefined;
  let slices = 0;
  for (;;) {
    const dag = new ResumableFileDag(options, checkpoint && (JSON.parse(JSON.stringify(checkpoint)) as DagCheckpoint));
    const start = dag.hashedBytes;
    slices++;
    let offset = start;
    while (offset < data.length && dag.hashedBytes - start < sliceBytes) {
      dag.write(data.subarray(offset, Math.min(offset + pieceBytes, data.length)));
      offset = Math.min(offset + pieceBytes, data.length);
    }
    if (offset >= data.length) return { roots: dag.finish(), slices };
    checkpoint = dag.checkpoint();
  }
}

describe('ResumableFileDag', () => {
  const options: DagOptions = { chunkSize: 16, maxChildren: 3 };

  it.each([0, 1, 15, 16, 17, 48, 49, 16 * 27, 16 * 27 + 1, 16 * 81 + 5, 4000])('gives the roots buildFileDag gives %i bytes, however it is sliced', async (size) => {
    const data = prngBytes(size, size + 1);
    const whole = await buildFileDag([data], options);
    for (const [slice, piece] of [[16, 16], [20, 7], [100, 33], [1, 5]] as const) {
      const { roots } = slicedRoots(data, options, slice, piece);
      expect({ v0: hex(roots.v0.digest), v1: hex(roots.v1.digest), size: roots.size, t0: roots.v0.tsize, t1: roots.v1.tsize }).toEqual({
        v0: hex(whole.v0.digest), v1: hex(whole.v1.digest), size: whole.size, t0: whole.v0.tsize, t1: whole.v1.tsize,
      });
    }
  });

  it('checkpoints whole chunks only, and refuses one that does not', () => {
    const dag = new ResumableFileDag(options);
    dag.write(new Uint8Array(40));
    expect(dag.checkpoint()).toMatchObject({ hashedBytes: 32, leaves: 2 });
    expect(() => new ResumableFileDag(options, { hashedBytes: 40, leaves: 2, v0: { pending: [], produced: [] }, v1: { pending: [], produced: [] } })).toThrow(RangeError);
  });
});

