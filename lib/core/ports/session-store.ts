/**
 * The core's `SessionStore` port (implemented in lib/store/session-store.ts).
 */
import type { SessionEnding, UploadSessionRecord } from '../model/records';

/** Upload sessions. They expire (DynamoDB TTL) a week after their last change. */
export interface SessionStore {
  get(sessionUuid: string): Promise<UploadSessionRecord | undefined>;
  /** Creates the session; false when one with that uuid exists already. */
  create(session: UploadSessionRecord): Promise<boolean>;
  /**
   * Opens `session` when it does not exist yet and counts `count` files into it,
   * in one conditional write; false when a session of that uuid exists but is
   * ended or belongs to another bucket (read it to tell which).
   */
  openAndAddFiles(session: UploadSessionRecord, count: number): Promise<boolean>;
  /** Ends an open session; false when it is not open. With `directoryPath` its move starts (`moving`, due at `moveDueAt`). */
  end(sessionUuid: string, ending: SessionEnding): Promise<boolean>;
  /** Uuids of sessions whose move is due at `nowIso` or earlier (ByDueDate), at most `limit`. */
  dueMoves(nowIso: string, limit: number): Promise<string[]>;
  /** Moves a moving session's next pass to `dueAtIso`. */
  scheduleMove(sessionUuid: string, dueAtIso: string): Promise<void>;
  /** Records that every file of the session is placed (`moved`, out of the schedule). */
  finishMove(sessionUuid: string): Promise<void>;
}
