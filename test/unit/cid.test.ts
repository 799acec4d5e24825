import { Readable } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { computeCids, toCidV1 } from '../../lib/cid';
import { prngBlocks, prngBytes } from '../support/data';

/*
 * Known answers. Every constant below was computed independently with ipfs-unixfs-importer@7.0.1
 * (the version the Apillon SDK pins; defaults for v0, `{ cidVersion: 1 }` for v1 exactly as the
 * SDK's calculateCID passes) and agreed with ipfs-unixfs-importer@17.1.1 using
 * `{ profile: 'unixfs-v0-2015', rawLeaves: false }` (kubo's legacy defaults). The empty file and
 * "hello world\n" values are the well-known `ipfs add` results.
 */
const KNOWN = {
  empty: {
    cidV0: 'QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH',
    cidV1: 'bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y',
  },
  helloWorld: {
    cidV0: 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o',
    cidV1: 'bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby',
  },
  /** 1000 bytes of prng(seed 1). */
  small: {
    cidV0: 'QmVakM4JamqzV1PsZ6JwuqaqX1WpvoJW3dTaiM4TVGePZP',
    cidV1: 'bafybeidltzie3vqjg3b3gh733l5r3gmfj7fj5yl6xzyrozpdev77yvgfuy',
  },
  /** 262144 bytes of prng(seed 2): exactly one chunk. */
  oneChunk: {
    cidV0: 'QmdoTe5UuFdZo6mTv14hymnVgSPXcCfcWgg4NaLeYbn2cv',
    cidV1: 'bafybeihfxv4c5txxhfvf7ky3osad5tow6y6mwbkhgny7h76ffts7mvgor4',
  },
  /** 262145 bytes of prng(seed 3): a full chunk and a 1-byte chunk under one parent. */
  oneChunkPlusOne: {
    cidV0: 'Qmd2XgfyzJvipifq9LM14aRoqQBGgVSTzre1wGc99CRpsX',
    cidV1: 'bafybeicjci3wxahhzhik3gkv3aswedghv44ch5jtbcvpn3hzj7w34zysui',
  },
  /** 5 MiB of prng(seed 4): 20 chunks under one parent. */
  fiveMiB: {
    cidV0: 'Qmert6YrsEiwQ4K4XqJybSbhcXpCkqNJwduovHHhLHx7wv',
    cidV1: 'bafybeihcg37pquijfmdsiywzowu73fdwrvrik6jz4iqfrqkf72edxyo3te',
  },
  /** 175 * 262144 + 1 bytes of prng(seed 5): 176 chunks, two levels of parents. */
  deep: {
    cidV0: 'QmaVf1cnrrYPztaBGXaE9WU6uBd3oCStrQAG6TjCa6evfJ',
    cidV1: 'bafybeiex67eky72gmwva6eosh3smo4myinznbuhffxq6xo3553hljqyamu',
  },
} as const;

const CHUNK = 262_144;

async function* stream(pieces: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield piece;
}

/** Cuts `data` into consecutive pieces whose sizes cycle through `sizes`. */
function* repiece(data: Uint8Array, sizes: readonly number[]): Generator<Uint8Array> {
  let offset = 0;
  let i = 0;
  while (offset < data.length) {
    const size = sizes[i++ % sizes.length] ?? 1;
    yield data.subarray(offset, offset + size);
    offset += size;
  }
}

describe('computeCids DAG sizes', () => {
  it('gives the Tsize a directory link carries: a one-chunk file is its leaf block (kubo: CumulativeSize 6 and 20)', async () => {
    // prepare
    const empty = stream([]);
    const hello = stream([new TextEncoder().encode('hello world\n')]);

    // act
    const [emptyCids, helloCids] = [await computeCids(empty), await computeCids(hello)];

    // assess
    expect([emptyCids.dagSizeV0, emptyCids.dagSizeV1, helloCids.dagSizeV0, helloCids.dagSizeV1]).toEqual([6, 6, 20, 20]);
  });
});

