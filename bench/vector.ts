/**
 * The embedded vector database against its targets (../shared/docs/targets.md) and against
 * peers measured in the same run: a plain JS scan, raw usearch, and PGlite + pgvector.
 *
 *   npx tsx bench/vector.ts                 # 100K sets (a few minutes)
 *   npx tsx bench/vector.ts --scale 1m      # adds 1M exact, restart, upsert
 *   npx tsx bench/vector.ts --scale 1m --ann-1m   # adds the 1M HNSW build and recall (long)
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import usearch from 'usearch';
import { PGlite } from '@electric-sql/pglite';
import { vector as pgvector } from '@electric-sql/pglite-pgvector';
import { openDatabase, type Database } from '../src/vector/database.js';
import type { HnswConfig, Metric } from '../src/vector/types.js';
import { machineFacts, parseArgs, printTable, timeEach, writeResult, type LatencySummary, type Row } from './lib/report.js';
import { clusteredVectors, row, uniformVectors } from './lib/synthetic.js';

const args = parseArgs(process.argv.slice(2));
const DIM = 128;
const K = 10;
const QUERIES = Number(args.queries ?? 1000);
const EFS = String(args.efs ?? '16,32,64,128').split(',').map(Number);
const PG_N = Number(args['pg-n'] ?? 20_000);
const NOISE = Number(args.noise ?? 0.5);
const HNSW: HnswConfig = { m: Number(args.m ?? 16), efConstruction: Number(args['ef-construction'] ?? 128), efSearch: 64, quantization: (args.quantization as HnswConfig['quantization']) ?? 'f32' };
const results: Record<string, unknown> = { machine: machineFacts(), settings: { DIM, K, QUERIES, EFS, PG_N, NOISE, HNSW } };
const tables: Record<string, Row[]> = {};
const scratch = mkdtempSync(join(tmpdir(), 'facevault-bench-'));

function table(name: string, entry: Row): void {
  (tables[name] ??= []).push(entry);
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(path) : statSync(path).size;
  }
  return total;
}

async function fill(db: Database, name: string, data: Float32Array, metric: Metric, engine: 'exact' | 'approximate'): Promise<number> {
  await db.createIndex({ name, dimension: DIM, metric, engine, ...(engine === 'approximate' ? { hnsw: HNSW } : {}) });
  const index = db.index(name);
  const n = data.length / DIM;
  const start = performance.now();
  for (let first = 0; first < n; first += 1000) {
    const records = [];
    for (let i = first; i < Math.min(n, first + 1000); i++) records.push({ id: `v${i}`, values: row(data, DIM, i) });
    await index.upsert({ records });
  }
  return performance.now() - start;
}

/** Ground truth by the engine's exact scan (itself checked against a brute-force reference in the tests). */
async function exactIds(db: Database, name: string, queries: Float32Array): Promise<string[][]> {
  const index = db.index(name);
  const truth: string[][] = [];
  for (let q = 0; q < queries.length / DIM; q++) truth.push((await index.query({ vector: row(queries, DIM, q), topK: K, exact: true })).matches.map((m) => m.id));
  return truth;
}

function recall(found: readonly string[][], truth: readonly string[][]): number {
  let hit = 0;
  let total = 0;
  found.forEach((ids, q) => {
    const expected = new Set(truth[q]);
    for (const id of ids) if (expected.has(id)) hit++;
    total += expected.size;
  });
  return hit / total;
}

/** The peer for exact search: the straightforward JS scan with a sort, as a user would write it. */
function jsScanTopK(data: Float32Array, query: Float32Array): number[] {
  const n = data.length / DIM;
  const dist = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < DIM; d++) {
      const diff = (data[i * DIM + d] as number) - (query[d] as number);
      s += diff * diff;
    }
    dist[i] = s;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (dist[a] as number) - (dist[b] as number));
  return order.slice(0, K);
}

