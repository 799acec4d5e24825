import type { ErrorName } from '../errors';
import type { Surface } from '../http/render';

/**
 * The Quantum surface's paths, as API Gateway route templates without the `/API` prefix
 * (every path is served at both), and the one method each takes. The endpoints' own
 * functions hold `<method> <path>`; the method-not-allowed function holds `ANY <path>` for
 * every path here, so API Gateway hands it whatever the endpoints do not take.
 *
 * A GET path with `head` is served for HEAD too (the downloads; RFC 9110 §9.3.2), by the same function.
 *
 * A path with `incomplete` lacks a segment its endpoint needs (the bucket, the location,
 * the token). No endpoint serves it; with its method it gets that error instead of API
 * Gateway's own `{"message":"Not Found"}`, with another method 405 like any path.
 *
 * test/unit/quantum-routes.test.ts checks this table against the function.yml files.
 */
export const QUANTUM_PATHS: Readonly<
  Record<string, { readonly method: 'GET' | 'POST'; readonly head?: true; readonly incomplete?: ErrorName }>
> = {
  '/status': { method: 'GET' },
  '/bucket': { method: 'GET' },
  '/bucket/create': { method: 'POST', incomplete: 'invalidPath' },
  '/bucket/create/{bucket}': { method: 'POST' },
  '/bucket/policy': { method: 'POST', incomplete: 'invalidPath' },
  '/bucket/policy/{bucket}': { method: 'POST' },
  '/bucket/remove': { method: 'POST', incomplete: 'invalidPath' },
  '/bucket/remove/{bucket}': { method: 'POST' },
  '/token/create': { method: 'POST', incomplete: 'invalidPath' },
  '/token/create/{bucket}': { method: 'POST' },
  '/token/remove': { method: 'POST', incomplete: 'invalidPath' },
  '/token/remove/{token}': { method: 'POST' },
  '/token/remove/b/{bucket}': { method: 'POST' },
  '/file/add': { method: 'POST', incomplete: 'invalidPath' },
  '/file/add/{bucket}': { method: 'POST' }, // the bucket root: `location` is optional for uploads
  '/file/add/{bucket}/{location+}': { method: 'POST' },
  '/file/mkdir': { method: 'POST', incomplete: 'invalidPath' },
  '/file/mkdir/{bucket}': { method: 'POST', incomplete: 'invalidPath' },
  '/file/mkdir/{bucket}/{location+}': { method: 'POST' },
  '/file/remove': { method: 'POST', incomplete: 'invalidPath' },
  '/file/remove/{bucket}': { method: 'POST', incomplete: 'invalidPath' },
  '/file/remove/{bucket}/{location+}': { method: 'POST' },
  '/file/get': { method: 'GET', incomplete: 'invalidPath' },
  '/file/get/{bucket}': { method: 'GET', incomplete: 'invalidPath' },
  '/file/get/{bucket}/{location+}': { method: 'GET' },
  '/file/download': { method: 'GET', head: true, incomplete: 'invalidDownloadToken' },
  '/file/download/{token}': { method: 'GET', head: true },
  '/file/quota': { method: 'GET' },
  // Large files, straight to S3 in parts (lib/quantum/uploads.ts): create at a location, then by the upload's id.
  '/upload/create': { method: 'POST', incomplete: 'invalidPath' },
  '/upload/create/{bucket}': { method: 'POST', incomplete: 'invalidPath' },
  '/upload/create/{bucket}/{location+}': { method: 'POST' },
  '/upload/parts': { method: 'POST', incomplete: 'invalidPath' },
  '/upload/parts/{bucket}': { method: 'POST', incomplete: 'multipartUploadNotFound' },
  '/upload/parts/{bucket}/{upload}': { method: 'POST' },
  '/upload/list': { method: 'GET', incomplete: 'invalidPath' },
  '/upload/list/{bucket}': { method: 'GET', incomplete: 'multipartUploadNotFound' },
  '/upload/list/{bucket}/{upload}': { method: 'GET' },
  '/upload/complete': { method: 'POST', incomplete: 'invalidPath' },
  '/upload/complete/{bucket}': { method: 'POST', incomplete: 'multipartUploadNotFound' },
  '/upload/complete/{bucket}/{upload}': { method: 'POST' },
  '/upload/abort': { method: 'POST', incomplete: 'invalidPath' },
  '/upload/abort/{bucket}': { method: 'POST', incomplete: 'multipartUploadNotFound' },
  '/upload/abort/{bucket}/{upload}': { method: 'POST' },
};

/** The first segments of the Quantum surface's bare paths (`status`, `bucket`, `token`, `file`, `upload`). */
const QUANTUM_ROOTS = new Set(Object.keys(QUANTUM_PATHS).map((path) => path.split('/')[1]!));

/**
 * Which surface answers a request path that no endpoint took (API Gateway's `$default`
 * route): Quantum for `/API` and everything under it, and for the seed's bare paths
 * (`/status`, `/bucket…`, `/token…`, `/file…`, `/upload…`); Apillon for `/storage…`, `/ipfs…` and anything else.
 */
export function surfaceOfPath(rawPath: string): Surface {
  const first = rawPath.split('/')[1] ?? '';
  return first === 'API' || QUANTUM_ROOTS.has(first) ? 'quantum' : 'apillon';
}

/**
 * What a request that reached no endpoint gets: the path's own error when it used the
 * path's method (or HEAD, where the path takes it) on an incomplete path, else 405;
 * API Gateway's catch-all route (`$default`: no route has this path) is 404 ROUTE_NOT_FOUND.
 * `routeKey` is API Gateway's (`ANY /API/file/mkdir/{bucket}`); anything else unknown is a 405.
 */
export function unservedRequestError(routeKey: string, method: string): ErrorName {
  if (routeKey === '$default') return 'routeNotFound';
  const template = routeKey.slice(routeKey.indexOf(' ') + 1).replace(/^\/API(?=\/)/, '');
  const path = Object.hasOwn(QUANTUM_PATHS, template) ? QUANTUM_PATHS[template] : undefined;
  const verb = method.toUpperCase();
  const served = path !== undefined && (verb === path.method || (verb === 'HEAD' && path.head === true));
  return served && path.incomplete !== undefined ? path.incomplete : 'methodNotAllowed';
}
