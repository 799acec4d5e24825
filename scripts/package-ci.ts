/**
 * `serverless package --stage ci` once, in a clean environment (no AWS credentials, no TABLE_NAME… of the
 * caller's shell), into `.serverless/`; and the template into the IAM test's cache
 * (test/support/iam-template.ts), so `npm test` afterwards does not package a second time.
 *
 *   npx tsx scripts/package-ci.ts      (.ci/run does this before the tests)
 */
import path from 'node:path';
import { packagedTemplate } from '../test/support/iam-template';

const artifactsDir = path.resolve(__dirname, '..', '.serverless');
void packagedTemplate({ artifactsDir }).then(
  ({ packagedMs, cacheFile }) =>
    console.log(`packaged in ${(packagedMs / 1000).toFixed(1)} s into .serverless/; template cached as ${path.relative(process.cwd(), cacheFile)}`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
