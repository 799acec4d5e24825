/**
 * RSS over time of each process of a running local stack (`npm start`): the start
 * script (tsx + s3rver + the event bridge), `serverless offline` (its worker threads
 * counted as threads), DynamoDB Local's JVM, any esbuild service, and npm/sh
 * wrappers, with their sum. Reads Linux /proc (VmRSS, Threads).
 *
 *   npx tsx bench/local-rss.ts --port 3000              the stack whose HTTP API listens on 3000
 *   npx tsx bench/local-rss.ts --pid <pid> --every 2 --for 60
 *
 * It prints one line per sample (every `--every` seconds, default 2; until the stack is
 * gone or `--for` seconds passed): elapsed seconds, MiB per process kind, threads of
 * serverless offline, the sum; then the peak of each column. `sampleStack()` is also
 * used by bench/sdk-site.ts to record a run.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { say } from './figures';

/** The kinds of process a local stack runs, in the order they are printed. */
export const PROCESS_KINDS = ['start script', 'serverless offline', 'DynamoDB Local', 'esbuild', 'npm/sh/tsx'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

export interface ProcessSample {
  readonly pid: number;
  readonly kind: ProcessKind;
  /** Resident set size, bytes. */
  readonly rssBytes: number;
  readonly threads: number;
  readonly command: string;
}

export interface StackSample {
  /** ms since the epoch. */
  readonly at: number;
  readonly processes: readonly ProcessSample[];
  /** Bytes per kind (summed over processes of that kind). */
  readonly byKind: Readonly<Record<ProcessKind, number>>;
  /** Threads of `serverless offline` (its main thread, libuv/V8 helpers and its worker threads). */
  readonly offlineThreads: number;
  /** Bytes, all processes. */
  readonly totalBytes: number;
}

const MiB = 1024 * 1024;

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
}

function statusField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/** pid → parent pid of every process on the machine. */
function parentPids(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(Number(entry), 'stat');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (Number.isFinite(ppid)) parents.set(Number(entry), ppid);
  }
  return parents;
}

/** `root` and every process below it. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentPids()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    if (!existsSync(`/proc/${pid}`)) continue;
    found.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return found;
}

function commandOf(pid: number): string {
  return (readProc(pid, 'cmdline') ?? '').split('\0').join(' ').trim();
}

export function kindOf(command: string): ProcessKind {
  if (/DynamoDBLocal/.test(command)) return 'DynamoDB Local';
  if (/esbuild.*--service/.test(command)) return 'esbuild';
  if (/serverless offline|bin\/serverless|osls/.test(command)) return 'serverless offline';
  if (/start-local\.ts/.test(command) && !/^(npm|sh)\b|\/bin\/(npm|sh|tsx)\b/.test(command)) return 'start script';
  return 'npm/sh/tsx';
}

/** The pid listening on TCP `port` (IPv4 or IPv6), from /proc/net/tcp* and the processes' sockets. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A = LISTEN.
      if (fields.length > 9 && fields[3] === '0A' && Number.parseInt(fields[1]!.split(':')[1]!, 16) === port) inodes.add(fields[9]!);
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/**
 * The root of the stack that `pid` belongs to: climbs parents while they are part of
 * `npm start` (npm, sh, tsx, the start script), so that a pid of serverless offline
 * or of the start script gives the whole stack.
 */
export function stackRoot(pid: number): number {
  const parents = parentPids();
  let root = pid;
  for (;;) {
    const parent = parents.get(root);
    if (parent === undefined || parent <= 1) return root;
    const command = commandOf(parent);
    if (!/start-local|npm (run )?start|serverless offline|bin\/serverless/.test(command)) return root;
    root = parent;
  }
}

