/**
 * What the IAM test (test/e2e/roles.iam.test.ts) reads: each function's role from the packaged
 * CloudFormation template (`serverless package --stage ci`), its intrinsic functions resolved for a fixed
 * fake account and region; the statements as written in each function.yml with their `unrecorded`
 * comments; and the AWS calls the local stack's functions recorded (lib/store/aws-call-record.ts), their
 * ARNs moved from the local stack's names onto the template's.
 *
 * Packaging builds every function (~1 min on a busy 2-core machine), so the template is cached under
 * node_modules/.cache/ by a hash of what it is made from: serverless.yml, every functions/**\/function.yml,
 * infra/ and package-lock.json (the plugins' versions). It is packaged in a scratch directory that links
 * to this checkout, so the `.esbuild/` of a running local stack is never touched.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { IamRequest, RecordedCall } from '../../lib/store/aws-call-record';
import { RECORDED_ACCOUNT } from '../../lib/store/aws-call-record';

const ROOT = path.resolve(__dirname, '..', '..');

/** The account, region and partition the template's ARNs are resolved for. */
export const STACK = { account: '123456789012', region: 'us-east-1', partition: 'aws', stage: 'ci' } as const;

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}
export interface Template {
  readonly Resources: Record<string, Resource>;
}

/** Files whose content decides the template's IAM: the cache key. */
function templateInputs(): string[] {
  const functionFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? functionFiles(path.join(dir, entry.name)) : entry.name === 'function.yml' ? [path.join(dir, entry.name)] : [],
    );
  return [
    path.join(ROOT, 'serverless.yml'),
    path.join(ROOT, 'package-lock.json'),
    ...readdirSync(path.join(ROOT, 'infra')).map((name) => path.join(ROOT, 'infra', name)),
    ...functionFiles(path.join(ROOT, 'functions')),
  ].sort();
}

/**
 * The packaged template, from the cache when its inputs are unchanged; `packagedMs` is what packaging took
 * (0 from the cache). With `artifactsDir` it always packages, and also leaves the whole package (template and
 * the functions' .zip artifacts) in that directory: CI packages once this way (scripts/package-ci.ts) before
 * the tests, so the IAM test finds the template in the cache instead of packaging a second time.
 */
export async function packagedTemplate(options: { artifactsDir?: string } = {}): Promise<{ template: Template; packagedMs: number; cacheFile: string }> {
  const hash = createHash('sha256');
  for (const file of templateInputs()) hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  const cacheDir = path.join(ROOT, 'node_modules', '.cache', 'storage-service-iam');
  const cacheFile = path.join(cacheDir, `template-${hash.digest('hex').slice(0, 16)}.json`);
  if (!options.artifactsDir && existsSync(cacheFile)) return { template: JSON.parse(readFileSync(cacheFile, 'utf8')) as Template, packagedMs: 0, cacheFile };

  const started = Date.now();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'storage-iam-package-'));
  try {
    for (const entry of readdirSync(ROOT)) {
      if (['.git', '.esbuild', '.serverless', '.data', 'serverless.yml'].includes(entry)) continue;
      symlinkSync(path.join(ROOT, entry), path.join(scratch, entry));
    }
    // The framework looks for a real serverless.yml in the service directory.
    cpSync(path.join(ROOT, 'serverless.yml'), path.join(scratch, 'serverless.yml'));
    const out = path.join(scratch, 'package');
    // A clean environment: no TABLE_NAME, FILES_BUCKET… of the caller's shell leaks into the names.
    const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? os.homedir(), SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' };
    await promisify(execFile)(path.join(ROOT, 'node_modules', '.bin', 'serverless'), ['package', '--stage', STACK.stage, '--package', out], {
      cwd: scratch,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    const text = readFileSync(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cacheFile, text);
    if (options.artifactsDir) {
      rmSync(options.artifactsDir, { recursive: true, force: true });
      cpSync(out, options.artifactsDir, { recursive: true });
    }
    return { template: JSON.parse(text) as Template, packagedMs: Date.now() - started, cacheFile };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A CloudFormation value with its intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) resolved for {@link STACK}. */
export function resolve(template: Template, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(template, item));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return ref(template, String(object.Ref));
  if ('Fn::GetAtt' in object) {
    const [id, attribute] = (typeof object['Fn::GetAtt'] === 'string' ? (object['Fn::GetAtt'] as string).split('.') : object['Fn::GetAtt']) as [string, string];
    return getAtt(template, id, attribute);
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return (resolve(template, parts) as unknown[]).map(String).join(separator);
  }
  if ('Fn::Sub' in object) {
    const [text, variables] = (typeof object['Fn::Sub'] === 'string' ? [object['Fn::Sub'], {}] : object['Fn::Sub']) as [string, Record<string, unknown>];
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      if (name in variables) return String(resolve(template, variables[name]));
      const [id, attribute] = name.split('.');
      return String(attribute ? getAtt(template, id!, attribute) : ref(template, id!));
    });
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolve(template, item)]));
}

