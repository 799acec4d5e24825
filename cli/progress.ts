/**
 * Upload progress for people: on a TTY one bar redrawn in place (cli-progress's MultiBar,
 * so log lines go above it), elsewhere a plain line at most every few seconds and at the end.
 * The text is built here by pure functions (unit-tested in test/unit/cli/progress.test.ts):
 * files, bytes, rate over the last seconds, ETA from that rate.
 */
import type { Writable } from 'node:stream';

/** Where an upload stands. Bytes are payload bytes acknowledged by S3 (a retried PUT counts once). */
export interface ProgressSnapshot {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Files that were already stored when a resumed upload started (counted in filesDone). */
  readonly filesSkipped?: number;
  readonly retries?: number;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Bytes in IEC units, 3 significant figures: `0 B`, `999 B`, `1.50 KiB`, `12.3 MiB`, `512 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '? B';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const text = value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  return `${text} ${UNITS[unit]}`;
}

/** Seconds as `45s`, `3m05s`, `2h07m`; `--` when unknown (no rate yet) or over 99 hours. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds > 99 * 3600) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The ETA in seconds for what remains at `bytesPerSecond`; undefined without a rate. */
export function etaSeconds(snapshot: ProgressSnapshot, bytesPerSecond: number): number | undefined {
  const remaining = Math.max(0, snapshot.bytesTotal - snapshot.bytesDone);
  if (remaining === 0) return 0;
  return bytesPerSecond > 0 ? remaining / bytesPerSecond : undefined;
}

/** `[#####-----]` of `width` cells for `fraction` (clamped to 0..1). */
export function renderBar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(clamped * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

/**
 * The status text: `123/500 files · 12.3 MiB/40.0 MiB · 2.10 MiB/s · ETA 13s`, with
 * `(N already stored)` on a resumed upload and `N retries` once there were any.
 */
export function progressText(snapshot: ProgressSnapshot, bytesPerSecond: number): string {
  const parts = [
    `${snapshot.filesDone}/${snapshot.filesTotal} files${snapshot.filesSkipped ? ` (${snapshot.filesSkipped} already stored)` : ''}`,
    `${formatBytes(snapshot.bytesDone)}/${formatBytes(snapshot.bytesTotal)}`,
    `${formatBytes(Math.round(bytesPerSecond))}/s`,
    `ETA ${formatDuration(etaSeconds(snapshot, bytesPerSecond))}`,
  ];
  if (snapshot.retries) parts.push(`${snapshot.retries} ${snapshot.retries === 1 ? 'retry' : 'retries'}`);
  return parts.join(' · ');
}

/** The bar line: the bar (by bytes, by files when there are no bytes), the percentage, the status text. */
export function progressLine(snapshot: ProgressSnapshot, bytesPerSecond: number, barWidth = 24): string {
  const fraction = snapshot.bytesTotal > 0 ? snapshot.bytesDone / snapshot.bytesTotal : snapshot.filesTotal > 0 ? snapshot.filesDone / snapshot.filesTotal : 1;
  const percent = `${Math.floor(Math.min(1, fraction) * 100)}%`.padStart(4);
  return `${renderBar(fraction, barWidth)} ${percent} ${progressText(snapshot, bytesPerSecond)}`;
}

/**
 * Bytes per second over the last `windowMs` (default 10 s): samples of the running total, at most
 * about one per `minGapMs`, so it holds at most windowMs / minGapMs + 5 of them (bounded however long the upload).
 */
export class RateMeter {
  private readonly samples: { at: number; bytes: number }[] = [];

  constructor(
    private readonly windowMs = 10_000,
    private readonly minGapMs = 250,
  ) {}

  /** Records the running total `bytes` at time `at` (ms). */
  record(bytes: number, at: number): void {
    const last = this.samples[this.samples.length - 1];
    const before = this.samples[this.samples.length - 2];
    if (last && before && at - before.at < this.minGapMs) {
      // Too close to the sample before the last: move the last one forward instead of adding one.
      last.at = at;
      last.bytes = bytes;
      return;
    }
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[1]!.at > this.windowMs) this.samples.shift();
  }

  /** Bytes per second between the oldest sample in the window and the newest; 0 with fewer than two. */
  rate(): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? (last.bytes - first.bytes) / seconds : 0;
  }
}

/** What the upload tells the person watching. */
export interface ProgressReporter {
  update(snapshot: ProgressSnapshot): void;
  /** A line that must not be lost (a retry, a rejected file): above the bar on a TTY. */
  log(line: string): void;
  stop(snapshot: ProgressSnapshot): void;
}

/** Nothing shown (`--quiet`, `--json`). */
export const silentReporter: ProgressReporter = { update: () => undefined, log: () => undefined, stop: () => undefined };

/**
 * Plain lines for logs and pipes: one when at least `everyMs` passed since the last, and one at
 * the end; no control characters.
 */
export class PlainReporter implements ProgressReporter {
  private lastAt = Number.NEGATIVE_INFINITY;
  private readonly meter = new RateMeter();

  constructor(
    private readonly out: Writable,
    private readonly everyMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  update(snapshot: ProgressSnapshot): void {
    const at = this.now();
    this.meter.record(snapshot.bytesDone, at);
    if (at - this.lastAt < this.everyMs) return;
    this.lastAt = at;
    this.out.write(`upload: ${progressText(snapshot, this.meter.rate())}\n`);
  }

  log(line: string): void {
    this.out.write(`${line}\n`);
  }

  stop(snapshot: ProgressSnapshot): void {
    this.meter.record(snapshot.bytesDone, this.now());
    this.out.write(`upload: ${progressText(snapshot, this.meter.rate())}\n`);
  }
}

/**
 * The bar on a terminal: cli-progress redraws one line in place (carriage return and
 * erase-line, at most `fps` times a second, cursor hidden meanwhile); `log` prints above it.
 * cli-progress is loaded only here, when a terminal is there to draw on.
 */
export async function terminalReporter(out: NodeJS.WriteStream): Promise<ProgressReporter> {
  const { MultiBar } = (await import('cli-progress')).default;
  const meter = new RateMeter();
  let latest: ProgressSnapshot = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  const bars = new MultiBar({
    stream: out,
    fps: 8,
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    linewrap: false,
    forceRedraw: true,
    format: () => progressLine(latest, meter.rate(), Math.max(10, Math.min(30, (out.columns ?? 80) - 90))),
  });
  const bar = bars.create(1, 0);
  let stopped = false;
  return {
    update(snapshot) {
      latest = snapshot;
      meter.record(snapshot.bytesDone, Date.now());
      bar.update(snapshot.bytesDone);
    },
    log(line) {
      if (stopped) out.write(`${line}\n`);
      else bars.log(`${line}\n`);
    },
    stop(snapshot) {
      stopped = true;
      latest = snapshot;
      meter.record(snapshot.bytesDone, Date.now());
      bar.update(snapshot.bytesDone);
      bars.stop();
    },
  };
}
