/** When the CLI tries again (cli/retry.ts, cli/api.ts withRetries) and what its resume journal remembers (cli/journal.ts). */
import { describe, expect, it } from 'vitest';
import { ApiError, errorFromAnswer, NetworkError, withRetries } from '../../../cli/api';
import { replay } from '../../../cli/journal';
import { isMissingRoute } from '../../../cli/upload';
import { backoffDelay, isRetryableStatus, parseRetryAfter, waitPollDelay } from '../../../cli/retry';

const POLICY = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

describe('retry policy', () => {
  it('retries 5xx and 429, not other 4xx', () => {
    expect([500, 502, 503, 429].map(isRetryableStatus)).toEqual([true, true, true, true]);
    expect([400, 401, 403, 404, 422].map(isRetryableStatus)).toEqual([false, false, false, false, false]);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('polls --wait every second while files settle, every 5 s after 30 s without a change', () => {
    expect([0, 1_000, 29_999, 30_000, 600_000].map(waitPollDelay)).toEqual([1_000, 1_000, 1_000, 5_000, 5_000]);
  });

  it('backs off exponentially with jitter, honours Retry-After, caps both', () => {
    const policy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 20_000 };
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, policy, undefined, () => 0))).toEqual([125, 250, 500, 1000]);
    expect(backoffDelay(3, policy, undefined, () => 0.999)).toBeLessThanOrEqual(1000);
    expect(backoffDelay(1, policy, 3000, () => 0)).toBe(3000);
    expect(backoffDelay(20, policy, 3_600_000, () => 0)).toBe(20_000);
  });

  it('tries again after a 503 until an answer, and gives up on a 4xx at once', async () => {
    // prepare
    let calls = 0;
    const busyThenOk = async () => {
      calls++;
      if (calls < 3) throw errorFromAnswer(503, '{"code":50300001,"message":"SERVICE_BUSY"}', '0');
      return 'ok';
    };
    let refusedCalls = 0;
    const refused = async () => {
      refusedCalls++;
      throw errorFromAnswer(404, '{"code":40406002,"message":"BUCKET_NOT_FOUND"}');
    };

    // act
    const answer = await withRetries('GET /x', 4, POLICY, () => undefined, busyThenOk).catch(() => 'x');
    const error = await withRetries('GET /y', 4, POLICY, () => undefined, refused).catch((caught: unknown) => caught);

    // assess
    expect(answer).toBe('ok');
    expect(calls).toBe(3);
    expect(refusedCalls).toBe(1);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).describe()).toBe('BUCKET_NOT_FOUND (40406002, HTTP 404)');
  });

  it('turns a network failure that outlasts its attempts into a NetworkError', async () => {
    // prepare
    let calls = 0;
    const unreachable = async () => {
      calls++;
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    };

    // act
    const error = await withRetries('GET /z', 3, POLICY, () => undefined, unreachable).catch((caught: unknown) => caught);

    // assess
    expect(calls).toBe(3);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toBe('GET /z: no answer (ECONNREFUSED)');
  });

  it('describes a 422 with its details, and a body that is not the surface’s', () => {
    expect(errorFromAnswer(422, '{"model":"x","errors":[{"code":42200008,"property":"fileName","message":"FILE_NAME_NOT_PRESENT"}]}').describe()).toBe(
      'VALIDATION_ERROR (42200008, HTTP 422): fileName: FILE_NAME_NOT_PRESENT (42200008)',
    );
    expect(errorFromAnswer(404, 'Not Found').describe()).toBe('HTTP 404: Not Found (HTTP 404)');
  });

  it('describes a refusal with the limit its details name (the reason, and a 422 entry’s bound)', () => {
    const quota = '{"code":40006003,"message":"NOT_ENOUGH_STORAGE_SPACE","details":{"limitBytes":100,"reason":"101 bytes more would pass the account’s quota of 100 bytes (0 used, 100 left)"}}';
    expect(errorFromAnswer(400, quota).describe()).toBe(
      'NOT_ENOUGH_STORAGE_SPACE (40006003, HTTP 400): 101 bytes more would pass the account’s quota of 100 bytes (0 used, 100 left)',
    );
    expect(errorFromAnswer(422, '{"model":"x","errors":[{"code":42200013,"property":"fileSize","message":"FILE_SIZE_NOT_VALID","maximum":5368709120}]}').describe()).toBe(
      'VALIDATION_ERROR (42200013, HTTP 422): fileSize: FILE_SIZE_NOT_VALID, at most 5368709120 (42200013)',
    );
  });
});

describe('multipart feature detection', () => {
  it('takes only a missing route for a service without multipart uploads', () => {
    expect(isMissingRoute(errorFromAnswer(404, '{"code":40400001,"message":"ROUTE_NOT_FOUND"}'))).toBe(true);
    expect(isMissingRoute(errorFromAnswer(405, '{"code":40500001,"message":"METHOD_NOT_ALLOWED"}'))).toBe(true);
    expect(isMissingRoute(errorFromAnswer(404, '{"message":"Not Found"}'))).toBe(true);
    expect(isMissingRoute(errorFromAnswer(404, '{"code":40406004,"message":"FILE_UPLOAD_SESSION_NOT_FOUND"}'))).toBe(false);
    expect(isMissingRoute(errorFromAnswer(422, '{"code":42200001,"message":"X"}'))).toBe(false);
  });
});

describe('upload journal', () => {
  it('replays the latest state of each file, and skips a line cut by a kill', () => {
    // act
    const state = replay([
      '{"type":"session","sessionUuid":"s1"}',
      '{"type":"requested","relative":"a.txt","size":1,"mtimeMs":5,"fileUuid":"u1","sessionUuid":"s1"}',
      '{"type":"requested","relative":"b.txt","size":2,"mtimeMs":5,"fileUuid":"u2","sessionUuid":"s1"}',
      '{"type":"stored","fileUuid":"u1"}',
      '{"type":"requested","relative":"b.txt","size":2,"mtimeMs":5,"fileUuid":"u3","sessionUuid":"s1"}',
      '{"type":"stored","fileUuid":"u2"}',
      '{"type":"stored","fileU',
    ]);

    // assess: b.txt's first request was replaced by a newer one, so its late "stored" does not count
    expect(state.sessions).toEqual(['s1']);
    expect(state.files.get('a.txt')).toMatchObject({ fileUuid: 'u1', stored: true });
    expect(state.files.get('b.txt')).toMatchObject({ fileUuid: 'u3', stored: false });
  });
});