describe('computeCids known answers', () => {
  it('empty file', async () => {
    // prepare
    const source = stream([]);

    // act
    const cids = await computeCids(source);

    // assess
    expect(cids).toMatchObject({ ...KNOWN.empty, size: 0 });
  });

  it('empty pieces only', async () => {
    // prepare
    const source = stream([new Uint8Array(0), new Uint8Array(0)]);

    // act
    const cids = await computeCids(source);

    // assess
    expect(cids).toMatchObject({ ...KNOWN.empty, size: 0 });
  });

  it('"hello world\\n"', async () => {
    // prepare
    const source = stream([new TextEncoder().encode('hello world\n')]);

    // act
    const cids = await computeCids(source);

    // assess
    expect(cids).toMatchObject({ ...KNOWN.helloWorld, size: 12 });
  });

  it('small file (1000 bytes)', async () => {
    // prepare
    const source = stream(prngBlocks(1000, 1));

    // act
    const cids = await computeCids(source);

    // assess
    expect(cids).toMatchObject({ ...KNOWN.small, size: 1000 });
  });

  it('exactly one chunk (262144 bytes): the root is the leaf', async () => {
    // prepare
    const source = stream(prngBlocks(CHUNK, 2));

    // act
    const cids = await computeCids(source);

    // assess
    expect(cids).toMatchObject({ ...KNOWN.oneChunk, size: CHUNK });
    // A single-block DAG: v1 is the v0 multihash re-encoded.
    expect(toCidV1(cids.cidV0)).toBe(cids.cidV1);
  });

  it('one chunk plus one byte (262145 bytes)', async () => {
    // prepare
    const source = stream(prngBlocks(CHUNK + 1, 3));

    // act
    const cids = await computeCids(source);

    // assess
    expect(cids).toMatchObject({ ...KNOWN.oneChunkPlusOne, size: CHUNK + 1 });
    // Multi-block DAG: the v1 tree links by CIDv1, so its root is not the v0 root re-encoded.
    expect(toCidV1(cids.cidV0)).not.toBe(cids.cidV1);
  });

  it('multi-chunk file (5 MiB)', async () => {
    // prepare
    const source = stream(prngBlocks(5 * 1024 * 1024, 4));

    // act
    const cids = await computeCids(source);

    // assess
    expect(cids).toMatchObject({ ...KNOWN.fiveMiB, size: 5 * 1024 * 1024 });
  });

  it('more than 174 chunks (175 * 256 KiB + 1 bytes, tree depth 2), streamed', async () => {
    // prepare
    const size = 175 * CHUNK + 1;
    const source = stream(prngBlocks(size, 5));

    // act
    const cids = await computeCids(source);

    // assess
    expect(cids).toMatchObject({ ...KNOWN.deep, size });
  }, 30_000);
});

