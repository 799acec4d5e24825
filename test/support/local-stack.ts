/**
 * The local stack as a developer starts it (`npm start -- --in-memory`, see README),
 * on free ports, for end-to-end tests over HTTP. Every process it starts carries a
 * marker in its environment, so `stop()` can tell whether Ctrl-C really stopped all
 * of them (npm, tsx, DynamoDB Local's JVM, serverless-offline and its children).
 * The e2e files share one such stack per run (`sharedLocalStack()`, started by
 * test/support/e2e-global-setup.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { assertPortFree, freePort } from '../../lib/local/ports';
import { basicAuthorization } from './events';

const ROOT = path.resolve(__dirname, '..', '..');
const BANNER = 'Storage service is up on';
export const MARKER_VARIABLE = 'STORAGE_E2E_RUN';

/** Fixed credentials the stack seeds (LOCAL_MASTER_KEY, LOCAL_API_KEY, LOCAL_API_SECRET). */
export const LOCAL_STACK_CREDENTIALS = {
  masterKey: 'mk_e2e-master-key-4f1c9a7d2b',
  apiKey: 'e2e-api-key',
  apiSecret: 'e2e-api-secret:with-a-colon',
} as const;

export interface LocalStackPorts {
  readonly http: number;
  readonly lambda: number;
  readonly dynamodb: number;
  readonly s3: number;
}

