import * as z from 'zod/mini';

/**
 * `PUT /storage/buckets/:bucketUuid/webhook {url, authType?, param1?, param2?}` (issue 22). Each problem is
 * named with its 422 code (lib/http/validation.ts). Whether the URL's host may be called at all (its addresses)
 * is the core's decision (lib/core/webhooks/address-policy.ts), not a schema's.
 */

/** Longest webhook URL taken (what browsers and most servers accept). */
export const MAX_WEBHOOK_URL_LENGTH = 2048;
/** Longest credential parameter (sent in the Authorization header). */
export const MAX_WEBHOOK_PARAM_LENGTH = 1024;

/** An absolute http(s) URL without user info or fragment, printable ASCII (send IDNs in their xn-- form). */
function isWebhookUrl(text: string): boolean {
  if (text.length > MAX_WEBHOOK_URL_LENGTH || !/^[\x21-\x7e]+$/.test(text)) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '' && url.username === '' && url.password === '' && url.hash === '';
}

/** Header-safe text: printable ASCII (RFC 9110 field values), 1–1,024 characters. */
const headerText = (message: string) =>
  z.string({ error: message }).check(z.regex(/^[\x20-\x7e]{1,1024}$/, message), z.maxLength(MAX_WEBHOOK_PARAM_LENGTH, message));

export const putWebhookBody = z
  .strictObject({
    url: z.pipe(
      z.string({ error: (issue) => (issue.input === undefined ? 'WEBHOOK_URL_NOT_PRESENT' : 'WEBHOOK_URL_NOT_VALID') }),
      z.string().check(z.refine(isWebhookUrl, 'WEBHOOK_URL_NOT_VALID')),
    ),
    authType: z.optional(z.nullable(z.enum(['basic', 'bearer'], { error: 'WEBHOOK_AUTH_TYPE_NOT_VALID' }))),
    param1: z.optional(z.nullable(headerText('WEBHOOK_PARAM1_NOT_VALID'))),
    param2: z.optional(z.nullable(headerText('WEBHOOK_PARAM2_NOT_VALID'))),
  })
  .check(
    // basic needs a user name without ':' (RFC 7617) and a password; bearer a token; no authType, no parameters.
    z.superRefine((body, ctx) => {
      const fail = (property: 'param1' | 'param2', message: string) => ctx.issues.push({ code: 'custom', message, input: body[property], path: [property] });
      if (body.authType === 'basic') {
        if (!body.param1 || body.param1.includes(':')) fail('param1', 'WEBHOOK_PARAM1_NOT_VALID');
        if (!body.param2) fail('param2', 'WEBHOOK_PARAM2_NOT_VALID');
      } else if (body.authType === 'bearer') {
        if (!body.param1) fail('param1', 'WEBHOOK_PARAM1_NOT_VALID');
        if (body.param2) fail('param2', 'WEBHOOK_PARAM2_NOT_VALID');
      } else {
        if (body.param1) fail('param1', 'WEBHOOK_PARAM1_NOT_VALID');
        if (body.param2) fail('param2', 'WEBHOOK_PARAM2_NOT_VALID');
      }
    }),
  );

export type PutWebhookBody = z.infer<typeof putWebhookBody>;
