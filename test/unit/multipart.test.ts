/** The multipart parser: each limit its own error, the last value of a repeated field, strict UTF-8. */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors';
import { DEFAULT_MULTIPART_LIMITS, parseMultipart, type MultipartLimits } from '../../lib/http/multipart';
import { httpEvent } from '../support/events';

const BOUNDARY = 'test-boundary';

type Part = { name: Buffer | string; value: Buffer | string; filename?: Buffer | string };

/** A multipart body built byte by byte, so that parts can carry bytes no encoder would produce. */
function form(parts: readonly Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? [] : [Buffer.from('; filename="'), Buffer.from(part.filename), Buffer.from('"')];
    chunks.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="`),
      Buffer.from(part.name),
      Buffer.from('"'),
      ...filename,
      Buffer.from(part.filename === undefined ? '\r\n\r\n' : '\r\nContent-Type: text/plain\r\n\r\n'),
      Buffer.from(part.value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

function parse(parts: readonly Part[], limits: Partial<MultipartLimits> = {}) {
  const event = httpEvent({ method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: form(parts) });
  return parseMultipart(event, { ...DEFAULT_MULTIPART_LIMITS, ...limits });
}

async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.errorName;
    throw error;
  }
  return 'none';
}

const INVALID_UTF8 = Buffer.from([0x61, 0xff, 0xfe, 0x62]);

describe('parseMultipart', () => {
  it('keeps the last value of a repeated field (Django QueryDict)', async () => {
    // act
    const result = await parse([
      { name: 'force', value: 'false' },
      { name: 'force', value: 'true' },
      { name: 'files', value: 'x', filename: 'f.txt' },
    ]);

    // assess
    expect(result.fields.force).toBe('true');
    expect(result.files.map((file) => file.fileName)).toEqual(['f.txt']);
  });

  it.each([
    ['a text field over its byte limit', [{ name: 'note', value: 'x'.repeat(4097) }], {}, 'formFieldTooLarge'],
    ['more text fields than allowed', [{ name: 'a', value: '1' }, { name: 'b', value: '2' }, { name: 'c', value: '3' }], { maxFields: 2 }, 'tooManyFormFields'],
    ['more files than allowed', [{ name: 'files', value: '1', filename: 'a' }, { name: 'files', value: '2', filename: 'b' }], { maxFiles: 1 }, 'tooManyFormFiles'],
    ['a field name over its byte limit', [{ name: 'n'.repeat(201), value: '1' }], {}, 'formFieldNameTooLong'],
    ['a file part whose field name is over the limit', [{ name: 'n'.repeat(201), value: '1', filename: 'a' }], {}, 'formFieldNameTooLong'],
    ['a body over the size limit', [{ name: 'files', value: 'x'.repeat(2000), filename: 'a' }], { maxBodyBytes: 1000 }, 'uploadTooLarge'],
  ] as const)('names %s with its own error', async (_, parts, limits, expected) => {
    // act + assess
    expect(await errorOf(parse(parts, limits))).toBe(expected);
  });

  it.each([
    ['a field value', { name: 'force', value: INVALID_UTF8 }],
    ['a field name', { name: INVALID_UTF8, value: 'true' }],
    ['a file name', { name: 'files', value: 'bytes', filename: INVALID_UTF8 }],
    ['a file name carrying U+FFFD', { name: 'files', value: 'bytes', filename: 'a\uFFFDb.txt' }],
    ['a file name with a truncated sequence', { name: 'files', value: 'bytes', filename: Buffer.from([0x61, 0xe2, 0x82]) }],
  ])('refuses invalid UTF-8 in %s (400 INVALID_UTF8)', async (_, part) => {
    // act + assess
    expect(await errorOf(parse([part]))).toBe('invalidUtf8');
  });

  it('reads UTF-8 file names and values as sent', async () => {
    // act
    const result = await parse([
      { name: 'note', value: 'caf\u00e9 \u{1F600}' },
      { name: 'files', value: 'x', filename: 'r\u00e9sum\u00e9 \u{1F600}.txt' },
    ]);

    // assess
    expect(result.fields.note).toBe('caf\u00e9 \u{1F600}');
    expect(result.files[0]!.fileName).toBe('r\u00e9sum\u00e9 \u{1F600}.txt');
  });
});
