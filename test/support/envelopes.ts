/**
 * Assertions on the two surfaces' response shapes (SPEC §3, §4), so tests state
 * the status and code they expect and these check the rest of the envelope.
 */
import { expect } from 'vitest';
import type { InvokeResult } from './events';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Apillon error: `{id, code, message, path, timestamp}`, `id` equal to the `x-request-id` header, and `details`
 * (the refusal's facts, e.g. a size limit) exactly when `expected.details` is given (matched as an object subset).
 */
export function expectApillonError(
  response: InvokeResult,
  expected: { status: number; code: number; message: string; path?: string; details?: Record<string, unknown> },
): void {
  expect({ status: response.statusCode, code: response.body?.code, message: response.body?.message }).toEqual({
    status: expected.status,
    code: expected.code,
    message: expected.message,
  });
  expect(Object.keys(response.body).sort()).toEqual(['code', 'id', 'message', 'path', 'timestamp', ...(expected.details ? ['details'] : [])].sort());
  if (expected.details) expect(response.body.details).toMatchObject(expected.details);
  expect(response.body.id).toMatch(UUID);
  expect(response.headers['x-request-id']).toBe(response.body.id);
  if (expected.path !== undefined) expect(response.body.path).toBe(expected.path);
  expect(new Date(response.body.timestamp).toISOString()).toBe(response.body.timestamp);
}

/** Apillon success: `{id, status, data}`, `id` equal to the `x-request-id` header. */
export function expectApillonSuccess(response: InvokeResult, status = 200): void {
  expect(response.statusCode).toBe(status);
  expect(Object.keys(response.body).sort()).toEqual(['data', 'id', 'status']);
  expect(response.body.status).toBe(status);
  expect(response.body.id).toMatch(UUID);
  expect(response.headers['x-request-id']).toBe(response.body.id);
}

/**
 * Quantum error: exactly `{status: 'error', message: <CODE>}`, with a request id header; with `expected.data`, also
 * `data` (the refusal's facts, matched as an object subset).
 */
export function expectQuantumError(response: InvokeResult, expected: { status: number; message: string; data?: Record<string, unknown> }): void {
  expect({ status: response.statusCode, body: response.body }).toEqual({
    status: expected.status,
    body: { status: 'error', message: expected.message, ...(expected.data ? { data: expect.objectContaining(expected.data) } : {}) },
  });
  expect(response.headers['x-request-id']).toMatch(UUID);
}

/** Quantum success: `{status: 'success', message, data?}`, with a request id header. */
export function expectQuantumSuccess(response: InvokeResult, status = 200): void {
  expect(response.statusCode).toBe(status);
  expect(response.body.status).toBe('success');
  expect(typeof response.body.message).toBe('string');
  expect(Object.keys(response.body).every((key) => ['status', 'message', 'data'].includes(key))).toBe(true);
  expect(response.headers['x-request-id']).toMatch(UUID);
}
