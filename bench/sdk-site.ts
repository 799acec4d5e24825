/**
 * Issue 8's scale bench: the official `@apillon/sdk` uploads a generated site
 * (FILES files in FOLDERS nested folders, default 2,000 in 20) to a running
 * stack (`npm start`) with `bucket.uploadFromFolder`, which sends 200 files per
 * upload call and PUTs each batch in parallel. It prints the time until every
 * PUT is done, the time until every file is at status 4 with the CID the SDK
 * computed, and files per second through the event path. Exits 1 when a file is
 * missing, not at 4, or has another CID.
 *
 *   API_KEY=<key> API_SECRET=<secret> npx tsx bench/sdk-site.ts
 *   (BASE=http://localhost:3000 FILES=2000 FOLDERS=20)
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogLevel, Storage } from '@apillon/sdk';
import { say } from './figures';

const BASE = process.env.BASE ?? 'http://localhost:3000';
const FILES = Number(process.env.FILES ?? 2000);
const FOLDERS = Number(process.env.FOLDERS ?? 20);

async function main(): Promise<void> {
  const key = process.env.API_KEY;
  const secret = process.env.API_SECRET;
  if (!key || !secret) throw new Error('Set API_KEY and API_SECRET (npm start prints them).');
  const folder = mkdtempSync(path.join(os.tmpdir(), 'sdk-site-'));
  try {
    // 20 folders, nested two deep (section-N/part-M), pages spread over them; sizes 200 B to ~6 KB.
    for (let i = 0; i < FILES; i++) {
      const section = i % FOLDERS;
      const relative = path.join(`section-${Math.floor(section / 4)}`, `part-${section}`, `page-${i}.html`);
      mkdirSync(path.dirname(path.join(folder, relative)), { recursive: true });
      writeFileSync(path.join(folder, relative), `<h1>page ${i}</h1>${'<p>lorem ipsum</p>'.repeat(10 + (i % 300))}`);
    }
    const storage = new Storage({ key, secret, apiUrl: BASE, logLevel: LogLevel.NONE });
    const bucket = await storage.createBucket({ name: `site-${Date.now().toString(36)}`, description: 'sdk-site bench' });
    const handle = storage.bucket(bucket.uuid);

    const started = Date.now();
    const uploaded = await handle.uploadFromFolder(folder);
    const putsDone = (Date.now() - started) / 1000;
    say(`uploadFromFolder returned after ${putsDone.toFixed(1)} s: ${uploaded.length} files (every PUT done)`);

    const expected = new Map(uploaded.map((file) => [file.fileUuid!, file.CID]));
    const deadline = Date.now() + 20 * 60_000;
    let atFour = 0;
    let wrongCid: string[] = [];
    for (;;) {
      atFour = 0;
      wrongCid = [];
      const seen = new Set<string>();
      for (let page = 1; ; page++) {
        const listed = await handle.listFiles({ limit: 100, page });
        for (const file of listed.items) {
          seen.add(file.uuid);
          if (file.status === 4) atFour++;
          if (file.status === 4 && expected.get(file.uuid) !== file.CID) wrongCid.push(file.uuid);
        }
        if (listed.items.length < 100) break;
      }
      if (atFour >= FILES || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    const allDone = (Date.now() - started) / 1000;
    say(`files at status 4: ${atFour}/${FILES} after ${allDone.toFixed(1)} s (${(FILES / allDone).toFixed(1)} files/s end to end)`);
    say(`CIDs that differ from the SDK's: ${wrongCid.length}`);
    if (uploaded.length !== FILES || atFour !== FILES || wrongCid.length > 0) process.exitCode = 1;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
