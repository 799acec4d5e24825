import * as z from 'zod/mini';

/**
 * Path parameters of the Quantum routes, exactly as the function.yml routes name
 * them. They are only shaped here; the domain validates their content
 * (parseUrlPath / parseBucketName), so every bad path gets INVALID_PATH.
 */
export const bucketPath = z.object({ bucket: z.string() });

/** `{bucket}/{location+}`; `location` is absent on the bucket-root route of `file/add`. */
export const locationPath = z.object({ bucket: z.string(), location: z.optional(z.string()) });

export const tokenPath = z.object({ token: z.string() });