async function exactSection(label: string, db: Database, name: string, data: Float32Array, queries: Float32Array, withJsPeer: boolean): Promise<LatencySummary> {
  const index = db.index(name);
  const qs = Array.from({ length: queries.length / DIM }, (_, q) => row(queries, DIM, q));
  const ours = await timeEach(qs, (q) => index.query({ vector: q, topK: K, exact: true }));
  const entry: Row = { set: label, engine: 'facevault exact', p50_ms: ours.p50, p99_ms: ours.p99 };
  table('Exact top-10', entry);
  if (withJsPeer) {
    const peer = await timeEach(qs.slice(0, 50), (q) => jsScanTopK(data, q), 3);
    table('Exact top-10', { set: label, engine: 'plain JS scan (peer)', p50_ms: peer.p50, p99_ms: peer.p99 });
    entry.speedup_vs_js = peer.p50 / ours.p50;
    const exactPeer = await timeEach(qs.slice(0, 200), (q) => usearch.exactSearch(data, q, DIM, K, usearch.MetricKind.L2sq, 1), 5);
    table('Exact top-10', { set: label, engine: 'usearch exactSearch, 1 thread (peer)', p50_ms: exactPeer.p50, p99_ms: exactPeer.p99 });
    entry.speedup_vs_usearch_exact = exactPeer.p50 / ours.p50;
  }
  return ours;
}

async function approximateSection(label: string, db: Database, name: string, data: Float32Array, queries: Float32Array, truth: string[][], buildMs: number): Promise<void> {
  const index = db.index(name);
  const qs = Array.from({ length: queries.length / DIM }, (_, q) => row(queries, DIM, q));
  // Raw usearch, same data and settings, built in this process on both cores: the overhead reference.
  const raw = new usearch.Index({ dimensions: DIM, metric: usearch.MetricKind.Cos, quantization: HNSW.quantization as never, connectivity: HNSW.m, expansion_add: HNSW.efConstruction, expansion_search: HNSW.efSearch, multi: false });
  const n = data.length / DIM;
  const rawBuildStart = performance.now();
  raw.add(BigUint64Array.from({ length: n }, (_, i) => BigInt(i)), data, 0);
  const rawBuildMs = performance.now() - rawBuildStart;
  const rawPath = join(scratch, `${name}-raw.usearch`);
  raw.save(rawPath);
  table('HNSW build', { set: label, facevault_build_s: buildMs / 1000, raw_usearch_build_s: rawBuildMs / 1000 });

  for (const ef of EFS) {
    const found: string[][] = [];
    const ours = await timeEach(qs, async (q, i) => {
      const res = await index.query({ vector: q, topK: K, exact: false, ef });
      found[i] = res.matches.map((m) => m.id);
    });
    const view = new usearch.Index({ dimensions: DIM, metric: usearch.MetricKind.Cos, quantization: HNSW.quantization as never, connectivity: HNSW.m, expansion_add: HNSW.efConstruction, expansion_search: ef, multi: false });
    view.view(rawPath);
    const rawFound: string[][] = [];
    const rawTime = await timeEach(qs, (q, i) => {
      rawFound[i] = Array.from(view.search(q, K, 1).keys, (key) => `v${key}`);
    });
    table('Approximate top-10', {
      set: label, ef, recall_at_10: recall(found, truth), p50_ms: ours.p50, p99_ms: ours.p99,
      raw_usearch_recall: recall(rawFound, truth), raw_usearch_p50_ms: rawTime.p50, overhead_x: ours.p50 / rawTime.p50,
    });
  }
}

async function freshness(db: Database, name: string): Promise<void> {
  const index = db.index(name);
  const probe = new Float32Array(DIM).fill(0);
  probe[0] = 1;
  await index.upsert({ records: [{ id: 'fresh-probe', values: probe }] });
  const exact = (await index.query({ vector: probe, topK: 1, exact: true })).matches[0]?.id === 'fresh-probe';
  const approx = (await index.query({ vector: probe, topK: 1, exact: false })).matches[0]?.id === 'fresh-probe';
  await index.deleteOne({ id: 'fresh-probe' });
  const goneExact = (await index.query({ vector: probe, topK: 1, exact: true })).matches[0]?.id !== 'fresh-probe';
  const goneApprox = (await index.query({ vector: probe, topK: 1, exact: false })).matches[0]?.id !== 'fresh-probe';
  table('Freshness (right after the acknowledgement)', { set: name, upsert_visible_exact: exact, upsert_visible_approx: approx, delete_visible_exact: goneExact, delete_visible_approx: goneApprox });
}

