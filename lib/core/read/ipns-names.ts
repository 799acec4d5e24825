import { base36 } from 'multiformats/bases/base36';
import { CID } from 'multiformats/cid';
import { toCidV1 } from '../../cid';
import { AppError, validationError } from '../../errors';
import type { IpnsStore } from '../ports';

/**
 * IPNS names as text, without the signing machinery (so the link route stays
 * small): an IPNS name is a CIDv1 with the libp2p-key codec (0x72), shown in
 * base36 (`k51…`) as kubo prints it.
 */

/** An IPNS name as stored (`k51…`, base36 libp2p-key CIDv1) from any multibase form of it; undefined for anything else. */
export function normaliseIpnsName(text: string): string | undefined {
  const v1 = toCidV1(text);
  if (!v1) return undefined;
  const cid = CID.parse(v1);
  // 0x72 = libp2p-key: an IPNS name is nothing else.
  if (cid.version !== 1 || cid.code !== LIBP2P_KEY_CODEC) return undefined;
  return cid.toString(base36);
}

/** The multicodec of a libp2p public key (https://github.com/multiformats/multicodec). */
const LIBP2P_KEY_CODEC = 0x72;

/**
 * What `GET /storage/link-on-ipfs/:cid?type=` links to: a CID (`ipfs`, the
 * default) or an IPNS name (`ipns`). 422 CID_NOT_VALID for anything else.
 */
export function linkTarget(value: string, type: 'ipfs' | 'ipns' = 'ipfs'): { type: 'ipfs' | 'ipns'; id: string } {
  const valid = type === 'ipns' ? normaliseIpnsName(value) !== undefined : toCidV1(value) !== null;
  if (!valid) throw validationError([{ code: 42200028, property: 'cid', message: 'CID_NOT_VALID' }]);
  return { type, id: value };
}

/**
 * What `/ipns/<name>` serves: the current CID and the signed record of a
 * published name. 404 IPNS_RECORD_NOT_FOUND for an unknown or unpublished name.
 */
export async function resolveIpns(deps: { readonly ipns: IpnsStore }, ipnsName: string): Promise<{ cid: string; record: Uint8Array; ipnsName: string }> {
  const name = normaliseIpnsName(ipnsName);
  const record = name ? await deps.ipns.getByName(name) : undefined;
  if (!record?.ipnsValue || !record.signedRecord) throw new AppError('ipnsRecordNotFound');
  return { cid: record.ipnsValue.replace(/^\/ipfs\//, ''), record: new Uint8Array(Buffer.from(record.signedRecord, 'base64')), ipnsName: record.ipnsName };
}

/** Whether a `/ipns/` request asks for the signed record: `?format=ipns-record` or that media type in Accept (trustless gateway spec). */
export function wantsIpnsRecord(format: string | undefined, accept: string | undefined): boolean {
  return format === 'ipns-record' || /(^|,)\s*application\/vnd\.ipfs\.ipns-record\s*(;|,|$)/i.test(accept ?? '');
}