describe('computeCids piece sizes', () => {
  it('gives identical results whatever the stream piece sizes (5 MiB)', async () => {
    // prepare
    const data = prngBytes(5 * 1024 * 1024, 4);
    const patterns: number[][] = [
      [data.length],
      [CHUNK],
      [CHUNK - 1],
      [CHUNK + 1],
      [65_536],
      [1_048_576],
      [3 * CHUNK + 17],
      [7, 0, 1_000_003, 13, 262_139, 0, 524_288],
    ];

    // act
    const results = [];
    for (const sizes of patterns) results.push(await computeCids(stream(repiece(data, sizes))));

    // assess
    for (const result of results) expect(result).toMatchObject({ ...KNOWN.fiveMiB, size: data.length });
  });

  it('gives identical results with random piece sizes', async () => {
    // prepare
    const data = prngBytes(5 * 1024 * 1024, 4);
    let x = 12345;
    const random = () => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x;
    };
    const sizes = Array.from({ length: 97 }, () => random() % 300_000);

    // act
    const cids = await computeCids(stream(repiece(data, sizes)));

    // assess
    expect(cids).toMatchObject({ ...KNOWN.fiveMiB, size: data.length });
  });

  it('handles 1-byte pieces across a chunk boundary', async () => {
    // prepare
    const data = prngBytes(CHUNK + 1, 3);
    const pieces = [data.subarray(0, CHUNK - 5), ...repiece(data.subarray(CHUNK - 5), [1])];

    // act
    const cids = await computeCids(stream(pieces));

    // assess
    expect(cids).toMatchObject({ ...KNOWN.oneChunkPlusOne, size: CHUNK + 1 });
  });

  it('reads a Node Readable of Buffers, as an S3 body stream is', async () => {
    // prepare
    const buffers = [...repiece(prngBytes(5 * 1024 * 1024, 4), [16_384, 100_000])].map((piece) => Buffer.from(piece));
    const readable = Readable.from(buffers);

    // act
    const cids = await computeCids(readable);

    // assess
    expect(cids).toMatchObject({ ...KNOWN.fiveMiB, size: 5 * 1024 * 1024 });
  });

  it('rejects a stream of strings', async () => {
    // prepare
    const source = Readable.from(['hello world\n']);

    // act
    const result = computeCids(source);

    // assess
    await expect(result).rejects.toThrow(TypeError);
  });
});

describe('toCidV1', () => {
  const HELLO_V1 = KNOWN.helloWorld.cidV1;

  it('converts a CIDv0 to the base32 dag-pb CIDv1 with the same multihash', () => {
    // prepare
    const v0 = KNOWN.helloWorld.cidV0;

    // act
    const v1 = toCidV1(v0);

    // assess
    expect(v1).toBe(HELLO_V1);
    expect(toCidV1(KNOWN.empty.cidV0)).toBe(KNOWN.empty.cidV1);
  });

  it('returns a base32 CIDv1 unchanged', () => {
    // prepare
    const raw = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4'; // raw-leaf "hello world\n"

    // act
    const results = [toCidV1(HELLO_V1), toCidV1(raw), toCidV1(KNOWN.deep.cidV1)];

    // assess
    expect(results).toEqual([HELLO_V1, raw, KNOWN.deep.cidV1]);
  });

  it('normalises other multibase encodings of a CIDv1 to base32', () => {
    // prepare
    const forms = [
      'BAFYBEICG2REBJOOFV4KBYOVKW7AF3RPIITVNL6I7CKCYWAQ6XJCXNC2MBY',
      'zdj7WaCPMsy3FP2whSwpFXHjDEaTVmjnddYSn5W2Gdn4aEZFj',
      'k2jmtxt4nv2kx0qz1ncwpjwzdixb27xsgqxk7kgho4nnmjceustvi80e',
      'f0170122046d44814b9c5af141c3aaab7c05dc5e844ead5f91f12858b021eba45768b4c0e',
    ];

    // act
    const results = forms.map((form) => toCidV1(form));

    // assess
    expect(results).toEqual(forms.map(() => HELLO_V1));
  });

  it('returns null for garbage', () => {
    // prepare
    const garbage = [
      '',
      'hello',
      'not a cid',
      'Qm',
      'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5', // v0 one character short
      'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff50', // '0' is not base58
      'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5oo', // too long
      HELLO_V1.slice(0, -4), // truncated digest
      HELLO_V1 + 'aa', // trailing bytes
      'bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mb1', // '1' is not base32
      ' ' + HELLO_V1,
      HELLO_V1 + '\n',
      'b' + 'a'.repeat(500),
      'x' + HELLO_V1.slice(1),
      'f00', // version 0 byte alone
    ];

    // act
    const results = garbage.map((cid) => toCidV1(cid));

    // assess
    expect(results).toEqual(garbage.map(() => null));
    expect(toCidV1(undefined as unknown as string)).toBeNull();
  });
});
