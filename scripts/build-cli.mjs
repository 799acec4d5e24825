// Bundles the user CLI (cli/index.ts) into cli/dist/storage.mjs: one ESM file with its
// dependencies (commander, cli-progress) inside, so `storage` loads one module at start.
// Run by `npm run build:cli` and by `prepare` (npm ci / npm install / npm pack).
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

const outfile = process.argv[2] ?? 'cli/dist/storage.mjs';
await build({
  absWorkingDir: root,
  entryPoints: ['cli/index.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  legalComments: 'none',
  // commander and cli-progress are CommonJS: their require() of Node's modules needs a real require in ESM.
  banner: { js: "import { createRequire as __storageCreateRequire } from 'node:module'; const require = __storageCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
