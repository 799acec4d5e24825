/**
 * Issue 21's "done when", over HTTP on the run's shared local stack: a client (a child process,
 * test/support/multipart-client.mjs) uploads a 30 MiB file in 6 parts of 5 MiB and is killed (SIGKILL) after
 * part 4; a second client resumes from `GET …/multipart/:fileUuid` (it uploads only parts 5 and 6) and
 * completes; the file reaches status 4 through the S3 event path with the CIDs an independent importer gives
 * (ipfs-unixfs-importer 17 with kubo's options). Also an abort over HTTP (its listing then 404).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prngBytes } from '../support/data';
import { importerFileCids } from '../support/file-cids';
import { until, type LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

const MIB = 1024 * 1024;
const CLIENT = path.resolve(__dirname, '..', 'support', 'multipart-client.mjs');

let stack: Omit<LocalStack, 'stop'>;
let directory: string;

beforeAll(async () => {
  directory = mkdtempSync(path.join(os.tmpdir(), 'multipart-e2e-'));
  stack = await sharedLocalStack();
});

afterAll(() => directory && rmSync(directory, { recursive: true, force: true }));

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { ...stack.headers.basic, 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/**
 * Runs the client; with `killAfterPart`, SIGKILLs it as soon as it reports that part (the next PUT may be under
 * way: what S3 holds decides). Resolves with the lines it printed and how it ended.
 */
function runClient(options: object, killAfterPart?: number): Promise<{ lines: string[]; signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const line of complete) {
        lines.push(line);
        if (killAfterPart !== undefined && line.startsWith(`part ${killAfterPart} `)) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ lines, code, signal, stderr }));
  });
}


describe('a multipart upload over HTTP (local stack)', () => {
  it('survives its client killed after part 4: resumed from the listing, completed, at status 4 with the independent CID', async () => {
    // prepare: 6 parts of 5 MiB on disk, the upload created
    const bytes = prngBytes(30 * MIB, 2101);
    const file = path.join(directory, 'thirty.bin');
    writeFileSync(file, bytes);
    const bucketUuid = stack.bucketUuid;
    const sessionUuid = randomUUID();
    const created = await stack.request(
      `/storage/buckets/${bucketUuid}/upload/${sessionUuid}/multipart`,
      json('POST', { fileName: `resumed-${sessionUuid.slice(0, 8)}.bin`, path: 'e2e-multipart', size: bytes.byteLength }),
    );
    expect(created.status, created.text).toBe(201);
    const { fileUuid, partSize, partCount } = created.body.data;
    const options = { baseUrl: stack.baseUrl, authorization: stack.headers.basic.authorization, bucketUuid, sessionUuid, fileUuid, file, partSize, partCount };

    // act: the first client dies after part 4; a second one resumes
    const killed = await runClient(options, 4);
    const held = await stack.request(`/storage/buckets/${bucketUuid}/upload/${sessionUuid}/multipart/${fileUuid}`, { headers: stack.headers.basic });
    const resumed = await runClient(options);
    const detail = await until(async () => {
      const answer = await stack.request(`/storage/${bucketUuid}/file/${fileUuid}/detail`, { headers: stack.headers.basic });
      return answer.body?.data?.fileStatus === 4 || answer.body?.data?.fileStatus >= 100 ? answer.body.data : undefined;
    }, 120_000);

    // assess
    expect({ partSize, partCount }).toEqual({ partSize: 5 * MIB, partCount: 6 });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.lines.filter((line) => line.startsWith('part ')).map((line) => line.split(' ')[1])).toEqual(['1', '2', '3', '4']);
    // S3 holds parts 1–4 (and 5 if its PUT got through before the kill): the resume uploads only the rest.
    const heldParts = (held.body.data.parts as { partNumber: number; size: number }[]).map((part) => part.partNumber);
    expect(heldParts.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.lines[0]).toBe(`holds ${heldParts.join(',')}`);
    expect(resumed.lines.filter((line) => line.startsWith('part ')).map((line) => Number(line.split(' ')[1]))).toEqual([5, 6].filter((n) => !heldParts.includes(n)));
    expect(resumed.lines.at(-1)).toMatch(/^completed /);
    const expected = await importerFileCids(() => [bytes]);
    expect(detail.fileStatus).toBe(4);
    expect(detail.file).toMatchObject({ size: 30 * MIB, CID: expected.cidV1, CIDv0: expected.cidV0 });
  }, 240_000);

  it('is aborted over HTTP: the file cancelled (106), the listing then 404', async () => {
    // prepare
    const sessionUuid = randomUUID();
    const base = `/storage/buckets/${stack.bucketUuid}/upload/${sessionUuid}/multipart`;
    const created = await stack.request(base, json('POST', { fileName: `aborted-${sessionUuid.slice(0, 8)}.bin`, size: 10 * MIB }));
    const { fileUuid } = created.body.data;
    const urls = await stack.request(`${base}/${fileUuid}/parts`, json('POST', { partNumbers: [1] }));
    const put = await fetch(urls.body.data.parts[0].url, { method: 'PUT', body: prngBytes(5 * MIB, 7) });

    // act
    const aborted = await stack.request(`${base}/${fileUuid}`, { method: 'DELETE', headers: stack.headers.basic });
    const listed = await stack.request(`${base}/${fileUuid}`, { headers: stack.headers.basic });

    // assess
    expect(put.status).toBe(200);
    expect(aborted.status, aborted.text).toBe(200);
    expect(aborted.body.data.fileStatus).toBe(106);
    expect(listed.status).toBe(404);
    expect(listed.body.code).toBe(40406013);
  }, 60_000);
});
