import { toCidV1 } from '../../cid';
import { AppError } from '../../errors';
import type { BucketRecord } from '../ports';
import { isFile, type EntryRecord, type FileRecord } from '../model/entries';
import { isUuid } from '../access/secrets';
import type { StorageDeps } from '../ports/storage';

/** A file of `bucket` by internal id, fileUuid, or CID (v0 or v1); 404 FILE_DOES_NOT_EXISTS otherwise. */
export async function findFile(deps: Pick<StorageDeps, 'entries'>, bucket: BucketRecord, reference: string): Promise<FileRecord> {
  const ref = reference.trim();
  let candidates: EntryRecord[] = [];
  if (/^\d{1,15}$/.test(ref)) {
    candidates = [await deps.entries.getByNumber(Number(ref))].filter((entry) => entry !== undefined);
  } else if (isUuid(ref)) {
    candidates = [await deps.entries.get(ref.toLowerCase())].filter((entry) => entry !== undefined);
  } else {
    const v1 = toCidV1(ref);
    if (v1) candidates = await deps.entries.findByCid(bucket.bucketUuid, ref.startsWith('Qm') ? { v0: ref } : { v1 });
  }
  const file = candidates
    .filter((entry): entry is FileRecord => isFile(entry) && entry.bucketUuid === bucket.bucketUuid)
    .sort((a, b) => a.recordStatus - b.recordStatus || b.createdAt.localeCompare(a.createdAt))[0];
  if (!file) throw new AppError('fileNotFound');
  return file;
}

