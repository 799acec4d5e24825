/**
 * Uploads of files and whole folders straight to S3, as the Apillon SDK does it: upload requests in one
 * session (`POST /storage/buckets/:uuid/upload`, presigned PUT URLs that expire after 60 s, so they are asked for
 * in small batches just before their PUTs), PUT of each file's bytes to its URL with progress, the session's end,
 * then the files' status polled (`GET …/files?sessionUuid=`) until each is at 4 or has failed.
 */
import { apillon, type Page, type SdkFile, type Session } from './api';

/** A file to upload and the folder it goes to inside the bucket ('' = the folder being viewed). */
export interface PickedFile {
  readonly file: File;
  readonly path: string;
}

export interface UploadRow {
  readonly key: string;
  readonly name: string;
  readonly path: string;
  readonly size: number;
  /** 0..1 of the bytes sent to S3. */
  progress: number;
  /** waiting → requesting → uploading → uploaded → (fileStatus from the API) → done | failed */
  phase: 'waiting' | 'uploading' | 'uploaded' | 'done' | 'failed';
  fileUuid?: string;
  fileStatus?: number | null;
  error?: string;
}

/** URLs asked for per call: each expires 60 s after it is issued, so a batch must start within that. */
const URLS_PER_REQUEST = 20;
/** PUTs in flight at once. */
const PARALLEL_PUTS = 4;
/** How often the files' status is read while some are short of 4 (ms). */
export const POLL_INTERVAL_MS = 1000;

/** Files of a drop: folders are walked (DataTransferItem.webkitGetAsEntry), each file keeps its folder path. */
export async function filesOfDrop(data: DataTransfer): Promise<PickedFile[]> {
  const entries = [...data.items].map((item) => item.webkitGetAsEntry?.()).filter((entry): entry is FileSystemEntry => !!entry);
  if (entries.length === 0) return [...data.files].map((file) => ({ file, path: '' }));
  const picked: PickedFile[] = [];
  for (const entry of entries) await walk(entry, '', picked);
  return picked;
}

async function walk(entry: FileSystemEntry, parent: string, into: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    into.push({ file, path: parent });
    return;
  }
  const dir = entry as FileSystemDirectoryEntry;
  const reader = dir.createReader();
  const path = parent ? `${parent}/${dir.name}` : dir.name;
  // readEntries answers in chunks (100 in Chromium) until an empty one.
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) break;
    for (const child of chunk) await walk(child, path, into);
  }
}

/** Files of an `<input type=file>` (with `webkitdirectory`, each carries its folder in webkitRelativePath). */
export function filesOfInput(list: FileList): PickedFile[] {
  return [...list].map((file) => {
    const relative = file.webkitRelativePath || '';
    const cut = relative.lastIndexOf('/');
    return { file, path: cut > 0 ? relative.slice(0, cut) : '' };
  });
}

/** PUT of a file to a presigned URL with progress (fetch has no upload progress: XMLHttpRequest does). */
function put(url: string, file: File, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(`S3 answered ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('S3 unreachable (network or CORS)'));
    xhr.send(file);
  });
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(runners);
}

/**
 * Uploads `picked` into `bucketUuid` under `basePath` (the folder being viewed), calling `changed` after each
 * step with the rows; resolves when every file is at status 4 or has failed, or `signal` aborts the polling.
 */
export async function uploadFiles(
  session: Session,
  bucketUuid: string,
  basePath: string,
  picked: readonly PickedFile[],
  changed: (rows: UploadRow[]) => void,
  signal?: AbortSignal,
): Promise<UploadRow[]> {
  const rows: UploadRow[] = picked.map((p, i) => ({
    key: `${i}:${p.path}/${p.file.name}`,
    name: p.file.name,
    path: [basePath, p.path].filter(Boolean).join('/'),
    size: p.file.size,
    progress: 0,
    phase: 'waiting',
  }));
  const emit = () => changed(rows.map((row) => ({ ...row })));
  emit();
  let sessionUuid: string | undefined;
  const base = `/storage/buckets/${encodeURIComponent(bucketUuid)}`;

  for (let start = 0; start < rows.length; start += URLS_PER_REQUEST) {
    const batch = rows.slice(start, start + URLS_PER_REQUEST);
    const files = batch.map((row, i) => ({
      fileName: row.name,
      contentType: picked[start + i]!.file.type || 'application/octet-stream',
      path: row.path || null,
      fileSize: row.size,
    }));
    let issued: { sessionUuid: string; files: { url: string; fileUuid: string }[] };
    try {
      issued = await apillon(session, 'POST', `${base}/upload`, { files, ...(sessionUuid ? { sessionUuid } : {}) });
    } catch (error) {
      for (const row of batch) Object.assign(row, { phase: 'failed', error: (error as Error).message });
      emit();
      continue;
    }
    sessionUuid = issued.sessionUuid;
    await inParallel(
      batch.map((row, i) => ({ row, file: picked[start + i]!.file, target: issued.files[i]! })),
      PARALLEL_PUTS,
      async ({ row, file, target }) => {
        row.fileUuid = target.fileUuid;
        row.phase = 'uploading';
        emit();
        try {
          await put(target.url, file, (fraction) => {
            row.progress = fraction;
            emit();
          });
          Object.assign(row, { progress: 1, phase: 'uploaded', fileStatus: 2 });
        } catch (error) {
          Object.assign(row, { phase: 'failed', error: (error as Error).message });
        }
        emit();
      },
    );
  }
  if (!sessionUuid) return rows;
  try {
    await apillon(session, 'POST', `${base}/upload/${encodeURIComponent(sessionUuid)}/end`, {});
  } catch {
    // Ending only closes the session; the files' own status is what the rows show.
  }
  await pollUntilSettled(session, base, sessionUuid, rows, emit, signal);
  return rows;
}

async function pollUntilSettled(
  session: Session,
  base: string,
  sessionUuid: string,
  rows: UploadRow[],
  emit: () => void,
  signal?: AbortSignal,
): Promise<void> {
  const byUuid = new Map(rows.filter((row) => row.fileUuid).map((row) => [row.fileUuid!, row]));
  const pending = () => rows.filter((row) => row.phase === 'uploaded');
  while (pending().length > 0 && !signal?.aborted) {
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    for (let page = 1; ; page += 1) {
      let listed: Page<SdkFile>;
      try {
        listed = await apillon(session, 'GET', `${base}/files?sessionUuid=${encodeURIComponent(sessionUuid)}&limit=1000&page=${page}`);
      } catch {
        break; // try again at the next round
      }
      for (const file of listed.items) {
        const row = byUuid.get(file.fileUuid);
        if (!row || row.phase !== 'uploaded') continue;
        row.fileStatus = file.fileStatus;
        if (file.fileStatus === 4) row.phase = 'done';
        else if ((file.fileStatus ?? 0) >= 100) Object.assign(row, { phase: 'failed', error: `status ${file.fileStatus}` });
      }
      if (page * 1000 >= listed.total) break;
    }
    emit();
  }
}
