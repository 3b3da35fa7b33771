/**
 * The embedded vector database against its targets (../shared/docs/targets.md) and against
 * peers measured in the same run: a plain JS scan, raw usearch, and PGlite + pgvector.
 *
 *   npx tsx bench/vector.ts                # 100K: upsert, exact, approximate, tail, peers (~15 min)
 *   npx tsx bench/vector.ts --scale 1m     # 1M: upsert, exact, HNSW build and recall, restart (~30 min)
 *   npx tsx bench/vector.ts --only upsert --out bench/results/vector-upsert.json
 *                                          # 100K: the durable upsert against the raw blob write alone (~2 min)
 *
 * Options: --queries N (default 1000 at 100K, 200 at 1M), --efs 32,48,64,128,256, --m 16,
 * --ef-construction 128, --quantization i8|f16|f32, --noise 0.5 (face-like spread),
 * --pg-n N (PGlite subset; default: the whole set at 100K, 20,000 at 1M), --skip-pg,
 * --n N (records instead of 100K / 1M, for a quick check), --upsert-runs N (rounds of the upsert
 * section, default 5), --only upsert (100K: stop after the upsert section), --out path (default
 * bench/results/vector-<scale>.json).
 *
 * Data: the reference scenario's uniform vectors for upsert and exact search; face-like clusters
 * (10 samples an identity) for everything approximate, because uniform data defeats every ANN.
 * Ground truth is the engine's exact scan (itself checked against brute force in the tests).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite from 'better-sqlite3';
import usearch from 'usearch';
import { PGlite } from '@electric-sql/pglite';
import { vector as pgvector } from '@electric-sql/pglite-pgvector';
import { PINECONE_REFERENCE } from '../src/cli/pinecone-reference.js';
import { openDatabase, type Database } from '../src/vector/database.js';
import { Storage } from '../src/vector/storage/sqlite-log.js';
import type { HnswConfig, Metric } from '../src/vector/types.js';
import { validateUpsertBatch } from '../src/vector/validate.js';
import { wasm } from '../src/util/wasm-module.js';
import { engineGraphFile, interleavedPasses, recall, type ContenderRun } from './lib/ann-bench.js';
import { machineFacts, parseArgs, printTable, summarize, timeEach, writeResult, type LatencySummary, type Row } from './lib/report.js';
import { clusteredVectors, row, uniformVectors } from './lib/synthetic.js';

const args = parseArgs(process.argv.slice(2));
const SCALE = args.scale === '1m' ? '1m' : '100k';
const N = Number(args.n ?? (SCALE === '1m' ? 1_000_000 : 100_000));
const SIZE = N >= 1_000_000 ? `${N / 1_000_000}M` : `${N / 1000}K`;
const DIM = 128;
const K = 10;
const QUERIES = Number(args.queries ?? (SCALE === '1m' ? 200 : 1000));
/** Search widths, each set as the index's efSearch (a per-query ef is rounded up to a power of two). */
const EFS = String(args.efs ?? '32,48,64,128,256').split(',').map(Number);
const PG_N = Number(args['pg-n'] ?? (SCALE === '1m' ? 20_000 : N));
const NOISE = Number(args.noise ?? 0.5);
const UPSERT_RUNS = Number(args['upsert-runs'] ?? 5);
const HNSW: HnswConfig = {
  m: Number(args.m ?? 16),
  efConstruction: Number(args['ef-construction'] ?? 128),
  efSearch: 64,
  quantization: (args.quantization as HnswConfig['quantization']) ?? 'i8',
};
const results: Record<string, unknown> = { machine: machineFacts(), command: `npx tsx bench/vector.ts ${process.argv.slice(2).join(' ')}`.trim(), settings: { SCALE, N, DIM, K, QUERIES, EFS, PG_N, NOISE, HNSW } };
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

function rows(data: Float32Array, count = data.length / DIM): Float32Array[] {
  return Array.from({ length: count }, (_, i) => row(data, DIM, i));
}

