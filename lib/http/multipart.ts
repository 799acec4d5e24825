import busboy from 'busboy';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError, sizeRefusal, type ErrorName } from '../errors';
import { headerValue, rawBody } from './middleware/json-body';
import { lastWins } from './parameters';
import { requireValidText } from './text';

/**
 * multipart/form-data bodies (the Quantum `POST /file/add` form). The whole
 * body is in the event: API Gateway caps a request body at 10 MB and Lambda's
 * synchronous payload at 6 MB (a binary body arrives base64-encoded, so about
 * 4.5 MB of files per request in practice). Larger files go straight to S3
 * through a presigned route (the caller names it: {@link MultipartOptions}).
 */

export interface MultipartLimits {
  /** Decoded body bytes. */
  readonly maxBodyBytes: number;
  readonly maxFiles: number;
  readonly maxFields: number;
  /** Bytes of one non-file field value. */
  readonly maxFieldBytes: number;
  /** Bytes of one field name (of a text or a file part). */
  readonly maxFieldNameBytes: number;
}

/** API Gateway's request cap; the Lambda payload cap is lower still (see above). */
export const MAX_MULTIPART_BODY_BYTES = 10 * 1024 * 1024;

export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = {
  maxBodyBytes: MAX_MULTIPART_BODY_BYTES,
  maxFiles: 50,
  maxFields: 20,
  maxFieldBytes: 4096,
  maxFieldNameBytes: 200,
};

export interface MultipartOptions {
  /**
   * Where files too large for a request go (`POST /API/upload/create/<bucket>/<location>`): named in the refusal of a
   * body over `maxBodyBytes` (`details.largeFileRoute` and its `reason`).
   */
  readonly largeFileRoute?: string;
}

export interface MultipartFile {
  /** The form field the file came in. */
  readonly field: string;
  /** The client's file name as sent (directory parts included, if any); '' when none was given. */
  readonly fileName: string;
  /** The client's declared media type. */
  readonly contentType: string;
  readonly bytes: Buffer;
}

export interface MultipartForm {
  /** Text fields; a repeated field keeps its last value, as Django's `QueryDict` (lib/http/parameters.ts). */
  readonly fields: Readonly<Record<string, string>>;
  /** File parts in the order they arrived. */
  readonly files: readonly MultipartFile[];
}

/**
 * Parses the multipart/form-data body of `event`. Anything that is not a
 * well-formed form within the limits is a 400 (in the caller's surface shape),
 * each limit with its own error: wrong or missing content type
 * (multipartRequired), no boundary or garbled parts (malformedMultipart), a body
 * over the size limit (uploadTooLarge), too many files (tooManyFormFiles), too
 * many text fields (tooManyFormFields), a text field value over its limit
 * (formFieldTooLarge), a field name over its limit (formFieldNameTooLong); each
 * names its limit in its details (`limitBytes`, or `limit` for a count). Field
 * names, values and file names must be well-formed UTF-8 (invalidUtf8): busboy
 * decodes them as UTF-8, replacing what it cannot read with U+FFFD, which
 * lib/http/text.ts refuses.
 */
export async function parseMultipart(
  event: APIGatewayProxyEventV2,
  limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS,
  options: MultipartOptions = {},
): Promise<MultipartForm> {
  const contentType = headerValue(event, 'content-type') ?? '';
  if (contentType.split(';')[0]!.trim().toLowerCase() !== 'multipart/form-data') throw new AppError('multipartRequired');
  if (!/;\s*boundary=("[^"]+"|[^;\s]+)/i.test(contentType)) throw new AppError('malformedMultipart');

  const body = rawBody(event);
  if (body.length > limits.maxBodyBytes) throw formTooLarge(limits, options, body.length);
  if (body.length === 0) throw new AppError('malformedMultipart');

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      // Browsers and fetch send UTF-8 file names; busboy would read them as latin1.
      defParamCharset: 'utf8',
      // Keep the client's path so the caller decides (and documents) how it becomes a name.
      preservePath: true,
      limits: {
        fileSize: limits.maxBodyBytes,
        files: limits.maxFiles,
        fields: limits.maxFields,
        fieldSize: limits.maxFieldBytes,
      },
    });
  } catch (error) {
    throw new AppError('malformedMultipart', { cause: error });
  }
  return collect(parser, body, limits, options);
}

