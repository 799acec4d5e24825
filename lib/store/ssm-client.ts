import { AwsServiceError, SignedHttpClient, type AwsCredentials } from './aws-http';

/**
 * SSM GetParameter, the one SSM operation the functions send (the IPNS key encryption
 * key, lib/store/key-sealer.ts), on the signing, HTTP and retry core shared with the S3
 * and SQS clients (`aws-http.ts`).
 *
 * Why not `@aws-sdk/client-ssm`: ~225 KB minified (all of SSM's ~150 operation schemas)
 * in each function that signs IPNS records, for one call.
 *
 * Wire format: AWS JSON 1.1 (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html):
 * `POST /` to `https://ssm.<region>.amazonaws.com`, `Content-Type: application/x-amz-json-1.1`,
 * `X-Amz-Target: AmazonSSM.GetParameter`, body `{"Name", "WithDecryption"}`, answer
 * `{"Parameter": {"Name", "Type", "Value", "Version", …}}`; errors `{"__type": "ParameterNotFound", "message"}`,
 * thrown as {@link SsmError}. Checked against the request `@aws-sdk/client-ssm` builds (test/unit/ssm-client.test.ts).
 */
export interface SsmClientOptions {
  readonly region: string;
  /** An emulator's base URL; default `https://ssm.<region>.amazonaws.com`. */
  readonly endpoint?: string;
  /** Default: the environment's AWS credentials, read per request. */
  readonly credentials?: AwsCredentials;
  /** Attempts per request, first included (default 3). */
  readonly maxAttempts?: number;
}

/** An error SSM answered (or `NetworkingError`, status 0); `name` is SSM's error code (`ParameterNotFound`, `AccessDeniedException`…). */
export class SsmError extends AwsServiceError {}

/** Retried with backoff whatever their status: SSM's throttling and transient errors (the SDK's standard retry mode). */
const RETRYABLE_CODES = new Set(['ThrottlingException', 'Throttling', 'TooManyUpdates', 'InternalServerError', 'ServiceUnavailable']);

export class SsmClient {
  private readonly core: SignedHttpClient<SsmError>;

  constructor(private readonly options: SsmClientOptions) {
    this.core = new SignedHttpClient({ ...options, service: 'ssm', retryableCodes: RETRYABLE_CODES, error: SsmError });
  }

  /**
   * GetParameter: the parameter's value (a SecureString decrypted when `withDecryption`).
   * Throws SsmError (`ParameterNotFound` 400, `AccessDeniedException` 400…).
   */
  async getParameter(name: string, withDecryption: boolean): Promise<string> {
    const endpoint = this.options.endpoint ?? `https://ssm.${this.options.region}.amazonaws.com`;
    const answer = await this.core.sendJson(endpoint, '1.1', 'AmazonSSM.GetParameter', { Name: name, WithDecryption: withDecryption });
    const value = (answer.Parameter as { Value?: unknown } | undefined)?.Value;
    if (typeof value !== 'string') throw new SsmError('InvalidResponse', `GetParameter ${name}: no value in SSM's answer`, 200);
    return value;
  }
}
