/**
 * Checks the packaged CloudFormation template (`serverless package` output) for
 * what operations rely on, so a yml edit cannot drop it silently:
 * - the durable event path: the S3 → ObjectEventsQueue notification and its queue
 *   policy, the DLQ and redrive, the event source mapping with partial batch
 *   responses, the visibility timeout rule (>= 6 × the function timeout; maxReceiveCount >= 5;
 *   maxReceiveCount × visibility <= 30 min, so a poison message is dead-lettered within 30 minutes), the
 *   sweeper schedule, the DLQ depth / oldest message alarms;
 * - the alarm topic (with its optional e-mail subscription), an errors/throttles
 *   alarm for every function, the API 5xx-rate, stranded-files and DynamoDB
 *   throttle alarms, the dashboard and X-Ray tracing.
 *
 *   npx serverless package --stage ci && npx tsx scripts/check-template.ts [template.json]
 *   npm run check:template   (packages with `serverless package --stage ci` first)
 *
 * Exits 1 listing every failed check. `.ci/run` calls it after packaging.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DERIVED_OBJECT_DAYS, DERIVED_PREFIX } from '../lib/core/model/object-keys';

interface Resource {
  readonly Type: string;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly Properties?: Record<string, any>;
}
interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, unknown>;
}

const templatePath = process.argv[2] ?? path.resolve(__dirname, '..', '.serverless', 'cloudformation-template-update-stack.json');
const template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
const resources = template.Resources;
const failures: string[] = [];
const check = (ok: unknown, what: string) => {
  if (!ok) failures.push(what);
};
const getAtt = (value: unknown): string | undefined => (value as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0];
const ref = (value: unknown): string | undefined => (value as { Ref?: string })?.Ref;
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

// ---- the durable event path ----
const queue = resources.ObjectEventsQueue;
const dlq = resources.ObjectEventsDeadLetterQueue;
check(queue?.Type === 'AWS::SQS::Queue', 'ObjectEventsQueue is an SQS queue');
check(dlq?.Type === 'AWS::SQS::Queue', 'ObjectEventsDeadLetterQueue is an SQS queue');
check(getAtt(queue?.Properties?.RedrivePolicy?.deadLetterTargetArn) === 'ObjectEventsDeadLetterQueue', 'the queue redrives to the DLQ');
check(Number(queue?.Properties?.RedrivePolicy?.maxReceiveCount) >= 1, 'the redrive policy has a maxReceiveCount');
check(dlq?.Properties?.MessageRetentionPeriod === 1209600, 'the DLQ keeps messages 14 days');

const files = resources.S3BucketFiles;
const notifications = files?.Properties?.NotificationConfiguration?.QueueConfigurations ?? [];
check(
  notifications.some((n: any) => n.Event === 's3:ObjectCreated:*' && getAtt(n.Queue) === 'ObjectEventsQueue' && n.Filter?.S3Key?.Rules?.some((r: any) => r.Name === 'prefix' && r.Value === 'uploads/')),
  'the files bucket sends s3:ObjectCreated:* under uploads/ to ObjectEventsQueue',
);
check([files?.DependsOn].flat().includes('ObjectEventsQueuePolicy'), 'the files bucket depends on the queue policy (S3 validates it)');
// The trustless gateway's derived objects (lib/core/model/object-keys.ts) expire as the code says, and their unfinished uploads go.
const derivedRule = (files?.Properties?.LifecycleConfiguration?.Rules ?? []).find((rule: any) => rule.Prefix === DERIVED_PREFIX && rule.Status === 'Enabled');
check(
  derivedRule?.ExpirationInDays === DERIVED_OBJECT_DAYS && derivedRule?.AbortIncompleteMultipartUpload?.DaysAfterInitiation >= 1,
  `the files bucket expires ${DERIVED_PREFIX} after ${DERIVED_OBJECT_DAYS} days and aborts its unfinished multipart uploads`,
);
check(!files?.Properties?.NotificationConfiguration?.LambdaConfigurations, 'S3 no longer invokes a function directly');
const policy = resources.ObjectEventsQueuePolicy?.Properties;
check(
  policy?.Queues?.some((q: unknown) => ref(q) === 'ObjectEventsQueue') &&
    policy.PolicyDocument.Statement.some((s: any) => s.Principal?.Service === 's3.amazonaws.com' && s.Action === 'sqs:SendMessage' && s.Condition?.ArnEquals?.['aws:SourceArn'] === `arn:aws:s3:::${files?.Properties?.BucketName}`),
  'the queue policy lets s3.amazonaws.com send from the files bucket only',
);

const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => getAtt(m.Properties?.EventSourceArn) === 'ObjectEventsQueue');
check(mappings.length === 1, 'one event source mapping reads ObjectEventsQueue');
const mapping = mappings[0]?.[1].Properties;
check(mapping?.FunctionResponseTypes?.includes('ReportBatchItemFailures'), 'the mapping reports partial batch failures');
check(getAtt(mapping?.FunctionName) === 'ObjectCreatedLambdaFunction', 'the mapping invokes objectCreated');
const functionTimeout = Number(resources.ObjectCreatedLambdaFunction?.Properties?.Timeout);
const visibilityTimeout = Number(queue?.Properties?.VisibilityTimeout);
const maxReceiveCount = Number(queue?.Properties?.RedrivePolicy?.maxReceiveCount);
check(visibilityTimeout >= 6 * functionTimeout, `the queue visibility timeout is >= 6 × the function timeout (${functionTimeout} s)`);
// AWS: "set the maxReceiveCount on the source queue's redrive policy to at least 5" for Lambda event sources (throttles count as receives).
check(maxReceiveCount >= 5, `the redrive policy's maxReceiveCount is >= 5 (${maxReceiveCount})`);
// A message that fails every time is received maxReceiveCount times, each hidden for the visibility timeout, then moved.
check(maxReceiveCount * visibilityTimeout <= 30 * 60, `a poison message reaches the DLQ within 30 minutes (${maxReceiveCount} × ${visibilityTimeout} s)`);
const role = JSON.stringify(resources.ObjectCreatedIamRoleLambdaExecution?.Properties?.Policies ?? []);
check(role.includes('sqs:ReceiveMessage') && role.includes('sqs:DeleteMessage') && !role.includes('"sqs:*"'), 'objectCreated may receive and delete on the queue (no sqs:*)');

check(
  ofType('AWS::Events::Rule').some(([, rule]) => rule.Properties?.ScheduleExpression === 'rate(5 minutes)' && getAtt(rule.Properties?.Targets?.[0]?.Arn) === 'SweepStrandedLambdaFunction'),
  'the sweeper runs every 5 minutes',
);

// ---- bucket webhooks (issue 22): WebhookQueue → webhookDeliver, its DLQ and their alarms ----
const webhookQueue = resources.WebhookQueue;
const webhookDlq = resources.WebhookDeadLetterQueue;
check(webhookQueue?.Type === 'AWS::SQS::Queue' && webhookDlq?.Type === 'AWS::SQS::Queue', 'WebhookQueue and WebhookDeadLetterQueue are SQS queues');
check(getAtt(webhookQueue?.Properties?.RedrivePolicy?.deadLetterTargetArn) === 'WebhookDeadLetterQueue', 'WebhookQueue redrives to its DLQ');
check(Number(webhookQueue?.Properties?.RedrivePolicy?.maxReceiveCount) >= 5, 'WebhookQueue: maxReceiveCount >= 5');
check(webhookDlq?.Properties?.MessageRetentionPeriod === 1209600, 'the webhook DLQ keeps messages 14 days');
const webhookMappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => getAtt(m.Properties?.EventSourceArn) === 'WebhookQueue');
check(webhookMappings.length === 1 && getAtt(webhookMappings[0]![1].Properties?.FunctionName) === 'WebhookDeliverLambdaFunction', 'one event source mapping reads WebhookQueue into webhookDeliver');
check(webhookMappings[0]?.[1].Properties?.FunctionResponseTypes?.includes('ReportBatchItemFailures'), 'the webhook mapping reports partial batch failures');
const deliverTimeout = Number(resources.WebhookDeliverLambdaFunction?.Properties?.Timeout);
check(Number(webhookQueue?.Properties?.VisibilityTimeout) >= 6 * deliverTimeout, `WebhookQueue's visibility timeout is >= 6 × webhookDeliver's timeout (${deliverTimeout} s)`);
const deliverEnv = resources.WebhookDeliverLambdaFunction?.Properties?.Environment?.Variables ?? {};
check(ref(deliverEnv.WEBHOOK_DEAD_LETTER_QUEUE_URL) === 'WebhookDeadLetterQueue', 'webhookDeliver knows the DLQ it sends exhausted deliveries to');
check(!deliverEnv.WEBHOOK_ALLOW_LOOPBACK, 'webhookDeliver does not allow loopback targets outside local runs');

// ---- the topic and its optional subscription ----
check(resources.AlarmTopic?.Type === 'AWS::SNS::Topic', 'AlarmTopic is an SNS topic');
check(ofType('AWS::SNS::Topic').length === 1, 'exactly one SNS topic (AlarmTopic)');
const subscription = ofType('AWS::SNS::Subscription')[0]?.[1];
check(
  subscription?.Properties?.Protocol === 'email' && ref(subscription.Properties?.TopicArn) === 'AlarmTopic' && subscription.Condition && template.Conditions?.[subscription.Condition],
  'a conditional e-mail subscription to AlarmTopic',
);
check(template.Outputs?.AlarmTopicArn, 'output AlarmTopicArn');

// ---- alarms ----
const alarms = ofType('AWS::CloudWatch::Alarm');
const alarmProps = alarms.map(([, alarm]) => alarm.Properties ?? {});
const toTopic = (alarm: any) => JSON.stringify(alarm?.AlarmActions ?? []) === JSON.stringify([{ Ref: 'AlarmTopic' }]);
for (const [id, alarm] of alarms) check(toTopic(alarm.Properties), `${id} notifies AlarmTopic`);

const alarmOn = (metric: string, dimensionTarget?: string) =>
  alarmProps.find((a) => a.MetricName === metric && (!dimensionTarget || a.Dimensions?.some((d: any) => getAtt(d.Value) === dimensionTarget)));
check(alarmOn('ApproximateNumberOfMessagesVisible', 'ObjectEventsDeadLetterQueue'), 'an alarm on DLQ depth');
check(alarmOn('ApproximateAgeOfOldestMessage', 'ObjectEventsQueue'), 'an alarm on the age of the oldest message');
check(alarmOn('ApproximateNumberOfMessagesVisible', 'WebhookDeadLetterQueue'), 'an alarm on the webhook DLQ depth');
check(alarmOn('ApproximateAgeOfOldestMessage', 'WebhookQueue'), 'an alarm on the age of the oldest webhook delivery');

const strandedAlarms = alarmProps.filter((a) => a.MetricName === 'StrandedFilesFound');
check(strandedAlarms.length === 1, 'exactly one alarm on StrandedFilesFound');
const stranded = strandedAlarms[0];
// The sweeper emits through lib/app/metrics.ts (Powertools EMF): dimensions service=storage, stage=<stage>.
const strandedDimensions = Object.fromEntries((stranded?.Dimensions ?? []).map((d: { Name: string; Value: unknown }) => [d.Name, d.Value]));
check(
  stranded?.Namespace === 'StorageService' && stranded?.EvaluationPeriods === 3 &&
    Object.keys(strandedDimensions).sort().join(',') === 'service,stage' && strandedDimensions.service === 'storage' && strandedDimensions.stage === 'ci',
  'StrandedFilesAlarm: namespace StorageService, dimensions service=storage and stage=ci (what the sweeper emits), 3 periods',
);

/** Metric names an alarm reads (single metric or metric math). */
const metricNames = (alarm: Resource): string[] => [
  ...(alarm.Properties?.MetricName ? [alarm.Properties.MetricName as string] : []),
  ...((alarm.Properties?.Metrics ?? []) as Array<{ MetricStat?: { Metric: { MetricName: string } } }>).flatMap((metric) =>
    metric.MetricStat ? [metric.MetricStat.Metric.MetricName] : [],
  ),
];
/** The Ref'd function of an alarm's first Lambda metric. */
const alarmedFunction = (alarm: Resource): string | undefined =>
  (alarm.Properties?.Metrics ?? [])
    .map((metric: any) => metric.MetricStat?.Metric)
    .find((metric: any) => metric?.Namespace === 'AWS/Lambda')
    ?.Dimensions?.[0]?.Value?.Ref;

