/**
 * `npm start`: the whole service on http://localhost:3000 with no Docker and no
 * AWS account. DynamoDB Local (Java) + S3 (s3rver, in this process) +
 * serverless-offline running the real handlers, and the S3 → queue → function
 * event path (lib/local/object-event-bridge.ts). Ctrl-C stops everything.
 *
 *   npm start                 data kept under .data/ between restarts
 *   npm start -- --in-memory  throw-away run (also STORAGE_IN_MEMORY=1)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import objectEventSettings from '../infra/object-events.json';
import webhookEventSettings from '../infra/webhook-events.json';
import { parseConfig } from '../lib/config';
import { MissingJavaError, startDynamoDbLocal, type RunningDynamoDb } from '../lib/local/dynamodb-local';
import { LOCAL_QUEUES, localConsoleOrigin, localEnvironment, localPorts } from '../lib/local/environment';
import { buildLocalStack, removeLocalBuild, type LocalBuild } from '../lib/local/function-build';
import { ObjectEventBridge, lambdaApiInvoker } from '../lib/local/object-event-bridge';
import { LocalQueue } from '../lib/local/object-event-queue';
import { startLocalSqsEndpoint, type LocalSqsEndpoint } from '../lib/local/sqs-endpoint';
import { assertPortFree } from '../lib/local/ports';
import { seedLocalAccount, type LocalAccount } from '../lib/local/seed';
import { addMultipartOperations } from '../lib/local/s3rver-multipart';
import { createServices } from '../lib/app/all-services';
import { provisionBucketCors, provisionBuckets, provisionTable } from '../lib/store/provision';

const root = path.resolve(__dirname, '..');
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const inMemory = process.argv.includes('--in-memory') || process.env.STORAGE_IN_MEMORY === '1';
const say = (line: string) => process.stdout.write(`[local] ${line}\n`);
/** Seconds since `since`, for the progress lines. */
const took = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
/** How long serverless-offline may take to answer: generous for a busy 2-core machine. */
const OFFLINE_TIMEOUT_MS = 300_000;
/** How long Ctrl-C waits for the event batches in flight before it stops serverless-offline under them. */
const BRIDGE_STOP_GRACE_MS = 3000;

