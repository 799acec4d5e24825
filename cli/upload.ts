/**
 * `storage upload <file|folder> --bucket <uuid>`: the Apillon upload flow the official SDK uses
 * (docs/apillon-sdk-contract.md §2.5: upload requests of at most 200 files in one session,
 * presigned PUTs, the session's end), plus what the SDK lacks: bounded concurrency, retries,
 * URLs asked for just in time (they expire after 60 s), large files through the multipart
 * routes where the service has them (issue 21; ROUTE_NOT_FOUND or a bare 404/405 there means it has not: single PUT),
 * a journal to resume a killed upload, and `--wait` for status 4 and the directory's CID.
 *
 * Placement: with `--path <dir>` (or `--wrap`, whose default path is the folder's name) each
 * file is requested at `<dir>/<its relative path>`; the directory at `<dir>` then holds exactly
 * the uploaded tree, and its CID (every directory here has one) is the one `ipfs add -r` and
 * the SDK's importer give for it. Files are requested at their final path rather than moved by
 * the session's end (`directoryPath`), so nothing lands at the bucket root meanwhile.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ApiClient, ApiError } from './api';
import { Journal, journalFile } from './journal';
import type { ProgressReporter, ProgressSnapshot } from './progress';
import { backoffDelay, DEFAULT_RETRY, isRetryableStatus, parseRetryAfter, sleep, waitPollDelay } from './retry';
import { closeTransfers, putRange, type PutAnswer } from './transfer';
import { splitRelative, walk, type LocalFile } from './walk';

/** Files per upload request: the API's limit (SPEC §3). */
export const MAX_BATCH_FILES = 200;
/** A presigned URL lives 60 s; one older than this is not started on (a new one is asked for). */
const URL_FRESH_MS = 45_000;
/** Bytes of one batch's files, at most (a batch's URLs must all start within URL_FRESH_MS). */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/** S3's single-PUT limit (5 GiB): larger files need the multipart routes. */
const MAX_SINGLE_PUT = 5 * 1024 ** 3;
/** Parts asked for per call (the route takes at most 100; URLs expire in 60 s, so only what is about to be sent). */
const PARTS_PER_CALL = 8;
/** File statuses (SPEC §5). */
const STATUS_REQUESTED = 1;
const STATUS_STORED = 2;
const STATUS_REPLICATED = 4;
const FIRST_FAILURE_STATUS = 100;

export interface UploadOptions {
  readonly source: string;
  readonly bucketUuid: string;
  /** Target directory in the bucket (no leading/trailing slash); '' = the root. */
  readonly directoryPath: string;
  readonly wait: boolean;
  readonly concurrency: number;
  /** Files of at least this many bytes go through the multipart routes (when the service has them). */
  readonly multipartThreshold: number;
  /** How long `--wait` waits, ms. */
  readonly waitTimeoutMs: number;
  readonly stateDirectory: string;
}

export interface UploadedFile {
  readonly relative: string;
  readonly fileUuid: string;
  readonly fileStatus?: number;
  readonly CID?: string | null;
}

export interface UploadResult {
  readonly sessionUuid: string;
  readonly files: UploadedFile[];
  /** Files found already stored by a resumed upload (not sent again). */
  readonly skipped: number;
  readonly failures: { relative: string; reason: string }[];
  /** With `--wait` and a target directory: its CID once settled. */
  readonly directoryCid?: string;
}

interface Job {
  readonly file: LocalFile;
  readonly fileUuid: string;
  readonly url: string;
  readonly issuedAt: number;
}

/** An item of `GET /storage/buckets/:b/files`. */
interface RemoteFile {
  readonly fileUuid: string;
  readonly fileStatus: number | null;
  readonly CID?: string | null;
  readonly name: string;
  readonly path: string;
}

