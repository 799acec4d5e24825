/**
 * The webhook HTTP sender (lib/store/webhook-sender.ts) against real local servers: the timeout, the bounded read,
 * no redirects, and the address check at the connection (a name is judged by what it resolves to when connecting).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpWebhookSender } from '../../lib/store/webhook-sender';

let server: Server;
let port = 0;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    hits.push(request.url ?? '');
    request.resume();
    if (request.url === '/hang') return; // never answers
    if (request.url === '/redirect') return void response.writeHead(307, { location: '/target' }).end();
    if (request.url === '/huge') {
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => { while (response.write(chunk)) { /* until the socket pushes back */ } };
      response.on('drain', pump);
      pump();
      return;
    }
    response.writeHead(202).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const post = (sender: HttpWebhookSender, url: string) => sender.post({ url, headers: { 'content-type': 'application/json' }, body: '{}' });
const local = new HttpWebhookSender({ allowLoopback: true }, 500);

describe('webhook sender', () => {
  it('answers the status of a 2xx', async () => {
    // assess
    expect(await post(local, `http://127.0.0.1:${port}/ok`)).toEqual({ ok: true, statusCode: 202 });
  });

  it('gives up after its timeout', async () => {
    // act
    const started = Date.now();
    const response = await post(local, `http://127.0.0.1:${port}/hang`);

    // assess
    expect(response).toEqual({ ok: false, error: 'timeout after 500 ms' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('does not follow a redirect', async () => {
    // prepare
    hits.length = 0;

    // act
    const response = await post(local, `http://127.0.0.1:${port}/redirect`);

    // assess
    expect(response).toEqual({ ok: false, statusCode: 307 });
    expect(hits).toEqual(['/redirect']);
  });

  it('reads no more than a few KiB of an endless answer', async () => {
    // assess: it returns (the body is never read to its end) with the status
    expect(await post(local, `http://127.0.0.1:${port}/huge`)).toEqual({ ok: true, statusCode: 200 });
  });

  it('refuses loopback where the stage does not allow it: an IP literal before connecting, a name at the connection', async () => {
    // prepare
    const strict = new HttpWebhookSender({ allowLoopback: false }, 500);
    hits.length = 0;

    // act
    const literal = await post(strict, `http://127.0.0.1:${port}/ok`);
    const named = await post(strict, `http://localhost:${port}/ok`);

    // assess
    expect(literal).toEqual({ ok: false, error: 'refused: 127.0.0.1 is a loopback address' });
    expect(named).toEqual({ ok: false, error: 'refused: localhost resolves to a loopback address' });
    expect(hits).toEqual([]);
  });
});
