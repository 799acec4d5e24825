/**
 * For tests of the small AWS clients (lib/store/*-client.ts) against an independent
 * source of the wire format: a local HTTP server giving scripted answers, and the
 * request an AWS SDK client builds for the same input, caught before it is sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly request: IncomingMessage;
  readonly body: string;
}

/**
 * A server on a free local port giving `answers` in order (the last one again), recording each
 * request and its body; `close` stops it.
 */
export async function serverAnswering(
  ...answers: Array<(response: ServerResponse) => void>
): Promise<{ endpoint: string; received: Received[]; close: () => void }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ request, body: Buffer.concat(chunks).toString('utf8') });
      answers[Math.min(received.length, answers.length) - 1]!(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => server.close() };
}

/** The request as an SDK client would send it: method, path, headers, body (UTF-8). */
export interface SdkRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface SdkClient {
  readonly middlewareStack: { add(middleware: unknown, options: object): void };
  send(command: unknown): Promise<unknown>;
}

/**
 * What an AWS SDK v3 client sends for `command`, signed and final, caught by a middleware at the
 * end of the finalizeRequest step that stops before the network. Throws if nothing was caught.
 */
export async function sdkRequest(client: SdkClient, command: unknown): Promise<SdkRequest> {
  const stop = new Error('stopped before sending');
  let captured: SdkRequest | undefined;
  client.middlewareStack.add(
    () => async (args: { request: unknown }) => {
      const request = args.request as { method: string; path: string; headers: Record<string, string>; body: string | Uint8Array };
      const body = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
      captured = { method: request.method, path: request.path, headers: request.headers, body };
      throw stop;
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureRequest' },
  );
  const outcome = await client.send(command).then(() => undefined, (error: unknown) => error);
  if (outcome !== stop || !captured) throw new Error(`the SDK client did not reach the network step: ${String(outcome)}`);
  return captured;
}
