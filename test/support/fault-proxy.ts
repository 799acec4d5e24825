/**
 * A small HTTP proxy in front of an emulator (s3rver, DynamoDB Local) that answers some requests itself, as
 * AWS does when it is overloaded: a scripted error (S3's 503 SlowDown) or no answer at all (a call that
 * times out). Everything else is passed through unchanged. Tests of faults point a service's endpoint
 * (S3_ENDPOINT, DYNAMODB_ENDPOINT) at it.
 */
import { createServer, request as forward, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What to do with one request: pass it on, never answer it, or answer it with this error. */
export type Fault = 'pass' | 'hang' | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> };

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly fault: 'pass' | 'hang' | number;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Every request, in order, with what the proxy did with it. */
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

/** Starts the proxy on a free local port; `decide` sees each request (method, path, headers) and the count of earlier ones it matched nothing about. */
export async function faultProxy(target: string, decide: (request: { method: string; url: string; headers: IncomingHttpHeaders }) => Fault): Promise<FaultProxy> {
  const upstream = new URL(target);
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((incoming, outgoing) => {
    const fault = decide({ method: incoming.method ?? 'GET', url: incoming.url ?? '/', headers: incoming.headers });
    seen.push({ method: incoming.method ?? 'GET', url: incoming.url ?? '/', headers: incoming.headers, fault: typeof fault === 'object' ? fault.status : fault });
    if (fault === 'hang') {
      incoming.resume();
      return; // never answered: the client's request timeout decides
    }
    if (fault !== 'pass') {
      incoming.resume();
      incoming.on('end', () => outgoing.writeHead(fault.status, fault.headers ?? { 'content-type': 'application/xml' }).end(fault.body));
      return;
    }
    const proxied = forward(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host }, agent: false },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    proxied.on('error', () => outgoing.destroy());
    incoming.pipe(proxied);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** S3's answer when it asks a client to slow down (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
export const SLOW_DOWN: Fault = {
  status: 503,
  body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>FAULT</RequestId></Error>',
  headers: { 'content-type': 'application/xml' },
};
