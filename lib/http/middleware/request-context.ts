import { randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '../../log';
import type { Principal } from '../../core/access/principal';
import type { AccountStore } from '../../core/ports';

/**
 * What the shared stack itself uses of the services a route is bound to: the logger,
 * the invocation's metrics (published once per request), and the account store that
 * authentication reads. The composition root (lib/app) supplies a superset.
 */
export interface HttpServices {
  readonly logger: Logger;
  readonly metrics: { publish(): void; captureColdStart(functionName: string): void };
  readonly accounts: AccountStore;
}

/** What the shared stack attaches to the Lambda context for the handler. */
export interface RouteState {
  requestId: string;
  log: Logger;
  services: HttpServices;
  startedAt: number;
  principal?: Principal;
  body?: unknown;
}

export type RouteContext = import('aws-lambda').Context & { route: RouteState };
export type HttpRequest = Parameters<NonNullable<MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, RouteContext>['before']>>[0];

/**
 * First in the stack: gives the request its uuid and a logger that carries it
 * (`requestId`, our `x-request-id`) with API Gateway's request id as Powertools'
 * `correlation_id` and the Lambda context keys (cold start, function name, Lambda
 * request id); stamps `x-request-id` on whatever response leaves, success or
 * error; publishes the invocation's metrics (EMF) last.
 */
export function requestContext(getServices: () => HttpServices): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, RouteContext> {
  const stamp = (request: HttpRequest) => {
    const state = request.context.route;
    if (!request.response || !state) return;
    request.response.headers = { ...request.response.headers, 'x-request-id': state.requestId };
    state.log.info('request finished', {
      // The route template, never the raw path: paths carry download and application tokens.
      route: request.event.routeKey,
      status: request.response.statusCode,
      durationMs: Date.now() - state.startedAt,
    });
    state.services.metrics.publish();
  };
  return {
    name: 'requestContext',
    before: (request) => {
      const services = getServices();
      const requestId = randomUUID();
      request.context.route = {
        requestId,
        services,
        startedAt: Date.now(),
        log: services.logger.forInvocation(request.context, {
          requestId,
          // API Gateway's own id (its access logs and `apigw-requestid` header), to follow one request across both.
          correlation_id: request.event.requestContext?.requestId,
        }),
      };
      services.metrics.captureColdStart(request.context.functionName);
    },
    after: stamp,
    onError: stamp,
  };
}
