import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AppError } from '../errors';

/**
 * Strict text decoding for every text input (JSON bodies, form fields and file
 * names, query strings, path parameters). Text must be well-formed UTF-8
 * (WHATWG Encoding, UTF-8 decode with `fatal`): nothing is ever replaced.
 *
 * U+FFFD REPLACEMENT CHARACTER is refused as well: it is what a decoder before
 * us (API Gateway, serverless-offline, busboy) leaves where it met bytes it
 * could not read, so text that carries it was invalid UTF-8 on the wire. A
 * client that means U+FFFD literally is refused too; no name or field of this
 * service needs it. Lone surrogates (from `\uD800` JSON escapes) are refused for
 * the same reason: they have no UTF-8 form.
 */

const REPLACEMENT_CHARACTER = '\uFFFD';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `text`, when it is well-formed and free of U+FFFD; else 400 INVALID_UTF8. */
export function requireValidText(text: string): string {
  if (!text.isWellFormed() || text.includes(REPLACEMENT_CHARACTER)) throw new AppError('invalidUtf8');
  return text;
}

/** Decodes `bytes` as UTF-8, refusing any invalid sequence (and U+FFFD); 400 INVALID_UTF8. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch (error) {
    throw new AppError('invalidUtf8', { cause: error });
  }
  return requireValidText(text);
}

/**
 * The body of an API Gateway v2 event as text. A base64 body (`isBase64Encoded`:
 * binary media types) is decoded from its bytes; a string body was decoded by API
 * Gateway, and is checked for what that decode would have replaced.
 */
export function bodyText(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? decodeUtf8Strict(Buffer.from(event.body, 'base64')) : requireValidText(event.body);
}

/** Percent-decodes one `application/x-www-form-urlencoded` component (`+` is a space); 400 INVALID_UTF8 for invalid UTF-8. */
export function decodeQueryComponent(component: string): string {
  const spaced = component.replace(/\+/g, ' ');
  let decoded: string;
  try {
    decoded = decodeURIComponent(spaced);
  } catch (error) {
    // A `%` not followed by two hex digits is kept literally (as URLSearchParams does); escapes that
    // decode to invalid UTF-8 are refused.
    decoded = spaced.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        throw new AppError('invalidUtf8', { cause: error });
      }
    });
  }
  return requireValidText(decoded);
}

/**
 * Checks a path parameter: U+FFFD (bytes API Gateway could not decode) or
 * percent-escapes of invalid UTF-8 (`%FF`, when it hands the parameter over still
 * encoded) are 400 INVALID_UTF8. What the text means (a path, an id) is left to
 * the route: lone surrogates, for one, are a bad path (INVALID_PATH).
 */
export function requireValidPathParameter(value: string): string {
  if (value.includes(REPLACEMENT_CHARACTER)) throw new AppError('invalidUtf8');
  for (const run of value.match(/(?:%[0-9a-f]{2})+/gi) ?? []) {
    try {
      decodeURIComponent(run);
    } catch (error) {
      throw new AppError('invalidUtf8', { cause: error });
    }
  }
  return value;
}

/**
 * The query parameters of an event in the order sent, each name with every value
 * it was given, decoded strictly. Read from `rawQueryString` (API Gateway v2 joins
 * repeated parameters with commas in `queryStringParameters`, losing the repeat).
 */
export function queryParameterList(event: APIGatewayProxyEventV2): [string, string][] {
  const raw = event.rawQueryString;
  if (raw === undefined) {
    return Object.entries(event.queryStringParameters ?? {}).map(([name, value]) => [requireValidText(name), requireValidText(value ?? '')]);
  }
  return raw
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      const value = equals < 0 ? '' : pair.slice(equals + 1);
      return [decodeQueryComponent(name), decodeQueryComponent(value)];
    });
}
