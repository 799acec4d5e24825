import * as z from 'zod/mini';
import { toCidV1 } from '../cid';
import { ipnsDescription, ipnsLabel, MAX_FILES_PER_REQUEST, queryParam, trustlessCarParameters } from './schemas';

/**
 * Request schemas of the Apillon routes that take CIDs (links, the IPFS gateway, IPNS publishing),
 * apart from lib/apillon/schemas.ts so that only these functions carry the CID
 * decoding code.
 */

const cid = z.string({ error: 'CID_NOT_VALID' }).check(z.refine((value) => toCidV1(value) !== null, 'CID_NOT_VALID'));

/** `GET /storage/link-on-ipfs/:cid?type=ipfs|ipns` (strict: no other parameter). */
export const linkQuery = z.strictObject({
  type: queryParam(
    z.pipe(
      z.string().check(z.regex(/^ip[fn]s$/i, 'LINK_TYPE_NOT_VALID')),
      z.transform((value: string) => value.toLowerCase() as 'ipfs' | 'ipns'),
    ),
  ),
});

/** `GET /storage/link-on-ipfs/:cid`: a CID, or an IPNS name with `type=ipns` (checked by the domain with the type). */
export const linkTargetPath = z.object({ cid: z.string().check(z.maxLength(256, 'CID_NOT_VALID')) });

export const linkPath = z.object({ cid });

/**
 * `/ipfs/:cid` and `/ipfs/:cid/{proxy+}`: the root CID and the rest of the content
 * path, as API Gateway decoded it once (lib/gateway/path-gateway.ts reads it).
 */
export const gatewayPath = z.object({ cid, proxy: z.optional(z.string()) });

/** `GET /ipfs/:cid?format=raw|car` (the trustless gateway, with its CAR parameters); other parameters are left alone. */
export const gatewayQuery = z.looseObject({
  format: queryParam(z.string().check(z.regex(/^(raw|car)$/, 'FORMAT_NOT_VALID'))),
  ...trustlessCarParameters,
});

export const linksBody = z.object({
  cids: z.pipe(
    z.array(z.unknown(), { error: 'CIDS_NOT_PRESENT' }).check(
      z.minLength(1, 'CIDS_NOT_PRESENT'),
      z.maxLength(MAX_FILES_PER_REQUEST, 'TOO_MANY_FILES'),
    ),
    z.array(cid),
  ),
});

// ---- IPNS -------------------------------------------------------------------

/** `POST /storage/buckets/:bucketUuid/ipns` (the SDK's createIpns: `{name, description?, cid?}`). */
export const createIpnsBody = z.object({
  name: ipnsLabel,
  description: ipnsDescription,
  cid: z.nullish(cid),
});

/** `POST …/ipns/:ipnsUuid/publish {cid}`. */
export const publishIpnsBody = z.object({ cid: z.pipe(z.string({ error: 'CID_NOT_PRESENT' }), cid) });
