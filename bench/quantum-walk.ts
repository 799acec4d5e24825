/**
 * The black-box walk of issue 7, against a running stack (`npm start`):
 * ROUNDS rounds of CONCURRENCY concurrent multi-file Quantum adds (FILES small
 * files each; every other request also overwrites a shared file with
 * force=true), then it waits until every stored file is at status 4 and checks:
 * no 5xx and no timeout, every file answered 200 is stored, nothing of a
 * refused request is stored, and the bucket's charged size equals the stored bytes.
 *
 *   MKEY=<master key> BASIC=<base64 key:secret> npx tsx bench/quantum-walk.ts
 *   (BASE=http://localhost:3000 ROUNDS=3 CONCURRENCY=16 FILES=10)
 *
 * Prints what it found and exits 1 when an expectation fails.
 */
import { say } from './figures';

const BASE = process.env.BASE ?? 'http://localhost:3000';
const MKEY = process.env.MKEY ?? '';
const BASIC = process.env.BASIC ?? '';
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const FILES = Number(process.env.FILES ?? 10);

interface Answer {
  status: number;
  body: any;
}

async function call(method: string, path: string, init: { body?: FormData; basic?: boolean } = {}): Promise<Answer> {
  const headers: Record<string, string> = init.basic ? { authorization: `Basic ${BASIC}` } : { 'x-api-mkey': MKEY };
  const response = await fetch(`${BASE}${path}`, { method, headers, body: init.body, signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body };
}

async function main(): Promise<void> {
  if (!MKEY || !BASIC) throw new Error('Set MKEY and BASIC (npm start prints both).');
  const bucket = `walk${Date.now().toString(36)}`;
  const created = await call('POST', `/API/bucket/create/${bucket}`);
  if (created.status !== 200) throw new Error(`bucket create: ${created.status} ${JSON.stringify(created.body)}`);

  const expected = new Map<string, number>(); // path -> size of what must be stored
  const answers = new Map<number, number>();
  let refusedFiles = 0;
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, index) => {
        const form = new FormData();
        const mine: [string, number][] = [];
        for (let i = 0; i < FILES; i++) {
          const content = `round ${round} request ${index} file ${i} ${'x'.repeat((index * 7 + i) % 50)}`;
          form.append('files', new Blob([content], { type: 'text/plain' }), `f${i}.txt`);
          mine.push([`r${round}/q${index}/f${i}.txt`, Buffer.byteLength(content)]);
        }
        const answer = await call('POST', `/API/file/add/${bucket}/r${round}/q${index}`, { body: form });
        // serverless-offline answers a Lambda timeout with 200 and a LambdaTimeoutError body: count it as what it is.
        const status = answer.status === 200 && answer.body?.status !== 'success' ? 504 : answer.status;
        answers.set(status, (answers.get(status) ?? 0) + 1);
        if (status === 200) for (const [path, size] of mine) expected.set(path, size);
        else refusedFiles += mine.length;
        // Replacement races: every other request also overwrites one shared file.
        if (index % 2 === 0) {
          const shared = new FormData();
          const content = `shared by ${round}/${index}`;
          shared.append('files', new Blob([content], { type: 'text/plain' }), 'shared.txt');
          shared.append('force', 'true');
          const replaced = await call('POST', `/API/file/add/${bucket}/shared`, { body: shared });
          const replacedStatus = replaced.status === 200 && replaced.body?.status !== 'success' ? 504 : replaced.status;
          answers.set(replacedStatus, (answers.get(replacedStatus) ?? 0) + 1);
        }
      }),
    );
    say(`round ${round + 1}/${ROUNDS} done after ${((Date.now() - started) / 1000).toFixed(1)} s: answers ${JSON.stringify(Object.fromEntries(answers))}`);
  }

  // Find the bucket on the Apillon surface (same account) and wait for status 4 everywhere.
  const buckets = await call('GET', '/storage/buckets?limit=1000', { basic: true });
  const bucketUuid = (buckets.body?.data?.items ?? []).find((item: any) => item.name === bucket)?.bucketUuid;
  if (!bucketUuid) throw new Error('the walk bucket is not listed on the Apillon surface');
  const deadline = Date.now() + 15 * 60_000;
  let files: any[] = [];
  for (;;) {
    files = [];
    for (let page = 1; ; page++) {
      const listed = await call('GET', `/storage/buckets/${bucketUuid}/files?limit=100&page=${page}`, { basic: true });
      const items = listed.body?.data?.items ?? [];
      files.push(...items);
      if (items.length < 100) break;
    }
    const waiting = files.filter((entry) => entry.fileStatus !== 4);
    if (waiting.length === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const settledAfter = (Date.now() - started) / 1000;
  // The bucket's own size (what its files are charged), so other uploads of the account do not count.
  const bucketView = await call('GET', `/storage/buckets/${bucketUuid}`, { basic: true });

  const fullPath = (entry: any) => `${entry.path ?? ''}${entry.name}`;
  const stored = new Map(files.map((entry: any) => [fullPath(entry), entry]));
  const problems: string[] = [];
  const fiveHundreds = [...answers].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0);
  if (fiveHundreds > 0) problems.push(`${fiveHundreds} answers of 5xx`);
  for (const [path, size] of expected) {
    const entry = stored.get(path);
    if (!entry) problems.push(`answered 200 but not stored: ${path}`);
    else if (entry.size !== size) problems.push(`stored with another size: ${path}`);
  }
  const notAtFour = files.filter((entry) => entry.fileStatus !== 4);
  if (notAtFour.length > 0) problems.push(`${notAtFour.length} files not at status 4 after ${settledAfter.toFixed(0)} s`);
  const storedBytes = files.reduce((sum, entry) => sum + (entry.size ?? 0), 0);
  const used = Number(bucketView.body?.data?.size);
  if (used !== storedBytes) problems.push(`the bucket is charged ${used} B, its stored files hold ${storedBytes} B`);
  const unexpected = files.filter((entry) => !expected.has(fullPath(entry)) && !fullPath(entry).startsWith('shared/'));
  if (unexpected.length > 0) problems.push(`${unexpected.length} files stored from refused requests`);

  say(`answers: ${JSON.stringify(Object.fromEntries(answers))}; files stored ${files.length} (${expected.size} from answered adds, ${refusedFiles} refused); all at status 4 after ${settledAfter.toFixed(1)} s`);
  say(`the bucket is charged ${used} B; its stored files hold ${storedBytes} B`);
  if (problems.length > 0) {
    say(`PROBLEMS:\n  ${problems.slice(0, 30).join('\n  ')}`);
    process.exitCode = 1;
  } else {
    say('no problem found');
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
