import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AppError } from '../errors';

/** The two API surfaces: each renders success and the error catalogue in its own shape. */
export type Surface = 'apillon' | 'quantum';

/** Picks the surface of a request from its path (routes shared by both surfaces: the catch-all). */
export type SurfaceOf = (event: APIGatewayProxyEventV2) => Surface;

export interface SuccessResult {
  /** HTTP status; 200 unless the route says otherwise (Apillon uses 201 for creations). */
  readonly status?: number;
  /** Quantum's `message` text. */
  readonly message?: string;
  readonly data?: unknown;
}

export interface RenderContext {
  readonly requestId: string;
  readonly path: string;
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

export function renderSuccess(surface: Surface, ctx: RenderContext, result: SuccessResult): APIGatewayProxyStructuredResultV2 {
  const status = result.status ?? 200;
  if (surface === 'apillon') return json(status, { id: ctx.requestId, status, data: result.data ?? {} });
  return json(status, {
    status: status < 400 ? 'success' : 'error',
    message: result.message ?? 'OK',
    ...(result.data === undefined ? {} : { data: result.data }),
  });
}

/** The error in the surface's shape, with the headers the error carries (e.g. a 416's `Content-Range`). */
export function renderError(surface: Surface, ctx: RenderContext, error: AppError): APIGatewayProxyStructuredResultV2 {
  const rendered = renderErrorBody(surface, ctx, error);
  return error.headers ? { ...rendered, headers: { ...rendered.headers, ...error.headers } } : rendered;
}

function renderErrorBody(surface: Surface, ctx: RenderContext, error: AppError): APIGatewayProxyStructuredResultV2 {
  const { definition } = error;
  if (surface === 'quantum') {
    return json(definition.quantum.status, { status: 'error', message: definition.quantum.message, ...quantumData(error) });
  }
  const timestamp = new Date().toISOString();
  if (error.errorName === 'validationFailed') {
    return json(definition.status, {
      id: ctx.requestId,
      model: error.model ?? 'Request',
      errors: error.fieldErrors,
      path: ctx.path,
      timestamp,
    });
  }
  return json(definition.status, {
    id: ctx.requestId,
    code: definition.code,
    message: definition.message,
    path: ctx.path,
    timestamp,
    // An extra field (README "Errors"): clients of the real service read `code` and `message`, which stay as they are.
    ...(error.details ? { details: error.details } : {}),
  });
}

/**
 * Quantum's `data` of an error: the refusal's facts (a limit in bytes, the offending file), or for a request value
 * that fails validation the offending fields, `{errors: [{property, message, maximum?, minimum?}]}` (the body's own
 * key names, e.g. `max_file_size`); nothing when there is nothing to add.
 */
function quantumData(error: AppError): { data?: unknown } {
  if (error.details) return { data: error.details };
  if (error.fieldErrors.length > 0) return { data: { errors: error.fieldErrors.map(({ code: _code, ...field }) => field) } };
  return {};
}
