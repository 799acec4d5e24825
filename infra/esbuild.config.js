/**
 * The one set of esbuild options every function is built with, read by:
 * - serverless-esbuild (`custom.esbuild.config` in serverless.yml) for `serverless package` and deploys,
 *   one build per function into its own zip;
 * - the local stack (lib/local/function-build.ts, `npm start`), which builds every function with the
 *   same options in ONE esbuild call and runs the bundles in a pool of worker threads.
 * Paths (`alias`) are relative to the repository root, esbuild's working directory in both.
 */
'use strict';

/** esbuild's own options (https://esbuild.github.io/api/). */
const functionBuildOptions = {
  bundle: true,
  minify: true,
  // Nothing reads class names (errors carry explicit `name`s); keeping them costs ~6% of a bundle.
  keepNames: false,
  // ESM builds first: the AWS SDK's and Powertools' ES modules tree-shake, their CommonJS bundles do not
  // (a function then carries only the commands it sends). `bench/bundles.ts` prints the figures.
  mainFields: ['module', 'main'],
  treeShaking: true,
  legalComments: 'none',
  // A Lambda's credentials are always in its environment: the SDK's default chain (SSO, ini files, STS,
  // instance metadata…) is swapped for the environment provider, ~100 KB less per bundle.
  alias: {
    '@aws-sdk/credential-provider-node': './lib/store/lambda-credentials.ts',
  },
  sourcemap: 'linked',
  // Stack traces map back to our files; the sources themselves stay out of the package.
  sourcesContent: false,
  // The runtime serverless.yml names (nodejs22.x).
  target: 'node22',
  platform: 'node',
  format: 'cjs',
};

/**
 * serverless-esbuild's options: the esbuild options above plus the plugin's own.
 * @param {unknown} _serverless the Serverless instance (unused: the options are the same for every stage)
 */
function serverlessEsbuildOptions(_serverless) {
  return {
    ...functionBuildOptions,
    // The Lambda runtime ships the AWS SDK v3, but bundling pins the version we test against, and loading
    // the runtime's unbundled DynamoDB client alone takes longer than `require()` of a whole bundle
    // (README, "Cold start").
    exclude: [],
    packager: 'npm',
  };
}

module.exports = serverlessEsbuildOptions;
module.exports.functionBuildOptions = functionBuildOptions;