async function pgvectorPeer(data: Float32Array, queries: Float32Array, truth: string[][] | undefined, ours: { exact: LatencySummary; approx?: Map<number, { p50: number; recall: number }> }): Promise<void> {
  const pg = await PGlite.create({ extensions: { vector: pgvector } });
  await pg.exec('CREATE EXTENSION IF NOT EXISTS vector; CREATE TABLE items (id text PRIMARY KEY, embedding vector(128));');
  const n = data.length / DIM;
  const literal = (v: Float32Array) => `[${Array.from(v).join(',')}]`;
  const insertStart = performance.now();
  for (let first = 0; first < n; first += 500) {
    const values: string[] = [];
    for (let i = first; i < Math.min(n, first + 500); i++) values.push(`('v${i}', '${literal(row(data, DIM, i))}')`);
    await pg.exec(`INSERT INTO items (id, embedding) VALUES ${values.join(',')}`);
  }
  const insertMs = performance.now() - insertStart;
  const qs = Array.from({ length: Math.min(200, queries.length / DIM) }, (_, q) => row(queries, DIM, q));
  const exact = await timeEach(qs, (q) => pg.query(`SELECT id FROM items ORDER BY embedding <=> $1 LIMIT ${K}`, [literal(q)]), 5);
  table('PGlite + pgvector (peer, same run)', { n, what: 'insert', pg: `${(n / (insertMs / 1000)).toFixed(0)} rec/s`, facevault: '-', ratio: '-' });
  table('PGlite + pgvector (peer, same run)', { n, what: 'exact top-10 p50 ms', pg: exact.p50, facevault: ours.exact.p50, ratio: exact.p50 / ours.exact.p50 });
  const buildStart = performance.now();
  await pg.exec(`CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops) WITH (m = ${HNSW.m}, ef_construction = ${Math.min(HNSW.efConstruction, 64)})`);
  table('PGlite + pgvector (peer, same run)', { n, what: 'HNSW build s', pg: (performance.now() - buildStart) / 1000, facevault: '-', ratio: '-' });
  for (const ef of EFS) {
    await pg.exec(`SET hnsw.ef_search = ${ef}`);
    const found: string[][] = [];
    const approx = await timeEach(qs, async (q, i) => {
      const res = await pg.query<{ id: string }>(`SELECT id FROM items ORDER BY embedding <=> $1 LIMIT ${K}`, [literal(q)]);
      found[i] = res.rows.map((r) => r.id);
    }, 5);
    const mine = ours.approx?.get(ef);
    table('PGlite + pgvector (peer, same run)', {
      n, what: `HNSW ef=${ef} p50 ms`, pg: approx.p50, facevault: mine?.p50 ?? '-', ratio: mine ? approx.p50 / mine.p50 : '-',
      pg_recall: truth ? recall(found, truth.slice(0, qs.length)) : '-', facevault_recall: mine?.recall ?? '-',
    });
  }
  await pg.close();
}