async function main(): Promise<void> {
  const startedAt = Date.now();
  const ports = localPorts();
  for (const [purpose, port] of Object.entries({ 'HTTP API': ports.http, 'Lambda API': ports.lambda, DynamoDB: ports.dynamodb, S3: ports.s3 })) {
    await assertPortFree(port, purpose);
  }
  const dataDir = path.join(root, '.data');
  const scratch = inMemory ? mkdtempSync(path.join(os.tmpdir(), 'storage-local-')) : undefined;
  const s3Dir = scratch ?? path.join(dataDir, 's3');
  mkdirSync(s3Dir, { recursive: true });
  const env = {
    ...localEnvironment(ports),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    IPNS_KEY_ENCRYPTION_KEY: localIpnsKeyEncryptionKey(scratch ?? dataDir),
  };
  Object.assign(process.env, env);

  say(inMemory ? 'in-memory run: nothing is kept' : `data kept in ${path.relative(process.cwd(), dataDir) || dataDir}`);
  let dynamo: RunningDynamoDb | undefined;
  let s3: S3rver | undefined;
  let bridge: ObjectEventBridge | undefined;
  let webhookBridge: ObjectEventBridge | undefined;
  let sqs: LocalSqsEndpoint | undefined;
  let offline: ChildProcess | undefined;
  let build: LocalBuild | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    // The pollers take no new batch; a batch in flight may run for minutes (objectCreated's timeout is 900 s):
    // it gets a moment to finish, then serverless-offline is stopped under it (its messages are lost with the queue).
    const bridgeStopped = Promise.all([bridge?.stop(), webhookBridge?.stop()]);
    await Promise.race([bridgeStopped, new Promise((resolve) => setTimeout(resolve, BRIDGE_STOP_GRACE_MS))]);
    if (offline && offline.exitCode === null) {
      const exited = new Promise((resolve) => offline!.once('exit', resolve));
      try { process.kill(-offline.pid!, 'SIGINT'); } catch { /* already gone */ }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      try { process.kill(-offline.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }
    await Promise.allSettled([bridgeStopped, dynamo?.stop(), s3?.close(), sqs?.close()]);
    if (build) removeLocalBuild(build);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  let stage = Date.now();
  // The build needs none of the emulators: it runs while DynamoDB Local's JVM starts.
  say('building the functions (one esbuild pass) and starting DynamoDB Local (Java)…');
  const building = buildLocalStack(root).then((built) => {
    build = built;
    say(`${built.functions.length} functions built in ${(built.buildMs / 1000).toFixed(1)} s`);
    return built;
  });
  building.catch(() => undefined); // awaited below; a failure ends the start there
  dynamo = await startDynamoDbLocal({ port: ports.dynamodb, dataDir: inMemory ? undefined : path.join(dataDir, 'dynamodb') });
  const services = createServices(parseConfig(env));
  await provisionTable(services.clients.dynamo, services.config.TABLE_NAME);
  say(`DynamoDB Local on ${dynamo.endpoint}, table ready (${took(stage)})`);


  // S3 runs here rather than inside serverless-offline, so that its notifications reach the queue below.
  s3 = new S3rver({ address: 'localhost', port: ports.s3, directory: s3Dir, silent: true });
  // ListParts, AbortMultipartUpload, ListMultipartUploads and S3's checks of parts, which s3rver 3.7 lacks.
  addMultipartOperations(s3);
  await s3.run();
  await provisionBuckets(services.clients.s3, [services.config.FILES_BUCKET, services.config.REPLICA_BUCKET]);
  // The template's CORS rule: the web console's origin (this stack's own) may PUT to presigned URLs.
  await provisionBucketCors(await services.clients.s3(), services.config.FILES_BUCKET, localConsoleOrigin(ports));
  const events = objectEventBridge(s3, services.config.FILES_BUCKET, ports.lambda, services.logger);
  bridge = events.bridge;
  // Functions that send to the queue themselves (SQS_ENDPOINT + LIFECYCLE_QUEUE_URL) reach the same local queue.
  const webhooks = webhookDeliveryBridge(ports.lambda, services.logger);
  webhookBridge = webhooks.bridge;
  sqs = await startLocalSqsEndpoint([events.queue, events.deadLetterQueue, webhooks.queue, webhooks.deadLetterQueue]);
  const queueEnv = {
    SQS_ENDPOINT: sqs.endpoint,
    LIFECYCLE_QUEUE_URL: sqs.queueUrl(events.queue.name),
    WEBHOOK_QUEUE_URL: sqs.queueUrl(webhooks.queue.name),
    WEBHOOK_DEAD_LETTER_QUEUE_URL: sqs.queueUrl(webhooks.deadLetterQueue.name),
    // Local runs may send webhooks to a receiver on this machine (loopback, and only loopback).
    WEBHOOK_ALLOW_LOOPBACK: 'true',
  };
  say(`S3 (s3rver) on http://localhost:${ports.s3}, buckets ready; its uploads/ events go through a local queue (SQS API on ${sqs.endpoint}) to objectCreated`);
  const built = await building;
  say('starting serverless-offline…');
  stage = Date.now();

  offline = spawn(path.join(root, 'node_modules', '.bin', 'serverless'), ['offline', 'start', '--stage', 'local'], {
    cwd: root,
    // LOCAL_OFFLINE_PLUGIN: serverless.yml loads this build's plugin for stage local (custom.functionBuilder.local).
    // (A local plugin's path must start with ./, relative to the service.)
    env: { ...process.env, ...env, ...queueEnv, LOCAL_OFFLINE_PLUGIN: `./${path.relative(root, built.pluginFile)}`, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so Ctrl-C can stop every process it starts
  });
  // Kept until the stack is ready (printed if serverless-offline fails to start), then passed through.
  let offlineOutput = '';
  // "Server ready" means the HTTP API listens.
  const milestones = [{ marker: 'Server ready', line: () => `serverless-offline listening on http://localhost:${ports.http} (${took(stage)})` }];
  const collect = (chunk: Buffer) => {
    if (process.env.LOCAL_VERBOSE === '1' || offlineReady) {
      process.stdout.write(chunk);
      return;
    }
    offlineOutput += chunk.toString();
    while (milestones.length > 0 && offlineOutput.includes(milestones[0]!.marker)) say(milestones.shift()!.line());
  };
  let offlineReady = false;
  offline.stdout?.on('data', collect);
  offline.stderr?.on('data', collect);
  offline.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`${offlineOutput}\n[local] serverless-offline exited (code ${code}).\n`);
      void stop(1);
    }
  });

  await waitForHttp(`http://localhost:${ports.http}/status`, OFFLINE_TIMEOUT_MS, () => offline!.exitCode !== null);
  bridge.start();
  webhookBridge.start();
  say(`serverless-offline answers on http://localhost:${ports.http} (${took(stage)}); the event bridge is running`);
  const account = await seedLocalAccount(services, {
    statePath: inMemory ? undefined : path.join(dataDir, 'local-account.json'),
    fixed: { masterKey: process.env.LOCAL_MASTER_KEY, apiKey: process.env.LOCAL_API_KEY, apiSecret: process.env.LOCAL_API_SECRET },
  });
  say(`local account ready (${took(stage)})`);
  offlineReady = true;
  offlineOutput = '';
  printBanner(ports.http, account, Date.now() - startedAt);
}

/**
 * The local ObjectEventsQueue (with its DLQ) and its poller, with the settings
 * serverless.yml gives AWS (infra/object-events.json), except the visibility
 * timeout: LOCAL_QUEUE_VISIBILITY_SECONDS, 30 s by default, so a failed event
 * comes back within a minute instead of AWS's 6 × the function timeout.
 */
