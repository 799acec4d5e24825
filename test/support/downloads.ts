/**
 * Invoking a download handler (gateway, Quantum file/download) with an API Gateway v2
 * event and reading its raw answer as API Gateway would send it: status, headers, and
 * the body's bytes (base64 decoded when flagged).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaContext, type EventHandler } from './events';

export interface RawAnswer {
  readonly status: number;
  /** Header names lower-cased. */
  readonly headers: Record<string, string>;
  readonly bytes: Buffer;
  /** The body as text (for error envelopes). */
  readonly text: string;
}

export async function answerOf(handler: EventHandler, event: APIGatewayProxyEventV2): Promise<RawAnswer> {
  const result = await handler(event, lambdaContext());
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const bytes = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  return { status: result.statusCode ?? 200, headers, bytes, text: bytes.toString('utf8') };
}