async function main(): Promise<void> {
  console.log(`facevault vector benchmark — ${JSON.stringify(machineFacts())}`);

  // 1. Durable upsert rate and exact search on the reference scenario's uniform data.
  const uniform = uniformVectors(100_000, DIM, 1);
  const uniformQueries = uniformVectors(QUERIES, DIM, 2);
  for (const synchronous of ['normal', 'full'] as const) {
    const dir = join(scratch, `upsert-${synchronous}`);
    const db = await openDatabase(dir, { synchronous });
    const ms = await fill(db, 'uniform', uniform, 'euclidean', 'exact');
    table('Durable upsert, 100K × 128-d, batches of 1,000', { synchronous, seconds: ms / 1000, records_per_s: 100_000 / (ms / 1000), reference_pinecone_s: 14 * 60, speedup_vs_reference: (14 * 60 * 1000) / ms, disk_bytes_per_record: dirBytes(dir) / 100_000 });
    if (synchronous === 'normal') {
      await exactSection('uniform 100K', db, 'uniform', uniform, uniformQueries, true);
      await freshness(db, 'uniform');
    }
    await db.close();
  }

  // 2. Face-like clustered data: exact vs approximate, recall against ground truth.
  const clustered = clusteredVectors(100_000, QUERIES, DIM, 10_000, NOISE, 3);
  const dir = join(scratch, 'clustered');
  const memBefore = process.memoryUsage();
  const db = await openDatabase(dir);
  const clusteredUpsertMs = await fill(db, 'clustered', clustered.data, 'cosine', 'approximate');
  const buildStart = performance.now();
  await db.index('clustered').flush();
  const buildMs = clusteredUpsertMs + (performance.now() - buildStart);
  const memAfter = process.memoryUsage();
  await exactSection('clustered 100K', db, 'clustered', clustered.data, clustered.queries, false);
  const truth = await exactIds(db, 'clustered', clustered.queries);
  await approximateSection('clustered 100K', db, 'clustered', clustered.data, clustered.queries, truth, buildMs);
  await freshness(db, 'clustered');
  table('Memory and disk, clustered 100K × 128-d (f32 vectors = 512 B)', {
    heap_and_external_bytes_per_vector: (memAfter.heapUsed + memAfter.external + memAfter.arrayBuffers - memBefore.heapUsed - memBefore.external - memBefore.arrayBuffers) / 100_000,
    rss_bytes_per_vector: (memAfter.rss - memBefore.rss) / 100_000,
    disk_bytes_per_vector: dirBytes(dir) / 100_000,
  });
  await db.close();

  // 3. PGlite + pgvector on a subset (its inserts and single-threaded HNSW build are slow), same queries.
  if (!args['skip-pg']) {
    // Its own face-like set at this size (10 samples an identity), not a slice of the 100K one.
    const pgSet = clusteredVectors(PG_N, 200, DIM, PG_N / 10, NOISE, 7);
    const subset = pgSet.data;
    const subDb = await openDatabase(join(scratch, 'pg-subset'));
    await fill(subDb, 'subset', subset, 'cosine', 'approximate');
    await subDb.index('subset').flush();
    const qs = pgSet.queries;
    const subTruth = await exactIds(subDb, 'subset', qs);
    const subExact = await timeEach(Array.from({ length: 200 }, (_, q) => row(qs, DIM, q)), (q) => subDb.index('subset').query({ vector: q, topK: K, exact: true }));
    const approx = new Map<number, { p50: number; recall: number }>();
    for (const ef of EFS) {
      const found: string[][] = [];
      const t = await timeEach(Array.from({ length: 200 }, (_, q) => row(qs, DIM, q)), async (q, i) => {
        found[i] = (await subDb.index('subset').query({ vector: q, topK: K, exact: false, ef })).matches.map((m) => m.id);
      });
      approx.set(ef, { p50: t.p50, recall: recall(found, subTruth) });
    }
    await subDb.close();
    await pgvectorPeer(subset, qs, subTruth, { exact: subExact, approx });
  }

  // 4. One million records: upsert, exact scan, restart; HNSW only when asked (minutes to build).
  if (args.scale === '1m') {
    const million = clusteredVectors(1_000_000, Math.min(QUERIES, 200), DIM, 100_000, NOISE, 5);
    const mDir = join(scratch, 'million');
    let mDb = await openDatabase(mDir);
    const engine = args['ann-1m'] ? 'approximate' : 'exact';
    const upsertMs = await fill(mDb, 'million', million.data, 'cosine', engine);
    table('One million × 128-d', { what: 'durable upsert', value: `${(1_000_000 / (upsertMs / 1000)).toFixed(0)} rec/s`, target: '≥ 200,000 rec/s' });
    const mExact = await exactSection('clustered 1M', mDb, 'million', million.data, million.queries, false);
    table('One million × 128-d', { what: 'exact top-10 p50 / p99', value: `${mExact.p50.toFixed(1)} / ${mExact.p99.toFixed(1)} ms`, target: 'p50 ≤ 30 ms' });
    if (args['ann-1m']) {
      const start = performance.now();
      await mDb.index('million').flush();
      const mTruth = await exactIds(mDb, 'million', million.queries);
      await approximateSection('clustered 1M', mDb, 'million', million.data, million.queries, mTruth, upsertMs + performance.now() - start);
    }
    await mDb.close();
    const reopenStart = performance.now();
    mDb = await openDatabase(mDir);
    await mDb.index('million').query({ vector: row(million.queries, DIM, 0), topK: K });
    table('One million × 128-d', { what: 'restart: open + first query', value: `${((performance.now() - reopenStart) / 1000).toFixed(2)} s`, target: '≤ 5 s' });
    table('One million × 128-d', { what: 'disk bytes per vector', value: (dirBytes(mDir) / 1_000_000).toFixed(0), target: '-' });
    await mDb.close();
  }

  for (const [title, rows] of Object.entries(tables)) printTable(title, rows);
  results.tables = tables;
  writeResult(String(args.out ?? 'bench/results/vector.json'), results);
  rmSync(scratch, { recursive: true, force: true });
}

await main();
