/**
 * End to end: a saturated local stack answers 503 SERVICE_BUSY with Retry-After in the surface's
 * error shape, never drops a socket, and stays up. It runs on a stack of its own, started the
 * way `npm start -- --in-memory` starts, with a pool of 2 workers and a queue of 2
 * (LOCAL_LAMBDA_WORKERS, LOCAL_LAMBDA_QUEUE), so a burst of 40 requests is past capacity. The e2e
 * global setup starts it in the background once the shared stack is up (test/support/e2e-global-setup.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { saturationLocalStack } from '../support/shared-local-stack';

const BURST = 40;

describe('the local stack past its capacity', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await saturationLocalStack();
  });

  afterAll(async () => {
    const report = await stack?.stop();
    expect(report?.leftovers).toEqual([]);
  });

  /** `BURST` concurrent GETs of `path`: every answer's status, Retry-After and body (a dropped socket throws). */
  const burst = (path: string, headers: Record<string, string> = {}) =>
    Promise.all(
      Array.from({ length: BURST }, async () => {
        const response = await fetch(new URL(path, stack.baseUrl), { headers, signal: AbortSignal.timeout(60_000) });
        return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
      }),
    );

  it('answers a Quantum path it cannot take with 503 SERVICE_BUSY in the Quantum shape, with Retry-After', async () => {
    // act
    const answers = await burst('/API/file/quota', stack.headers.master);

    // assess
    const busy = answers.filter((answer) => answer.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 503)).toBe(true);
    for (const answer of busy) {
      expect(answer.body).toEqual({ status: 'error', message: 'SERVICE_BUSY' });
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
  });

  it('answers an Apillon path it cannot take with 503 SERVICE_BUSY in the Apillon shape, and stays up', async () => {
    // act
    const answers = await burst('/storage/info', stack.headers.basic);

    // assess
    const busy = answers.filter((answer) => answer.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 503)).toBe(true);
    expect(busy[0]!.body).toMatchObject({ code: 50300002, message: 'SERVICE_BUSY', path: '/storage/info' });
    expect(Number(busy[0]!.retryAfter)).toBeGreaterThanOrEqual(1);
    const after = await stack.request('/status');
    expect(after.status, after.text).toBe(200);
  });
});
