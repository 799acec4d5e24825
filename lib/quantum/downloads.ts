import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import { FileStatus, RecordStatus, isErrorStatus, isFile, type FileRecord } from '../core/model/entries';
import { hashSecret } from '../core/access/secrets';
import { redeemDownloadToken } from '../core/read/download-tokens';
import type { StorageDeps } from '../core/ports/storage';

/**
 * Quantum's one-time download tokens under HTTP (SPEC §4, README "Downloads"): a token
 * is checked without being spent for answers that carry no bytes (HEAD, 304, 416), and
 * spent only when bytes, or a URL to them, are handed out (200, 206, 302).
 */

/**
 * The file a download token is good for, without spending it: 400 INVALID_TOKEN when
 * the token is malformed, unknown, used, expired, or its file changed, went or has
 * no bytes (the same checks `redeemDownloadToken` makes, read-only).
 */
export async function checkDownloadToken(deps: Pick<StorageDeps, 'entries' | 'downloadTokens'>, token: string | undefined): Promise<FileRecord> {
  if (token === undefined || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new AppError('invalidDownloadToken');
  const record = await deps.downloadTokens.getDownloadToken(hashSecret(token));
  if (!record || record.expiresAt < Date.now() / 1000) throw new AppError('invalidDownloadToken');
  const file = await deps.entries.get(record.fileUuid);
  if (!file || !isFile(file) || !hasBytes(file) || (file.downloadGeneration ?? 0) !== record.generation) {
    throw new AppError('invalidDownloadToken');
  }
  return file;
}

/**
 * Spends `token` (and with it every sibling token of the file), for `file` as
 * `checkDownloadToken` gave it: 400 INVALID_TOKEN when another use won, or the file
 * changed in between (its stored version is not the one checked).
 */
export async function spendDownloadToken(deps: Pick<StorageDeps, 'entries' | 'downloadTokens'>, token: string, file: FileRecord): Promise<void> {
  const spent = await redeemDownloadToken(deps, token);
  if (spent.uuid !== file.uuid || spent.objectKey !== file.objectKey || !hasBytes(spent)) throw new AppError('invalidDownloadToken');
}

/**
 * The strong ETag of a stored version of a file: a digest of its object key, which
 * every commit makes anew (the key itself is internal, so it is not shown).
 */
export function storedVersionTag(file: FileRecord): string {
  return `"${createHash('sha256').update(file.objectKey).digest('base64url').slice(0, 27)}"`;
}

/** A file counts once its bytes are in (status 2 and on), not failed, not deleted. */
function hasBytes(file: FileRecord): boolean {
  return file.recordStatus === RecordStatus.ACTIVE && file.fileStatus >= FileStatus.UPLOADED && !isErrorStatus(file.fileStatus);
}