/** Upserts `data` as v0, v1, … in batches of 1,000; record i gets sequence number i + 1 in a fresh index. */
async function fill(db: Database, name: string, data: Float32Array, metric: Metric, engine: 'exact' | 'approximate'): Promise<number> {
  await db.createIndex({ name, dimension: DIM, metric, engine, ...(metric === 'cosine' ? { hnsw: HNSW } : {}) });
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

async function exactIds(db: Database, name: string, queries: readonly Float32Array[]): Promise<string[][]> {
  const index = db.index(name);
  const truth: string[][] = [];
  for (const vector of queries) truth.push((await index.query({ vector, topK: K, exact: true })).matches.map((m) => m.id));
  return truth;
}

/** The peer for exact search: the straightforward JS scan with a sort, as a user would write it. */
function jsScanTopK(data: Float32Array, query: Float32Array): number[] {
  const n = data.length / DIM;
  const dist = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < DIM; d++) {
      // In range by construction; `?? 0` satisfies the type without a call per element in this timed peer.
      const diff = (data[i * DIM + d] ?? 0) - (query[d] ?? 0);
      s += diff * diff;
    }
    dist[i] = s;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (dist[a] ?? 0) - (dist[b] ?? 0));
  return order.slice(0, K);
}

async function exactSection(label: string, db: Database, name: string, data: Float32Array, queries: readonly Float32Array[], withPeers: boolean): Promise<LatencySummary> {
  const index = db.index(name);
  const ours = await timeEach(queries, (q) => index.query({ vector: q, topK: K, exact: true }));
  const entry: Row = { set: label, engine: 'facevault exact', p50_ms: ours.p50, p99_ms: ours.p99 };
  table('Exact top-10', entry);
  if (withPeers) {
    const peer = await timeEach(queries.slice(0, 50), (q) => jsScanTopK(data, q), 3);
    table('Exact top-10', { set: label, engine: 'plain JS scan (peer)', p50_ms: peer.p50, p99_ms: peer.p99 });
    entry.speedup_vs_js = peer.p50 / ours.p50;
    const exactPeer = await timeEach(queries.slice(0, 200), (q) => usearch.exactSearch(data, q, DIM, K, usearch.MetricKind.L2sq, 1), 5);
    table('Exact top-10', { set: label, engine: 'usearch exactSearch, 1 thread (peer)', p50_ms: exactPeer.p50, p99_ms: exactPeer.p99 });
    entry.speedup_vs_usearch_exact = exactPeer.p50 / ours.p50;
  }
  return ours;
}

function usearchIndex(ef: number): InstanceType<typeof usearch.Index> {
  return new usearch.Index({ dimensions: DIM, metric: usearch.MetricKind.Cos, quantization: HNSW.quantization as never, connectivity: HNSW.m, expansion_add: HNSW.efConstruction, expansion_search: ef, multi: false });
}

/**
 * Recall and latency at each ef, ours against raw usearch searching a graph of the same data and
 * settings: one it builds itself in this process (`rawGraph: 'build'`, also timing the build), or
 * the very file the engine built (`rawGraph: path`, keys are the engine's sequence numbers).
 */
async function approximateSection(label: string, db: Database, name: string, data: Float32Array, queries: readonly Float32Array[], truth: string[][], rawGraph: 'build' | string): Promise<Map<number, { p50: number; recall: number }>> {
  const index = db.index(name);
  let rawPath = rawGraph;
  // Raw keys: i for v{i} when built here; the engine's sequence number i + 1 when viewing its file.
  let keyToId = (key: bigint) => `v${Number(key) - 1}`;
  if (rawGraph === 'build') {
    const raw = usearchIndex(HNSW.efSearch);
    const n = data.length / DIM;
    const start = performance.now();
    raw.add(BigUint64Array.from({ length: n }, (_, i) => BigInt(i)), data, 0);
    table('HNSW build', { set: label, what: 'raw usearch, both cores, in this thread (peer)', seconds: (performance.now() - start) / 1000 });
    rawPath = join(scratch, `${name}-raw.usearch`);
    raw.save(rawPath);
    keyToId = (key) => `v${key}`;
  }
  const ours = new Map<number, { p50: number; recall: number }>();
  for (const ef of EFS) {
    const view = usearchIndex(ef);
    view.view(rawPath);
    await db.configureIndex(name, { hnsw: { efSearch: ef } });
    const search = async (q: Float32Array) => (await index.query({ vector: q, topK: K, exact: false })).matches.map((m) => m.id);
    const searchRaw = (q: Float32Array) => Array.from(view.search(q, K, 1).keys, keyToId);
    // Whole passes in the order ours, raw, raw, ours, after 20 untimed queries each.
    const [mine, theirs] = (await interleavedPasses<string[]>([{ name: 'facevault', search }, { name: 'raw usearch', search: searchRaw }], queries, 20)) as [ContenderRun<string[]>, ContenderRun<string[]>];
    const ourRecall = recall(mine.found, truth);
    ours.set(ef, { p50: mine.time.p50, recall: ourRecall });
    table('Approximate top-10', {
      set: label, ef, recall_at_10: ourRecall, p50_ms: mine.time.p50, p99_ms: mine.time.p99,
      raw_usearch_recall: recall(theirs.found, truth), raw_usearch_p50_ms: theirs.time.p50, overhead_x: mine.time.p50 / theirs.time.p50,
    });
  }
  return ours;
}

