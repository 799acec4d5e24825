import { AppError } from '../../errors';
import { isFile, type FileRecord } from '../model/entries';
import { generateSecret, hashSecret } from '../access/secrets';
import type { StorageDeps } from '../ports/storage';

/** Download tokens expire after a day if unused. */
const DOWNLOAD_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/** A download token for `file`; it works once, and dies when any sibling is used or the file changes. */
export async function createDownloadToken(deps: Pick<StorageDeps, 'downloadTokens'>, file: FileRecord): Promise<string> {
  const token = generateSecret();
  await deps.downloadTokens.putDownloadToken({
    tokenHash: hashSecret(token),
    fileUuid: file.uuid,
    generation: file.downloadGeneration ?? 0,
    expiresAt: Math.floor(Date.now() / 1000) + DOWNLOAD_TOKEN_TTL_SECONDS,
  });
  return token;
}

/** Spends a token: of many concurrent redemptions of one file's tokens, exactly one wins. */
export async function redeemDownloadToken(deps: Pick<StorageDeps, 'entries' | 'downloadTokens'>, token: string): Promise<FileRecord> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new AppError('invalidDownloadToken');
  const record = await deps.downloadTokens.getDownloadToken(hashSecret(token));
  if (!record || record.expiresAt < Date.now() / 1000) throw new AppError('invalidDownloadToken');
  if (!(await deps.downloadTokens.redeemDownloadToken(record))) throw new AppError('invalidDownloadToken');
  const file = await deps.entries.get(record.fileUuid);
  if (!file || !isFile(file)) throw new AppError('invalidDownloadToken');
  return file;
}
