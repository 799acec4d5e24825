import * as z from 'zod/mini';
import { toCidV1 } from '../cid';
import { MAX_FILES_PER_REQUEST, queryParam } from './schemas';

/**
 * Request schemas of the Apillon routes that take CIDs (links, the IPFS gateway),
 * apart from lib/apillon/schemas.ts so that only these functions carry the CID
 * decoding code.
 */

const cid = z.string({ error: 'CID_NOT_VALID' }).check(z.refine((value) => toCidV1(value) !== null, 'CID_NOT_VALID'));

export const linkQuery = z.object({
  type: queryParam(z.string().check(z.regex(/^ipfs$/i, 'LINK_TYPE_NOT_VALID'))),
});

export const linkPath = z.object({ cid });

export const linksBody = z.object({
  cids: z.pipe(
    z.array(z.unknown(), { error: 'CIDS_NOT_PRESENT' }).check(
      z.minLength(1, 'CIDS_NOT_PRESENT'),
      z.maxLength(MAX_FILES_PER_REQUEST, 'TOO_MANY_FILES'),
    ),
    z.array(cid),
  ),
});
