import busboy from 'busboy';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../errors';
import { headerValue, rawBody } from './middleware/json-body';

/**
 * multipart/form-data bodies (the Quantum `POST /file/add` form). The whole
 * body is in the event: API Gateway caps a request body at 10 MB and Lambda's
 * synchronous payload at 6 MB (a binary body arrives base64-encoded, so about
 * 4.5 MB of files per request in practice). Larger files go through the
 * presigned upload route of the Apillon surface, straight to S3.
 */

export interface MultipartLimits {
  /** Decoded body bytes. */
  readonly maxBodyBytes: number;
  readonly maxFiles: number;
  readonly maxFields: number;
  /** Bytes of one non-file field value. */
  readonly maxFieldBytes: number;
}

/** API Gateway's request cap; the Lambda payload cap is lower still (see above). */
export const MAX_MULTIPART_BODY_BYTES = 10 * 1024 * 1024;

export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = {
  maxBodyBytes: MAX_MULTIPART_BODY_BYTES,
  maxFiles: 50,
  maxFields: 20,
  maxFieldBytes: 4096,
};

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
  /** Text fields; a repeated field keeps its first value. */
  readonly fields: ReadonlyMap<string, string>;
  /** File parts in the order they arrived. */
  readonly files: readonly MultipartFile[];
}

/**
 * Parses the multipart/form-data body of `event`. Anything that is not a
 * well-formed form within the limits is a 400 (in the caller's surface shape):
 * wrong or missing content type, no boundary, truncated or garbled parts, too
 * many parts, a body over the size limit.
 */
export async function parseMultipart(
  event: APIGatewayProxyEventV2,
  limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS,
): Promise<MultipartForm> {
  const contentType = headerValue(event, 'content-type') ?? '';
  if (contentType.split(';')[0]!.trim().toLowerCase() !== 'multipart/form-data') throw new AppError('multipartRequired');
  if (!/;\s*boundary=("[^"]+"|[^;\s]+)/i.test(contentType)) throw new AppError('malformedMultipart');

  const body = rawBody(event);
  if (body.length > limits.maxBodyBytes) throw new AppError('uploadTooLarge');
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
        parts: limits.maxFiles + limits.maxFields,
        fieldSize: limits.maxFieldBytes,
        fieldNameSize: 200,
        headerPairs: 20,
      },
    });
  } catch (error) {
    throw new AppError('malformedMultipart', { cause: error });
  }
  return collect(parser, body);
}

function collect(parser: busboy.Busboy, body: Buffer): Promise<MultipartForm> {
  const fields = new Map<string, string>();
  // Slots in arrival order (a part's stream may close after the next part starts).
  const files: (MultipartFile | undefined)[] = [];
  const pending: Promise<void>[] = [];

  return new Promise<MultipartForm>((resolve, reject) => {
    let failed = false;
    const fail = (name: 'malformedMultipart' | 'tooManyFormParts' | 'uploadTooLarge', cause?: unknown) => {
      if (failed) return;
      failed = true;
      reject(new AppError(name, { cause }));
    };

    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) return fail('tooManyFormParts');
      if (!fields.has(name)) fields.set(name, value);
    });
    parser.on('file', (field, stream, info) => {
      const slot = files.push(undefined) - 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      pending.push(
        new Promise<void>((done) => {
          stream.on('limit', () => fail('uploadTooLarge'));
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
    parser.on('filesLimit', () => fail('tooManyFormParts'));
    parser.on('fieldsLimit', () => fail('tooManyFormParts'));
    parser.on('partsLimit', () => fail('tooManyFormParts'));
    parser.on('error', (error) => fail('malformedMultipart', error));
    parser.on('close', () => {
      void Promise.all(pending).then(() => {
        if (!failed) resolve({ fields, files: files.filter((file) => file !== undefined) });
      });
    });
    parser.end(body);
  });
}
