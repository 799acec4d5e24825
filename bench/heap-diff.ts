/**
 * What grew between two V8 heap snapshots (`BENCH_HEAP_SNAPSHOTS=dir npm run bench -- handler-memory`
 * writes one at each print): self size and count per (node type, constructor or name), the largest
 * growth first. Strings, numbers and compiled code are each summed into one row.
 *
 *   npx tsx bench/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [rows=30]
 */
import { readFileSync } from 'node:fs';
import { say } from './figures';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const SUMMED: Readonly<Record<string, string>> = { string: '(strings)', 'concatenated string': '(strings)', 'sliced string': '(strings)', number: '(numbers)', code: '(compiled code)' };

/** Count and self size (bytes) per `type:name` of a snapshot file. */
function summary(file: string): Map<string, { count: number; size: number }> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const [type, name, size] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')];
  const rows = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < heap.nodes.length; i += fields.length) {
    const kind = types[heap.nodes[i + type]!]!;
    const key = `${kind}:${SUMMED[kind] ?? heap.strings[heap.nodes[i + name]!]!.slice(0, 80)}`;
    const row = rows.get(key) ?? { count: 0, size: 0 };
    row.count += 1;
    row.size += heap.nodes[i + size]!;
    rows.set(key, row);
  }
  return rows;
}

const [beforeFile, afterFile, limit = '30'] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  process.stderr.write('usage: npx tsx bench/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [rows]\n');
  process.exit(2);
}
const [before, after] = [summary(beforeFile), summary(afterFile)];
const growth = [...new Set([...before.keys(), ...after.keys()])].map((key) => {
  const [was, is] = [before.get(key) ?? { count: 0, size: 0 }, after.get(key) ?? { count: 0, size: 0 }];
  return { key, size: is.size - was.size, count: is.count - was.count };
});
growth.sort((a, b) => b.size - a.size);
say('   bytes     count   type:constructor');
for (const row of growth.slice(0, Number(limit))) say(`${String(row.size).padStart(8)}  ${String(row.count).padStart(8)}   ${row.key}`);
