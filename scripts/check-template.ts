/**
 * Checks the packaged CloudFormation template for what operations rely on:
 * the alarm topic (with its optional e-mail subscription), an errors/throttles
 * alarm for every function, the API 5xx-rate, stranded-files and DynamoDB
 * throttle alarms, the dashboard and X-Ray tracing. Exits 1 naming what is missing.
 *
 *   npm run check:template                 (packages with `serverless package --stage ci` first)
 *   npm run check:template -- --no-package (checks the template already in .serverless/)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface Resource {
  readonly Type: string;
  readonly Condition?: string;
  readonly Properties?: Record<string, any>;
}
interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, unknown>;
}

const root = path.resolve(__dirname, '..');
const templatePath = path.join(root, '.serverless', 'cloudformation-template-update-stack.json');

if (!process.argv.includes('--no-package')) {
  process.stdout.write('packaging (serverless package --stage ci) …\n');
  execFileSync('npx', ['serverless', 'package', '--stage', 'ci'], { cwd: root, stdio: 'ignore' });
}
const template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
const problems: string[] = [];
const check = (ok: unknown, problem: string) => {
  if (!ok) problems.push(problem);
};
const resources = Object.entries(template.Resources);
const alarms = resources.filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');
const notifiesTopic = (resource: Resource) => JSON.stringify(resource.Properties?.AlarmActions ?? []) === JSON.stringify([{ Ref: 'AlarmTopic' }]);
/** Metric names an alarm reads (single metric or metric math). */
const metricNames = (resource: Resource): string[] => [
  ...(resource.Properties?.MetricName ? [resource.Properties.MetricName as string] : []),
  ...((resource.Properties?.Metrics ?? []) as Array<{ MetricStat?: { Metric: { MetricName: string } } }>).flatMap((metric) =>
    metric.MetricStat ? [metric.MetricStat.Metric.MetricName] : [],
  ),
];
/** The Ref'd function of an alarm's first Lambda metric. */
const alarmedFunction = (resource: Resource): string | undefined =>
  (resource.Properties?.Metrics ?? [])
    .map((metric: any) => metric.MetricStat?.Metric)
    .find((metric: any) => metric?.Namespace === 'AWS/Lambda')
    ?.Dimensions?.[0]?.Value?.Ref;

// The topic and its optional subscription.
check(template.Resources.AlarmTopic?.Type === 'AWS::SNS::Topic', 'AlarmTopic (AWS::SNS::Topic) is missing');
const subscription = resources.find(([, resource]) => resource.Type === 'AWS::SNS::Subscription')?.[1];
check(subscription?.Properties?.Protocol === 'email' && subscription.Condition && template.Conditions?.[subscription.Condition], 'no conditional e-mail subscription to the alarm topic');
check(template.Outputs?.AlarmTopicArn, 'output AlarmTopicArn is missing');

// Every alarm notifies the topic.
for (const [id, alarm] of alarms) check(notifiesTopic(alarm), `${id} does not notify AlarmTopic`);

// One errors + throttles alarm per function.
const functions = resources.filter(([, resource]) => resource.Type === 'AWS::Lambda::Function').map(([id]) => id);
const alarmed = new Set(alarms.filter(([, alarm]) => ['Errors', 'Throttles'].every((name) => metricNames(alarm).includes(name))).map(([, alarm]) => alarmedFunction(alarm)));
for (const fn of functions) check(alarmed.has(fn), `${fn} has no errors/throttles alarm`);

// The service-level alarms.
const reads = (...names: string[]) => alarms.some(([, alarm]) => names.every((name) => metricNames(alarm).includes(name)));
check(reads('5xx', 'Count'), 'no API 5xx-rate alarm (AWS/ApiGateway 5xx / Count)');
check(reads('StrandedFilesFound'), 'no alarm on StrandedFilesFound');
check(reads('ReadThrottleEvents', 'WriteThrottleEvents'), 'no DynamoDB throttle alarm');
check(resources.some(([, resource]) => resource.Type === 'AWS::CloudWatch::Dashboard'), 'no dashboard');

// X-Ray on every function.
for (const fn of functions) check(template.Resources[fn]!.Properties?.TracingConfig?.Mode === 'Active', `${fn} has no active X-Ray tracing`);

if (problems.length) {
  process.stderr.write(`template check failed:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`template ok: AlarmTopic, ${alarms.length} alarms (${functions.length} functions), dashboard, X-Ray\n`);