function ref(template: Template, id: string): string {
  if (id === 'AWS::AccountId') return STACK.account;
  if (id === 'AWS::Region') return STACK.region;
  if (id === 'AWS::Partition') return STACK.partition;
  const resource = template.Resources[id];
  const properties = resource?.Properties ?? {};
  switch (resource?.Type) {
    case 'AWS::SQS::Queue':
      return `https://sqs.${STACK.region}.amazonaws.com/${STACK.account}/${properties.QueueName}`;
    case 'AWS::DynamoDB::Table':
      return String(properties.TableName);
    case 'AWS::S3::Bucket':
      return String(properties.BucketName);
  }
  throw new Error(`iam-template: cannot resolve Ref ${id} (${resource?.Type ?? 'no such resource'})`);
}

function getAtt(template: Template, id: string, attribute: string): string {
  const resource = template.Resources[id];
  const properties = resource?.Properties ?? {};
  const key = `${resource?.Type} ${attribute}`;
  switch (key) {
    case 'AWS::DynamoDB::Table Arn':
      return `arn:${STACK.partition}:dynamodb:${STACK.region}:${STACK.account}:table/${properties.TableName}`;
    case 'AWS::SQS::Queue Arn':
      return `arn:${STACK.partition}:sqs:${STACK.region}:${STACK.account}:${properties.QueueName}`;
    case 'AWS::SQS::Queue QueueName':
      return String(properties.QueueName);
    case 'AWS::S3::Bucket Arn':
      return `arn:${STACK.partition}:s3:::${properties.BucketName}`;
  }
  throw new Error(`iam-template: cannot resolve Fn::GetAtt ${id}.${attribute} (${resource?.Type ?? 'no such resource'})`);
}

export interface FunctionRole {
  /** The function's key in serverless.yml (`objectCreated`). */
  readonly key: string;
  readonly roleArn: string;
  /** Every statement of the role, resolved, each with a Sid `S<index>`. */
  readonly statements: readonly Statement[];
}

/** Each function's role, by function key (the FunctionName is `<service>-<stage>-<key>`). */
export function functionRoles(template: Template): Map<string, FunctionRole> {
  const roles = new Map<string, FunctionRole>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = String(resolve(template, resource.Properties!.FunctionName));
    const key = name.replace(new RegExp(`^storage-service-${STACK.stage}-`), '');
    const roleId = (resource.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = template.Resources[roleId]!.Properties!;
    const statements = (role.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((policy) => policy.PolicyDocument.Statement);
    roles.set(key, {
      key,
      roleArn: `arn:${STACK.partition}:iam::${STACK.account}:role/${String(resolve(template, role.RoleName))}`,
      statements: statements.map((statement, index) => ({ ...(resolve(template, statement) as Statement), Sid: `S${index}` })),
    });
  }
  return roles;
}

/** Actions the framework grants each role for the Lambda service itself (logs, X-Ray, the SQS event source), never our code's. */
export const FRAMEWORK_ACTIONS: ReadonlySet<string> = new Set([
  'logs:CreateLogStream', 'logs:CreateLogGroup', 'logs:PutLogEvents', 'logs:TagResource',
  'xray:PutTraceSegments', 'xray:PutTelemetryRecords',
  'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes',
]);

export const actionsOf = (statement: Pick<Statement, 'Action'>): string[] => [statement.Action].flat();
export const resourcesOf = (statement: Pick<Statement, 'Resource'>): string[] => [statement.Resource].flat();

/**
 * A grant that no recorded call uses, allowed where a comment in the statement names the code that needs it.
 * The form, in the statement's lines or in the comment lines right above its `- Effect`:
 *
 *     # unrecorded <service:Action> <- <path from the repo root>#<identifier in that file>: <why>
 *
 * e.g. `# unrecorded s3:ListBucket <- lib/store/blob-store.ts#isMissingObject: S3 answers a missing key 404, not 403, only with it`.
 */
export interface Justification {
  readonly action: string;
  readonly file: string;
  readonly symbol: string;
  readonly line: string;
}

export const JUSTIFICATION = /#\s*unrecorded\s+(\S+:\S+)\s+<-\s+([\w./-]+)#([\w$]+)/;

/** A statement of a function.yml as written: its actions and its `unrecorded` comments. */
export interface AuthoredStatement {
  readonly actions: readonly string[];
  readonly justifications: readonly Justification[];
}

/** The function key and the iamRoleStatements of a function.yml's text, in order. */
export function authoredStatements(text: string): { key: string; statements: AuthoredStatement[] } {
  const lines = text.split('\n');
  const key = /^(\w+):/.exec(lines[0] ?? '')?.[1] ?? '';
  const start = lines.findIndex((line) => /^\s+iamRoleStatements:/.test(line));
  const statements: { actions: string[]; justifications: Justification[] }[] = [];
  if (start < 0) return { key, statements };
  let pending: Justification[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next top-level key
    const justification = JUSTIFICATION.exec(line);
    const found = justification ? [{ action: justification[1]!, file: justification[2]!, symbol: justification[3]!, line: line.trim() }] : [];
    if (/^\s*- Effect:/.test(line)) {
      statements.push({ actions: [], justifications: pending });
      pending = [];
      continue;
    }
    if (/^\s*#/.test(line)) {
      // A comment line: of the statement it is in, unless the next line starts a statement (then of that one).
      pending.push(...found);
      continue;
    }
    const current = statements[statements.length - 1];
    if (current) {
      current.justifications.push(...pending);
      pending = [];
      const actions = /^\s*Action:\s*\[(.*)\]/.exec(line) ?? /^\s*Action:\s*(\S+)\s*$/.exec(line);
      if (actions) current.actions.push(...actions[1]!.split(',').map((action) => action.trim()).filter(Boolean));
    }
  }
  return { key, statements };
}

/** Every function.yml's statements, by function key. */
export function authoredRoles(): Map<string, AuthoredStatement[]> {
  const roles = new Map<string, AuthoredStatement[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name === 'function.yml') {
        const { key, statements } = authoredStatements(readFileSync(file, 'utf8'));
        roles.set(key, statements);
      }
    }
  };
  walk(path.join(ROOT, 'functions'));
  return roles;
}

