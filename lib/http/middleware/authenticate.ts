import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authenticate } from '../../core/access/authenticate';
import { headerValue } from './json-body';
import type { RouteContext } from './request-context';

/** Resolves the caller's credential (any of the three kinds) to `context.route.principal`. */
export function authentication(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, RouteContext> {
  return {
    name: 'authentication',
    before: async (request) => {
      const { event } = request;
      request.context.route.principal = await authenticate(request.context.route.services.accounts, {
        'x-api-mkey': headerValue(event, 'x-api-mkey'),
        'x-api-akey': headerValue(event, 'x-api-akey'),
        authorization: headerValue(event, 'authorization'),
      });
    },
  };
}
