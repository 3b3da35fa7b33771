/**
 * The HNSW settings on real face embeddings (issue 15): the 1M sweep (bench/ann-sweep.ts) uses
 * synthetic 128-d face-like vectors, where i8 quantisation costs little; ArcFace embeddings are
 * 512-d, each component ~0.04 of a unit vector, a few i8 steps. Builds raw usearch graphs (one
 * thread, so each is the same every run) over LFW-a's ArcFace embeddings as bench/open-set.ts
 * caches them, and measures recall@10 (cosine, each probe's own record left out) and latency
 * per setting and search width against an exact scan: raw usearch's top-10, and facevault's
 * (--rerank N candidates, default 32, re-scored from the exact vectors, the best 10 kept).
 *
 *   npx tsx bench/open-set.ts --cache /tmp/facevault-open-set-arcface.emb   # embeds LFW once (~5 min)
 *   npx tsx bench/ann-faces.ts --cache /tmp/facevault-open-set-arcface.emb [--queries 500]
 *
 * Writes bench/results/ann-faces.json (--out PATH for another). Other caches: --model NAME and
 * --flip name what the cache must hold; --slice START:END takes those components of each
 * embedding, e.g. dlib's 128-d part of a fused ArcFace+dlib cache (bench/fusion-lfw.ts writes one):
 *
 *   npx tsx bench/ann-faces.ts --cache /tmp/facevault-lfw-fusion-arcface-dlib-flip.emb \
 *     --model fusion-arcface-dlib --flip --slice 512:640 --out bench/results/ann-faces-dlib.json
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import usearch, { MetricKind, ScalarKind } from 'usearch';
import { readEmbeddingCache } from './lib/embedding-cache.js';
import { machineFacts, parseArgs, printTable, writeResult, type Row } from './lib/report.js';

const args = parseArgs(process.argv.slice(2));
const cachePath = String(args.cache ?? '/tmp/facevault-open-set-arcface.emb');
if (!existsSync(cachePath)) {
  console.error(`No embedding cache at ${cachePath}: run bench/open-set.ts --cache ${cachePath} first (it needs ../shared/datasets/lfw)`);
  process.exit(1);
}
const MODEL = String(args.model ?? 'faceplugin-arcface');
const cache = readEmbeddingCache(cachePath, { model: MODEL, flip: args.flip === true, select: 'central' });
if (cache === undefined) process.exit(1);
const [sliceStart, sliceEnd] = String(args.slice ?? `0:${cache.header.dimension}`).split(':').map(Number) as [number, number];
const dimension = sliceEnd - sliceStart;
const n = cache.vectors.length / cache.header.dimension;
const vectors = new Float32Array(n * dimension);
for (let i = 0; i < n; i++) vectors.set(cache.vectors.subarray(i * cache.header.dimension + sliceStart, i * cache.header.dimension + sliceEnd), i * dimension);
for (let i = 0; i < n; i++) {
  const row = vectors.subarray(i * dimension, (i + 1) * dimension);
  const norm = Math.hypot(...row) || 1;
  for (let j = 0; j < dimension; j++) row[j] = (row[j] as number) / norm;
}
const QUERIES = Math.min(n, Number(args.queries ?? 500));
const K = 10;
const probes = Array.from({ length: QUERIES }, (_, q) => Math.floor((q * n) / QUERIES));
const probe = (i: number) => vectors.subarray(i * dimension, (i + 1) * dimension);
/** Candidates facevault's approximate query takes from the graph for a top-10 and re-scores from the exact vectors (namespace.ts). */
const RERANK_CANDIDATES = Number(args.rerank ?? 32);
function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let j = 0; j < a.length; j++) dot += (a[j] as number) * (b[j] as number);
  return dot;
}

// Ground truth: the exact top-10 by cosine, the probe itself left out.
const truth = probes.map((p) => {
  const scored: [number, number][] = [];
  const q = probe(p);
  for (let i = 0; i < n; i++) {
    if (i === p) continue;
    scored.push([cosine(q, probe(i)), i]);
  }
  scored.sort((a, b) => b[0] - a[0]);
  return new Set(scored.slice(0, K).map(([, i]) => i));
});

const SETTINGS = [
  { quantization: 'f32', m: 16, efConstruction: 128 },
  { quantization: 'f32', m: 24, efConstruction: 128 },
  { quantization: 'f16', m: 24, efConstruction: 128 },
  { quantization: 'i8', m: 24, efConstruction: 128 },
] as const;
const SCALAR = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 } as const;
const EFS = [32, 40, 64, 128];
const scratch = mkdtempSync(join(tmpdir(), 'facevault-ann-faces-'));
const rows: Row[] = [];
const keys = BigUint64Array.from({ length: n }, (_, i) => BigInt(i));
for (const setting of SETTINGS) {
  const options = { metric: MetricKind.Cos, dimensions: dimension, multi: false, connectivity: setting.m, quantization: SCALAR[setting.quantization], expansion_add: setting.efConstruction, expansion_search: 64 };
  const graph = new usearch.Index(options);
  const built = performance.now();
  graph.add(keys, vectors, 1);
  const buildSeconds = (performance.now() - built) / 1000;
  const file = join(scratch, `${setting.quantization}-${setting.m}.usearch`);
  graph.save(file);
  for (const ef of EFS) {
    const view = new usearch.Index({ ...options, expansion_search: ef });
    view.load(file);
    let hits = 0;
    let rerankedHits = 0;
    const times: number[] = [];
    probes.forEach((p, q) => {
      const start = performance.now();
      const found = view.search(probe(p), K + 1, 1);
      times.push(performance.now() - start);
      let taken = 0;
      for (const key of found.keys) {
        const id = Number(key);
        if (id === p || taken === K) continue;
        taken++;
        if (truth[q]?.has(id)) hits++;
      }
      // facevault's query path: RERANK_CANDIDATES from the graph, re-scored exactly, the best K kept.
      const candidates = Array.from(view.search(probe(p), RERANK_CANDIDATES + 1, 1).keys, Number).filter((id) => id !== p);
      const best = candidates.map((id) => [cosine(probe(p), probe(id)), id] as const).sort((a, b) => b[0] - a[0]).slice(0, K);
      for (const [, id] of best) if (truth[q]?.has(id)) rerankedHits++;
    });
    times.sort((a, b) => a - b);
    rows.push({
      quantization: setting.quantization, m: setting.m, efConstruction: setting.efConstruction, ef, 'recall@10': hits / (QUERIES * K),
      [`recall@10, ${RERANK_CANDIDATES} re-scored`]: rerankedHits / (QUERIES * K), 'p50 ms': times[times.length >> 1] as number, 'build s (1 thread)': buildSeconds,
    });
  }
}
rmSync(scratch, { recursive: true, force: true });
const described = args.slice === undefined ? MODEL : `${MODEL} [${sliceStart}:${sliceEnd}]`;
printTable(`HNSW on ${n} LFW-a ${described} embeddings (${dimension}-d, cosine), ${QUERIES} probes, recall@10 against an exact scan`, rows);
const out = String(args.out ?? new URL('./results/ann-faces.json', import.meta.url).pathname);
writeResult(out, { machine: machineFacts(), command: `npx tsx bench/ann-faces.ts ${process.argv.slice(2).join(' ')}`.trim(), model: described, n, dimension, queries: QUERIES, rows });
