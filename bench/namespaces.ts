/**
 * Many namespaces in one approximate index: threads, memory, open and reopen time (issue 12).
 * Every namespace is written (a new gallery name on `/register` does the same), queried
 * approximately and flushed; then the database is closed and reopened.
 *
 *   npx tsx bench/namespaces.ts --namespaces 200
 *   npx tsx bench/namespaces.ts --namespaces 5000 --large 3
 *
 * Options: --namespaces N (of --records records each, default 1), --large N namespaces of
 * --large-records records (default 0 and 20,000), --dims 128, --dist (the compiled engine in
 * dist/, after `npm run build`), --out path (default bench/results/namespaces-<N>.json).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as DatabaseModule from '../src/vector/database.js';
import type { Database } from '../src/vector/database.js';
import { machineFacts, parseArgs, printTable, writeResult, type Row } from './lib/report.js';
import { clusteredVectors, row } from './lib/synthetic.js';

const args = parseArgs(process.argv.slice(2));
const NAMESPACES = Number(args.namespaces ?? 200);
const RECORDS = Number(args.records ?? 1);
const LARGE = Number(args.large ?? 0);
const LARGE_RECORDS = Number(args['large-records'] ?? 20_000);
const DIM = Number(args.dims ?? 128);
const OUT = String(args.out ?? `bench/results/namespaces-${NAMESPACES}.json`);
// From source, every worker thread loads tsx first: with a thread per namespace (before issue 12)
// that took minutes, so the figures in bench/results come from the compiled engine.
const engineModule = args.dist ? '../dist/vector/database.js' : '../src/vector/database.js';
const { openDatabase } = (await import(engineModule)) as typeof DatabaseModule;
const dir = mkdtempSync(join(tmpdir(), 'facevault-namespaces-'));

function threads(): number {
  return readdirSync('/proc/self/task').length;
}

function snapshot(step: string, ms: number): Row {
  const { rss, heapUsed, external } = process.memoryUsage();
  const mib = (bytes: number) => bytes / 2 ** 20;
  return { step, seconds: ms / 1000, threads: threads(), rss_mib: mib(rss), heap_mib: mib(heapUsed), external_mib: mib(external) };
}

async function timed(step: string, work: () => Promise<unknown>): Promise<Row> {
  const start = performance.now();
  await work();
  return snapshot(step, performance.now() - start);
}

const names = [...Array.from({ length: LARGE }, (_, i) => `large-${i}`), ...Array.from({ length: NAMESPACES }, (_, i) => `person-${i}`)];
const sizeOf = (name: string) => (name.startsWith('large-') ? LARGE_RECORDS : RECORDS);
const { data, queries } = clusteredVectors(Math.max(LARGE_RECORDS, RECORDS), 1, DIM, 1000, 0.5, 3);

async function queryAll(db: Database): Promise<void> {
  const index = db.index('faces');
  for (const name of names) await index.namespace(name).query({ vector: queries, topK: 5, exact: false });
}

const rows: Row[] = [snapshot('start', 0)];
let db = await openDatabase(dir);
try {
  await db.createIndex({ name: 'faces', dimension: DIM, metric: 'cosine', engine: 'approximate' });
  rows.push(await timed(`upsert ${NAMESPACES} × ${RECORDS} + ${LARGE} × ${LARGE_RECORDS}`, async () => {
    const index = db.index('faces');
    for (const name of names) {
      for (let first = 0; first < sizeOf(name); first += 1000) {
        const records = [];
        for (let i = first; i < Math.min(sizeOf(name), first + 1000); i++) records.push({ id: `${name}-${i}`, values: row(data, DIM, i) });
        await index.namespace(name).upsert({ records });
      }
    }
  }));
  rows.push(await timed('query each namespace approximately', () => queryAll(db)));
  rows.push(await timed('flush', () => db.index('faces').flush()));
  rows.push(await timed('close', () => db.close()));
  rows.push(await timed('reopen', async () => {
    db = await openDatabase(dir);
  }));
  rows.push(await timed('query each namespace approximately', () => queryAll(db)));
  rows.push(await timed('close', () => db.close()));
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}

printTable(`${NAMESPACES} namespaces × ${RECORDS} records + ${LARGE} × ${LARGE_RECORDS}, ${DIM} dims, approximate index`, rows);
writeResult(OUT, {
  machine: machineFacts(),
  command: `npx tsx bench/namespaces.ts ${process.argv.slice(2).join(' ')}`.trim(),
  settings: { NAMESPACES, RECORDS, LARGE, LARGE_RECORDS, DIM },
  rows,
});