export async function upload(api: ApiClient, options: UploadOptions, reporter: ProgressReporter): Promise<UploadResult> {
  const { files } = await walk(options.source);
  const source = path.resolve(options.source);
  const journal = new Journal(journalFile(options.stateDirectory, { apiUrl: api.credentials.apiUrl, bucketUuid: options.bucketUuid, source, directoryPath: options.directoryPath }));
  const run = new UploadRun(api, options, reporter, journal, files);
  try {
    return await run.execute();
  } finally {
    closeTransfers();
  }
}

class UploadRun {
  private sessionUuid: string;
  private readonly done = new Map<string, string>(); // relative → fileUuid, stored
  private readonly failures: { relative: string; reason: string }[] = [];
  private readonly progress: { filesDone: number; bytesDone: number; retries: number; skipped: number };
  private readonly bytesTotal: number;
  private multipartAvailable: boolean | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly options: UploadOptions,
    private readonly reporter: ProgressReporter,
    private readonly journal: Journal,
    private readonly files: LocalFile[],
  ) {
    this.bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
    this.progress = { filesDone: 0, bytesDone: 0, retries: 0, skipped: 0 };
    const sessions = journal.state.sessions;
    const last = sessions[sessions.length - 1];
    this.sessionUuid = last && !journal.state.ended.has(last) ? last : randomUUID();
  }

  private snapshot(): ProgressSnapshot {
    return { filesDone: this.progress.filesDone, filesTotal: this.files.length, bytesDone: this.progress.bytesDone, bytesTotal: this.bytesTotal, filesSkipped: this.progress.skipped, retries: this.progress.retries };
  }

  private tick(): void {
    this.reporter.update(this.snapshot());
  }

  async execute(): Promise<UploadResult> {
    try {
      const toSend = await this.resume();
      this.tick();
      if (toSend.length > 0) {
        if (!this.journal.state.sessions.includes(this.sessionUuid)) this.journal.append({ type: 'session', sessionUuid: this.sessionUuid });
        const large = toSend.filter((file) => file.size >= this.options.multipartThreshold);
        const small = toSend.filter((file) => file.size < this.options.multipartThreshold);
        // Small files first: they open the session that multipart files are created in.
        await this.sendAll(small);
        await mapLimit(large, Math.max(1, Math.min(2, this.options.concurrency)), (file) => this.sendLarge(file));
      }
    } finally {
      this.reporter.stop(this.snapshot()); // also on a failure: the terminal gets its cursor back
    }
    if (this.failures.length > 0) return this.result();
    await this.endSession();
    let result = this.result();
    if (this.options.wait) result = await this.waitForReady(result);
    this.journal.remove();
    return result;
  }

  private result(): UploadResult {
    return {
      sessionUuid: this.sessionUuid,
      files: this.files.filter((file) => this.done.has(file.relative)).map((file) => ({ relative: file.relative, fileUuid: this.done.get(file.relative)! })),
      skipped: this.progress.skipped,
      failures: this.failures,
    };
  }

  /**
   * What a previous run of the same upload stored (journal, checked with the server) is not sent
   * again: a file counts as stored when its PUT was answered 2xx or the server shows its bytes
   * (status 2-4), and the local file has the size and mtime it had then. Answers what to send.
   */
  private async resume(): Promise<LocalFile[]> {
    const known = this.journal.state.files;
    if (known.size === 0) return [...this.files];
    const statuses = new Map<string, number | null>();
    for (const sessionUuid of this.journal.state.sessions) {
      for (const file of await this.sessionFiles(sessionUuid)) statuses.set(file.fileUuid, file.fileStatus);
    }
    const toSend: LocalFile[] = [];
    const abandoned: string[] = [];
    for (const file of this.files) {
      const entry = known.get(file.relative);
      const status = entry ? statuses.get(entry.fileUuid) : undefined;
      const unchanged = entry && entry.size === file.size && entry.mtimeMs === file.mtimeMs;
      const arrived = status !== undefined && status !== null && status >= STATUS_STORED && status < FIRST_FAILURE_STATUS;
      const rejected = status !== undefined && status !== null && status >= FIRST_FAILURE_STATUS;
      if (unchanged && !rejected && (entry.stored || arrived)) {
        this.done.set(file.relative, entry.fileUuid);
        this.progress.filesDone++;
        this.progress.skipped++;
        this.progress.bytesDone += file.size;
      } else {
        toSend.push(file);
      }
    }
    const kept = new Set(this.done.values());
    for (const [fileUuid, status] of statuses) {
      // Status 1 in this upload's sessions and not kept: never sent, or its answer came too late to be journaled.
      if (status === STATUS_REQUESTED && !kept.has(fileUuid)) abandoned.push(fileUuid);
    }
    // Upload requests the killed run made and never sent (or whose answer it never journaled) would stay listed
    // at status 1 beside the file sent now: they are withdrawn first (marked for deletion, out of listings).
    await mapLimit(abandoned, 4, (fileUuid) => this.withdraw(fileUuid));
    return toSend;
  }

  /** Withdraws an upload request that will not be sent (`DELETE …/files/:fileUuid`); one already gone is fine. */
  private async withdraw(fileUuid: string): Promise<void> {
    try {
      await this.api.delete(`/storage/buckets/${this.options.bucketUuid}/files/${fileUuid}`);
    } catch (error) {
      if (!(error instanceof ApiError && (error.status === 404 || error.code === 40006009))) throw error;
    }
  }

  /** Every file of a session (`GET …/files?sessionUuid=`, 1000 a page). */
  private async sessionFiles(sessionUuid: string): Promise<RemoteFile[]> {
    const all: RemoteFile[] = [];
    for (let page = 1; ; page++) {
      const answer = await this.api.get<{ items: RemoteFile[]; total: number }>(`/storage/buckets/${this.options.bucketUuid}/files`, { query: { sessionUuid, limit: 1000, page } });
      all.push(...answer.items);
      if (answer.items.length < 1000 || all.length >= answer.total) return all;
    }
  }

  /** The upload request's `{fileName, path, size}` of a local file. */
  private describe(file: LocalFile) {
    const { fileName, directory } = splitRelative(file.relative);
    const target = [this.options.directoryPath, directory].filter(Boolean).join('/');
    return { fileName, ...(target ? { path: target } : {}), size: file.size };
  }

  /** Upload requests for `batch`, in this run's session (a new one if it was ended meanwhile). */
  private async request(batch: LocalFile[]): Promise<Job[]> {
    const send = () =>
      this.api.post<{ sessionUuid: string; files: { fileUuid: string; url: string }[] }>(`/storage/buckets/${this.options.bucketUuid}/upload`, {
        body: { sessionUuid: this.sessionUuid, files: batch.map((file) => this.describe(file)) },
        retry: true, // a repeated request makes a second upload request for the same path; the later bytes win
      });
    let answer;
    try {
      answer = await send();
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 40006001)) throw error;
      // FILE_UPLOAD_SESSION_ALREADY_ENDED (the session was ended elsewhere): go on in a new one.
      this.sessionUuid = randomUUID();
      this.journal.append({ type: 'session', sessionUuid: this.sessionUuid });
      answer = await send();
    }
    const issuedAt = Date.now();
    return batch.map((file, index) => {
      const issued = answer.files[index]!;
      this.journal.append({ type: 'requested', relative: file.relative, size: file.size, mtimeMs: file.mtimeMs, fileUuid: issued.fileUuid, sessionUuid: this.sessionUuid });
      return { file, fileUuid: issued.fileUuid, url: issued.url, issuedAt };
    });
  }

  /**
   * Single-PUT files: a queue of files without URLs, batches requested just before the workers
   * need them (at most 200 files and MAX_BATCH_BYTES each), `concurrency` PUTs at a time.
   */
  private async sendAll(files: LocalFile[]): Promise<void> {
    const pending = [...files];
    const ready: Job[] = [];
    let fetching: Promise<void> | undefined;
    let batchError: unknown;
    // The next batch is asked for while the workers still have two rounds of URLs, so they never wait on it;
    // a URL that got too old meanwhile is asked for again (sendOne), and a killed upload's unsent requests
    // are withdrawn when it resumes.
    const lowWater = this.options.concurrency * 2;
    const batchFiles = MAX_BATCH_FILES;
    const refill = () => {
      if (fetching || pending.length === 0) return;
      const batch: LocalFile[] = [];
      let bytes = 0;
      while (pending.length > 0 && batch.length < batchFiles && (batch.length === 0 || bytes + pending[0]!.size <= MAX_BATCH_BYTES)) {
        const file = pending.shift()!;
        batch.push(file);
        bytes += file.size;
      }
      // Never rejects (a prefetch nobody awaits must not be an unhandled rejection): the next worker to need it throws.
      fetching = this.request(batch)
        .then(
          (jobs) => void ready.push(...jobs),
          (error: unknown) => void (batchError ??= error),
        )
        .finally(() => (fetching = undefined));
    };
    const next = async (): Promise<Job | undefined> => {
      for (;;) {
        if (batchError !== undefined) throw batchError;
        const job = ready.shift();
        if (job) {
          if (ready.length < lowWater) refill();
          return job;
        }
        if (pending.length === 0 && !fetching) return undefined;
        refill();
        await fetching;
      }
    };
    await mapLimit(Array.from({ length: this.options.concurrency }), this.options.concurrency, async () => {
      for (let job = await next(); job; job = await next()) await this.sendOne(job);
    });
  }

  /** One file's PUT, with retries; a URL too old to start on, or refused as expired, is asked for again. */
  private async sendOne(first: Job): Promise<void> {
    let job = first;
    for (let attempt = 1; ; attempt++) {
      if (Date.now() - job.issuedAt > URL_FRESH_MS) {
        const stale = job.fileUuid;
        job = (await this.request([job.file]))[0]!;
        await this.withdraw(stale);
      }
      let answer: PutAnswer | undefined;
      let failure: string;
      try {
        answer = await putRange(job.url, job.file.absolute, 0, job.file.size, (delta) => this.countBytes(delta));
        if (answer.status >= 200 && answer.status < 300) {
          this.stored(job.file, job.fileUuid);
          return;
        }
        failure = `HTTP ${answer.status}${s3Code(answer.body) ? ` ${s3Code(answer.body)}` : ''}`;
      } catch (error) {
        failure = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      }
      const expired = answer?.status === 403 && /expired/i.test(answer.body);
      const retryable = !answer || expired || isRetryableStatus(answer.status);
      if (!retryable || attempt >= DEFAULT_RETRY.attempts) {
        this.failures.push({ relative: job.file.relative, reason: `PUT ${failure}` });
        this.reporter.log(`failed: ${job.file.relative}: PUT ${failure}`);
        return;
      }
      if (expired) job = { ...job, issuedAt: 0 }; // ask for a new URL on the next round
      this.progress.retries++;
      const delay = expired ? 0 : backoffDelay(attempt, DEFAULT_RETRY, parseRetryAfter(answer?.retryAfter));
      this.reporter.log(`retrying ${job.file.relative} in ${Math.round(delay / 100) / 10}s (${failure})`);
      await sleep(delay);
    }
  }

  private countBytes(delta: number): void {
    this.progress.bytesDone += delta;
    this.tick();
  }

  private stored(file: LocalFile, fileUuid: string): void {
    this.journal.append({ type: 'stored', fileUuid });
    this.done.set(file.relative, fileUuid);
    this.progress.filesDone++;
    this.tick();
  }

  /**
   * A large file through the multipart routes (issue 21): created in the session, parts sent
   * with URLs asked for a few at a time, completed; resumed from the server's part list when the
   * journal has it. Where the service has no such routes (isMissingRoute), a single PUT (up to 5 GiB).
   */
  private async sendLarge(file: LocalFile): Promise<void> {
    if (this.multipartAvailable === false) return this.sendSingle(file);
    const base = `/storage/buckets/${this.options.bucketUuid}/upload/${this.sessionUuid}/multipart`;
    const entry = this.journal.state.files.get(file.relative);
    let upload: { fileUuid: string; partSize: number; partCount: number } | undefined;
    let done = new Map<number, string>();
    if (entry?.multipart && entry.size === file.size && entry.mtimeMs === file.mtimeMs && entry.sessionUuid === this.sessionUuid) {
      try {
        const listed = await this.api.get<{ parts: { partNumber: number; size: number; ETag: string }[] }>(`${base}/${entry.fileUuid}`);
        upload = { fileUuid: entry.fileUuid, ...entry.multipart };
        done = new Map(listed.parts.map((part) => [part.partNumber, part.ETag]));
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error; // aborted or completed meanwhile: start again
      }
    }
    if (!upload) {
      try {
        upload = await this.api.post<{ fileUuid: string; uploadId: string; partSize: number; partCount: number }>(base, { body: this.describe(file) });
      } catch (error) {
        if (isMissingRoute(error)) {
          this.multipartAvailable = false;
          return this.sendSingle(file);
        }
        // A service whose multipart create does not open a session (issue 21 leaves it open): the first file
        // goes as one PUT, which opens it, and the next large files go in parts.
        if (error instanceof ApiError && error.code === 40406004 && file.size <= MAX_SINGLE_PUT) return this.sendSingle(file);
        throw error;
      }
      this.multipartAvailable = true;
      this.journal.append({ type: 'multipart', relative: file.relative, size: file.size, mtimeMs: file.mtimeMs, fileUuid: upload.fileUuid, sessionUuid: this.sessionUuid, partSize: upload.partSize, partCount: upload.partCount });
    }
    const { fileUuid, partSize, partCount } = upload;
    const partBytes = (n: number) => Math.min(partSize, file.size - (n - 1) * partSize);
    for (const n of done.keys()) this.countBytes(partBytes(n));
    const missing = Array.from({ length: partCount }, (_, index) => index + 1).filter((n) => !done.has(n));
    for (let at = 0; at < missing.length; at += PARTS_PER_CALL) {
      const numbers = missing.slice(at, at + PARTS_PER_CALL);
      const { parts } = await this.api.post<{ parts: { partNumber: number; url: string }[] }>(`${base}/${fileUuid}/parts`, { body: { partNumbers: numbers }, retry: true });
      const issuedAt = Date.now();
      await mapLimit(parts, Math.max(1, Math.min(4, this.options.concurrency)), async ({ partNumber, url }) => {
        const etag = await this.sendPart(file, partNumber, (partNumber - 1) * partSize, partBytes(partNumber), url, issuedAt, `${base}/${fileUuid}/parts`);
        done.set(partNumber, etag);
      });
    }
    const parts = [...done.entries()].sort(([a], [b]) => a - b).map(([partNumber, ETag]) => ({ partNumber, ETag }));
    await this.api.post(`${base}/${fileUuid}/complete`, { body: { parts }, retry: true });
    this.stored(file, fileUuid);
  }

  private async sendPart(file: LocalFile, partNumber: number, start: number, length: number, firstUrl: string, firstIssuedAt: number, partsRoute: string): Promise<string> {
    let url = firstUrl;
    let issuedAt = firstIssuedAt;
    for (let attempt = 1; ; attempt++) {
      if (Date.now() - issuedAt > URL_FRESH_MS) {
        const { parts } = await this.api.post<{ parts: { partNumber: number; url: string }[] }>(partsRoute, { body: { partNumbers: [partNumber] }, retry: true });
        url = parts[0]!.url;
        issuedAt = Date.now();
      }
      let answer: PutAnswer | undefined;
      let failure: string;
      try {
        answer = await putRange(url, file.absolute, start, length, (delta) => this.countBytes(delta));
        if (answer.status >= 200 && answer.status < 300 && answer.etag) return answer.etag;
        failure = `HTTP ${answer.status}${answer.etag === undefined && answer.status < 300 ? ' without ETag' : ''}`;
      } catch (error) {
        failure = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      }
      const expired = answer?.status === 403 && /expired/i.test(answer.body);
      if ((answer && !expired && !isRetryableStatus(answer.status)) || attempt >= DEFAULT_RETRY.attempts) {
        throw new Error(`${file.relative}: part ${partNumber}: PUT ${failure}`);
      }
      if (expired) issuedAt = 0;
      this.progress.retries++;
      await sleep(expired ? 0 : backoffDelay(attempt, DEFAULT_RETRY, parseRetryAfter(answer?.retryAfter)));
    }
  }

  private async sendSingle(file: LocalFile): Promise<void> {
    if (file.size > MAX_SINGLE_PUT) {
      this.failures.push({ relative: file.relative, reason: `${file.size} bytes: over the 5 GiB of one PUT, and this service has no multipart upload routes` });
      return;
    }
    const [job] = await this.request([file]);
    await this.sendOne(job!);
  }

  /** `POST …/upload/:sessionUuid/end` (retried; an "already ended" answer to a repeat is success). */
  private async endSession(): Promise<void> {
    const sessionUuid = this.sessionUuid;
    if (!this.journal.state.sessions.includes(sessionUuid) && this.progress.skipped === this.files.length) return; // nothing was sent in it
    if (this.journal.state.ended.has(sessionUuid)) return;
    try {
      await this.api.post(`/storage/buckets/${this.options.bucketUuid}/upload/${sessionUuid}/end`, { body: {}, retry: true });
    } catch (error) {
      if (!(error instanceof ApiError && (error.code === 40006001 || error.code === 40406004))) throw error;
    }
    this.journal.append({ type: 'ended', sessionUuid });
  }

  /**
   * `--wait`: polls the sessions' files until each uploaded file is at status 4 (or failed,
   * status 100+), then, with a target directory, its CID once settled (waitForDirectoryCid).
   */
  private async waitForReady(result: UploadResult): Promise<UploadResult> {
    const deadline = Date.now() + this.options.waitTimeoutMs;
    const wanted = new Map(result.files.map((file) => [file.fileUuid, file.relative]));
    const sessions = [...new Set([...this.journal.state.sessions, this.sessionUuid])];
    const seen = new Map<string, RemoteFile>();
    let lastReported = -1;
    let changedAt = Date.now();
    for (;;) {
      for (const sessionUuid of sessions) for (const file of await this.sessionFiles(sessionUuid)) if (wanted.has(file.fileUuid)) seen.set(file.fileUuid, file);
      const ready = [...wanted.keys()].filter((uuid) => (seen.get(uuid)?.fileStatus ?? 0) >= STATUS_REPLICATED);
      if (ready.length !== lastReported) {
        this.reporter.log(`waiting: ${ready.length}/${wanted.size} files at status 4`);
        changedAt = Date.now();
      }
      lastReported = ready.length;
      if (ready.length === wanted.size) break;
      if (Date.now() > deadline) throw new Error(`--wait: ${wanted.size - ready.length} of ${wanted.size} files not at status 4 after ${Math.round(this.options.waitTimeoutMs / 1000)} s`);
      await sleep(waitPollDelay(Date.now() - changedAt));
    }
    const failures = [...result.failures];
    for (const [uuid, relative] of wanted) {
      const status = seen.get(uuid)!.fileStatus!;
      if (status >= FIRST_FAILURE_STATUS) failures.push({ relative, reason: `rejected by the service (file status ${status})` });
    }
    const files = result.files.map((file) => ({ ...file, fileStatus: seen.get(file.fileUuid)?.fileStatus ?? undefined, CID: seen.get(file.fileUuid)?.CID ?? null }));
    const directoryCid = this.options.directoryPath && failures.length === 0 ? await waitForDirectoryCid(this.api, this.options.bucketUuid, this.options.directoryPath, this.files, deadline) : undefined;
    return { ...result, files, failures, directoryCid };
  }
}

