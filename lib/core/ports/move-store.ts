/**
 * The core's `MoveStore` port (implemented in lib/store/move-store.ts).
 */
import type { FileRecord } from '../model/entries';
import type { FileMove } from '../model/records';

/** The writes that place an ended session's files under its `directoryPath`. */
export interface MoveStore {
  /** Every active file of an upload session (BySessionFiles: eventually consistent), any status. */
  sessionFiles(bucketUuid: string, sessionUuid: string): Promise<FileRecord[]>;
  /**
   * An upload request (status 1) gets the path it will be committed at: false when it is no
   * longer at status 1 on `file.path`, or is already placed (its commit decides on the record it reads again).
   */
  retargetRequested(file: FileRecord, path: string, now: string): Promise<boolean>;
  /**
   * Moves committed files (status 2–4, active, not placed yet, still at `file.path`) in ONE
   * transaction: records (path, parent, listing keys, `wrapped`, `movedFrom`), path claims,
   * child counts, the files replaced (retired, their charge given back). False when any
   * condition failed (nothing of it is written).
   */
  moveCommitted(moves: readonly FileMove[], now: string): Promise<boolean>;
  /** How many transaction items `moveCommitted` needs for `moves` (DynamoDB takes 100). */
  itemCount(moves: readonly FileMove[]): number;
}