/**
 * Right after a bulk upsert the graph is still building: approximate queries must cost no more
 * than an exact scan (the engine scans exactly once the tail dominates) and find the truth.
 */
async function unbuiltTailSection(label: string, db: Database, name: string, queries: readonly Float32Array[]): Promise<{ found: string[][]; row: Row }> {
  const index = db.index(name);
  const sample = queries.slice(0, 200);
  const found: string[][] = [];
  const approx = await timeEach(sample, async (q, i) => {
    found[i] = (await index.query({ vector: q, topK: K, exact: false })).matches.map((m) => m.id);
  }, 0);
  const exact = await timeEach(sample, (q) => index.query({ vector: q, topK: K, exact: true }), 0);
  return { found, row: { set: label, approximate_p50_ms: approx.p50, exact_p50_ms: exact.p50, ratio: approx.p50 / exact.p50 } };
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

/**
 * RSS growth per vector (the slab, maps and ids, the builder's writable graph and the mapped
 * snapshot), beside what is known by construction: the slab row (values and, for cosine, 1/‖v‖)
 * and the graph file; and every byte on disk.
 */
function memoryRow(label: string, rssBefore: number, dir: string, index: string, n: number): void {
  table('Memory and disk per vector (f32 values = 512 B)', {
    set: label,
    rss_growth_bytes: (process.memoryUsage().rss - rssBefore) / n,
    slab_row_bytes: DIM * 4 + 4,
    graph_file_bytes: statSync(engineGraphFile(dir, index)).size / n,
    disk_bytes: dirBytes(dir) / n,
  });
}

/** The two shapes of upsert input the targets name: what users send, and the engine's own layout. */
const UPSERT_SHAPES = {
  /** `Float32Array` values, no metadata. */
  float32: (data: Float32Array, i: number) => ({ id: `v${i}`, values: row(data, DIM, i) }),
  /** `number[]` values and a small metadata object, as a user's JSON decodes. */
  'number[]+metadata': (data: Float32Array, i: number) => ({
    id: `v${i}`,
    values: Array.from(row(data, DIM, i)),
    metadata: { subject: `person-${i % 5000}`, source: `photos/img_${i}.jpg`, score: 0.97 },
  }),
} as const;
type UpsertShape = keyof typeof UPSERT_SHAPES;
type UpsertRecord = ReturnType<(typeof UPSERT_SHAPES)[UpsertShape]>;

/** The records of `data` in batches of 1,000, built before any timing starts: the caller holds them already. */
function upsertBatches(data: Float32Array, shape: UpsertShape): UpsertRecord[][] {
  const batches: UpsertRecord[][] = [];
  for (let first = 0; first < N; first += 1000) {
    batches.push(Array.from({ length: Math.min(1000, N - first) }, (_, k) => UPSERT_SHAPES[shape](data, first + k)));
  }
  return batches;
}

/** Upserts prepared batches into a fresh exact index; milliseconds from the first call to the last acknowledgement. */
async function fillBatches(db: Database, name: string, batches: readonly UpsertRecord[][]): Promise<number> {
  await db.createIndex({ name, dimension: DIM, metric: 'euclidean', engine: 'exact' });
  const index = db.index(name);
  const start = performance.now();
  for (const records of batches) await index.upsert({ records });
  return performance.now() - start;
}

/**
 * The raw-write peer of the upsert target: the project's own better-sqlite3 writing the same
 * bytes (each batch's float32 vectors, ids and metadata JSON, encoded before timing) as one blob
 * row per batch, one transaction each, with the pragmas of src/vector/storage/sqlite-log.ts
 * (64 KiB pages, exclusive lock, WAL, synchronous as given, autocheckpoint 256 pages, secure_delete).
 */
function rawBlobWrite(dir: string, data: Float32Array, batches: readonly UpsertRecord[][], synchronous: 'normal' | 'full'): number {
  const rows = batches.map((records, b) => {
    const vectors = data.subarray(b * 1000 * DIM, (b * 1000 + records.length) * DIM);
    return {
      ids: records.map((r) => r.id).join(''),
      metadata: records.map((r) => ('metadata' in r ? JSON.stringify(r.metadata) : '')).join(''),
      vectors: new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength),
    };
  });
  mkdirSync(dir, { recursive: true });
  const db = new BetterSqlite(join(dir, 'raw.db'), { timeout: 0 });
  db.pragma('page_size = 65536');
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.exec('BEGIN IMMEDIATE; COMMIT');
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  db.pragma('wal_autocheckpoint = 256');
  db.pragma('secure_delete = ON');
  db.exec('CREATE TABLE batches (id INTEGER PRIMARY KEY, ids TEXT NOT NULL, metadata TEXT NOT NULL, vectors BLOB NOT NULL)');
  const insert = db.prepare<[string, string, Uint8Array]>('INSERT INTO batches (ids, metadata, vectors) VALUES (?, ?, ?)');
  const commit = db.transaction((r: (typeof rows)[number]) => insert.run(r.ids, r.metadata, r.vectors));
  const start = performance.now();
  for (const r of rows) commit(r);
  const ms = performance.now() - start;
  db.close();
  return ms;
}

