import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, sizeRefusal } from '../../errors';
import { bodyText } from '../text';
import type { RouteContext } from './request-context';

/** JSON bodies above this are not a client of ours; uploads never send bytes here. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** The raw body bytes of an API Gateway v2 event (decoding base64 when flagged). */
export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

export function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/**
 * Parses a JSON body into `context.route.body`. An empty body is `{}`; a body
 * that is not JSON, or is declared as another media type, is a 400/415; a body
 * that is not well-formed UTF-8 is 400 INVALID_UTF8 (lib/http/text.ts). A key
 * given twice keeps its last value (JSON.parse, as the NestJS service reads it).
 */
export function jsonBody(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, RouteContext> {
  return {
    name: 'jsonBody',
    before: (request) => {
      const bytes = rawBody(request.event);
      if (bytes.length > MAX_JSON_BODY_BYTES) {
        throw sizeRefusal('bodyTooLarge', MAX_JSON_BODY_BYTES, `the JSON body is ${bytes.length} bytes; a request body takes at most ${MAX_JSON_BODY_BYTES} bytes`, { sizeBytes: bytes.length });
      }
      const text = bodyText(request.event).trim();
      if (text === '') {
        request.context.route.body = {};
        return;
      }
      const contentType = (headerValue(request.event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const jsonLike = contentType === '' || contentType === 'text/plain' || /^application\/([\w.+-]+\+)?json$/.test(contentType);
      if (!jsonLike) throw new AppError('unsupportedContentType');
      try {
        request.context.route.body = JSON.parse(text);
      } catch {
        throw new AppError('malformedJson');
      }
    },
  };
}
