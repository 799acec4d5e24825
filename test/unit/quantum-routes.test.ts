import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUANTUM_PATHS, surfaceOfPath, unservedRequestError } from '../../lib/quantum/routes';

const FUNCTIONS = path.resolve(__dirname, '../../functions/quantum');

/** `[method, path]` of every httpApi event of one function.yml. */
function routesOf(directory: string): [string, string][] {
  const yml = readFileSync(path.join(FUNCTIONS, directory, 'function.yml'), 'utf8');
  return [...yml.matchAll(/httpApi:\s*\{\s*method:\s*(\w+),\s*path:\s*(?:'([^']+)'|([^'\s,}]+))\s*\}/g)].map((match) => [match[1]!, match[2] ?? match[3]!]);
}

const endpointRoutes = readdirSync(FUNCTIONS)
  .filter((directory) => directory !== 'method-not-allowed')
  .flatMap(routesOf);
const anyRoutes = routesOf('method-not-allowed');
const bothPrefixes = (paths: string[]) => paths.flatMap((p) => [p, `/API${p}`]).sort();

describe('the Quantum route table', () => {
  it('has an ANY route, with and without /API, for every path and for nothing else', () => {
    // assess
    expect(anyRoutes.every(([method]) => method === 'ANY')).toBe(true);
    expect(anyRoutes.map(([, p]) => p).sort()).toEqual(bothPrefixes(Object.keys(QUANTUM_PATHS)));
  });

  it('matches the endpoints’ own routes: each complete path with its one method, at both prefixes', () => {
    // prepare
    const complete = Object.entries(QUANTUM_PATHS).filter(([, route]) => route.incomplete === undefined);

    // assess
    expect(endpointRoutes.map(([method, p]) => `${method} ${p}`).sort()).toEqual(
      complete
        .flatMap(([p, route]) => [route.method, ...(route.head ? ['HEAD'] : [])].flatMap((method) => [`${method} ${p}`, `${method} /API${p}`]))
        .sort(),
    );
  });
});

describe('unservedRequestError', () => {
  it.each([
    ['ANY /API/file/mkdir/{bucket}', 'POST', 'invalidPath'],
    ['ANY /file/mkdir/{bucket}', 'post', 'invalidPath'],
    ['ANY /API/file/remove/{bucket}', 'POST', 'invalidPath'],
    ['ANY /API/file/get/{bucket}', 'GET', 'invalidPath'],
    ['ANY /API/file/add', 'POST', 'invalidPath'],
    ['ANY /API/bucket/create', 'POST', 'invalidPath'],
    ['ANY /token/create', 'POST', 'invalidPath'],
    ['ANY /API/file/download', 'GET', 'invalidDownloadToken'],
    ['ANY /file/download', 'HEAD', 'invalidDownloadToken'],
    ['ANY /API/file/get/{bucket}', 'HEAD', 'methodNotAllowed'],
    ['ANY /API/file/mkdir/{bucket}', 'GET', 'methodNotAllowed'],
    ['ANY /API/file/get/{bucket}', 'POST', 'methodNotAllowed'],
    ['ANY /API/file/download', 'DELETE', 'methodNotAllowed'],
    ['ANY /API/bucket', 'DELETE', 'methodNotAllowed'],
    ['ANY /API/file/mkdir/{bucket}/{location+}', 'GET', 'methodNotAllowed'],
    // Never reached through API Gateway with the right method; still no 4xx but 405.
    ['ANY /API/file/quota', 'GET', 'methodNotAllowed'],
    ['$default', 'GET', 'routeNotFound'],
    ['$default', 'DELETE', 'routeNotFound'],
    ['ANY /API/constructor', 'GET', 'methodNotAllowed'],
    ['ANY /APIfile/mkdir/{bucket}', 'POST', 'methodNotAllowed'],
  ])('%s with %s → %s', (routeKey, method, expected) => {
    // act
    const error = unservedRequestError(routeKey, method);

    // assess
    expect(error).toBe(expected);
  });
});

describe('surfaceOfPath', () => {
  it.each([
    ['/API/nothing', 'quantum'],
    ['/API', 'quantum'],
    ['/file/nothing/here', 'quantum'],
    ['/bucket/x/y/z', 'quantum'],
    ['/status/more', 'quantum'],
    ['/token', 'quantum'],
    ['/storage/no-such-route', 'apillon'],
    ['/ipfs', 'apillon'],
    ['/', 'apillon'],
    ['/APIS/x', 'apillon'],
    ['/favicon.ico', 'apillon'],
  ])('%s → %s', (rawPath, surface) => {
    // act / assess
    expect(surfaceOfPath(rawPath)).toBe(surface);
  });
});
