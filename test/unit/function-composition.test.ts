/**
 * Each function's bundle holds its own composition (lib/app/core-services.ts): a function whose function.yml
 * names a queue (LIFECYCLE_QUEUE_URL, WEBHOOK_QUEUE_URL) composes the queues (lib/app/queues.ts `withQueues`),
 * else its files would silently not be sent on (the queue ports are optional: StorageDeps); and a function
 * that names none carries no SQS client (what its cold start would parse for nothing: bench/bundles.ts); likewise the
 * copy store and lib-storage's Upload stay in the functions that copy or stream objects; and each function carries
 * the table's stores and the blob store it composes (lib/app/stores.ts `withStores`) and no other.
 * Bundled with the functions' own esbuild options, packages left external (our modules are what is checked).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const { functionBuildOptions } = require(path.join(root, 'infra/esbuild.config.js')) as { functionBuildOptions: Record<string, unknown> };

interface FunctionFacts {
  readonly directory: string;
  readonly namesQueue: boolean;
  /** The stores its handler composes: the names given to `withStores(…)` (lib/app/stores.ts). */
  readonly composedStores: readonly string[];
  /** Our modules in the bundle (bytes in the output > 0) and the packages it imports. */
  readonly modules: readonly string[];
  /** The store classes (lib/store) the bundle defines: `DynamoEntryStore`, `S3BlobStore`, … */
  readonly storeClasses: readonly string[];
  readonly packages: readonly string[];
}

/** The store classes of lib/app/stores.ts, by the name of their export there (`entries` → DynamoEntryStore). */
function storeClasses(): Map<string, string> {
  const source = readFileSync(path.join(root, 'lib/app/stores.ts'), 'utf8');
  return new Map([...source.matchAll(/^export const (\w+): Store<[^=]*= \{[^]*?new (\w+)\(/gm)].map(([, name, className]) => [name!, className!] as const));
}

/** Every function of serverless.yml: its function.yml's environment and handler. */
function definitions(): { directory: string; handler: string; namesQueue: boolean; composedStores: string[] }[] {
  const files = readFileSync(path.join(root, 'serverless.yml'), 'utf8').matchAll(/\$\{file\(\.\/(functions\/[^)]+)\/function\.yml\)\}/g);
  return [...files].map(([, directory]) => {
    const yml = readFileSync(path.join(root, directory!, 'function.yml'), 'utf8');
    const handler = /^\s*handler:\s*(\S+)\.\w+\s*$/m.exec(yml)![1]!;
    const source = readFileSync(path.join(root, `${handler}.ts`), 'utf8');
    const composedStores = [...source.matchAll(/withStores\(([^)]*)\)/g)].flatMap(([, names]) => names!.split(',').map((name) => name.trim()));
    return { directory: directory!, handler: `${handler}.ts`, namesQueue: /^\s*(LIFECYCLE_QUEUE_URL|WEBHOOK_QUEUE_URL):/m.test(yml), composedStores };
  });
}

/** Every function bundled in one esbuild call (it shares the parsing), the facts of each from the metafile. */
async function bundleAll(): Promise<FunctionFacts[]> {
  const all = definitions();
  const result = await build({
    ...functionBuildOptions,
    entryPoints: Object.fromEntries(all.map((definition) => [definition.directory, path.join(root, definition.handler)])),
    absWorkingDir: root,
    packages: 'external',
    minify: false,
    sourcemap: false,
    write: false,
    metafile: true,
    outdir: path.join(root, '.esbuild-composition'),
    outfile: undefined,
    logLevel: 'silent',
  });
  const outputs = Object.entries((result.metafile as Metafile).outputs);
  return all.map((definition) => {
    const [, output] = outputs.find(([file]) => file.endsWith(`${definition.directory}.js`))!;
    const { text } = result.outputFiles.find((file) => file.path.endsWith(`${definition.directory}.js`))!;
    return {
      directory: definition.directory,
      namesQueue: definition.namesQueue,
      composedStores: definition.composedStores,
      modules: Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file),
      storeClasses: [...text.matchAll(/^\s*(?:var )?(\w+Store) = class\b|^\s*class (\w+Store)\b/gm)].map(([, assigned, declared]) => (assigned ?? declared)!).sort(),
      packages: output.imports.filter((imported) => imported.external).map((imported) => imported.path),
    };
  });
}

let functions: FunctionFacts[];
beforeAll(async () => {
  functions = await bundleAll();
}, 60_000);

describe('each function’s composition', () => {
  it('composes the queues exactly where its function.yml names a queue', () => {
    // assess
    expect(functions.length).toBeGreaterThan(50);
    expect(functions.filter((fn) => fn.namesQueue).length).toBeGreaterThan(10);
    for (const fn of functions) expect({ fn: fn.directory, queues: fn.modules.includes('lib/app/queues.ts') }).toEqual({ fn: fn.directory, queues: fn.namesQueue });
  });

  it('leaves the SQS client out of every function that names no queue', () => {
    // assess
    for (const fn of functions.filter((candidate) => !candidate.namesQueue)) {
      expect({ fn: fn.directory, sqs: fn.packages.filter((name) => name.startsWith('@aws-sdk/client-sqs')) }).toEqual({ fn: fn.directory, sqs: [] });
    }
    expect(functions.find((fn) => fn.directory === 'functions/apillon/upload-request')!.packages).toContain('@aws-sdk/client-sqs');
  });

  it('carries the copy store (multipart copies) only in the lifecycle functions and lib-storage only in the gateways', () => {
    // assess: what each function carries beyond the core blob store (lib/core/ports/blob-store.ts)
    const carrying = (module: string) => functions.filter((fn) => fn.modules.includes(module)).map((fn) => fn.directory).sort();
    const importing = (name: string) => functions.filter((fn) => fn.packages.includes(name)).map((fn) => fn.directory).sort();
    expect(carrying('lib/store/blob-copy-store.ts')).toEqual(['functions/events/object-created', 'functions/events/sweep-stranded']);
    expect(importing('@aws-sdk/lib-storage')).toEqual(['functions/apillon/ipfs-gateway', 'functions/apillon/ipns-gateway']);
    expect(carrying('lib/store/s3-multipart-commands.ts')).not.toContain('functions/quantum/status');
  });

  it('carries the stores its handler composes and no other', () => {
    // arrange
    const stores = storeClasses();
    expect(stores.size).toBeGreaterThanOrEqual(14);
    expect(stores.get('entries')).toBe('DynamoEntryStore');
    expect(stores.get('blobs')).toBe('S3BlobStore');
    // assess: a store in a bundle is one its handler names (not one the domain or an extension pulls in besides)
    for (const fn of functions) {
      const carried = [...stores].filter(([, className]) => fn.storeClasses.includes(className)).map(([name]) => name).sort();
      expect({ fn: fn.directory, stores: carried }).toEqual({ fn: fn.directory, stores: [...fn.composedStores].sort() });
    }
  });

  it('leaves the upload, lifecycle and listing stores out of the functions that only read buckets', () => {
    // assess: the stores a cold start of the bucket list parses are the account store (authentication) and the bucket store
    const storesIn = (directory: string) => functions.find((fn) => fn.directory === directory)!.storeClasses;
    expect(storesIn('functions/quantum/bucket-list')).toEqual(['DynamoAccountStore', 'DynamoBucketStore']);
    expect(storesIn('functions/apillon/buckets-list')).toEqual(['DynamoAccountStore', 'DynamoBucketStore']);
    expect(storesIn('functions/quantum/status')).toEqual(['DynamoAccountStore']);
  });
});