/** One sample of every process under `root`. */
export function sampleStack(root: number): StackSample {
  const processes: ProcessSample[] = [];
  for (const pid of descendants(root)) {
    const status = readProc(pid, 'status');
    if (!status) continue;
    const command = commandOf(pid);
    processes.push({ pid, kind: kindOf(command), rssBytes: statusField(status, 'VmRSS') * 1024, threads: statusField(status, 'Threads'), command });
  }
  const byKind = Object.fromEntries(PROCESS_KINDS.map((kind) => [kind, 0])) as Record<ProcessKind, number>;
  let offlineThreads = 0;
  for (const proc of processes) {
    byKind[proc.kind] += proc.rssBytes;
    if (proc.kind === 'serverless offline') offlineThreads += proc.threads;
  }
  return { at: Date.now(), processes, byKind, offlineThreads, totalBytes: processes.reduce((sum, proc) => sum + proc.rssBytes, 0) };
}

const WIDTHS = [7, ...PROCESS_KINDS.map((kind) => Math.max(kind.length, 6)), 8, 7];

/** The header line of `formatSample` rows. */
export function sampleHeader(): string {
  return ['t (s)', ...PROCESS_KINDS, 'threads', 'sum'].map((cell, i) => cell.padStart(WIDTHS[i]!)).join('  ') + '   (MiB RSS)';
}

/** One table row: seconds since `since`, MiB per kind, offline's threads, the sum in MiB. */
export function formatSample(sample: StackSample, since: number): string {
  const cells = [
    ((sample.at - since) / 1000).toFixed(0),
    ...PROCESS_KINDS.map((kind) => (sample.byKind[kind] / MiB).toFixed(0)),
    String(sample.offlineThreads),
    (sample.totalBytes / MiB).toFixed(0),
  ];
  return cells.map((cell, i) => cell.padStart(WIDTHS[i]!)).join('  ');
}

/** The largest value of each column over `samples` (each column's own peak, not one moment). */
export function peakSample(samples: readonly StackSample[]): StackSample | undefined {
  if (samples.length === 0) return undefined;
  const byKind = Object.fromEntries(PROCESS_KINDS.map((kind) => [kind, Math.max(...samples.map((s) => s.byKind[kind]))])) as Record<ProcessKind, number>;
  return {
    at: samples.at(-1)!.at,
    processes: [],
    byKind,
    offlineThreads: Math.max(...samples.map((s) => s.offlineThreads)),
    totalBytes: Math.max(...samples.map((s) => s.totalBytes)),
  };
}

/** Samples the stack under `root` every `everyMs` until `stop()`; `samples` holds them all. */
export function recordStack(root: number, everyMs: number, onSample?: (sample: StackSample) => void): { samples: StackSample[]; stop: () => void } {
  const samples: StackSample[] = [];
  const take = () => {
    const sample = sampleStack(root);
    samples.push(sample);
    onSample?.(sample);
  };
  take();
  const timer = setInterval(take, everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { pid: { type: 'string' }, port: { type: 'string' }, every: { type: 'string', default: '2' }, for: { type: 'string' }, processes: { type: 'boolean', default: false } },
  });
  if (!existsSync('/proc/self/status')) throw new Error('bench/local-rss.ts reads Linux /proc.');
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  const start = values.pid ? Number(values.pid) : pidListeningOn(port);
  if (!start) throw new Error(`Nothing listens on port ${port}; start the stack (npm start) or pass --pid.`);
  const root = stackRoot(start);
  const everyMs = Number(values.every) * 1000;
  const until = values.for ? Date.now() + Number(values.for) * 1000 : Infinity;
  const since = Date.now();
  say(`stack under pid ${root}: ${commandOf(root)}`);
  say(sampleHeader());
  const samples: StackSample[] = [];
  while (Date.now() < until) {
    const sample = sampleStack(root);
    if (sample.processes.length === 0) break;
    samples.push(sample);
    say(formatSample(sample, since));
    if (values.processes) for (const proc of sample.processes) say(`        ${String(proc.pid).padStart(7)} ${(proc.rssBytes / MiB).toFixed(0).padStart(6)} MiB ${String(proc.threads).padStart(3)} thr  ${proc.kind}: ${proc.command.slice(0, 100)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  const peak = peakSample(samples);
  if (peak) say(`${'peak'.padStart(7)}  ${formatSample(peak, peak.at).slice(9)}`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
