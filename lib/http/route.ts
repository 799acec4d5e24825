import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { $ZodType, output } from 'zod/v4/core';
import type { Principal } from '../domain/principal';
import type { Logger } from '../log';
import { services as defaultServices, type Services } from '../services';
import { authentication } from './middleware/authenticate';
import { errorRenderer } from './middleware/error-renderer';
import { jsonBody } from './middleware/json-body';
import { requestContext, type RouteContext } from './middleware/request-context';
import { renderSuccess, type SuccessResult, type Surface } from './render';
import { parseOrThrow } from './validation';

interface Schemas {
  readonly body?: $ZodType;
  readonly query?: $ZodType;
  readonly path?: $ZodType;
}

type Parsed<S, K extends keyof Schemas> = S extends { [P in K]: infer T extends $ZodType } ? output<T> : undefined;

export interface RouteInput<S extends Schemas, A extends boolean> {
  readonly body: Parsed<S, 'body'>;
  readonly query: Parsed<S, 'query'>;
  readonly path: Parsed<S, 'path'>;
  readonly principal: A extends false ? undefined : Principal;
  readonly services: Services;
  readonly log: Logger;
  readonly requestId: string;
  readonly event: APIGatewayProxyEventV2;
}

/** A handler returns either data for the surface's envelope or a finished HTTP response (downloads, redirects). */
export type RouteOutput = SuccessResult | { readonly response: APIGatewayProxyStructuredResultV2 };

export interface RouteSpec<S extends Schemas, A extends boolean> {
  readonly surface: Surface;
  /** Whether a credential is required (default true). */
  readonly auth?: A;
  /** How the body is read: JSON (default) or left alone for the handler (multipart). */
  readonly bodyFormat?: 'json' | 'raw';
  readonly schemas?: S;
  /** Apillon's `model` name in 422 validation errors. */
  readonly model?: string;
  /** Overrides the process services (tests). */
  readonly services?: () => Services;
}

export type HttpHandler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>;

/**
 * The one HTTP stack every endpoint shares: request id → error rendering →
 * authentication → body parsing → validation → the handler's single domain call
 * → the surface's envelope.
 */
export function route<S extends Schemas = Record<never, never>, A extends boolean = true>(
  spec: RouteSpec<S, A>,
  handler: (input: RouteInput<S, A>) => Promise<RouteOutput>,
): HttpHandler {
  const stack = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, RouteContext>()
    .use(requestContext(spec.services ?? defaultServices))
    .use(errorRenderer(spec.surface));
  if (spec.auth !== false) stack.use(authentication());
  if ((spec.bodyFormat ?? 'json') === 'json') stack.use(jsonBody());

  const wrapped = stack.handler(async (event, context) => {
    const state = context.route;
    const input = {
      body: validated(spec.schemas?.body, state.body ?? {}, spec.model),
      query: validated(spec.schemas?.query, event.queryStringParameters ?? {}, spec.model),
      path: validated(spec.schemas?.path, event.pathParameters ?? {}, spec.model),
      principal: state.principal,
      services: state.services,
      log: state.log,
      requestId: state.requestId,
      event,
    } as RouteInput<S, A>;
    const output = await handler(input);
    if ('response' in output) return output.response;
    return renderSuccess(spec.surface, { requestId: state.requestId, path: event.rawPath }, output);
  });
  return wrapped as unknown as HttpHandler;
}

function validated(schema: $ZodType | undefined, value: unknown, model: string | undefined): unknown {
  return schema ? parseOrThrow(schema, value, model) : undefined;
}
