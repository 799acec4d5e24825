/**
 * The upload journal: what a `storage upload` has done so far, so that running the same
 * command again after it was killed sends only what is not stored yet. One JSON line per
 * event, appended (a line cut by a kill is ignored on reading), in the CLI's state folder,
 * named after what identifies the upload: API URL, bucket, source folder, target directory.
 * It is removed when the upload finishes.
 *
 * What it holds is checked against the server on resume (upload.ts): a file counts as stored
 * when its PUT was answered 2xx here or the server shows its bytes arrived (status 2-4).
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export type JournalEvent =
  | { readonly type: 'session'; readonly sessionUuid: string }
  | { readonly type: 'requested'; readonly relative: string; readonly size: number; readonly mtimeMs: number; readonly fileUuid: string; readonly sessionUuid: string }
  | { readonly type: 'stored'; readonly fileUuid: string }
  | { readonly type: 'multipart'; readonly relative: string; readonly size: number; readonly mtimeMs: number; readonly fileUuid: string; readonly sessionUuid: string; readonly partSize: number; readonly partCount: number }
  | { readonly type: 'ended'; readonly sessionUuid: string };

/** The latest known state of one local file in the journal. */
export interface JournalFile {
  readonly relative: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly fileUuid: string;
  readonly sessionUuid: string;
  readonly stored: boolean;
  readonly multipart?: { readonly partSize: number; readonly partCount: number };
}

export interface JournalState {
  /** Sessions in the order they were opened (the last is the current one). */
  readonly sessions: string[];
  readonly ended: Set<string>;
  readonly files: Map<string, JournalFile>;
}

/** The journal's file name for an upload's identity (sha-256, so any path is a valid name). */
export function journalFile(directory: string, identity: { apiUrl: string; bucketUuid: string; source: string; directoryPath: string }): string {
  const digest = createHash('sha256').update(JSON.stringify([identity.apiUrl, identity.bucketUuid, identity.source, identity.directoryPath])).digest('hex');
  return path.join(directory, `${digest.slice(0, 32)}.jsonl`);
}

/** The state its events give (later events win; unknown or cut lines are skipped). */
export function replay(lines: readonly string[]): JournalState {
  const state: JournalState = { sessions: [], ended: new Set(), files: new Map() };
  const byUuid = new Map<string, string>();
  for (const line of lines) {
    let event: JournalEvent;
    try {
      event = JSON.parse(line) as JournalEvent;
    } catch {
      continue;
    }
    switch (event?.type) {
      case 'session':
        if (!state.sessions.includes(event.sessionUuid)) state.sessions.push(event.sessionUuid);
        break;
      case 'requested':
      case 'multipart': {
        const multipart = event.type === 'multipart' ? { partSize: event.partSize, partCount: event.partCount } : undefined;
        state.files.set(event.relative, { relative: event.relative, size: event.size, mtimeMs: event.mtimeMs, fileUuid: event.fileUuid, sessionUuid: event.sessionUuid, stored: false, multipart });
        byUuid.set(event.fileUuid, event.relative);
        break;
      }
      case 'stored': {
        const relative = byUuid.get(event.fileUuid);
        const file = relative !== undefined ? state.files.get(relative) : undefined;
        if (file && file.fileUuid === event.fileUuid) state.files.set(relative!, { ...file, stored: true });
        break;
      }
      case 'ended':
        state.ended.add(event.sessionUuid);
        break;
    }
  }
  return state;
}

/** An open journal: its state at opening, and `append` for what happens next (synchronous: a kill loses at most the line being written). */
export class Journal {
  readonly state: JournalState;

  constructor(readonly file: string) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.state = replay(text.split('\n'));
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  }

  append(event: JournalEvent): void {
    appendFileSync(this.file, `${JSON.stringify(event)}\n`, { mode: 0o600 });
  }

  /** Forgets the upload (it finished). */
  remove(): void {
    rmSync(this.file, { force: true });
  }
}
