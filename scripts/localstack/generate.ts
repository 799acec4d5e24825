/**
 * Generates the LocalStack init-hook inputs from infra/storage-table.json, the one
 * definition of the DynamoDB table (CloudFormation `Properties` shape, also read by
 * serverless.yml and lib/store/provision.ts):
 *
 *   localstack/init/storage-table.create.json  `aws dynamodb create-table --cli-input-json` input
 *   localstack/init/storage-table.ttl.json     `aws dynamodb update-time-to-live --cli-input-json` input
 *
 *   npx tsx scripts/localstack/generate.ts           write both files
 *   npx tsx scripts/localstack/generate.ts --check   exit 1 when either file is missing or stale (CI)
 *
 * (also `npm run localstack:generate [-- --check]`). The table name is the one
 * serverless.yml gives stage `localstack`: `${self:service}-${sls:stage}`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const STAGE = 'localstack';
const root = path.resolve(__dirname, '..', '..');
const sourcePath = path.join(root, 'infra', 'storage-table.json');
const outputDir = path.join(root, 'localstack', 'init');
const CREATE_FILE = 'storage-table.create.json';
const TTL_FILE = 'storage-table.ttl.json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

class DefinitionError extends Error {}

/** Top-level CloudFormation properties that CreateTable takes unchanged. */
const SAME_SHAPE = new Set([
  'AttributeDefinitions',
  'KeySchema',
  'BillingMode',
  'ProvisionedThroughput',
  'LocalSecondaryIndexes',
  'Tags',
  'TableClass',
  'DeletionProtectionEnabled',
  'OnDemandThroughput',
  'WarmThroughput',
]);
/** Properties of a CloudFormation GlobalSecondaryIndex that CreateTable takes unchanged. */
const GSI_KEYS = new Set(['IndexName', 'KeySchema', 'Projection', 'ProvisionedThroughput', 'OnDemandThroughput', 'WarmThroughput']);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `service:` of serverless.yml: the table is `${self:service}-${sls:stage}` there. */
export function serviceName(serverlessYml: string): string {
  const match = /^service:\s*['"]?([A-Za-z0-9-]+)['"]?\s*(?:#.*)?$/m.exec(serverlessYml);
  if (!match) throw new DefinitionError('serverless.yml has no top-level `service: <name>` line.');
  return match[1]!;
}

/**
 * CloudFormation `AWS::DynamoDB::Table` Properties → CreateTable input (+ the TTL
 * call's input, a separate API call). Any property this cannot translate is an
 * error, so a new property in the definition never silently goes missing locally.
 */
export function toCliInputs(definition: Json, tableName: string): { create: JsonObject; ttl?: JsonObject } {
  if (!isObject(definition)) throw new DefinitionError('infra/storage-table.json must hold a JSON object.');
  const create: JsonObject = { TableName: tableName };
  let ttl: JsonObject | undefined;
  for (const [key, value] of Object.entries(definition)) {
    if (key === 'TableName') continue; // the stage decides the name
    if (SAME_SHAPE.has(key)) {
      create[key] = value;
    } else if (key === 'GlobalSecondaryIndexes') {
      if (!Array.isArray(value)) throw new DefinitionError('GlobalSecondaryIndexes must be a list.');
      create[key] = value.map((index) => {
        if (!isObject(index)) throw new DefinitionError('Each GlobalSecondaryIndexes entry must be an object.');
        const unknown = Object.keys(index).filter((name) => !GSI_KEYS.has(name));
        if (unknown.length > 0) {
          throw new DefinitionError(`GlobalSecondaryIndexes[${String(index.IndexName)}]: cannot translate ${unknown.join(', ')} to CreateTable.`);
        }
        return index;
      });
    } else if (key === 'StreamSpecification' && isObject(value)) {
      create[key] = { StreamEnabled: true, ...value };
    } else if (key === 'SSESpecification' && isObject(value)) {
      const { SSEEnabled, ...rest } = value;
      create[key] = { Enabled: SSEEnabled ?? false, ...rest };
    } else if (key === 'TimeToLiveSpecification' && isObject(value)) {
      ttl = { TableName: tableName, TimeToLiveSpecification: value };
    } else {
      throw new DefinitionError(`infra/storage-table.json: cannot translate property ${key} to CreateTable; extend scripts/localstack/generate.ts.`);
    }
  }
  return { create, ttl };
}

const render = (value: Json) => `${JSON.stringify(value, null, 2)}\n`;

function expectedFiles(): Map<string, string> {
  const definition = JSON.parse(readFileSync(sourcePath, 'utf8')) as Json;
  const tableName = `${serviceName(readFileSync(path.join(root, 'serverless.yml'), 'utf8'))}-${STAGE}`;
  const { create, ttl } = toCliInputs(definition, tableName);
  if (!ttl) throw new DefinitionError('infra/storage-table.json has no TimeToLiveSpecification; the init hook expects one.');
  return new Map([
    [CREATE_FILE, render(create)],
    [TTL_FILE, render(ttl)],
  ]);
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`usage: npx tsx scripts/localstack/generate.ts [--check]\n`);
    return 2;
  }
  const expected = expectedFiles();
  const stale: string[] = [];
  for (const [name, content] of expected) {
    const file = path.join(outputDir, name);
    const relative = path.relative(root, file);
    if (readIfPresent(file) === content) {
      if (!check) process.stdout.write(`${relative} is up to date\n`);
      continue;
    }
    if (check) {
      stale.push(relative);
    } else {
      writeFileSync(file, content);
      process.stdout.write(`wrote ${relative}\n`);
    }
  }
  if (stale.length > 0) {
    process.stderr.write(
      `Stale or missing (infra/storage-table.json changed?): ${stale.join(', ')}\n` +
        'Run `npm run localstack:generate` and commit the result.\n',
    );
    return 1;
  }
  if (check) process.stdout.write('localstack/init table definitions match infra/storage-table.json\n');
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof DefinitionError ? error.message : (error as Error).stack}\n`);
    process.exitCode = 1;
  }
}
