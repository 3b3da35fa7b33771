/**
 * Below which namespace size is an approximate query as fast without a graph? Times the two paths
 * an approximate query can take in a namespace — one exact scan of every record, or the HNSW graph
 * plus exact re-scoring of its candidates — on the same records, for growing namespace sizes.
 * The crossover is the engine's GRAPH_MIN_RECORDS (src/vector/ann/graph-policy.ts).
 *
 *   npx tsx bench/graph-threshold.ts                   # 128 and 512 dims, 64 to 32K records (~3 min)
 *
 * Options: --dims 128,512, --sizes 64,128,…, --queries 2000, --m 16, --ef-construction 128,
 * --ef 64, --quantization f32|f16|i8 (defaults: the index defaults), --noise 0.5,
 * --out path (default bench/results/graph-threshold.json).
 *
 * Data: face-like clusters (10 samples an identity), cosine, top-10. Each size is timed in whole
 * passes ordered exact, graph, graph, exact, so that drift from other load on the machine falls
 * on both alike; a cell is the mean over its queries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NamespaceState } from '../src/vector/namespace.js';
import type { HnswConfig } from '../src/vector/types.js';
import { machineFacts, parseArgs, printTable, writeResult, type Row } from './lib/report.js';
import { clusteredVectors, row } from './lib/synthetic.js';

const args = parseArgs(process.argv.slice(2));
const list = (value: string | true | undefined, fallback: string) => String(value ?? fallback).split(',').map(Number);
const DIMS = list(args.dims, '128,512');
const SIZES = list(args.sizes, '64,128,256,512,1024,2048,3072,4096,5120,6144,8192,16384,32768');
const QUERIES = Number(args.queries ?? 2000);
const NOISE = Number(args.noise ?? 0.5);
const K = 10;
const HNSW: HnswConfig = {
  m: Number(args.m ?? 16),
  efConstruction: Number(args['ef-construction'] ?? 128),
  efSearch: Number(args.ef ?? 64),
  quantization: (args.quantization as HnswConfig['quantization']) ?? 'f32',
};
const OUT = String(args.out ?? 'bench/results/graph-threshold.json');
const scratch = mkdtempSync(join(tmpdir(), 'facevault-threshold-'));

interface Cell {
  exactUs: number;
  graphUs: number;
  recall: number;
}

/** A namespace of `n` records with its graph built and searchable. */
async function namespaceOf(data: Float32Array, dimension: number, n: number): Promise<NamespaceState> {
  const ns = new NamespaceState(`n${n}`, dimension, 'cosine', join(scratch, `d${dimension}-n${n}`));
  const ids = Array.from({ length: n }, (_, i) => `v${i}`);
  ns.applyUpsert({ ids, seqs: Float64Array.from({ length: n }, (_, i) => i + 1), vectors: data.subarray(0, n * dimension), metadata: new Array(n) });
  await ns.ensureGraph(HNSW);
  await ns.flushGraph();
  return ns;
}

async function measure(ns: NamespaceState, queries: readonly Float32Array[]): Promise<Cell> {
  const search = (vector: Float32Array, exact: boolean) => ns.search({ vector, topK: K, exact, efSearch: HNSW.efSearch }, (hits) => hits);
  // A whole untimed pass first: the first sizes would otherwise time the JIT compiling both paths.
  for (const q of queries) {
    await search(q, true);
    await search(q, false);
  }
  const spent = { exact: 0, graph: 0 };
  for (const exact of [true, false, false, true]) {
    const start = performance.now();
    for (const q of queries) await search(q, exact);
    spent[exact ? 'exact' : 'graph'] += performance.now() - start;
  }
  let hits = 0;
  for (const q of queries) {
    const truth = new Set((await search(q, true)).map((hit) => hit.slot));
    for (const hit of await search(q, false)) if (truth.has(hit.slot)) hits++;
  }
  const perQueryUs = (ms: number) => (ms * 1000) / (2 * queries.length);
  return { exactUs: perQueryUs(spent.exact), graphUs: perQueryUs(spent.graph), recall: hits / (queries.length * K) };
}

/** The smallest measured size from which the graph is faster at every larger size too. */
function crossover(cells: readonly { n: number; cell: Cell }[]): number | null {
  let from: number | null = null;
  for (const { n, cell } of cells) {
    if (cell.graphUs < cell.exactUs) from ??= n;
    else from = null;
  }
  return from;
}

const rows: Row[] = [];
const crossovers: Record<string, number | null> = {};
try {
  for (const dimension of DIMS) {
    const largest = Math.max(...SIZES);
    const { data, queries } = clusteredVectors(largest, QUERIES, dimension, Math.ceil(largest / 10), NOISE, dimension);
    const probes = Array.from({ length: QUERIES }, (_, i) => row(queries, dimension, i).slice());
    const cells: { n: number; cell: Cell }[] = [];
    for (const n of SIZES) {
      const ns = await namespaceOf(data, dimension, n);
      const cell = await measure(ns, probes);
      await ns.close();
      cells.push({ n, cell });
      rows.push({ dims: dimension, records: n, exact_scan_us: cell.exactUs, graph_us: cell.graphUs, graph_over_exact: cell.graphUs / cell.exactUs, graph_recall_at_10: cell.recall });
    }
    crossovers[dimension] = crossover(cells);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

printTable(`Approximate query, top-${K}: exact scan vs graph, per namespace size (µs a query, mean)`, rows);
printTable('Crossover: smallest size from which the graph is faster', Object.entries(crossovers).map(([dims, n]) => ({ dims: Number(dims), records: n })));
writeResult(OUT, {
  machine: machineFacts(),
  command: `npx tsx bench/graph-threshold.ts ${process.argv.slice(2).join(' ')}`.trim(),
  settings: { DIMS, SIZES, QUERIES, NOISE, K, HNSW, metric: 'cosine' },
  rows,
  crossovers,
});
