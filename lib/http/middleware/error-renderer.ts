import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toAppError } from '../../errors';
import { definitionSite, errorRecordFile, recordRenderedError } from '../error-record';
import { renderError, type Surface, type SurfaceOf } from '../render';
import type { RouteContext } from './request-context';

/**
 * Turns any thrown error into the surface's error shape. Internals of anything
 * >= 500 stay in the log; the client sees only the catalogue entry. HEAD requests get
 * the same status and headers without the body. With ERROR_RECORD_FILE set (tests only),
 * each rendered error is recorded with the route's definition site (lib/http/error-record.ts).
 */
export function errorRenderer(surfaceOf: Surface | SurfaceOf): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, RouteContext> {
  const recordFile = errorRecordFile();
  const site = recordFile ? definitionSite() : undefined;
  return {
    name: 'errorRenderer',
    onError: (request) => {
      const error = toAppError(request.error);
      const state = request.context.route;
      if (error.status >= 500) {
        state?.log.error('request failed', { error: error.cause ?? error, errorName: error.errorName });
      } else {
        state?.log.info('request rejected', { errorName: error.errorName, status: error.status });
      }
      const surface = typeof surfaceOf === 'function' ? surfaceOf(request.event) : surfaceOf;
      const response = renderError(surface, { requestId: state?.requestId ?? 'unknown', path: request.event.rawPath ?? '' }, error);
      if (recordFile) {
        const method = request.event.requestContext?.http?.method ?? '';
        recordRenderedError(recordFile, { ...(site ? { site } : {}), method, path: request.event.rawPath ?? '', error: error.errorName });
      }
      // A HEAD answer has the status and headers of the GET one and never a body (RFC 9110 §9.3.2).
      request.response = request.event.requestContext?.http?.method === 'HEAD' ? { ...response, body: '' } : response;
    },
  };
}