/**
 * The durable upsert rate against its peer (targets.md: ≥ 0.8× the raw blob write, same run):
 * UPSERT_RUNS rounds, each a fresh directory per writer, the order of writers rotated from round to
 * round so that neither side always follows the other's disk writes; per shape the median of the
 * per-round ratios. Then the same for `synchronous: 'full'` with Float32Array input.
 */
async function upsertSection(uniform: Float32Array, queries: readonly Float32Array[]): Promise<void> {
  const shapes = Object.keys(UPSERT_SHAPES) as UpsertShape[];
  const batches = Object.fromEntries(shapes.map((shape) => [shape, upsertBatches(uniform, shape)])) as Record<UpsertShape, UpsertRecord[][]>;
  const modes = [
    ...shapes.map((shape) => ({ shape, synchronous: 'normal' as const })),
    { shape: 'float32' as const, synchronous: 'full' as const },
  ];
  const runs = modes.map(() => ({ ours: [] as number[], raw: [] as number[], ratio: [] as number[], diskBytes: 0 }));
  for (let round = 0; round < UPSERT_RUNS; round++) {
    for (let m = 0; m < modes.length; m++) {
      const { shape, synchronous } = modes[m] as (typeof modes)[number];
      const result = runs[m] as (typeof runs)[number];
      const dir = join(scratch, `upsert-${round}-${m}`);
      let ours = 0;
      let raw = 0;
      const writers = [
        () => {
          raw = rawBlobWrite(join(dir, 'raw'), uniform, batches[shape], synchronous);
        },
        async () => {
          const db = await openDatabase(join(dir, 'facevault'), { synchronous });
          ours = await fillBatches(db, 'uniform', batches[shape]);
          result.diskBytes = dirBytes(join(dir, 'facevault'));
          const last = round === UPSERT_RUNS - 1 && m === 0;
          if (last) {
            await exactSection(`uniform ${SIZE}`, db, 'uniform', uniform, queries, true);
            await freshness(db, 'uniform');
          }
          await db.close();
        },
      ];
      for (const write of (round + m) % 2 === 0 ? writers : writers.reverse()) await write();
      rmSync(dir, { recursive: true, force: true });
      result.ours.push(ours / 1000);
      result.raw.push(raw / 1000);
      result.ratio.push(raw / ours);
    }
  }
  for (const shape of shapes) await upsertAnatomy(uniform, batches[shape], shape);
  modes.forEach(({ shape, synchronous }, m) => {
    const { ours, raw, ratio, diskBytes } = runs[m] as (typeof runs)[number];
    const median = summarize(ours).p50;
    table(`Durable upsert, ${SIZE} × 128-d uniform, batches of 1,000, against the raw blob write`, {
      input: shape, synchronous, median_s: median, records_per_s: N / median, raw_blob_records_per_s: N / summarize(raw).p50,
      ratio_to_raw: summarize(ratio).p50, ratios: ratio.map((r) => r.toFixed(2)).join(' '),
      speedup_vs_reference: PINECONE_REFERENCE.secondsFor100K / median, disk_bytes_per_record: diskBytes / N,
    });
  });
}