// One errors + throttles alarm per function.
const functions = ofType('AWS::Lambda::Function').map(([id]) => id);
const alarmed = new Set(alarms.filter(([, alarm]) => ['Errors', 'Throttles'].every((name) => metricNames(alarm).includes(name))).map(([, alarm]) => alarmedFunction(alarm)));
for (const fn of functions) check(alarmed.has(fn), `${fn} has an errors/throttles alarm`);

// The service-level alarms and the dashboard.
const reads = (...names: string[]) => alarms.some(([, alarm]) => names.every((name) => metricNames(alarm).includes(name)));
check(reads('5xx', 'Count'), 'an API 5xx-rate alarm (AWS/ApiGateway 5xx / Count)');
check(reads('ReadThrottleEvents', 'WriteThrottleEvents'), 'a DynamoDB throttle alarm');
check(ofType('AWS::CloudWatch::Dashboard').length > 0, 'a dashboard');

// X-Ray on every function.
for (const fn of functions) check(resources[fn]!.Properties?.TracingConfig?.Mode === 'Active', `${fn} has active X-Ray tracing`);

if (failures.length > 0) {
  process.stderr.write(`${templatePath}: ${failures.length} check(s) failed:\n${failures.map((f) => `  ✗ ${f}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`template checks passed (${path.relative(process.cwd(), templatePath)}): event path, AlarmTopic, ${alarms.length} alarms (${functions.length} functions), dashboard, X-Ray\n`);
