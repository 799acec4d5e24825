/**
 * Checks the packaged CloudFormation template (`serverless package` output) for
 * the durable event path and its alarms, so a yml edit cannot drop them silently:
 * the S3 → ObjectEventsQueue notification and its queue policy, the DLQ and
 * redrive, the event source mapping with partial batch responses, the visibility
 * timeout rule (>= 6 × the function timeout), the sweeper schedule and the alarms.
 *
 *   npx serverless package --stage ci && npx tsx scripts/check-template.ts [template.json]
 *
 * Exits 1 listing every failed check. `.ci/run` calls it after packaging.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

type Resource = { Type: string; DependsOn?: string | string[]; Properties?: Record<string, any> };

const templatePath = process.argv[2] ?? path.resolve(__dirname, '..', '.serverless', 'cloudformation-template-update-stack.json');
const resources: Record<string, Resource> = JSON.parse(readFileSync(templatePath, 'utf8')).Resources;
const failures: string[] = [];
const check = (ok: unknown, what: string) => {
  if (!ok) failures.push(what);
};
const getAtt = (value: unknown): string | undefined => (value as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0];
const ref = (value: unknown): string | undefined => (value as { Ref?: string })?.Ref;
const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

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
check(Number(queue?.Properties?.VisibilityTimeout) >= 6 * functionTimeout, `the queue visibility timeout is >= 6 × the function timeout (${functionTimeout} s)`);
const role = JSON.stringify(resources.ObjectCreatedIamRoleLambdaExecution?.Properties?.Policies ?? []);
check(role.includes('sqs:ReceiveMessage') && role.includes('sqs:DeleteMessage') && !role.includes('"sqs:*"'), 'objectCreated may receive and delete on the queue (no sqs:*)');

check(
  ofType('AWS::Events::Rule').some(([, rule]) => rule.Properties?.ScheduleExpression === 'rate(5 minutes)' && getAtt(rule.Properties?.Targets?.[0]?.Arn) === 'SweepStrandedLambdaFunction'),
  'the sweeper runs every 5 minutes',
);

check(resources.AlarmTopic?.Type === 'AWS::SNS::Topic', 'AlarmTopic is an SNS topic');
const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});
const alarmOn = (metric: string, dimensionTarget?: string) =>
  alarms.find((a) => a.MetricName === metric && (!dimensionTarget || a.Dimensions?.some((d: any) => getAtt(d.Value) === dimensionTarget)));
const toTopic = (alarm: any) => alarm?.AlarmActions?.some((action: unknown) => ref(action) === 'AlarmTopic');
check(toTopic(alarmOn('ApproximateNumberOfMessagesVisible', 'ObjectEventsDeadLetterQueue')), 'an alarm on DLQ depth notifies AlarmTopic');
check(toTopic(alarmOn('ApproximateAgeOfOldestMessage', 'ObjectEventsQueue')), 'an alarm on the age of the oldest message notifies AlarmTopic');
const stranded = alarmOn('StrandedFilesFound');
check(toTopic(stranded) && stranded?.Namespace === 'StorageService' && stranded?.EvaluationPeriods === 3, 'StrandedFilesAlarm (3 periods) notifies AlarmTopic');

if (failures.length > 0) {
  process.stderr.write(`${templatePath}: ${failures.length} check(s) failed:\n${failures.map((f) => `  ✗ ${f}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`template checks passed (${path.relative(process.cwd(), templatePath)})\n`);
