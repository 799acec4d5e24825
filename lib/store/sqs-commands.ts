/**
 * The parts of the SQS SDK the functions use (the lifecycle queue's SendMessageBatch), loaded with `import()`
 * on first use by lib/store/clients.ts and lifecycle-queue.ts; see s3-commands.ts for why they are named here.
 */
export { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
