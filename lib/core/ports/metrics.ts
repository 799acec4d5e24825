/**
 * The metrics port of the domain: what happened, how often, how long, how many
 * bytes. The domain and the handlers count through it; lib/app/metrics.ts implements
 * it with Powertools Metrics (CloudWatch embedded metric format, namespace
 * `StorageService`), flushed once per invocation.
 *
 * Names are the metric names as they appear in CloudWatch (`UploadsRequested`,
 * `CommitRetries`, …; see METRIC_NAMES). Dimensions are few and low-cardinality
 * (e.g. `{ status: '104' }`), never ids.
 */
export interface Metrics {
  /** Adds `value` (default 1) to the counter `name` (unit Count). */
  count(name: string, value?: number, dimensions?: Readonly<Record<string, string>>): void;
  /** Records a duration of `ms` milliseconds (unit Milliseconds). */
  timing(name: string, ms: number): void;
  /** Records a size of `n` bytes (unit Bytes). */
  bytes(name: string, n: number): void;
}

/** The metrics this service emits (the alarms and the dashboard in infra/alarms.yml read them by these names). */
export const METRIC_NAMES = {
  /** Upload URLs issued or uploads received (Apillon upload/session routes, Quantum file/add). */
  uploadsRequested: 'UploadsRequested',
  /** Uploads committed (status 2). */
  commits: 'UploadsCommitted',
  /** Uploads rejected, dimension `status` (101–106). */
  rejections: 'UploadsRejected',
  /** Commit attempts retried after a conflict. */
  commitRetries: 'CommitRetries',
  /** Time to compute a file's CIDs (ms). */
  cidTime: 'CidComputeTime',
  /** Bytes hashed for CIDs. */
  cidBytes: 'CidBytes',
  /** Bytes served inline by the download and gateway routes. */
  bytesServed: 'BytesServed',
  /** Files the sweeper found stuck in an intermediate status. */
  strandedFilesFound: 'StrandedFilesFound',
  /** Stranded files the sweeper could not take on (they stay for the next run). */
  strandedFilesFailed: 'StrandedFilesFailed',
  /** Directories (bucket roots included) whose CIDs were recomputed, by the queue or the sweeper. */
  directoriesAddressed: 'DirectoriesAddressed',
  /** Directories the sweeper found stale past the threshold (their recompute message was lost). */
  staleDirectoriesFound: 'StaleDirectoriesFound',
} as const;

/** Metrics that go nowhere: the default for tests and scripts. */
export const noMetrics: Metrics = {
  count: () => undefined,
  timing: () => undefined,
  bytes: () => undefined,
};
