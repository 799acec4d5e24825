#!/usr/bin/env node
// The `storage` command (package.json `bin`). It runs the bundle `npm run build:cli` writes
// (also run by `npm ci`/`npm install` through `prepare`): one file, commander and cli-progress
// inside, nothing else to resolve at start. From a checkout without the bundle it runs the
// TypeScript sources through tsx (a dev dependency), slower to start.
import { existsSync } from 'node:fs';

const bundle = new URL('./dist/storage.mjs', import.meta.url);
if (existsSync(bundle)) await import(bundle.href);
else {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write('storage: cli/dist/storage.mjs is missing: run `npm run build:cli` first.\n');
    process.exit(1);
  }
  await import(new URL('./index.ts', import.meta.url).href);
}