/** Whether a justification names a file of this repository that has the identifier. */
export function justificationHolds(justification: Justification): boolean {
  const file = path.join(ROOT, justification.file);
  return existsSync(file) && new RegExp(`\\b${justification.symbol.replace(/\$/g, '\\$')}\\b`).test(readFileSync(file, 'utf8'));
}

/** The local stack's names (lib/local/environment.ts, scripts/start-local.ts) → the template's. */
export function stackNames(
  template: Template,
  local: { table: string; filesBucket: string; replicaBucket: string; queue: string; webhookQueue?: string; webhookDeadLetterQueue?: string },
): Map<string, string> {
  const properties = (id: string) => template.Resources[id]!.Properties!;
  return new Map([
    [local.table, String(properties('StorageTable').TableName)],
    [local.filesBucket, String(properties('S3BucketFiles').BucketName)],
    [local.replicaBucket, String(properties('ReplicaBucket').BucketName)],
    [local.queue, String(properties('ObjectEventsQueue').QueueName)],
    ...(local.webhookQueue ? [[local.webhookQueue, String(properties('WebhookQueue').QueueName)] as [string, string]] : []),
    ...(local.webhookDeadLetterQueue ? [[local.webhookDeadLetterQueue, String(properties('WebhookDeadLetterQueue').QueueName)] as [string, string]] : []),
  ]);
}

/** A recorded request's ARN on the template's stack: its account, region and resource names. */
export function onStack(request: IamRequest, names: ReadonlyMap<string, string>): IamRequest {
  const arn = request.resource.split(':');
  const [, partition, service, , account] = arn;
  const rename = (name: string) => names.get(name) ?? name;
  let resource: string;
  if (service === 's3') {
    const [bucket, ...key] = arn.slice(5).join(':').split('/');
    resource = [`arn:${partition}:s3:::${rename(bucket!)}`, ...key].join('/');
  } else if (service === 'dynamodb') {
    const [type, table, ...rest] = arn.slice(5).join(':').split('/');
    resource = `arn:${partition}:dynamodb:${STACK.region}:${STACK.account}:${[type, rename(table!), ...rest].join('/')}`;
  } else if (service === 'sqs') {
    resource = `arn:${partition}:sqs:${STACK.region}:${account === RECORDED_ACCOUNT ? STACK.account : account}:${rename(arn.slice(5).join(':'))}`;
  } else {
    resource = `arn:${partition}:${service}:${STACK.region}:${STACK.account}:${arn.slice(5).join(':')}`;
  }
  return { ...request, resource };
}

/** The recorded calls in `dir`, by function key (files `storage-service-local-<key>.jsonl`). */
export function recordedCalls(dir: string): Map<string, RecordedCall[]> {
  const calls = new Map<string, RecordedCall[]>();
  if (!existsSync(dir)) return calls;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.jsonl'))) {
    const key = file.replace(/\.jsonl$/, '').replace(/^storage-service-local-/, '');
    const lines = readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean);
    calls.set(key, lines.map((line) => JSON.parse(line) as RecordedCall));
  }
  return calls;
}
