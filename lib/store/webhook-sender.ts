import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { judgeAddresses, type AddressPolicy } from '../core/webhooks/address-policy';
import type { WebhookRequest, WebhookResponse, WebhookTransport } from '../core/ports/webhook-transport';

/** How long a webhook call may take, connection to last byte read (issue 22: 10 s). */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Bytes of a receiver's answer read at most; the rest is never read (the connection is closed). */
export const WEBHOOK_RESPONSE_READ_BYTES = 4 * 1024;

/**
 * Webhook calls over node:http(s) (issue 22's SSRF rules):
 * - the address the socket connects to is the one checked: the request's own `lookup` resolves the host and
 *   refuses when any address fails the policy (lib/core/webhooks/address-policy.ts), so a DNS answer changed since
 *   the webhook was set (or between a check and the connection: DNS rebinding) is refused at the connection;
 * - redirects are not followed (node:http never does; a 3xx counts as a failed attempt);
 * - at most WEBHOOK_RESPONSE_READ_BYTES of the answer are read, then the socket is destroyed;
 * - the whole call is abandoned after `timeoutMs`.
 */
export class HttpWebhookSender implements WebhookTransport {
  constructor(
    private readonly policy: AddressPolicy,
    private readonly timeoutMs = WEBHOOK_TIMEOUT_MS,
  ) {}

  resolveHost(hostname: string): Promise<string[]> {
    return new Promise((resolve, reject) => {
      dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
        if (!error) return resolve(addresses.map((entry) => entry.address));
        // No such name (or no address for it): nothing to connect to. Other resolver failures are faults.
        if (['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA'].includes(String(error.code))) return resolve([]);
        reject(error);
      });
    });
  }

  post(request: WebhookRequest): Promise<WebhookResponse> {
    const url = new URL(request.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // An IP literal is connected to without a lookup: judged here instead.
    const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(literal)) {
      const verdict = judgeAddresses([literal], this.policy);
      if (!verdict.allowed) return Promise.resolve({ ok: false, error: `refused: ${literal} is a ${verdict.reason} address` });
    }
    return new Promise<WebhookResponse>((resolve) => {
      let settled = false;
      const finish = (response: WebhookResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outgoing.destroy();
        resolve(response);
      };
      const outgoing = send(url, {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: this.checkedLookup(),
        agent: false, // a fresh connection per call: nothing pooled outlives it
      });
      const timer = setTimeout(() => finish({ ok: false, error: `timeout after ${this.timeoutMs} ms` }), this.timeoutMs);
      outgoing.on('error', (error: Error & { code?: string }) => finish({ ok: false, error: error.code === 'EWEBHOOKTARGET' ? error.message : `connection failed: ${error.code ?? error.message}` }));
      outgoing.on('response', (incoming: IncomingMessage) => {
        const statusCode = incoming.statusCode ?? 0;
        let read = 0;
        incoming.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read >= WEBHOOK_RESPONSE_READ_BYTES) finish({ ok: statusCode >= 200 && statusCode < 300, statusCode });
        });
        incoming.on('end', () => finish({ ok: statusCode >= 200 && statusCode < 300, statusCode }));
        incoming.on('error', () => finish({ ok: statusCode >= 200 && statusCode < 300, statusCode }));
      });
      outgoing.end(request.body);
    });
  }

  /** A `lookup` for the socket that resolves as dns.lookup does and refuses addresses the policy refuses. */
  private checkedLookup(): LookupFunction {
    return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
      dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) => {
        if (error) return callback(error);
        const verdict = judgeAddresses(addresses.map((entry) => entry.address), this.policy);
        if (!verdict.allowed) {
          const refused = Object.assign(new Error(`refused: ${hostname} resolves to a ${verdict.reason} address`), { code: 'EWEBHOOKTARGET' });
          return callback(refused);
        }
        const usable = options.family ? addresses.filter((entry) => entry.family === options.family) : addresses;
        if (options.all) return callback(null, usable);
        const first = usable[0];
        if (!first) return callback(Object.assign(new Error(`no address of ${hostname} for family ${options.family}`), { code: 'ENOTFOUND' }));
        callback(null, first.address, first.family);
      });
    }) as LookupFunction;
  }
}