export interface StopReport {
  /** Processes of this run still alive after the grace period (then killed). */
  readonly leftovers: readonly string[];
  /** Ports of this run that could not be bound after the stop. */
  readonly busyPorts: readonly number[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface JsonResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (undefined when the body is not JSON). */
  readonly body: T;
  readonly text: string;
}

export interface LocalStack {
  readonly baseUrl: string;
  readonly ports: LocalStackPorts;
  readonly credentials: typeof LOCAL_STACK_CREDENTIALS & { readonly basicAuthorization: string };
  /** Ready-made credential headers of the seeded account. */
  readonly headers: { readonly master: Record<string, string>; readonly basic: Record<string, string> };
  /** The seeded account and bucket, as the banner prints them. */
  readonly accountId: string;
  readonly bucketUuid: string;
  /** Everything the stack printed so far (for failure messages). */
  output(): string;
  /** The live processes of this run (`pid command`); empty where /proc is not available. */
  processes(): string[];
  /** `fetch` relative to `baseUrl`, parsing a JSON answer. */
  request<T = any>(pathAndQuery: string, init?: RequestInit): Promise<JsonResponse<T>>;
  /** Ctrl-C: SIGINT to the process group, then waits until every process of the run is gone. Idempotent. */
  stop(): Promise<StopReport>;
}

export interface StartOptions {
  readonly timeoutMs?: number;
  /** Extra environment for the stack. */
  readonly env?: Record<string, string>;
  /** The ports to start on (a bench with its own); free ones by default. */
  readonly ports?: LocalStackPorts;
}

/** A stack being started: what is known before it is ready, and its readiness. */
export interface LaunchedLocalStack {
  readonly ports: LocalStackPorts;
  readonly baseUrl: string;
  /** The run's marker (see `MARKER_VARIABLE`): finds every process of the run. */
  readonly marker: string;
  /** The process group of `npm start` (its pid): Ctrl-C goes to the whole group. */
  readonly processGroup: number;
  /** Settles with npm's exit. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the banner is printed; rejects (and kills the run) when it is not within the timeout. */
  readonly ready: Promise<LocalStack>;
}

/** Start-up timeout: `LOCAL_STACK_START_TIMEOUT_MS`, else 300 s (start-up measured at ~40 s quiet, ~150 s under load 10 on 2 cores). */
export function startTimeoutMs(): number {
  return Number(process.env.LOCAL_STACK_START_TIMEOUT_MS) || 300_000;
}

export async function startLocalStack(options: StartOptions = {}): Promise<LocalStack> {
  return (await launchLocalStack(options)).ready;
}

/** Spawns `npm start -- --in-memory` on free ports and returns at once; `ready` settles with the banner. */
export async function launchLocalStack(options: StartOptions = {}): Promise<LaunchedLocalStack> {
  const timeoutMs = options.timeoutMs ?? startTimeoutMs();
  const ports = options.ports ?? (await distinctFreePorts());
  const marker = randomUUID();
  const child = spawn('npm', ['start', '--', '--in-memory'], {
    cwd: ROOT,
    env: {
      ...developerEnvironment(),
      PORT: String(ports.http),
      LAMBDA_PORT: String(ports.lambda),
      DYNAMODB_PORT: String(ports.dynamodb),
      S3_PORT: String(ports.s3),
      LOCAL_MASTER_KEY: LOCAL_STACK_CREDENTIALS.masterKey,
      LOCAL_API_KEY: LOCAL_STACK_CREDENTIALS.apiKey,
      LOCAL_API_SECRET: LOCAL_STACK_CREDENTIALS.apiSecret,
      [MARKER_VARIABLE]: marker,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, as a terminal gives `npm start`, so SIGINT reaches all of it
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const ready = (async (): Promise<LocalStack> => {
    try {
      await waitForBanner(() => output, exited, timeoutMs);
    } catch (error) {
      await killRun(child.pid, marker);
      throw new Error(`${(error as Error).message}\n--- output of npm start ---\n${output}`);
    }
    const banner = output.slice(output.indexOf(BANNER));
    const baseUrl = /Storage service is up on (http:\/\/\S+?)\s/.exec(banner)?.[1] ?? `http://localhost:${ports.http}`;
    let stopping: Promise<StopReport> | undefined;
    return {
      ...localStackClient({
        baseUrl,
        ports,
        marker,
        accountId: /account\s+(\S+)/.exec(banner)?.[1] ?? '',
        bucketUuid: /bucket\s+\S+ \(([0-9a-f-]{36})\)/.exec(banner)?.[1] ?? '',
        output: () => output,
      }),
      stop: () => {
        stopping ??= stop(child, exited, marker, ports);
        return stopping;
      },
    };
  })();
  ready.catch(() => undefined); // the caller may look only at `exited` first
  return { ports, baseUrl: `http://localhost:${ports.http}`, marker, processGroup: child.pid!, exited, ready };
}

/** Everything of a `LocalStack` but `stop`, from what its banner said: usable in any process. */
export function localStackClient(known: {
  baseUrl: string;
  ports: LocalStackPorts;
  marker: string;
  accountId: string;
  bucketUuid: string;
  output: () => string;
}): Omit<LocalStack, 'stop'> {
  const basic = basicAuthorization(LOCAL_STACK_CREDENTIALS.apiKey, LOCAL_STACK_CREDENTIALS.apiSecret);
  return {
    baseUrl: known.baseUrl,
    ports: known.ports,
    credentials: { ...LOCAL_STACK_CREDENTIALS, basicAuthorization: basic },
    headers: { master: { 'x-api-mkey': LOCAL_STACK_CREDENTIALS.masterKey }, basic: { authorization: basic } },
    accountId: known.accountId,
    bucketUuid: known.bucketUuid,
    output: known.output,
    processes: () => runProcesses(known.marker).map((proc) => `${proc.pid} ${proc.command}`),
    request: async (pathAndQuery, init) => {
      const response = await fetch(new URL(pathAndQuery, known.baseUrl), { ...init, signal: init?.signal ?? AbortSignal.timeout(30_000) });
      const text = await response.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: response.status, headers: response.headers, body: body as never, text };
    },
  };
}

function stop(
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  marker: string,
  ports: LocalStackPorts,
): Promise<StopReport> {
  return interruptRun({ processGroup: child.pid!, exited, marker, ports });
}

/**
 * Ctrl-C for a run: SIGINT to its process group, then waits (30 s for npm, 20 s more for
 * the rest) until every process carrying the run's marker is gone, kills what is left,
 * and checks the run's ports can be bound again. Works from any process of the machine.
 */
export async function interruptRun(run: {
  processGroup: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  marker: string;
  ports: LocalStackPorts;
}): Promise<StopReport> {
  const { processGroup, exited, marker, ports } = run;
  signalGroup(processGroup, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([exited, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 30_000)))]);
  clearTimeout(timer); // a pending 30 s timer would keep the test runner's process alive
  // npm may return before the stack has finished its own clean-up: wait for every process of the run.
  const deadline = Date.now() + 20_000;
  let alive = runProcesses(marker);
  while (alive.length > 0 && Date.now() < deadline) {
    await delay(200);
    alive = runProcesses(marker);
  }
  const leftovers = alive.map((proc) => `${proc.pid} ${proc.command}`);
  if (alive.length > 0 || !outcome) await killRun(processGroup, marker);

  const busyPorts: number[] = [];
  for (const port of Object.values(ports)) {
    await assertPortFree(port, 'e2e').catch(() => busyPorts.push(port));
  }
  return { leftovers, busyPorts, exitCode: outcome?.code ?? null, signal: outcome?.signal ?? null };
}

function waitForBanner(
  output: () => string,
  exited: Promise<{ code: number | null }>,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`The local stack printed no "${BANNER}" banner within ${timeoutMs / 1000} s.`)), timeoutMs);
    const poll = setInterval(() => {
      // The banner ends with the curl examples; wait for all of it.
      if (output().includes(BANNER) && /curl -s .*\/storage\/buckets/.test(output())) finish();
    }, 100);
    void exited.then(({ code }) => finish(new Error(`npm start exited (code ${code}) before it was ready.`)));
    let done = false;
    function finish(error?: Error) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      if (error) reject(error);
      else resolve();
    }
  });
}

/** The environment of a developer's shell: the test runner's own variables left out. */
function developerEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(VITEST|TINYPOOL)|^NODE_ENV$|^TEST$/.test(name)) continue;
    env[name] = value;
  }
  return env;
}

async function distinctFreePorts(): Promise<LocalStackPorts> {
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  const [http, lambda, dynamodb, s3] = [...ports] as [number, number, number, number];
  return { http, lambda, dynamodb, s3 };
}

/** Processes whose environment carries this run's marker (Linux /proc; elsewhere: the process group only). */
export function runProcesses(marker: string): { pid: number; command: string }[] {
  if (!existsSync('/proc/self/environ')) return [];
  const wanted = `${MARKER_VARIABLE}=${marker}`;
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (!environ.split('\0').includes(wanted)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 160);
      found.push({ pid: Number(entry), command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function killRun(processGroup: number | undefined, marker: string): Promise<void> {
  if (processGroup !== undefined) signalGroup(processGroup, 'SIGKILL');
  for (const proc of runProcesses(marker)) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await delay(200);
}

function signalGroup(processGroup: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-processGroup, signal);
  } catch {
    // the group is gone
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `probe` every 500 ms until it gives a value (not undefined), which it returns; throws after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await delay(500);
  }
}