/** The refusal of a form over `maxBodyBytes` (`sizeBytes` when known), naming the limit and where larger files go. */
function formTooLarge(limits: MultipartLimits, options: MultipartOptions, sizeBytes?: number): AppError {
  const limit = `a request takes at most ${limits.maxBodyBytes} bytes`;
  const sent = sizeBytes === undefined ? `${limit}; a file of the form is larger` : `the form is ${sizeBytes} bytes; ${limit}`;
  const elsewhere = options.largeFileRoute ? `; upload larger files in parts with ${options.largeFileRoute}` : '';
  return sizeRefusal('uploadTooLarge', limits.maxBodyBytes, `${sent}${elsewhere}`, {
    ...(sizeBytes === undefined ? {} : { sizeBytes }),
    ...(options.largeFileRoute ? { largeFileRoute: options.largeFileRoute } : {}),
  });
}

/** The refusals of the form's other limits, each naming its limit (bytes, or a count). */
function limitRefusal(name: 'formFieldTooLarge' | 'formFieldNameTooLong' | 'tooManyFormFiles' | 'tooManyFormFields', limits: MultipartLimits, field?: string): AppError {
  switch (name) {
    case 'formFieldTooLarge':
      return sizeRefusal(name, limits.maxFieldBytes, `the value of field ${JSON.stringify(field)} is over ${limits.maxFieldBytes} bytes`, { field });
    case 'formFieldNameTooLong':
      return sizeRefusal(name, limits.maxFieldNameBytes, `a field name is over ${limits.maxFieldNameBytes} bytes`);
    case 'tooManyFormFiles':
      return new AppError(name, { details: { limit: limits.maxFiles, reason: `a form holds at most ${limits.maxFiles} files` } });
    case 'tooManyFormFields':
      return new AppError(name, { details: { limit: limits.maxFields, reason: `a form holds at most ${limits.maxFields} text fields` } });
  }
}

function collect(parser: busboy.Busboy, body: Buffer, limits: MultipartLimits, options: MultipartOptions): Promise<MultipartForm> {
  const fields: [string, string][] = [];
  // Slots in arrival order (a part's stream may close after the next part starts).
  const files: (MultipartFile | undefined)[] = [];
  const pending: Promise<void>[] = [];

  return new Promise<MultipartForm>((resolve, reject) => {
    let failed = false;
    const fail = (refusal: ErrorName | AppError, cause?: unknown) => {
      if (failed) return;
      failed = true;
      reject(refusal instanceof AppError ? refusal : new AppError(refusal, { cause }));
    };
    /** The problem with a part's field name (and file name), if any. */
    const badName = (...texts: (string | undefined)[]): ErrorName | AppError | undefined => {
      try {
        for (const text of texts) if (text !== undefined) requireValidText(text);
      } catch {
        return 'invalidUtf8';
      }
      return Buffer.byteLength(texts[0] ?? '', 'utf8') > limits.maxFieldNameBytes ? limitRefusal('formFieldNameTooLong', limits) : undefined;
    };

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(limitRefusal('formFieldTooLarge', limits, name));
      const problem = badName(name, value);
      if (problem) return fail(problem);
      fields.push([name, value]);
    });
    parser.on('file', (field, stream, info) => {
      const problem = badName(field, info.filename);
      if (problem) {
        stream.resume();
        return fail(problem);
      }
      const slot = files.push(undefined) - 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      pending.push(
        new Promise<void>((done) => {
          stream.on('limit', () => fail(formTooLarge(limits, options)));
          stream.on('error', (error) => fail('malformedMultipart', error));
          stream.on('close', () => {
            files[slot] = {
              field,
              fileName: info.filename ?? '',
              contentType: info.mimeType || 'application/octet-stream',
              bytes: Buffer.concat(chunks),
            };
            done();
          });
        }),
      );
    });
    parser.on('filesLimit', () => fail(limitRefusal('tooManyFormFiles', limits)));
    parser.on('fieldsLimit', () => fail(limitRefusal('tooManyFormFields', limits)));
    parser.on('error', (error) => fail('malformedMultipart', error));
    parser.on('close', () => {
      void Promise.all(pending).then(() => {
        if (!failed) resolve({ fields: lastWins(fields), files: files.filter((file) => file !== undefined) });
      });
    });
    parser.end(body);
  });
}
