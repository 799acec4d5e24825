import { LOCAL_CREDENTIALS } from './dynamodb-local';

export interface LocalPorts {
  readonly http: number;
  readonly lambda: number;
  readonly dynamodb: number;
  readonly s3: number;
}

export function localPorts(env: Record<string, string | undefined> = process.env): LocalPorts {
  const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return { http: port('PORT', 3000), lambda: port('LAMBDA_PORT', 3002), dynamodb: port('DYNAMODB_PORT', 8000), s3: port('S3_PORT', 4569) };
}

/** The local ObjectEventsQueue and its DLQ, named as serverless.yml names them (`<service>-<stage>-object-events`). */
export const LOCAL_QUEUES = {
  objectEvents: 'storage-service-local-object-events',
  objectEventsDeadLetter: 'storage-service-local-object-events-dlq',
  /** WebhookQueue and its DLQ (issue 22). */
  webhooks: 'storage-service-local-webhooks',
  webhooksDeadLetter: 'storage-service-local-webhooks-dlq',
} as const;

/**
 * The web console's origin on the local stack: the HTTP API's own (it serves GET /console). The files bucket's
 * CORS rule allows this origin only (`npm start` gives s3rver the template's rule).
 */
export function localConsoleOrigin(ports: LocalPorts): string {
  return `http://localhost:${ports.http}`;
}

/**
 * The service configuration of the local stack (the same variables the Lambda
 * functions read on AWS), pointing at the embedded emulators.
 */
export function localEnvironment(ports: LocalPorts): Record<string, string> {
  return {
    STAGE: 'local',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    TABLE_NAME: 'storage-service-local',
    FILES_BUCKET: 'storage-service-local-files',
    REPLICA_BUCKET: 'storage-service-local-replica',
    DYNAMODB_ENDPOINT: `http://127.0.0.1:${ports.dynamodb}`,
    S3_ENDPOINT: `http://localhost:${ports.s3}`,
    PUBLIC_BASE_URL: `http://localhost:${ports.http}`,
    S3_PORT: String(ports.s3),
    PORT: String(ports.http),
    LAMBDA_PORT: String(ports.lambda),
    // Node 20 is supported locally (DEVELOPERS: deploy runs nodejs22.x); the SDK's reminder is known.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Powertools' dev mode: log entries indented for reading, no EMF metric lines.
    POWERTOOLS_DEV: 'true',
  };
}
