import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { $ZodType, output } from 'zod/v4/core';
import * as z from 'zod/mini';
import type { Principal } from '../core/access/principal';
import type { Logger } from '../log';
import { authentication } from './middleware/authenticate';
import { errorRenderer } from './middleware/error-renderer';
import { jsonBody } from './middleware/json-body';
import { queryParameters } from './parameters';
import { requestContext, type HttpServices, type RouteContext } from './middleware/request-context';
import { renderSuccess, type SuccessResult, type Surface, type SurfaceOf } from './render';
import { requireValidPathParameter } from './text';
import { parseOrThrow } from './validation';

export interface Schemas {
  readonly body?: $ZodType;
  readonly query?: $ZodType;
  readonly path?: $ZodType;
}

type Parsed<S, K extends keyof Schemas> = S extends { [P in K]: infer T extends $ZodType } ? output<T> : undefined;

export interface RouteInput<S extends Schemas, A extends boolean, Svc extends HttpServices = HttpServices> {
  readonly body: Parsed<S, 'body'>;
  readonly query: Parsed<S, 'query'>;
  readonly path: Parsed<S, 'path'>;
  readonly principal: A extends false ? undefined : Principal;
  readonly services: Svc;
  readonly log: Logger;
  readonly requestId: string;
  readonly event: APIGatewayProxyEventV2;
}

/** A handler returns either data for the surface's envelope or a finished HTTP response (downloads, redirects). */
export type RouteOutput = SuccessResult | { readonly response: APIGatewayProxyStructuredResultV2 };

export interface RouteSpec<S extends Schemas, A extends boolean, Svc extends HttpServices = HttpServices> {
  /** The surface whose shapes render the answers; a function picks it per request (the catch-all route). */
  readonly surface: Surface | SurfaceOf;
  /** Whether a credential is required (default true). */
  readonly auth?: A;
  /**
   * How the body is read. A route that declares `schemas.body` reads JSON; `raw`
   * leaves it to the handler (multipart). Any other route takes no body and
   * ignores one, as the Django service does (`curl -d a=b -X POST …/bucket/create/x`).
   */
  readonly bodyFormat?: 'json' | 'raw';
  /**
   * Query parameters the route does not take: `refuse` (422 PARAMETER_NOT_SUPPORTED
   * naming each; the Apillon default) or `ignore` (the Quantum default, as Django
   * views ignore what they do not read; the public gateway, as IPFS gateways do).
   */
  readonly unknownQuery?: 'refuse' | 'ignore';
  readonly schemas?: S;
  /** Apillon's `model` name in 422 validation errors. */
  readonly model?: string;
  /** Overrides the services the route was bound to (tests). */
  readonly services?: () => Svc;
}

export type HttpHandler = middy.MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context> & {
  /** The route's declaration (surface, auth, schemas): what scripts/openapi/generate.ts documents. */
  readonly routeSpec?: RouteSpec<Schemas, boolean>;
};

/**
 * The one HTTP stack every endpoint shares: request id → error rendering →
 * authentication → body parsing → validation → the handler's single domain call
 * → the surface's envelope. `routeWith(getServices)` binds it to a composition root
 * (lib/app/route.ts binds the process services): the toolkit knows no service wiring,
 * only what the stack itself uses ({@link HttpServices}: logger, metrics, the account
 * store for authentication). `getServices` is called once per request.
 */
export function routeWith<Svc extends HttpServices>(getServices: () => Svc) {
  return function route<S extends Schemas = Record<never, never>, A extends boolean = true>(
    spec: RouteSpec<S, A, Svc>,
    handler: (input: RouteInput<S, A, Svc>) => Promise<RouteOutput>,
  ): HttpHandler {
    return buildRoute(spec, handler, spec.services ?? getServices);
  };
}

function buildRoute<S extends Schemas, A extends boolean, Svc extends HttpServices>(
  spec: RouteSpec<S, A, Svc>,
  handler: (input: RouteInput<S, A, Svc>) => Promise<RouteOutput>,
  getServices: () => Svc,
): HttpHandler {
  const stack = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, RouteContext>()
    .use(requestContext(getServices))
    .use(errorRenderer(spec.surface));
  if (spec.auth !== false) stack.use(authentication());
  const bodyFormat = spec.bodyFormat ?? (spec.schemas?.body ? 'json' : 'none');
  if (bodyFormat === 'json') stack.use(jsonBody());
  // A route whose surface is chosen per request (the catch-all) takes no query.
  const refuseUnknownQuery = (spec.unknownQuery ?? (spec.surface === 'apillon' ? 'refuse' : 'ignore')) === 'refuse';
  const querySchema = spec.schemas?.query ?? (refuseUnknownQuery ? z.strictObject({}) : undefined);

  const wrapped = stack.handler(async (event, context) => {
    const state = context.route;
    const surface = typeof spec.surface === 'function' ? spec.surface(event) : spec.surface;
    const pathParameters = event.pathParameters ?? {};
    for (const value of Object.values(pathParameters)) requireValidPathParameter(value ?? '');
    const query = querySchema ? queryParameters(event, surface) : {};
    const input = {
      body: validated(spec.schemas?.body, state.body ?? {}, spec.model),
      query: validated(querySchema, query, spec.model),
      path: validated(spec.schemas?.path, pathParameters, spec.model),
      principal: state.principal,
      services: state.services,
      log: state.log,
      requestId: state.requestId,
      event,
    } as RouteInput<S, A, Svc>;
    const output = await handler(input);
    if ('response' in output) return output.response;
    return renderSuccess(surface, { requestId: state.requestId, path: event.rawPath }, output);
  });
  return Object.assign(wrapped, { routeSpec: spec as RouteSpec<Schemas, boolean> }) as unknown as HttpHandler;
}

function validated(schema: $ZodType | undefined, value: unknown, model: string | undefined): unknown {
  return schema ? parseOrThrow(schema, value, model) : undefined;
}
