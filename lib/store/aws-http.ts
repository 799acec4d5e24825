import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest, type HttpResponse } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IncomingMessage } from 'node:http';

/**
 * The signing, HTTP and retry core shared by the small AWS clients of this
 * directory (`s3-client.ts`, `sqs-client.ts`): the AWS SDK's own SigV4 signer
 * (`@smithy/signature-v4`) and keep-alive HTTP handler (`@smithy/node-http-handler`),
 * which the DynamoDB client bundles anyway, and the SDK's standard retry mode
 * (network errors, 5xx, 429 and throttling codes; full-jitter backoff, base
 * 100 ms, cap 20 s). See s3-client.ts for why the SDK's service clients are not used.
 */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** An error an AWS service answered (or a request that could not reach it): `name` is the service's error code. */
export class AwsServiceError extends Error {
  /** The SDK's shape, which callers and logs read; status 0: no answer (network error). */
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };
  constructor(code: string, message: string, httpStatusCode: number, requestId?: string) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode, requestId };
  }
}

export interface SignedHttpOptions<E extends AwsServiceError> {
  /** The SigV4 signing name (`s3`, `sqs`). */
  readonly service: string;
  readonly region: string;
  /** Default: the environment's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, read per request. */
  readonly credentials?: AwsCredentials;
  /** Attempts per request, first included (default 3, as the SDK clients were configured). */
  readonly maxAttempts?: number;
  /** False for S3, which signs the path as sent (encoded once); true (default) for the other services. */
  readonly uriEscapePath?: boolean;
  /** Error codes retried whatever their status (throttling, transient errors of the service). */
  readonly retryableCodes: ReadonlySet<string>;
  /** The client's error class: network and credential errors are thrown as this too. */
  readonly error: new (code: string, message: string, httpStatusCode: number, requestId?: string) => E;
}

/** A request to sign and send: `url` already percent-encoded; `host` is added. */
export interface SignedHttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  readonly signal?: AbortSignal;
}

export class SignedHttpClient<E extends AwsServiceError> {
  readonly signer: SignatureV4;
  private readonly http = new NodeHttpHandler();

  constructor(private readonly options: SignedHttpOptions<E>) {
    this.signer = new SignatureV4({
      service: options.service,
      region: options.region,
      credentials: async () => this.credentials(),
      sha256: Sha256,
      uriEscapePath: options.uriEscapePath ?? true,
    });
  }

  /**
   * Signs and sends `request` (signed afresh for each attempt), then hands the answer to
   * `read`, which returns the result or throws the client's error (E) for an error answer.
   * Retried up to `maxAttempts` on network errors (E named `NetworkingError`, status 0), 5xx,
   * 429 and `retryableCodes`; an abort (`signal`) is thrown as it is, not retried.
   */
  async send<T>(request: SignedHttpRequest, read: (response: HttpResponse & { readonly body: IncomingMessage }) => Promise<T>): Promise<T> {
    const attempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt += 1) {
      // Missing credentials are thrown from here, not retried.
      const signed = (await this.signer.sign(this.request(request.method, request.url, request.headers, request.body))) as HttpRequest;
      let failure: E;
      try {
        const { response } = await this.http.handle(signed, { abortSignal: request.signal });
        return await read(response as HttpResponse & { readonly body: IncomingMessage });
      } catch (error) {
        if (request.signal?.aborted) throw error;
        // The service's error answer (from `read`), else: connection refused or reset, DNS, socket timeout.
        failure = error instanceof this.options.error ? error : Object.assign(new this.options.error('NetworkingError', (error as Error).message, 0), { cause: error });
      }
      const status = failure.$metadata.httpStatusCode;
      const retryable = status === 0 || status >= 500 || status === 429 || this.options.retryableCodes.has(failure.name);
      if (!retryable || attempt >= attempts) throw failure;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(20_000, 100 * 2 ** attempt)));
    }
  }

  /**
   * One call of an AWS JSON protocol (1.0: SQS; 1.1: SSM): `POST` of `input` as JSON to `endpoint`'s
   * root with `X-Amz-Target: <target>` (e.g. `AmazonSQS.SendMessageBatch`). Resolves with the parsed
   * answer of a 2xx; a 4xx/5xx is thrown as E named by the answer's `__type` without its namespace
   * (`com.amazonaws.sqs#QueueDoesNotExist` → `QueueDoesNotExist`; after `:` dropped, as the SDK does),
   * its message from `message`/`Message` (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html).
   */
  async sendJson(endpoint: string, version: '1.0' | '1.1', target: string, input: unknown): Promise<Record<string, unknown>> {
    const body = new TextEncoder().encode(JSON.stringify(input));
    const headers = { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target, 'content-length': String(body.byteLength) };
    return this.send({ method: 'POST', url: new URL('/', endpoint), headers, body }, async (response) => {
      const answer = parseJsonObject(new TextDecoder().decode(await readAll(response.body)));
      if (response.statusCode >= 200 && response.statusCode < 300) return answer;
      const requestId = response.headers['x-amzn-requestid'];
      const type = typeof answer.__type === 'string' ? answer.__type : response.headers['x-amzn-errortype'];
      const code = type?.split(':')[0]?.split('#').pop();
      const message = typeof answer.message === 'string' ? answer.message : typeof answer.Message === 'string' ? answer.Message : undefined;
      const fallback = response.statusCode >= 500 ? 'InternalError' : 'UnknownError';
      throw new this.options.error(code || fallback, message ?? `${target} answered ${response.statusCode}`, response.statusCode, requestId);
    });
  }

  /** The unsigned HTTP request for `url` (path as given: already percent-encoded), Host and the given headers set. */
  request(method: string, url: URL, headers: Readonly<Record<string, string>> = {}, body?: Uint8Array): HttpRequest {
    return new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...headers },
      body,
    });
  }

  private credentials(): AwsCredentials {
    if (this.options.credentials) return this.options.credentials;
    const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
    if (!accessKeyId || !secretAccessKey) {
      throw new this.options.error('CredentialsProviderError', 'No AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set', 0);
    }
    return { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined };
  }
}

/** A JSON object from `text`; {} for anything else (an empty or non-JSON error body). */
function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A response body read whole (bytes). */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
