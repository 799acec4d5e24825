/**
 * Where the time of a one-file Quantum `POST /file/add` goes (issue 8 item 4).
 * The handler is invoked in-process with API Gateway v2 events; every DynamoDB
 * and S3 request it makes is timed by a client middleware (outermost step, so
 * serialisation, signing and the round trip count). Printed: the median of the
 * whole call, of each request in the order the handler makes them, of the gaps
 * between them (our own code: middy, validation, busboy, hashing, admission),
 * and of authentication and multipart parsing alone.
 *
 *   npx tsx bench/quantum-add.ts
 *       on DynamoDB Local + s3rver started here (BENCH_RUNS=25 by default)
 *   QUANTUM_STACK=1 PORT=3000 DYNAMODB_PORT=8000 S3_PORT=4569 LOCAL_MASTER_KEY=mk_... npx tsx bench/quantum-add.ts
 *       against a running `npm start` instead: the in-process add on that stack's
 *       emulators interleaved with the same add over HTTP through serverless-offline,
 *       so the difference is the local Lambda emulation (not part of AWS's path).
 *       Add SQS_ENDPOINT=<the SQS API npm start prints> LIFECYCLE_QUEUE_URL=<it>/000000000000/<queue>
 *       for the in-process add to send its lifecycle message to that stack's queue, as the function does.
 *
 * Figures only; nothing here asserts a time.
 */
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handler as bucketCreate } from '../functions/quantum/bucket-create/handler';
import { handler as fileAdd } from '../functions/quantum/file-add/handler';
import { parseConfig } from '../lib/config';
import { createAccount, issueMasterKey } from '../lib/core/access/accounts';
import { authenticate } from '../lib/core/access/authenticate';
import { parseMultipart } from '../lib/http/multipart';
import { LOCAL_CREDENTIALS } from '../lib/local/dynamodb-local';
import { localEnvironment, localPorts } from '../lib/local/environment';
import { createServices } from '../lib/app/all-services';
import { setServicesForTests } from '../lib/app/services';
import { createAwsClients } from '../lib/store/clients';
import { provisionBuckets, provisionTable } from '../lib/store/provision';
import { httpEvent, invoke } from '../test/support/events';
import { benchEnvironment, startBenchEmulators } from './support';
import { median, say } from './figures';

const RUNS = Number(process.env.BENCH_RUNS ?? 25);
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;
/** Median and mean: under load the medians of the parts need not add up to the median of the whole. */
const both = (values: readonly number[]) => `${ms(median(values))} (mean ${ms(mean(values)).trim()})`;

/** One AWS request of a handler call: which, when it started (ms after the call began), how long. */
interface Request {
  readonly name: string;
  readonly start: number;
  readonly ms: number;
}

interface Emulators {
  readonly env: Record<string, string>;
  readonly masterKey?: string;
  readonly stackUrl?: string;
  readonly stop: () => Promise<void>;
}

async function emulators(): Promise<Emulators> {
  if (process.env.QUANTUM_STACK) {
    const ports = localPorts();
    const masterKey = process.env.LOCAL_MASTER_KEY;
    if (!masterKey) throw new Error('QUANTUM_STACK needs LOCAL_MASTER_KEY (the key the stack was started with)');
    // The stack's lifecycle queue, when given (its SQS endpoint is printed at start): the in-process add then sends as the function does.
    const queue: Record<string, string> = process.env.LIFECYCLE_QUEUE_URL && process.env.SQS_ENDPOINT ? { SQS_ENDPOINT: process.env.SQS_ENDPOINT, LIFECYCLE_QUEUE_URL: process.env.LIFECYCLE_QUEUE_URL } : {};
    return { env: { ...localEnvironment(ports), ...queue }, masterKey, stackUrl: `http://localhost:${ports.http}`, stop: async () => undefined };
  }
  const started = await startBenchEmulators();
  return { env: { ...benchEnvironment(started), LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }, stop: started.stop };
}