/** A directory item of `GET /storage/buckets/:b/content` (cidPending: this service's mark of a CID still to follow a change). */
interface RemoteDirectory {
  readonly type: number;
  readonly uuid: string;
  readonly name: string;
  readonly CID: string | null;
  readonly cidPending?: boolean;
}

/**
 * The CID of the directory at `directoryPath` once it covers the uploaded tree. A directory's
 * CID follows a change below it a few seconds later, level by level (lib/core/directories/directories.ts);
 * a recompute clears its directory's `cidPending` and marks its parent in one write. So the
 * directories of the tree are read deepest first: when none is pending, the top one's CID is
 * final. Twice, a second apart: the parent's `cidPending` follows its child's new CID by one
 * write (the durable mark is in the recompute's transaction, the flag the API shows just after),
 * and a pass could fall between the two. (A server without `cidPending`: the same CID over three passes.)
 */
export async function waitForDirectoryCid(api: ApiClient, bucketUuid: string, directoryPath: string, files: readonly LocalFile[], deadline: number): Promise<string> {
  const top = directoryPath.split('/');
  const inside = new Set<string>();
  for (const file of files) {
    const parts = splitRelative(file.relative).directory.split('/').filter(Boolean);
    for (let depth = 1; depth <= parts.length; depth++) inside.add(parts.slice(0, depth).join('/'));
  }
  const paths = [top.join('/'), ...[...inside].map((relative) => `${top.join('/')}/${relative}`)].sort((a, b) => b.split('/').length - a.split('/').length);
  const uuids = new Map<string, string | null>([['', null]]);
  const find = async (path: string): Promise<RemoteDirectory> => {
    const slash = path.lastIndexOf('/');
    const parentPath = slash < 0 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    if (!uuids.has(parentPath)) uuids.set(parentPath, (await find(parentPath)).uuid);
    const answer = await api.get<{ items: RemoteDirectory[] }>(`/storage/buckets/${bucketUuid}/content`, { query: { directoryUuid: uuids.get(parentPath), search: name, limit: 1000 } });
    const found = answer.items.find((item) => item.type === 1 && item.name === name);
    if (!found) throw new Error(`--wait: no directory ${path} in the bucket`);
    uuids.set(path, found.uuid);
    return found;
  };
  const seen: string[] = [];
  for (let round = 0; ; round++) {
    let settled = true;
    let topCid: string | null = null;
    let pendingKnown = true;
    for (const path of paths) {
      const directory = await find(path);
      if (directory.cidPending === undefined) pendingKnown = false;
      if (directory.cidPending || !directory.CID) settled = false;
      if (path === paths[paths.length - 1]) topCid = directory.CID;
      if (!settled) break;
    }
    if (settled && topCid) {
      seen.push(topCid);
      const needed = pendingKnown ? 2 : 3;
      if (seen.length >= needed && seen.slice(-needed).every((cid) => cid === topCid)) return topCid;
    } else seen.length = 0;
    if (Date.now() > deadline) throw new Error(`--wait: the CID of ${directoryPath} did not settle in time`);
    await sleep(settled ? 1_000 : Math.min(3_000, 500 * (round + 1)));
  }
}

/**
 * Whether an answer says the route itself does not exist (the service predates issue 21): this
 * service's ROUTE_NOT_FOUND (40400001) or METHOD_NOT_ALLOWED (40500001), or a bare 404/405 from
 * a gateway in front of it. A 404 naming a record (bucket, session) is a real error.
 */
export function isMissingRoute(error: unknown): boolean {
  if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 405)) return false;
  return error.code === undefined || error.code === 40400001 || error.code === 40500001;
}

/** The `<Code>` of an S3 XML error body. */
function s3Code(body: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

/** Runs `task` over `items`, at most `limit` at a time; the first failure rejects (the others finish their current item). */
export async function mapLimit<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}