/**
 * Where a library upsert's time goes, each part timed alone on the same batches in the same
 * rounds (order rotating): validation (`validateUpsertBatch` into a kept buffer), the durable
 * commit (`Storage.appendUpsert` of the validated batches: encoding, checksum, SQLite), and what
 * writing the rows into fresh WebAssembly memory costs against rewriting memory already touched
 * (the slab's first-touch page faults). The in-memory apply is the rest of the library's time.
 */
async function upsertAnatomy(uniform: Float32Array, batches: readonly UpsertRecord[][], shape: UpsertShape): Promise<void> {
  const validated = batches.map((records, b) => {
    const batch = validateUpsertBatch(records, DIM, 'euclidean');
    return { ...batch, seqs: Float64Array.from({ length: records.length }, (_, i) => b * 1000 + i + 1) };
  });
  const parts = { library: [] as number[], raw: [] as number[], validate: [] as number[], commit: [] as number[], freshMemory: [] as number[], rewrite: [] as number[] };
  const buffer = new Float32Array(1000 * DIM);
  const steps: (() => Promise<void>)[] = [
    async () => {
      const dir = join(scratch, 'anatomy-library');
      const db = await openDatabase(dir);
      parts.library.push(await fillBatches(db, 'uniform', batches));
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async () => {
      parts.raw.push(rawBlobWrite(join(scratch, 'anatomy-raw'), uniform, batches, 'normal'));
      rmSync(join(scratch, 'anatomy-raw'), { recursive: true, force: true });
    },
    async () => {
      const start = performance.now();
      for (const records of batches) validateUpsertBatch(records, DIM, 'euclidean', buffer);
      parts.validate.push(performance.now() - start);
    },
    async () => {
      const dir = join(scratch, 'anatomy-storage');
      const storage = Storage.open(dir);
      storage.createIndex({ name: 'uniform', dimension: DIM, metric: 'euclidean', engine: 'exact', deletionProtection: 'disabled', tags: {}, hnsw: HNSW, createdAt: new Date().toISOString() });
      const start = performance.now();
      for (const { ids, seqs, vectors, metadataJson } of validated) storage.appendUpsert('uniform', '', { ids, seqs, vectors, metadataJson });
      parts.commit.push(performance.now() - start);
      storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async () => {
      // The slab's memory is shared WebAssembly memory, grown as rows arrive: the same here, written twice.
      const memory = new wasm.Memory({ initial: Math.ceil(uniform.byteLength / 65_536), maximum: 65_536, shared: true });
      const rows = new Float32Array(memory.buffer);
      for (const pass of [parts.freshMemory, parts.rewrite]) {
        const start = performance.now();
        for (let first = 0; first < uniform.length; first += 1000 * DIM) rows.set(uniform.subarray(first, first + 1000 * DIM), first);
        pass.push(performance.now() - start);
      }
    },
  ];
  for (let round = 0; round < UPSERT_RUNS; round++) {
    for (let i = 0; i < steps.length; i++) await (steps[(round + i) % steps.length] as () => Promise<void>)();
  }
  const ms = (values: number[]) => summarize(values).p50;
  const library = ms(parts.library);
  table(`Where a ${SIZE} upsert's time goes (median ms of ${UPSERT_RUNS} rounds, each part alone, same batches)`, {
    input: shape, library_upsert: library, raw_blob_write: ms(parts.raw), validation: ms(parts.validate), durable_commit: ms(parts.commit),
    in_memory_apply_rest: library - ms(parts.validate) - ms(parts.commit), rows_into_fresh_memory: ms(parts.freshMemory), same_rows_rewritten: ms(parts.rewrite),
    // What overlapping work could give at best: the commit wholly hidden on another core (a
    // storage thread), and, further, everything but the rows' first touch free as well.
    ratio_now: ms(parts.raw) / library, ceiling_commit_overlapped: ms(parts.raw) / (library - ms(parts.commit)),
    ceiling_only_fresh_rows: ms(parts.raw) / ms(parts.freshMemory),
  });
}

async function pgvectorPeer(label: string, data: Float32Array, queries: readonly Float32Array[], truth: string[][], ours: { exact: LatencySummary; approx: Map<number, { p50: number; recall: number }> }): Promise<void> {
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
  const peerTable = `PGlite + pgvector (peer, same run, ${label})`;
  const qs = queries.slice(0, 200);
  table(peerTable, { what: 'insert rec/s (batches of 500, not durable per batch)', pg: n / (insertMs / 1000), facevault: '-', pg_over_facevault: '-' });
  const exact = await timeEach(qs, (q) => pg.query(`SELECT id FROM items ORDER BY embedding <=> $1 LIMIT ${K}`, [literal(q)]), 5);
  table(peerTable, { what: 'exact top-10 p50 ms', pg: exact.p50, facevault: ours.exact.p50, pg_over_facevault: exact.p50 / ours.exact.p50 });
  const buildStart = performance.now();
  await pg.exec(`CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops) WITH (m = ${HNSW.m}, ef_construction = ${HNSW.efConstruction})`);
  table(peerTable, { what: 'HNSW build s (one thread)', pg: (performance.now() - buildStart) / 1000, facevault: '-', pg_over_facevault: '-' });
  for (const ef of EFS) {
    await pg.exec(`SET hnsw.ef_search = ${ef}`);
    const found: string[][] = [];
    const approx = await timeEach(qs, async (q, i) => {
      const res = await pg.query<{ id: string }>(`SELECT id FROM items ORDER BY embedding <=> $1 LIMIT ${K}`, [literal(q)]);
      found[i] = res.rows.map((r) => r.id);
    }, 5);
    const mine = ours.approx.get(ef);
    table(peerTable, {
      what: `HNSW ef=${ef} p50 ms`, pg: approx.p50, facevault: mine?.p50 ?? '-', pg_over_facevault: mine ? approx.p50 / mine.p50 : '-',
      pg_recall: recall(found, truth.slice(0, qs.length)), facevault_recall: mine?.recall ?? '-',
    });
  }
  await pg.close();
}

/** 100K: the upsert target, exact on uniform data, everything approximate on face-like data, peers on the same set. */
async function runHundredThousand(): Promise<void> {
  const uniform = uniformVectors(N, DIM, 1);
  await upsertSection(uniform, rows(uniformVectors(QUERIES, DIM, 2)));
  if (args.only === 'upsert') return;

  const set = clusteredVectors(N, QUERIES, DIM, N / 10, NOISE, 3);
  const queries = rows(set.queries);
  const dir = join(scratch, 'clustered');
  const rssBefore = process.memoryUsage().rss;
  const db = await openDatabase(dir);
  const upsertMs = await fill(db, 'clustered', set.data, 'cosine', 'approximate');
  const tail = await unbuiltTailSection(`clustered ${SIZE}, just upserted`, db, 'clustered', queries);
  const buildStart = performance.now();
  await db.index('clustered').flush();
  table('HNSW build', { set: `clustered ${SIZE}`, what: 'facevault: upsert + background build until searchable', seconds: (upsertMs + performance.now() - buildStart) / 1000 });
  memoryRow(`clustered ${SIZE}, graph built`, rssBefore, dir, 'clustered', N);
  const exact = await exactSection(`clustered ${SIZE}`, db, 'clustered', set.data, queries, false);
  const truth = await exactIds(db, 'clustered', queries);
  table('Approximate query while the graph builds (unbuilt tail)', { ...tail.row, recall_at_10: recall(tail.found, truth) });
  const approx = await approximateSection(`clustered ${SIZE}`, db, 'clustered', set.data, queries, truth, 'build');
  await freshness(db, 'clustered');
  await db.close();

  if (!args['skip-pg']) {
    if (PG_N === N) await pgvectorPeer(`the same ${SIZE} set`, set.data, queries, truth, { exact, approx });
    else await pgvectorSubset();
  }
}

/** PGlite on a smaller face-like set of its own (10 samples an identity), facevault on the same set. */
async function pgvectorSubset(): Promise<void> {
  const set = clusteredVectors(PG_N, 200, DIM, PG_N / 10, NOISE, 7);
  const queries = rows(set.queries);
  const db = await openDatabase(join(scratch, 'pg-subset'));
  await fill(db, 'subset', set.data, 'cosine', 'approximate');
  await db.index('subset').flush();
  const truth = await exactIds(db, 'subset', queries);
  const exact = await timeEach(queries, (q) => db.index('subset').query({ vector: q, topK: K, exact: true }));
  const approx = new Map<number, { p50: number; recall: number }>();
  for (const ef of EFS) {
    await db.configureIndex('subset', { hnsw: { efSearch: ef } });
    const found: string[][] = [];
    const t = await timeEach(queries, async (q, i) => {
      found[i] = (await db.index('subset').query({ vector: q, topK: K, exact: false })).matches.map((m) => m.id);
    });
    approx.set(ef, { p50: t.p50, recall: recall(found, truth) });
  }
  await db.close();
  await pgvectorPeer(`a ${PG_N / 1000}K subset: 1M is out of its reach`, set.data, queries, truth, { exact, approx });
}

/** 1M face-like: upsert, exact, the HNSW build and recall, raw usearch on the same graph file, restart. */
async function runMillion(): Promise<void> {
  const set = clusteredVectors(N, QUERIES, DIM, N / 10, NOISE, 5);
  const queries = rows(set.queries);
  const dir = join(scratch, 'million');
  const rssBefore = process.memoryUsage().rss;
  let db = await openDatabase(dir);
  // Filled as an exact index so that the upsert rate is not shared with a builder thread.
  const upsertMs = await fill(db, 'million', set.data, 'cosine', 'exact');
  table(`${SIZE} × 128-d face-like`, { what: 'durable upsert (exact index, no builder)', value: N / (upsertMs / 1000), unit: 'records/s', target: '≥ 200,000 (at 100K)' });
  const exact = await exactSection(`clustered ${SIZE}`, db, 'million', set.data, queries, false);
  table(`${SIZE} × 128-d face-like`, { what: 'exact top-10 p50 / p99', value: `${exact.p50.toFixed(1)} / ${exact.p99.toFixed(1)}`, unit: 'ms', target: 'p50 ≤ 30' });

  await db.configureIndex('million', { engine: 'approximate' });
  const tail = await unbuiltTailSection(`clustered ${SIZE}, graph just started`, db, 'million', queries);
  const buildStart = performance.now();
  await db.index('million').flush();
  const buildSeconds = (performance.now() - buildStart) / 1000;
  table('HNSW build', { set: `clustered ${SIZE}`, what: `facevault background build, ${HNSW.quantization} M=${HNSW.m} efC=${HNSW.efConstruction}`, seconds: buildSeconds });
  memoryRow(`clustered ${SIZE}, graph built`, rssBefore, dir, 'million', N);
  const truth = await exactIds(db, 'million', queries);
  table('Approximate query while the graph builds (unbuilt tail)', { ...tail.row, recall_at_10: recall(tail.found, truth) });
  // Building a second 1M graph for the raw peer would take as long again: it searches ours.
  await approximateSection(`clustered ${SIZE}`, db, 'million', set.data, queries, truth, engineGraphFile(dir, 'million'));
  await freshness(db, 'million');
  await db.close();

  for (const exactFirst of [false, true]) {
    const start = performance.now();
    db = await openDatabase(dir);
    const opened = performance.now();
    await db.index('million').query({ vector: queries[0] as Float32Array, topK: K, exact: exactFirst });
    const seconds = (performance.now() - start) / 1000;
    table(`${SIZE} × 128-d face-like`, { what: `restart: open + first ${exactFirst ? 'exact' : 'approximate'} query (open alone ${((opened - start) / 1000).toFixed(2)} s)`, value: seconds, unit: 's', target: '≤ 5' });
    await db.close();
  }
  if (!args['skip-pg']) await pgvectorSubset();
}

async function main(): Promise<void> {
  console.log(`facevault vector benchmark, ${SCALE} — ${JSON.stringify(machineFacts())}`);
  if (SCALE === '1m') await runMillion();
  else await runHundredThousand();
  for (const [title, entries] of Object.entries(tables)) printTable(title, entries);
  results.tables = tables;
  writeResult(String(args.out ?? `bench/results/vector-${SCALE}.json`), results);
  rmSync(scratch, { recursive: true, force: true });
}

await main();
