/**
 * For tests of what the service does with answers the emulators never give (faults, per-entry
 * failures): a local HTTP server giving scripted answers; and the request an AWS SDK client
 * builds, caught before it is sent.
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
  ...answers: Array<(response: ServerResponse, body: string) => void>
): Promise<{ endpoint: string; received: Received[]; close: () => void }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ request, body });
      answers[Math.min(received.length, answers.length) - 1]!(response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => server.close() };
}