function objectEventBridge(
  s3: S3rver,
  filesBucket: string,
  lambdaPort: number,
  logger: ReturnType<typeof createServices>['logger'],
): { bridge: ObjectEventBridge; queue: LocalQueue; deadLetterQueue: LocalQueue } {
  const visibilityTimeoutMs = Number(process.env.LOCAL_QUEUE_VISIBILITY_SECONDS ?? 30) * 1000;
  const deadLetterQueue = new LocalQueue({ name: LOCAL_QUEUES.objectEventsDeadLetter, visibilityTimeoutMs });
  const queue = new LocalQueue({
    name: LOCAL_QUEUES.objectEvents,
    visibilityTimeoutMs,
    redrive: {
      deadLetterQueue,
      maxReceiveCount: objectEventSettings.MaxReceiveCount,
      onMoved: (body) => say(`an object event failed ${objectEventSettings.MaxReceiveCount} times; it is in the dead-letter queue now: ${body.slice(0, 300)}`),
    },
  });
  const bridge = new ObjectEventBridge({
    source: s3,
    bucketName: filesBucket,
    settings: objectEventSettings,
    queue,
    logger,
    // serverless-offline names functions as AWS does: <service>-<stage>-<function key>.
    invoke: lambdaApiInvoker(`http://localhost:${lambdaPort}`, 'storage-service-local-objectCreated'),
  });
  return { bridge, queue, deadLetterQueue };
}

/**
 * The local WebhookQueue (with its DLQ) and its poller invoking webhookDeliver, with infra/webhook-events.json's
 * settings except the visibility timeout (LOCAL_QUEUE_VISIBILITY_SECONDS, as for object events). Retries are
 * messages the function sends back with DelaySeconds, which the local queue honours.
 */
function webhookDeliveryBridge(lambdaPort: number, logger: ReturnType<typeof createServices>['logger']): { bridge: ObjectEventBridge; queue: LocalQueue; deadLetterQueue: LocalQueue } {
  const visibilityTimeoutMs = Number(process.env.LOCAL_QUEUE_VISIBILITY_SECONDS ?? 30) * 1000;
  const deadLetterQueue = new LocalQueue({
    name: LOCAL_QUEUES.webhooksDeadLetter,
    visibilityTimeoutMs,
  });
  const queue = new LocalQueue({
    name: LOCAL_QUEUES.webhooks,
    visibilityTimeoutMs,
    redrive: {
      deadLetterQueue,
      maxReceiveCount: webhookEventSettings.MaxReceiveCount,
      onMoved: (body) => say(`a webhook delivery failed ${webhookEventSettings.MaxReceiveCount} times; it is in the dead-letter queue now: ${body.slice(0, 300)}`),
    },
  });
  const bridge = new ObjectEventBridge({
    // No S3 notification feeds this queue: only the functions' SendMessage (the local SQS endpoint).
    source: new EventEmitter(),
    bucketName: '',
    settings: { Prefix: '', Events: [], MaxReceiveCount: webhookEventSettings.MaxReceiveCount, BatchSize: webhookEventSettings.BatchSize, MaximumBatchingWindow: webhookEventSettings.MaximumBatchingWindow },
    queue,
    logger,
    concurrency: 2,
    invoke: lambdaApiInvoker(`http://localhost:${lambdaPort}`, 'storage-service-local-webhookDeliver'),
  });
  return { bridge, queue, deadLetterQueue };
}

async function waitForHttp(url: string, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    try {
      const response = await fetch(url);
      if (response.status < 500 || response.status === 503) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The service did not answer on ${url} within ${timeoutMs / 1000} s.`);
}

function printBanner(port: number, account: LocalAccount, elapsedMs: number): void {
  const base = `http://localhost:${port}`;
  const basic = Buffer.from(`${account.apiKey}:${account.apiSecret}`).toString('base64');
  process.stdout.write(`
Storage service is up on ${base} (started in ${(elapsedMs / 1000).toFixed(1)} s). Ctrl-C stops everything.

  account     ${account.accountId}
  master key  ${account.masterKey}
  API key     ${account.apiKey}
  API secret  ${account.apiSecret}
  bucket      ${account.bucketName} (${account.bucketUuid})

  export MKEY='${account.masterKey}'
  export BASIC='${basic}'
  export BUCKET='${account.bucketUuid}'
  curl -s ${base}/status
  curl -s -H "X-API-MKEY: $MKEY" ${base}/API/bucket
  curl -s -H "Authorization: Basic $BASIC" ${base}/storage/buckets

`);
}

main().catch((error: Error) => {
  const known = error instanceof MissingJavaError || /already in use|did not answer|Cannot listen/.test(error.message);
  process.stderr.write(`\n[local] ${known ? error.message : error.stack ?? error.message}\n`);
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.exit(1), 6000).unref();
});

/**
 * The local stack's key for sealing IPNS private keys: 32 random bytes made on
 * first start and kept (mode 0600) beside the data they protect, so names
 * published before a restart can still be published after it.
 */
function localIpnsKeyEncryptionKey(dir: string): string {
  const file = path.join(dir, 'ipns-key-encryption-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
