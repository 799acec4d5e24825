/**
 * Stands in for `@smithy/core/event-streams` in the function bundles (an esbuild
 * `alias` in serverless.yml). The AWS SDK loads that module with a dynamic
 * `import()` only for operations with event streams (S3 SelectObjectContent,
 * Kinesis SubscribeToShard, Bedrock…); the clients the functions bundle
 * (DynamoDB, SQS) have none. A CommonJS bundle cannot split a dynamic import
 * off, so without this the codec (~15 KB) is parsed by every function at load.
 * Tests and scripts (tsx, vitest) use the real module.
 */
function notBundled(): never {
  throw new Error('AWS event streams are not bundled in this function (serverless.yml esbuild alias)');
}

export class EventStreamSerde {
  constructor() {
    notBundled();
  }
}

export const eventStreamSerdeProvider = notBundled;
