/**
 * The AWS credentials of the deployed functions: the environment variables the
 * Lambda runtime sets from the function's role (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; the local stack sets the first two).
 *
 * serverless.yml's esbuild `alias` puts this module in place of the SDK's
 * `@aws-sdk/credential-provider-node`, whose default chain (SSO, shared ini
 * files, credential_process, web identity, container and instance metadata, with
 * the STS/SSO clients they need) is ~100 KB of every bundle that a Lambda never
 * uses. Tests and scripts (tsx, vitest) keep the SDK's full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
