/**
 * Exact top-10 scan: the WebAssembly SIMD kernel (searchExact) against a plain JS loop over
 * the same vectors, in the same run (the machine is shared, so the ratio is the figure to
 * trust). Euclidean, uniform random vectors. Run: `npx tsx bench/exact-kernel.ts`.
 * Prints a table and writes bench/results/exact-kernel.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { searchExact } from '../src/vector/exact/scan.js';
import { VectorSlab } from '../src/vector/exact/slab.js';
import { TopKSelector } from '../src/vector/exact/top-k.js';
import { at as checkedAt } from '../src/util/checked.js';

const K = 10;
const CASES = [
  { n: 100_000, dim: 128, queries: 60, jsQueries: 12 },
  { n: 1_000_000, dim: 128, queries: 20, jsQueries: 4 },
  { n: 100_000, dim: 512, queries: 30, jsQueries: 6 },
];
/** The filtered path: a candidate list of every 10th slot. */
const FILTER_FRACTION = 10;

function randomVectors(n: number, dim: number): Float32Array {
  const values = new Float32Array(n * dim);
  for (let i = 0; i < values.length; i++) values[i] = Math.random() * 2 - 1;
  return values;
}

/** The baseline: what one would write without WebAssembly. */
function plainJsTopK(vectors: Float32Array, n: number, dim: number, query: Float32Array, selector: TopKSelector): void {
  selector.reset(K);
  let threshold = Infinity;
  for (let row = 0, base = 0; row < n; row++, base += dim) {
    let sum = 0;
    for (let j = 0; j < dim; j++) {
      // The plain-JS baseline: `?? 0` satisfies the type without a call per element (every index is in range).
      const d = (query[j] ?? 0) - (vectors[base + j] ?? 0);
      sum += d * d;
    }
    const distance = Math.sqrt(sum);
    if (distance <= threshold) threshold = selector.offer(distance, row);
  }
  selector.drain();
}

function percentiles(run: () => void, times: number): { p50: number; p99: number } {
  for (let i = 0; i < 3; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => checkedAt(samples, Math.min(samples.length - 1, Math.floor(q * samples.length)));
  return { p50: at(0.5), p99: at(0.99) };
}

const rows = [];
for (const { n, dim, queries, jsQueries } of CASES) {
  const vectors = randomVectors(n, dim);
  const slab = new VectorSlab(dim, { initialCapacity: n });
  const slots = new Uint32Array(n);
  for (let i = 0; i < n; i++) slots[i] = slab.allocate();
  slab.writeMany(slots, vectors);
  const query = randomVectors(1, dim);
  const candidates = Uint32Array.from({ length: Math.ceil(n / FILTER_FRACTION) }, (_, i) => i * FILTER_FRACTION);
  const selector = new TopKSelector();
  const bytes = n * dim * 4;

  const wasm = percentiles(() => searchExact(slab, query, K, 'euclidean'), queries);
  const filtered = percentiles(() => searchExact(slab, query, K, 'euclidean', { candidates }), queries);
  const js = percentiles(() => plainJsTopK(vectors, n, dim, query, selector), jsQueries);
  rows.push({
    n,
    dim,
    wasmP50Ms: wasm.p50,
    wasmP99Ms: wasm.p99,
    wasmGBs: bytes / wasm.p50 / 1e6,
    filtered10pctP50Ms: filtered.p50,
    jsP50Ms: js.p50,
    jsP99Ms: js.p99,
    jsGBs: bytes / js.p50 / 1e6,
    speedup: js.p50 / wasm.p50,
  });
}

const fmt = (x: number) => x.toFixed(2).padStart(8);
console.log('exact top-10, euclidean           |  WASM SIMD (searchExact)  | 10% cand. |      plain JS loop       |');
console.log('        n   dim |   p50 ms   p99 ms     GB/s |    p50 ms |   p50 ms   p99 ms     GB/s |  JS/WASM');
for (const r of rows) {
  console.log(
    `${String(r.n).padStart(9)} ${String(r.dim).padStart(5)} | ${fmt(r.wasmP50Ms)} ${fmt(r.wasmP99Ms)} ${fmt(r.wasmGBs)} |  ${fmt(r.filtered10pctP50Ms)} | ${fmt(r.jsP50Ms)} ${fmt(r.jsP99Ms)} ${fmt(r.jsGBs)} | ${fmt(r.speedup)}x`,
  );
}
const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  new URL('exact-kernel.json', resultsDir),
  `${JSON.stringify({ benchmark: 'exact-kernel', k: K, metric: 'euclidean', cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, date: new Date().toISOString(), rows }, null, 2)}\n`,
);