/** A multipart/form-data body exactly as fetch sends it (what the Quantum clients and the side-by-side script send). */
async function form(names: readonly string[]): Promise<{ body: Buffer; contentType: string }> {
  const data = new FormData();
  for (const name of names) data.append('files', new Blob([`content of ${name}\n`], { type: 'text/plain' }), name);
  const request = new Request('http://form.local/', { method: 'POST', body: data });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

function addEvent(masterKey: string, bucket: string, location: string, body: { body: Buffer; contentType: string }): APIGatewayProxyEventV2 {
  return httpEvent({
    method: 'POST',
    path: '/API/file/add/{bucket}/{location+}',
    rawPath: `/API/file/add/${bucket}/${location}`,
    pathParameters: { bucket, location },
    headers: { 'x-api-mkey': masterKey, 'content-type': body.contentType },
    body: body.body,
  });
}

async function main(): Promise<void> {
  const stack = await emulators();
  try {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey });
    const config = parseConfig({ ...stack.env, LOG_LEVEL: 'silent' });
    const clients = createAwsClients(config);
    let requests: Request[] = [];
    let callStarted = 0;
    const timed = (label: string) => (next: (args: never) => Promise<unknown>, context: { commandName?: string }) => async (args: never) => {
      const start = performance.now();
      try {
        return await next(args);
      } finally {
        const name = `${label} ${(context.commandName ?? '?').replace(/Command$/, '')}`;
        requests.push({ name, start: start - callStarted, ms: performance.now() - start });
      }
    };
    clients.dynamo.middlewareStack.add(timed('DynamoDB') as never, { step: 'initialize', name: 'benchTimedDynamo' });
    (await clients.s3()).middlewareStack.add(timed('S3') as never, { step: 'initialize', name: 'benchTimedS3' });
    const services = createServices(config, clients);
    setServicesForTests(services);

    let masterKey = stack.masterKey;
    if (!masterKey) {
      await provisionTable(clients.dynamo as never, config.TABLE_NAME);
      await provisionBuckets(clients.s3, [config.FILES_BUCKET, config.REPLICA_BUCKET]);
      const account = await createAccount(services.accounts, { name: 'bench', quotaBytes: 1024 ** 4 });
      masterKey = (await issueMasterKey(services.accounts, account.accountId)).token;
    }
    const bucket = `bench${Date.now().toString(36)}`;
    const created = await invoke(bucketCreate, httpEvent({ method: 'POST', path: '/API/bucket/create/{bucket}', rawPath: `/API/bucket/create/${bucket}`, pathParameters: { bucket }, headers: { 'x-api-mkey': masterKey } }));
    if (created.statusCode !== 200) throw new Error(`bucket/create answered ${created.statusCode}: ${created.rawBody}`);

    const inProcess = async (location: string, names: readonly string[]) => {
      const event = addEvent(masterKey, bucket, location, await form(names));
      const mine: Request[] = [];
      requests = mine;
      callStarted = performance.now();
      const result = await invoke(fileAdd, event);
      const total = performance.now() - callStarted;
      // Requests made after the call (the lone authenticate() below) are not the call's.
      requests = [];
      if (result.statusCode !== 200) throw new Error(`file/add answered ${result.statusCode}: ${result.rawBody}`);
      return { total, requests: mine };
    };
    const overHttp = async (location: string, name: string) => {
      const data = new FormData();
      data.append('files', new Blob([`content of ${name}\n`], { type: 'text/plain' }), name);
      const started = performance.now();
      const response = await fetch(`${stack.stackUrl}/API/file/add/${bucket}/${location}`, { method: 'POST', headers: { 'X-API-MKEY': masterKey }, body: data });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`file/add over HTTP answered ${response.status}: ${text.slice(0, 200)}`);
      return performance.now() - started;
    };

    // 40 files already there (as in the side-by-side script), then warm-up: modules loaded, connections open, numbers reserved.
    await inProcess('small', Array.from({ length: 40 }, (_, i) => `s${i}.txt`));
    for (let i = 0; i < 3; i++) {
      await inProcess('m', [`warm${i}.txt`]);
      if (stack.stackUrl) await overHttp('m', `warm-http${i}.txt`);
    }

    const calls: Awaited<ReturnType<typeof inProcess>>[] = [];
    const http: number[] = [];
    const auth: number[] = [];
    const multipart: number[] = [];
    const authHeaders = { 'x-api-mkey': masterKey };
    const sample = addEvent(masterKey, bucket, 'm', await form(['sample.txt']));
    for (let round = 0; round < RUNS; round++) {
      calls.push(await inProcess('m', [`x${round}.txt`]));
      if (stack.stackUrl) http.push(await overHttp('m', `h${round}.txt`));
      let started = performance.now();
      await authenticate(services.accounts, authHeaders);
      auth.push(performance.now() - started);
      started = performance.now();
      await parseMultipart(sample);
      multipart.push(performance.now() - started);
    }

    // The requests of a call, in order; calls whose sequence differs (a number block reserved) are reported apart.
    const signature = (call: (typeof calls)[number]) => call.requests.map((request) => request.name).join(',');
    const bySignature = new Map<string, typeof calls>();
    for (const call of calls) bySignature.set(signature(call), [...(bySignature.get(signature(call)) ?? []), call]);
    const [common] = [...bySignature.values()].sort((a, b) => b.length - a.length);

    say(`Quantum one-file file/add, ${RUNS} runs${stack.stackUrl ? ` against ${stack.stackUrl}'s emulators` : ' (DynamoDB Local + s3rver started here)'}, medians:`);
    const totals = calls.map((call) => call.total);
    say(`  whole call, in-process handler      ${both(totals)}`);
    if (stack.stackUrl) {
      say(`  whole call, HTTP via serverless-offline ${both(http)}  (interleaved with the line above)`);
      say(`  local Lambda emulation + HTTP       ${ms(median(http) - median(totals))} (mean ${ms(mean(http) - mean(totals)).trim()})`);
    }
    say(`  authenticate() alone                ${both(auth)}  (one DynamoDB GetItem + SHA-256)`);
    say(`  parseMultipart() alone              ${both(multipart)}`);
    say(`  of the in-process call (${common!.length} of ${calls.length} calls had this sequence):`);
    const count = common![0]!.requests.length;
    const previousEnd = (call: (typeof calls)[number], index: number) => (index === 0 ? 0 : call.requests[index - 1]!.start + call.requests[index - 1]!.ms);
    let requestSum = 0;
    let gapSum = 0;
    for (let index = 0; index < count; index++) {
      const gaps = common!.map((call) => call.requests[index]!.start - previousEnd(call, index));
      const took = common!.map((call) => call.requests[index]!.ms);
      requestSum += mean(took);
      gapSum += mean(gaps);
      say(`    our code before it ${ms(median(gaps))}   ${String(index + 1).padStart(2)}. ${common![0]!.requests[index]!.name.padEnd(28)} ${both(took)}`);
    }
    const tail = common!.map((call) => call.total - previousEnd(call, count));
    gapSum += mean(tail);
    say(`    our code after the last request ${ms(median(tail))}`);
    say(`  of the mean call (${ms(mean(common!.map((call) => call.total))).trim()}): ${count} AWS requests ${ms(requestSum).trim()}, our code between them ${ms(gapSum).trim()}`);
    for (const [sequence, group] of bySignature) {
      if (group !== common) say(`  (${group.length} call(s) made: ${sequence})`);
    }
  } finally {
    setServicesForTests(undefined);
    await stack.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
