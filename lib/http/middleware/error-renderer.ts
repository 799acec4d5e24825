import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toAppError } from '../../errors';
import { renderError, type Surface } from '../render';
import type { RouteContext } from './request-context';

/**
 * Turns any thrown error into the surface's error shape. Internals of anything
 * >= 500 stay in the log; the client sees only the catalogue entry.
 */
export function errorRenderer(surface: Surface): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, RouteContext> {
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
      request.response = renderError(
        surface,
        { requestId: state?.requestId ?? 'unknown', path: request.event.rawPath ?? '' },
        error,
      );
    },
  };
}
