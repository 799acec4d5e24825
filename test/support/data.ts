/**
 * Test data generators shared by unit, integration and e2e tests: deterministic
 * pseudo-random bytes (whose CIDs test/unit/cid.test.ts knows) and multipart forms
 * exactly as `fetch` sends them.
 */

/**
 * Deterministic pseudo-random bytes (xorshift32, each state word written little-endian), produced
 * in 64 KiB blocks so a large file never sits in memory at once.
 */
export function* prngBlocks(total: number, seed: number): Generator<Uint8Array> {
  let x = seed >>> 0 || 1;
  let left = total;
  while (left > 0) {
    const n = Math.min(65_536, left);
    const block = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      block[i] = x & 255;
      if (i + 1 < n) block[i + 1] = (x >>> 8) & 255;
      if (i + 2 < n) block[i + 2] = (x >>> 16) & 255;
      if (i + 3 < n) block[i + 3] = x >>> 24;
    }
    left -= n;
    yield block;
  }
}

/** All of `prngBlocks(total, seed)` in one array. */
export function prngBytes(total: number, seed: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const block of prngBlocks(total, seed)) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}

/** One file part of a form. */
export interface FormFile {
  readonly name: string;
  readonly content: string | Uint8Array;
  readonly type?: string;
}

/** A multipart/form-data body exactly as fetch would send it. */
export async function formBody(
  files: readonly FormFile[],
  fields: Record<string, string> = {},
  fileField = 'files',
): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const file of files) {
    const bytes = typeof file.content === 'string' ? new TextEncoder().encode(file.content) : file.content;
    form.append(fileField, new Blob([bytes], { type: file.type ?? '' }), file.name);
  }
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const request = new Request('http://form.local/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}
