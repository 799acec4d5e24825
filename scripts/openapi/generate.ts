/**
 * `npm run openapi:generate`: writes docs/openapi.json from the routes, schemas and error
 * catalogue (see document.ts). `npm run openapi:generate -- --check` exits 1 when the
 * checked-in file differs from what the code declares (CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDocument } from './document';

const target = path.resolve(__dirname, '..', '..', 'docs', 'openapi.json');

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const text = `${JSON.stringify(await buildDocument(), null, 2)}\n`;
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      process.stderr.write('docs/openapi.json is out of date: run `npm run openapi:generate` and commit it.\n');
      process.exit(1);
    }
    process.stdout.write('docs/openapi.json is up to date.\n');
    return;
  }
  writeFileSync(target, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
