/**
 * Stored trees for the directory tests: a map of paths to bytes put into a bucket
 * through the Quantum API (multipart adds, 50 files a request, by folder), every file
 * taken through the lifecycle to status 4, and the bucket's directories settled so
 * each has its CIDs (as the queue's recompute messages would, without a queue).
 */
import { handler as fileAdd } from '../../functions/quantum/file-add/handler';
import { handler as fileMkdir } from '../../functions/quantum/file-mkdir/handler';
import { mapConcurrently } from '../../lib/core/model/concurrency';
import type { DirectoryAddress } from '../../lib/core/directories/directories';
import { advanceFile } from '../../lib/core/lifecycle/lifecycle';
import type { Services } from '../../lib/app/services';
import { formBody, type FormFile } from './data';
import { settleDirectories } from './directories';
import { invoke, routeEvent } from './events';
import type { TestTenant } from './services';

export interface TreeOptions {
  /** Paths of directories with nothing in them. */
  readonly emptyDirectories?: readonly string[];
  /** Media types the files are sent with, by path (else none: stored as application/octet-stream). */
  readonly contentTypes?: Readonly<Record<string, string>>;
}

/** Stores `files` (path → bytes) and the empty directories in the tenant's bucket; every file ends at status 4. */
export async function storeTree(services: Services, tenant: TestTenant, files: ReadonlyMap<string, Uint8Array>, options: TreeOptions = {}): Promise<void> {
  const byFolder = new Map<string, FormFile[]>();
  for (const [path, content] of files) {
    const slash = path.lastIndexOf('/');
    const folder = slash < 0 ? '' : path.slice(0, slash);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), { name: path.slice(slash + 1), content, type: options.contentTypes?.[path] }]);
  }
  const requests = [...byFolder].flatMap(([folder, entries]) =>
    Array.from({ length: Math.ceil(entries.length / 50) }, (_, i) => ({ folder, entries: entries.slice(i * 50, i * 50 + 50) })),
  );
  await mapConcurrently(requests, 3, async ({ folder, entries }) => {
    const { body, contentType } = await formBody(entries);
    const params: Record<string, string> = folder === '' ? { bucket: tenant.bucket.name } : { bucket: tenant.bucket.name, location: folder };
    const route = folder === '' ? '/file/add/{bucket}' : '/file/add/{bucket}/{location+}';
    const answer = await invoke(fileAdd, routeEvent({ method: 'POST', route, params, headers: { ...tenant.headers.master, 'content-type': contentType }, body }));
    if (answer.statusCode !== 200) throw new Error(`file/add ${folder}: ${answer.statusCode} ${answer.rawBody}`);
  });
  for (const location of options.emptyDirectories ?? []) {
    const event = routeEvent({ method: 'POST', route: '/file/mkdir/{bucket}/{location+}', params: { bucket: tenant.bucket.name, location }, headers: tenant.headers.master });
    const answer = await invoke(fileMkdir, event);
    if (answer.statusCode !== 200) throw new Error(`mkdir ${location}: ${answer.statusCode} ${answer.rawBody}`);
  }
  const claims = await services.entries.listSubtreeClaims(tenant.bucket.bucketUuid, '');
  await mapConcurrently(claims.filter((claim) => claim.type === 'file'), 8, (claim) => advanceFile(services, claim.entryUuid));
}

/** {@link storeTree}, then every directory addressed; each directory's address by path (`''` = the root). */
export async function storeAddressedTree(
  services: Services,
  tenant: TestTenant,
  files: ReadonlyMap<string, Uint8Array>,
  options: TreeOptions = {},
): Promise<Map<string, DirectoryAddress>> {
  await storeTree(services, tenant, files, options);
  return settleDirectories(services, tenant.bucket.bucketUuid);
}
