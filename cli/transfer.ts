/**
 * The byte transfer of an upload: one presigned PUT of a file or of a byte range of it (a
 * multipart part), streamed from disk with node:http(s) so that the Content-Length the URL
 * signs is sent as is and memory stays at one read buffer per transfer, whatever the size.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

/** What S3 (or s3rver) answered to a PUT. */
export interface PutAnswer {
  readonly status: number;
  readonly etag?: string;
  readonly retryAfter?: string;
  /** The start of the body (an S3 XML error), at most 4 KiB. */
  readonly body: string;
}

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/**
 * PUTs bytes `[start, start + length)` of `absolute` to `url`. `onBytes(n)` is called as bytes are
 * handed to the socket (negative with what was counted when the attempt fails, so a retry does not
 * count twice). Rejects only when no answer came (network error), with the error.
 */
export function putRange(url: string, absolute: string, start: number, length: number, onBytes: (delta: number) => void): Promise<PutAnswer> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  let sent = 0;
  return new Promise<PutAnswer>((resolve, reject) => {
    const fail = (error: Error) => {
      if (sent > 0) onBytes(-sent);
      sent = 0;
      reject(error);
    };
    const request = client.request(target, { method: 'PUT', agent: target.protocol === 'https:' ? agents.https : agents.http, headers: { 'content-length': String(length) } }, (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        if (kept < 4096) {
          chunks.push(chunk);
          kept += chunk.length;
        }
      });
      response.on('error', fail);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          if (sent > 0) onBytes(-sent);
          sent = 0;
        }
        const etag = response.headers.etag;
        const retryAfter = response.headers['retry-after'];
        resolve({ status, etag: typeof etag === 'string' ? etag : undefined, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, body: Buffer.concat(chunks).toString('utf8').slice(0, 4096) });
      });
    });
    request.on('error', fail);
    if (length === 0) {
      request.end();
      return;
    }
    const stream = createReadStream(absolute, { start, end: start + length - 1, highWaterMark: 256 * 1024 });
    stream.on('data', (chunk) => {
      sent += chunk.length;
      onBytes(chunk.length);
    });
    stream.on('error', (error) => {
      request.destroy(error);
    });
    stream.pipe(request);
  });
}

/** Closes the kept-alive sockets (so the process can exit at once). */
export function closeTransfers(): void {
  agents.http.destroy();
  agents.https.destroy();
}
