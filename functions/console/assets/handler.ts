import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import bundle from '../../../console/dist/bundle.json';
import { serveStatic, staticSiteHeaders, type StaticSite } from '../../../lib/http/static-bundle';

/**
 * GET /console and GET /console/{proxy+}: the web console (console/, packed by `npm run console:build` into
 * console/dist/bundle.json and bundled here). No credentials: the page signs in from the browser. User files
 * are never served here: the gateway (/ipfs, /ipns) serves them, sandboxed.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return serveStatic(site, { rawPath: event.rawPath, acceptEncoding: event.headers?.['accept-encoding'] });
}

/**
 * Where the page may send requests besides its own origin: the files bucket, for the presigned PUTs.
 * S3_ENDPOINT when one is set (the local stack, LocalStack), else the bucket's virtual-hosted S3 origins
 * (the SDK presigns `https://<bucket>.s3.<region>.amazonaws.com`; the legacy global name is allowed too).
 */
export function uploadOrigins(env: Record<string, string | undefined>): string[] {
  if (env.S3_ENDPOINT) return [new URL(env.S3_ENDPOINT).origin];
  return [`https://${env.FILES_BUCKET}.s3.${env.AWS_REGION}.amazonaws.com`, `https://${env.FILES_BUCKET}.s3.amazonaws.com`];
}

/** The console's headers (lib/http/static-bundle.ts): requests to its own origin and the files bucket (uploadOrigins). */
export function consoleHeaders(env: Record<string, string | undefined>): Record<string, string> {
  return staticSiteHeaders(uploadOrigins(env));
}

const site: StaticSite = { base: '/console', title: 'the web console', files: bundle.files, headers: consoleHeaders(process.env) };
