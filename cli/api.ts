/**
 * The CLI's client of the Apillon surface (`/storage`, SPEC §3): Basic credentials, the
 * `{id, status, data}` envelope, the error shapes, retries (retry.ts). Plain `fetch`; the
 * CLI imports nothing from lib/ (it is a client of the public API, as any user's would be).
 */
import { backoffDelay, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, sleep, type RetryPolicy } from './retry';

/** Where and as whom the CLI talks (config.ts resolves it from the environment and the config file). */
export interface Credentials {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

/**
 * An answer of the API that is an error: `status` is the HTTP status, `code` the surface's
 * numeric code (Apillon's 8 digits; undefined when the answer is not in the surface's shape,
 * e.g. a gateway's own 404), `message` its name (`BUCKET_NOT_FOUND`) or text.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
    /** The 422 answer's `errors` (`[{code, property, message, maximum?, minimum?}]`), when there are any. */
    readonly details: readonly { code?: number; property?: string; message?: string; maximum?: number; minimum?: number }[] = [],
    /** The refusal's `details.reason` (README "Errors": a size refusal names its limit), when the answer has one. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** One line for a person: `BUCKET_NOT_FOUND (40406002, HTTP 404)` plus the 422 details or the refusal's reason. */
  describe(): string {
    const head = `${this.message} (${this.code !== undefined ? `${this.code}, ` : ''}HTTP ${this.status})`;
    const bound = (item: { maximum?: number; minimum?: number }) =>
      item.maximum !== undefined ? `, at most ${item.maximum}` : item.minimum !== undefined ? `, at least ${item.minimum}` : '';
    const details = this.details.map((item) => `${item.property ?? '?'}: ${item.message ?? ''}${bound(item)}${item.code ? ` (${item.code})` : ''}`);
    if (details.length > 0) return `${head}: ${details.join('; ')}`;
    return this.reason ? `${head}: ${this.reason}` : head;
  }
}

/** No answer after every retry (connection refused, reset, DNS, timeout). */
export class NetworkError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'NetworkError';
  }
}

export interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined | null>;
  readonly body?: unknown;
  /** Retry on 5xx/429/no answer. Default: GET and DELETE (idempotent); a POST only where its caller made a repeat harmless. */
  readonly retry?: boolean;
  readonly signal?: AbortSignal;
}

/** Called before each retry (the progress display counts them). */
export type RetryListener = (what: string, attempt: number, delayMs: number, reason: string) => void;

export class ApiClient {
  private readonly authorization: string;
  private readonly base: string;

  constructor(
    readonly credentials: Credentials,
    private readonly policy: RetryPolicy = DEFAULT_RETRY,
    private readonly onRetry: RetryListener = () => undefined,
  ) {
    this.authorization = `Basic ${Buffer.from(`${credentials.apiKey}:${credentials.apiSecret}`).toString('base64')}`;
    this.base = credentials.apiUrl.replace(/\/+$/, '');
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, { retry: true, ...options });
  }

  post<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, options);
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, { retry: true, ...options });
  }

  /** The absolute URL of an API path (`/storage/...`) with its query. */
  url(path: string, query?: RequestOptions['query']): string {
    const url = new URL(this.base + path);
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
    return url.toString();
  }

  /**
   * One API call: the envelope's `data` on 2xx; ApiError on an error answer (after retries for
   * 5xx/429 when `retry`), NetworkError when nothing answered.
   */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const init: RequestInit = {
      method,
      headers: { authorization: this.authorization, accept: 'application/json', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: options.signal,
    };
    const attempts = options.retry ? this.policy.attempts : 1;
    return withRetries(`${method} ${path}`, attempts, this.policy, this.onRetry, async () => {
      const response = await fetch(url, init);
      const text = await response.text();
      if (response.ok) {
        const json = parseJson(text);
        return (json && typeof json === 'object' && 'data' in json ? (json as { data: T }).data : json) as T;
      }
      throw errorFromAnswer(response.status, text, response.headers.get('retry-after'));
    });
  }
}

/** An ApiError carrying the Retry-After the server sent (ms), for withRetries. */
class RetryableAnswer extends ApiError {
  constructor(error: ApiError, readonly retryAfterMs: number | undefined) {
    super(error.status, error.code, error.message, error.details, error.reason);
  }
}

/** The surface's error (Apillon shape `{code, message}` or 422 `{errors}`), else the status and the start of the body. */
export function errorFromAnswer(status: number, text: string, retryAfter?: string | null): ApiError {
  const json = parseJson(text) as { code?: unknown; message?: unknown; errors?: unknown; details?: { reason?: unknown } } | undefined;
  let error: ApiError;
  if (json && Array.isArray(json.errors)) {
    const errors = json.errors as { code?: number; property?: string; message?: string }[];
    error = new ApiError(status, typeof json.code === 'number' ? json.code : errors[0]?.code, typeof json.message === 'string' ? json.message : 'VALIDATION_ERROR', errors);
  } else if (json && (typeof json.code === 'number' || typeof json.message === 'string')) {
    const reason = typeof json.details?.reason === 'string' ? json.details.reason : undefined;
    error = new ApiError(status, typeof json.code === 'number' ? json.code : undefined, typeof json.message === 'string' ? json.message : `HTTP ${status}`, [], reason);
  } else {
    const snippet = text.trim().slice(0, 200);
    error = new ApiError(status, undefined, snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`);
  }
  return isRetryableStatus(status) ? new RetryableAnswer(error, parseRetryAfter(retryAfter)) : error;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Runs `attempt` up to `attempts` times: again after a retryable answer (5xx, 429, honouring
 * Retry-After) or a network error, with backoff (retry.ts). Other errors go straight out; a
 * retryable one that outlasts its attempts goes out as it came (a NetworkError for no answer).
 */
export async function withRetries<T>(what: string, attempts: number, policy: RetryPolicy, onRetry: RetryListener, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const answer = error instanceof RetryableAnswer ? error : undefined;
      const network = !(error instanceof ApiError) && isNetworkFailure(error);
      if ((!answer && !network) || n >= attempts) {
        if (answer) throw new ApiError(answer.status, answer.code, answer.message, answer.details);
        if (network) throw new NetworkError(`${what}: no answer (${describeCause(error)})`, error);
        throw error;
      }
      const delay = backoffDelay(n, policy, answer?.retryAfterMs);
      onRetry(what, n, delay, answer ? `HTTP ${answer.status}` : describeCause(error));
      await sleep(delay);
    }
  }
}

/** fetch's failures without an answer: TypeError('fetch failed') with a cause, timeouts, resets. */
function isNetworkFailure(error: unknown): boolean {
  if (error instanceof Error && error.name === 'AbortError') return false; // the caller aborted
  return error instanceof TypeError || (error instanceof Error && ['TimeoutError', 'SocketError'].includes(error.name)) || hasErrno(error);
}

function hasErrno(error: unknown): boolean {
  return !!error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string' && /^E[A-Z]+/.test((error as { code: string }).code);
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
