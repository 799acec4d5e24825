#!/usr/bin/env node
/**
 * A minimal resumable multipart-upload client of the Apillon surface (plain Node, no dependencies, so a test
 * can start it as a child process and kill it): it asks the service which parts S3 already holds
 * (`GET …/multipart/:fileUuid`), uploads the missing ones one by one (a 60 s URL asked for just before each
 * PUT), then completes the upload with every part's ETag.
 *
 *   node test/support/multipart-client.mjs '<json>'
 *   json: {baseUrl, authorization, bucketUuid, sessionUuid, fileUuid, file, partSize, partCount}
 *
 * Prints one line per step: `holds <n,…>`, `part <n> <ETag>`, `completed <fileStatus>`; exits 1 on any error.
 */
import { open } from 'node:fs/promises';

const options = JSON.parse(process.argv[2] ?? '{}');
const base = `${options.baseUrl}/storage/buckets/${options.bucketUuid}/upload/${options.sessionUuid}/multipart/${options.fileUuid}`;
const headers = { authorization: options.authorization, 'content-type': 'application/json' };

async function api(method, url, body) {
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text).data;
}

const held = await api('GET', base);
const eTags = new Map(held.parts.map((part) => [part.partNumber, part.ETag]));
console.log(`holds ${[...eTags.keys()].join(',')}`);
const file = await open(options.file, 'r');
try {
  for (let partNumber = 1; partNumber <= options.partCount; partNumber++) {
    if (eTags.has(partNumber)) continue;
    const { parts } = await api('POST', `${base}/parts`, { partNumbers: [partNumber] });
    const start = (partNumber - 1) * options.partSize;
    const { size } = await file.stat();
    const bytes = Buffer.alloc(Math.min(options.partSize, size - start));
    await file.read(bytes, 0, bytes.length, start);
    const put = await fetch(parts[0].url, { method: 'PUT', body: bytes });
    if (!put.ok) throw new Error(`PUT part ${partNumber}: ${put.status} ${await put.text()}`);
    eTags.set(partNumber, put.headers.get('etag'));
    console.log(`part ${partNumber} ${put.headers.get('etag')}`);
  }
} finally {
  await file.close();
}
const completed = await api('POST', `${base}/complete`, {
  parts: [...eTags].sort(([a], [b]) => a - b).map(([partNumber, ETag]) => ({ partNumber, ETag })),
});
console.log(`completed ${completed.fileStatus}`);
