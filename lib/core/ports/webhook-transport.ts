/**
 * How a webhook call reaches its receiver (lib/store/webhook-sender.ts: node:http(s) behind the address policy).
 */

export interface WebhookRequest {
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body, exactly as signed. */
  readonly body: string;
}

/** What came back: a status code, or why none did. */
export type WebhookResponse =
  | { readonly ok: boolean; readonly statusCode: number }
  | { readonly ok: false; readonly statusCode?: undefined; readonly error: string };

export interface WebhookTransport {
  /**
   * Every address `hostname` resolves to now (IPv4 and IPv6, as the system resolver gives them; an IP literal
   * resolves to itself); empty when it resolves to none.
   */
  resolveHost(hostname: string): Promise<string[]>;
  /**
   * POSTs `request` once: the target's addresses are checked again at connection time (DNS can change since the
   * webhook was set), redirects are not followed (a 3xx is a failed attempt), at most a few KiB of the answer are
   * read, and the call is abandoned after its timeout. Never throws: failures come back as `{ok: false, error}`.
   */
  post(request: WebhookRequest): Promise<WebhookResponse>;
}
