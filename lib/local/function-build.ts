/**
 * The local stack's build (`npm start`): every function's handler, plus the local runtime
 * that runs them (the serverless-offline plugin, lib/local/offline-plugin.ts, and the pool's
 * worker, lib/local/lambda-worker.ts), in ONE esbuild call with the options deploys use
 * (infra/esbuild.config.js). esbuild's service process is stopped afterwards, so nothing
 * of the build stays in memory, and nothing watches the sources: a change needs a restart.
 *
 * Each `npm start` builds into a folder of its own, `.build/local/run-<pid>/` (removed when it
 * stops; a folder whose process is gone is removed by the next build), so stacks started from the
 * same checkout at once (the e2e suite, a bench) never load each other's half-written files.
 *
 * Layout under `outdir`:
 *   functions/<group>/<name>/handler.js(.map)   the bundles (as serverless-esbuild lays them out)
 *   offline-plugin.js, lambda-worker.js         the local runtime
 *   shims/functions/<group>/<name>/handler.js   what serverless-offline loads in its own process
 *                                               for each function: a stand-in that hands the
 *                                               invocation to the pool (offline's `location`)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

/** One function of functions/<group>/<name>/function.yml. */
export interface LocalFunction {
  /** serverless.yml's function key (`objectCreated`). */
  readonly key: string;
  /** Its `handler`: the module path without extension, a dot, the export (`functions/events/object-created/handler.handler`). */
  readonly handler: string;
  /** The module part of `handler` (`functions/events/object-created/handler`), relative to the repository root. */
  readonly module: string;
}

export interface LocalBuild {
  /** Absolute: where the bundles, the runtime and the shims are. */
  readonly outdir: string;
  /** Absolute: the plugin serverless.yml loads for stage local (custom.functionBuilder.local, from LOCAL_OFFLINE_PLUGIN). */
  readonly pluginFile: string;
  /** Absolute: the pool's worker script. */
  readonly workerFile: string;
  /** Absolute: serverless-offline's `location` (its handlers are the shims). */
  readonly shimsDir: string;
  readonly functions: readonly LocalFunction[];
  /** ms the esbuild call took. */
  readonly buildMs: number;
}

/** Where `npm start` builds, relative to the repository root (git-ignored): a `run-<pid>` folder per stack. */
export const LOCAL_BUILD_DIR = path.join('.build', 'local');

/** Removes the run folders under `dir` whose process is gone (a stack that was killed). */
function pruneStaleRuns(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
  }
}

/**
 * Every function of `root`/functions/<group>/<name>/function.yml: its key (the file's first
 * line, `key:`) and its `handler`. Throws when a function.yml has no handler.
 */
export function localFunctions(root: string): LocalFunction[] {
  const found: LocalFunction[] = [];
  const functionsDir = path.join(root, 'functions');
  for (const group of readdirSync(functionsDir).sort()) {
    let names: string[];
    try {
      names = readdirSync(path.join(functionsDir, group)).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      let yml: string;
      try {
        yml = readFileSync(path.join(functionsDir, group, name, 'function.yml'), 'utf8');
      } catch {
        continue;
      }
      const key = /^(\w+):/m.exec(yml)?.[1];
      const handler = /^\s+handler:\s*['"]?([^'"\s#]+)/m.exec(yml)?.[1];
      if (!key || !handler) throw new Error(`functions/${group}/${name}/function.yml: no function key or handler`);
      found.push({ key, handler, module: handler.slice(0, handler.lastIndexOf('.')) });
    }
  }
  return found;
}

/** The stand-in serverless-offline loads for `fn`: it hands each invocation to the pool in the plugin. */
function shimSource(fn: LocalFunction, pluginFile: string): string {
  return [
    '"use strict";',
    `// Written by npm start (lib/local/function-build.ts): serverless-offline runs this stand-in of "${fn.key}" in its`,
    '// own process; the function itself runs in a worker of the local Lambda pool (lib/local/lambda-pool.ts).',
    `module.exports[${JSON.stringify(fn.handler.slice(fn.module.length + 1))}] = require(${JSON.stringify(pluginFile)}).forward(${JSON.stringify(fn.key)});`,
    '',
  ].join('\n');
}

/**
 * Builds every function of `root` and the local runtime into `root`/.build/local/run-<pid> in
 * one esbuild call, writes the shims, then stops esbuild's service. Throws esbuild's errors
 * (a type error is not one: esbuild does not type-check). `removeLocalBuild` deletes it.
 */
export async function buildLocalStack(root: string): Promise<LocalBuild> {
  pruneStaleRuns(path.join(root, LOCAL_BUILD_DIR));
  const outdir = path.join(root, LOCAL_BUILD_DIR, `run-${process.pid}`);
  const functions = localFunctions(root);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { functionBuildOptions } = require(path.join(root, 'infra', 'esbuild.config.js')) as { functionBuildOptions: esbuild.BuildOptions };
  rmSync(outdir, { recursive: true, force: true });
  const modules = [...new Set(functions.map((fn) => fn.module))];
  const started = Date.now();
  try {
    await esbuild.build({
      ...functionBuildOptions,
      absWorkingDir: root,
      entryPoints: [
        ...modules.map((module) => ({ in: `${module}.ts`, out: module })),
        { in: 'lib/local/offline-plugin.ts', out: 'offline-plugin' },
        { in: 'lib/local/lambda-worker.ts', out: 'lambda-worker' },
      ],
      outdir,
      logLevel: 'error',
    });
  } finally {
    // No esbuild service left running: it held ~2.9 GB for serverless-esbuild's per-function watch contexts.
    await esbuild.stop();
  }
  const buildMs = Date.now() - started;
  const pluginFile = path.join(outdir, 'offline-plugin.js');
  const shimsDir = path.join(outdir, 'shims');
  for (const fn of functions) {
    const shim = path.join(shimsDir, `${fn.module}.js`);
    mkdirSync(path.dirname(shim), { recursive: true });
    writeFileSync(shim, shimSource(fn, pluginFile));
  }
  return { outdir, pluginFile, workerFile: path.join(outdir, 'lambda-worker.js'), shimsDir, functions, buildMs };
}

/** Deletes a build (when its stack stops). */
export function removeLocalBuild(build: Pick<LocalBuild, 'outdir'>): void {
  rmSync(build.outdir, { recursive: true, force: true });
}
