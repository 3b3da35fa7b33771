/**
 * HNSW parameters for 1M face-like vectors (issue 15, target: recall@10 ≥ 0.98 at p50 ≤ 0.5 ms):
 * the recall–latency curve of raw usearch per graph setting (quantization, M, efConstruction),
 * with hnswlib-node on the same data and queries as a second peer, and facevault's own query path
 * beside raw usearch on the very graph the engine built, for the chosen setting.
 *
 *   npx tsx bench/ann-sweep.ts --skip-after-min 50 --keep DIR
 *       # 1M, bench/results/ann-sweep-1m.json: ~75 min for the first three settings, hnswlib-node and the
 *       # engine on the 2 shared cores (each 1M build took 11-21 min there; the later settings were skipped)
 *   npx tsx bench/ann-sweep.ts --reuse DIR --configs i8:16:128,i8:24:128,i8:16:200 --efs 32,40,48,56,64,80 \
 *       --hnswlib none --engine i8:24:128 --out bench/results/ann-sweep-1m-fine.json
 *       # finer widths on those graphs (saved by the run above into DIR) and the engine at the chosen setting
 *   npx tsx bench/ann-sweep.ts --n 100000 --out /tmp/ann-sweep-100k.json   # quick check (~6 min)
 *
 * Options:
 *   --n N                 records (default 1,000,000); --queries N (default 1000)
 *   --configs LIST        raw usearch graphs, quantization:M:efConstruction, comma-separated, in this order
 *                         (default i8:16:128,i8:24:128,i8:16:200,f16:auto,i8:32:128,i8:24:200); `f16:auto`
 *                         is f16 at the M and efConstruction chosen so far. The first is the reference: its
 *                         graph at --reference-ef (64) is timed in every round beside the others, and each
 *                         p50 is also given as a ratio to it, so that configurations timed minutes apart on
 *                         a shared machine can be compared.
 *   --skip-after-min M    begin no further configuration after M minutes (the engine's section still runs):
 *                         the 1M run used 55 to stay within its time budget.
 *   --hnswlib LIST        hnswlib-node graphs, M:efConstruction (default 16:200); `auto` takes the M and
 *                         efConstruction of the configuration chosen; `none` for no peer. A peer whose M and
 *                         efConstruction match a usearch configuration (the first such) is timed in the same
 *                         rounds as that graph.
 *   --engine CONFIG       facevault's builder and query path: a configuration as in --configs, `auto` (default:
 *                         the one chosen by the rule below) or `none`.
 *   --engine-dir DIR      keep the engine's database in DIR; when DIR exists, search the index it holds (same data
 *                         and setting: no fill, no build), to time changes to the query path without a rebuild.
 *   --efs LIST            search widths (default 32,48,64,80,96,128,192)
 *   --target-recall R     (default 0.98) the choice: among raw usearch points reaching it, the lowest p50
 *                         relative to the reference of its round.
 *   --out PATH            JSON (default bench/results/ann-sweep-<n>.json); the plot is PATH with .png.
 *   --replot PATH         only redraw the plot of an earlier run's JSON.
 *   --keep DIR            save the usearch graphs built into DIR and leave them there.
 *   --reuse DIR           search the graphs an earlier run of the same data saved in DIR (named
 *                         <quantization>-m<M>-efc<efC>.usearch) instead of building them: to add search
 *                         widths to a curve without another build, e.g. --reuse DIR --configs i8:16:128,i8:24:128
 *                         --efs 32,40,48,56,64 --hnswlib none --engine none.
 *
 * Data: bench/lib/synthetic.ts clusteredVectors with noise 0.5 and seed 5, as bench/vector.ts --scale 1m
 * (10 samples an identity, L2-normalised; queries are held-out samples), cosine. Ground truth: the
 * engine's exact scan. Build time: usearch's multi-threaded add on all cores in this thread (the engine's
 * builder thread does the same in chunks of 1,024); hnswlib-node's addPoint has no parallel form from
 * JavaScript, so its build is one thread. Bytes per vector: the saved graph file (usearch: quantized
 * vectors + links; hnswlib: f32 vectors + links), which is what the process maps or holds.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
// CommonJS without named exports that Node can detect: the default export is the addon.
import hnswlib from 'hnswlib-node';
import { openDatabase, type Database } from '../src/vector/database.js';
import type { HnswConfig } from '../src/vector/types.js';
import { engineGraphFile, interleavedPasses, recall, type Contender } from './lib/ann-bench.js';
import { renderXySvg, type XySeries } from './lib/line-plot.js';
import { writeSvgAsPng } from './lib/plot.js';
import { machineFacts, parseArgs, printTable, writeResult, type Row } from './lib/report.js';
import { clusteredVectors, row } from './lib/synthetic.js';

const args = parseArgs(process.argv.slice(2));
const N = Number(args.n ?? 1_000_000);
const SIZE = N >= 1_000_000 ? `${N / 1_000_000}M` : `${N / 1000}K`;
const DIM = 128;
const K = 10;
const NOISE = 0.5;
const SEED = 5;
const QUERIES = Number(args.queries ?? 1000);
const EFS = String(args.efs ?? '32,48,64,80,96,128,192').split(',').map(Number);
const TARGET_RECALL = Number(args['target-recall'] ?? 0.98);
const REFERENCE_EF = Number(args['reference-ef'] ?? 64);
const THREADS = availableParallelism();
const OUT = String(args.out ?? `bench/results/ann-sweep-${SIZE.toLowerCase()}.json`);
const PNG = OUT.replace(/\.json$/, '') + '.png';

type Quantization = HnswConfig['quantization'];
interface GraphSetting {
  quantization: Quantization;
  m: number;
  efConstruction: number;
}
const label = (s: GraphSetting) => `${s.quantization} M=${s.m} efC=${s.efConstruction}`;
const sameGraph = (a: GraphSetting, b: { m: number; efConstruction: number }) => a.m === b.m && a.efConstruction === b.efConstruction;

/** A setting, or `f16:auto`: that quantization with the M and efConstruction chosen so far (resolved at its turn). */
type ConfigEntry = GraphSetting | { quantization: Quantization; auto: true };

function parseEntry(text: string): ConfigEntry {
  const [quantization, rest] = text.split(':');
  if (rest === 'auto' && ['f32', 'f16', 'i8'].includes(quantization ?? '')) return { quantization: quantization as Quantization, auto: true };
  return parseSetting(text);
}

function parseSetting(text: string): GraphSetting {
  const [quantization, m, efc] = text.split(':');
  if (!['f32', 'f16', 'i8'].includes(quantization ?? '') || !Number(m) || !Number(efc)) {
    throw new Error(`--configs: '${text}' is not quantization:M:efConstruction with quantization f32, f16 or i8`);
  }
  return { quantization: quantization as Quantization, m: Number(m), efConstruction: Number(efc) };
}

const ENTRIES = String(args.configs ?? 'i8:16:128,i8:24:128,i8:16:200,f16:auto,i8:32:128,i8:24:200').split(',').map(parseEntry);
if (ENTRIES[0] === undefined || 'auto' in ENTRIES[0]) throw new Error('--configs: the first (the reference) must be quantization:M:efConstruction');
const REFERENCE: GraphSetting = ENTRIES[0];
/** Minutes after the start past which no further configuration is begun (the engine's section still runs). */
const SKIP_AFTER_MIN = Number(args['skip-after-min'] ?? Infinity);
/** The settings swept so far, in order. */
const CONFIGS: GraphSetting[] = [];
const HNSWLIB = String(args.hnswlib ?? '16:200').split(',').filter((s) => s !== 'none' && s !== '');
const ENGINE = String(args.engine ?? 'auto');
/** Where the engine's database is kept between runs (filled and built once, then searched as it is). */
const ENGINE_DIR = args['engine-dir'] === undefined ? undefined : String(args['engine-dir']);
/** A folder of graphs saved by an earlier run of the same data (<quantization>-m<M>-efc<efC>.usearch), searched instead of rebuilt. */
const REUSE = typeof args.reuse === 'string' ? args.reuse : undefined;
/** A folder to save the built usearch graphs in and keep them, for a later --reuse. */
const KEEP = typeof args.keep === 'string' ? args.keep : undefined;

/** One point of a curve: a contender at one ef, timed in one round beside the reference. */
interface Point {
  contender: 'usearch' | 'hnswlib-node' | 'facevault' | 'usearch on the engine graph';
  config: string;
  ef: number;
  recall: number;
  p50: number;
  p99: number;
  /** This p50 over the reference graph's p50 in the same round. */
  p50VsReference: number;
  referenceP50: number;
}

const scratch = mkdtempSync(join(tmpdir(), 'facevault-ann-sweep-'));
if (KEEP !== undefined) mkdirSync(KEEP, { recursive: true });
const points: Point[] = [];
const builds: Row[] = [];
const results: Record<string, unknown> = {
  machine: machineFacts(),
  command: `npx tsx bench/ann-sweep.ts ${process.argv.slice(2).join(' ')}`.trim(),
  settings: { N, DIM, K, NOISE, SEED, QUERIES, EFS, TARGET_RECALL, REFERENCE: label(REFERENCE), REFERENCE_EF, THREADS, CONFIGS: String(args.configs ?? 'default'), HNSWLIB, ENGINE, SKIP_AFTER_MIN },
};

function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}

// ── raw usearch, with the options src/vector/ann/usearch.ts gives it ─────────────────────────

const SCALAR: Readonly<Record<Quantization, ScalarKind>> = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 };

function usearchIndex(s: GraphSetting, ef: number): Index {
  return new Index({
    dimensions: DIM, metric: MetricKind.Cos, quantization: SCALAR[s.quantization],
    connectivity: s.m, expansion_add: s.efConstruction, expansion_search: ef, multi: false,
  });
}

/** usearch has no close(): loading an empty file resets the index, which frees its memory or mapping now (see src/vector/ann/usearch.ts). */
function releaseUsearch(index: Index): void {
  try {
    index.load(devNull);
  } catch {
    // Expected: the empty file has no header; the reset has happened.
  }
}

function graphFileName(s: GraphSetting): string {
  return `${s.quantization}-m${s.m}-efc${s.efConstruction}.usearch`;
}

/**
 * Builds a graph of all of `data` (key i for row i) on every core and saves it; or, with --reuse,
 * takes a graph an earlier run of the same data saved there (`seconds` NaN: not built here).
 */
function buildUsearch(s: GraphSetting, data: Float32Array): { path: string; seconds: number; reused: boolean } {
  const saved = REUSE === undefined ? undefined : join(REUSE, graphFileName(s));
  if (saved !== undefined && existsSync(saved)) return { path: saved, seconds: Number.NaN, reused: true };
  const index = usearchIndex(s, REFERENCE_EF);
  const start = performance.now();
  index.add(BigUint64Array.from({ length: N }, (_, i) => BigInt(i)), data, THREADS);
  const seconds = (performance.now() - start) / 1000;
  const path = join(KEEP ?? scratch, graphFileName(s));
  index.save(path);
  releaseUsearch(index);
  return { path, seconds, reused: false };
}

function viewUsearch(s: GraphSetting, path: string, ef: number): Index {
  const view = usearchIndex(s, ef);
  view.view(path);
  return view;
}

/** A usearch search on the calling thread only, as the engine searches; `keyBase` maps a key back to its row. */
function usearchContender(name: string, view: Index, keyBase: number): Contender<number[]> {
  return { name, search: (q) => Array.from(view.search(q, K, 1).keys, (key) => Number(key) - keyBase) };
}

// ── hnswlib-node ─────────────────────────────────────────────────────────────────────────────

interface HnswlibGraph {
  index: InstanceType<typeof hnswlib.HierarchicalNSW>;
  m: number;
  efConstruction: number;
  seconds: number;
  bytesPerVector: number;
}

function buildHnswlib(m: number, efConstruction: number, data: Float32Array): HnswlibGraph {
  const index = new hnswlib.HierarchicalNSW('cosine', DIM);
  index.initIndex({ maxElements: N, m, efConstruction });
  // Its API takes number[]; one array refilled per point keeps the conversion to a copy.
  const point: number[] = new Array<number>(DIM).fill(0);
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const source = row(data, DIM, i);
    for (let d = 0; d < DIM; d++) point[d] = source[d] as number;
    index.addPoint(point, i);
    if ((i + 1) % 100_000 === 0) log(`  hnswlib-node M=${m} efC=${efConstruction}: ${i + 1} added, ${((performance.now() - start) / 1000).toFixed(0)} s`);
  }
  const seconds = (performance.now() - start) / 1000;
  const path = join(scratch, `hnswlib-m${m}-efc${efConstruction}.bin`);
  index.writeIndexSync(path);
  const bytesPerVector = statSync(path).size / N;
  rmSync(path);
  return { index, m, efConstruction, seconds, bytesPerVector };
}

function hnswlibContender(graph: HnswlibGraph, queryArrays: readonly number[][]): Contender<number[]> {
  return { name: `hnswlib-node M=${graph.m} efC=${graph.efConstruction}`, search: (_q, i) => graph.index.searchKnn(queryArrays[i] as number[], K).neighbors };
}

// ── rounds ───────────────────────────────────────────────────────────────────────────────────

interface Entry {
  contender: Point['contender'];
  config: string;
  run: Contender<number[]>;
}

/**
 * One round per ef: the entries and the reference graph at REFERENCE_EF in interleaved passes.
 * `prepare(ef)` opens what each entry searches with at that width and returns a closer.
 */
async function sweep(entries: (ef: number) => Promise<{ entries: Entry[]; close: () => Promise<void> | void }>, referencePath: string, queries: readonly Float32Array[], truth: readonly number[][]): Promise<void> {
  for (const ef of EFS) {
    const reference = viewUsearch(REFERENCE, referencePath, REFERENCE_EF);
    const { entries: list, close } = await entries(ef);
    const runs = await interleavedPasses([...list.map((e) => e.run), usearchContender('reference', reference, 0)], queries, queries.length);
    const referenceP50 = (runs[list.length] as (typeof runs)[number]).time.p50;
    list.forEach((e, i) => {
      const { found, time } = runs[i] as (typeof runs)[number];
      const point: Point = { contender: e.contender, config: e.config, ef, recall: recall(found, truth), p50: time.p50, p99: time.p99, p50VsReference: time.p50 / referenceP50, referenceP50 };
      points.push(point);
      log(`  ${e.contender} ${e.config} ef=${ef}: recall ${point.recall.toFixed(4)}, p50 ${point.p50.toFixed(3)} ms (${point.p50VsReference.toFixed(2)}x reference ${referenceP50.toFixed(3)}), p99 ${point.p99.toFixed(3)}`);
    });
    await close();
    releaseUsearch(reference);
  }
}

/** The cheapest point of a curve that reaches the target recall, by p50 relative to its round's reference. */
function cheapestAtTarget(curve: readonly Point[]): Point | undefined {
  return curve.filter((p) => p.recall >= TARGET_RECALL).sort((a, b) => a.p50VsReference - b.p50VsReference)[0];
}

function chooseConfig(): GraphSetting | undefined {
  const best = cheapestAtTarget(points.filter((p) => p.contender === 'usearch'));
  return best === undefined ? undefined : CONFIGS.find((c) => label(c) === best.config);
}

/** For `auto` entries when no point reaches the target yet: the setting with the best recall at the default efSearch. */
function mostPromising(): GraphSetting {
  const atDefault = points.filter((p) => p.contender === 'usearch' && p.ef === REFERENCE_EF).sort((a, b) => b.recall - a.recall)[0];
  return chooseConfig() ?? CONFIGS.find((c) => label(c) === atDefault?.config) ?? REFERENCE;
}

// ── facevault ────────────────────────────────────────────────────────────────────────────────

async function fillExact(db: Database, name: string, s: GraphSetting, data: Float32Array): Promise<void> {
  await db.createIndex({ name, dimension: DIM, metric: 'cosine', engine: 'exact', hnsw: { ...s, efSearch: REFERENCE_EF } });
  const index = db.index(name);
  for (let first = 0; first < N; first += 1000) {
    const records = [];
    for (let i = first; i < Math.min(N, first + 1000); i++) records.push({ id: `v${i}`, values: row(data, DIM, i) });
    await index.upsert({ records });
  }
}

/** Ground truth: the engine's exact scan (itself checked against brute force in tests/vector). */
async function groundTruth(data: Float32Array, queries: readonly Float32Array[]): Promise<number[][]> {
  const dir = join(scratch, 'truth');
  const db = await openDatabase(dir);
  await fillExact(db, 'truth', REFERENCE, data);
  const truth: number[][] = [];
  for (const vector of queries) truth.push((await db.index('truth').query({ vector, topK: K, exact: true })).matches.map((m) => Number(m.id.slice(1))));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return truth;
}

/** facevault's builder thread and query path for one setting, beside raw usearch viewing the file the engine wrote. */
async function engineSection(s: GraphSetting, data: Float32Array, queries: readonly Float32Array[], truth: readonly number[][], referencePath: string, rawBuildSeconds: number | undefined): Promise<void> {
  const dir = ENGINE_DIR ?? join(scratch, 'engine');
  const reused = ENGINE_DIR !== undefined && existsSync(dir);
  const db = await openDatabase(dir);
  if (reused) {
    const kept = (await db.describeIndex('sweep')).hnsw;
    const records = (await db.index('sweep').describeIndexStats()).totalRecordCount;
    if (kept.quantization !== s.quantization || kept.m !== s.m || kept.efConstruction !== s.efConstruction || records !== N) {
      throw new Error(`${dir} holds ${records} records in a ${kept.quantization} M=${kept.m} efC=${kept.efConstruction} index, not ${N} in ${label(s)}: give another --engine-dir`);
    }
    log(`facevault ${label(s)}: searching the index kept in ${dir} (no fill, no build)`);
    await db.index('sweep').flush();
  } else {
    // Filled as an exact index, then switched: the build is timed alone, not shared with the upserts.
    await fillExact(db, 'sweep', s, data);
    await db.configureIndex('sweep', { engine: 'approximate' });
    const start = performance.now();
    await db.index('sweep').flush();
    const seconds = (performance.now() - start) / 1000;
    builds.push({ contender: 'facevault (background builder thread)', config: label(s), threads: THREADS, build_s: seconds, bytes_per_vector: statSync(engineGraphFile(dir, 'sweep')).size / N, vs_raw_usearch_build: rawBuildSeconds === undefined || Number.isNaN(rawBuildSeconds) ? '-' : seconds / rawBuildSeconds });
    log(`facevault ${label(s)}: built in ${seconds.toFixed(0)} s`);
  }
  const graphFile = engineGraphFile(dir, 'sweep');
  const index = db.index('sweep');
  await sweep(async (ef) => {
    await db.configureIndex('sweep', { hnsw: { efSearch: ef } });
    // The engine's keys are sequence numbers: record i (v{i}) is key i + 1 in a fresh index.
    const view = viewUsearch(s, graphFile, ef);
    return {
      entries: [
        { contender: 'facevault', config: label(s), run: { name: 'facevault', search: async (q) => (await index.query({ vector: q, topK: K, exact: false })).matches.map((m) => Number(m.id.slice(1))) } },
        { contender: 'usearch on the engine graph', config: label(s), run: usearchContender('raw usearch, engine graph', view, 1) },
      ],
      close: () => releaseUsearch(view),
    };
  }, referencePath, queries, truth);
  await db.close();
  if (ENGINE_DIR === undefined) rmSync(dir, { recursive: true, force: true });
}

// ── report ───────────────────────────────────────────────────────────────────────────────────

function curveKey(p: Point): string {
  return `${p.contender} ${p.config}`;
}

function summaryRows(): Row[] {
  const curves = new Map<string, Point[]>();
  for (const p of points) curves.set(curveKey(p), [...(curves.get(curveKey(p)) ?? []), p]);
  return [...curves.values()].map((curve) => {
    const first = curve[0] as Point;
    const best = cheapestAtTarget(curve);
    return {
      contender: first.contender, config: first.config, [`ef_at_${TARGET_RECALL}`]: best?.ef ?? '-', recall_at_10: best?.recall ?? '-',
      p50_ms: best?.p50 ?? '-', p99_ms: best?.p99 ?? '-', p50_vs_reference: best?.p50VsReference ?? '-', max_recall: Math.max(...curve.map((p) => p.recall)),
    };
  });
}

/** The recall–latency plot: a curve per contender and setting, the target as dotted lines. */
async function plotCurves(curvePoints: readonly Point[], size: string, path: string): Promise<void> {
  const curves = new Map<string, XySeries & { points: { x: number; y: number }[] }>();
  for (const p of curvePoints) {
    const key = curveKey(p);
    const peer = p.contender === 'hnswlib-node' || p.contender === 'usearch on the engine graph';
    const name = p.contender === 'usearch on the engine graph' ? 'usearch, engine file' : p.contender;
    const series = curves.get(key) ?? { label: `${name} ${p.config}`, points: [], dashed: peer, emphasis: p.contender === 'facevault' };
    series.points.push({ x: p.p50, y: p.recall });
    curves.set(key, series);
  }
  const svg = renderXySvg([...curves.values()], {
    title: `Recall@10 against p50 latency, ${size} × 128-d face-like, one query at a time`,
    xLabel: 'p50 latency per query, ms (one thread)', yLabel: 'recall@10', xGuide: 0.5, yGuide: TARGET_RECALL,
    xMax: Math.min(2, Math.max(...curvePoints.map((p) => p.p50))) * 1.05, yMin: 0.85,
  });
  await writeSvgAsPng(svg, path);
}

async function report(final: boolean): Promise<void> {
  results.builds = builds;
  results.points = points;
  results.atTarget = summaryRows();
  const chosen = chooseConfig();
  results.chosen = chosen === undefined ? null : { ...chosen, point: cheapestAtTarget(points.filter((p) => p.contender === 'usearch' && p.config === label(chosen))) };
  results.complete = final;
  writeResult(OUT, results);
  await plotCurves(points, SIZE, PNG);
  if (final) {
    printTable(`HNSW builds, ${SIZE} × 128-d`, builds);
    printTable(`Recall–latency, ${SIZE} × 128-d face-like, top-10 (p50 also over the reference ${label(REFERENCE)} at ef ${REFERENCE_EF} in the same round)`,
      points.map((p) => ({ contender: p.contender, config: p.config, ef: p.ef, recall_at_10: p.recall, p50_ms: p.p50, p99_ms: p.p99, p50_vs_reference: p.p50VsReference })));
    printTable(`Cheapest point reaching recall@10 ≥ ${TARGET_RECALL}`, summaryRows());
    console.log(`\nchosen: ${chosen === undefined ? 'none reaches the target' : label(chosen)}; plot written to ${PNG}`);
  }
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  if (typeof args.replot === 'string') {
    // Redraws the plot of an earlier run from its JSON.
    const earlier = JSON.parse(readFileSync(args.replot, 'utf8')) as { settings: { N: number }; points: Point[] };
    const n = earlier.settings.N;
    await plotCurves(earlier.points, n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}K`, args.replot.replace(/\.json$/, '') + '.png');
    rmSync(scratch, { recursive: true });
    return;
  }
  const started = performance.now();
  log(`ann sweep, ${SIZE} — ${JSON.stringify(machineFacts())}`);
  const set = clusteredVectors(N, QUERIES, DIM, N / 10, NOISE, SEED);
  const data = set.data;
  // Standalone copies: usearch copies a query that is a view at a non-zero offset.
  const queries = Array.from({ length: QUERIES }, (_, i) => row(set.queries, DIM, i).slice());
  const queryArrays = queries.map((q) => Array.from(q));
  log('data generated; exact ground truth…');
  const truth = await groundTruth(data, queries);
  log('ground truth done');

  const hnswlibWanted = HNSWLIB.filter((h) => h !== 'auto').map((h) => {
    const [m, efc] = h.split(':').map(Number);
    return { m: m as number, efConstruction: efc as number };
  });
  const paths = new Map<string, { path: string; seconds: number; reused: boolean }>();
  let referencePath = '';
  const skipped: string[] = [];
  for (const entry of ENTRIES) {
    const promising = 'auto' in entry ? mostPromising() : undefined;
    const s: GraphSetting = 'auto' in entry ? { quantization: entry.quantization, m: (promising as GraphSetting).m, efConstruction: (promising as GraphSetting).efConstruction } : entry;
    if (CONFIGS.some((c) => label(c) === label(s))) continue;
    if ((performance.now() - started) / 60_000 > SKIP_AFTER_MIN) {
      skipped.push(label(s));
      results.skipped = skipped;
      log(`usearch ${label(s)}: skipped, past --skip-after-min ${SKIP_AFTER_MIN}`);
      continue;
    }
    CONFIGS.push(s);
    log(`usearch ${label(s)}: ${REUSE === undefined ? `building on ${THREADS} threads` : `from ${REUSE} or building on ${THREADS} threads`}…`);
    const built = buildUsearch(s, data);
    paths.set(label(s), built);
    if (s === REFERENCE) referencePath = built.path;
    builds.push({ contender: 'usearch (raw)', config: label(s), threads: THREADS, build_s: built.reused ? 'reused' : built.seconds, bytes_per_vector: statSync(built.path).size / N });
    log(`usearch ${label(s)}: ${built.reused ? `reusing ${built.path}` : `built in ${built.seconds.toFixed(0)} s`}`);
    const peerAt = hnswlibWanted.findIndex((h) => sameGraph(s, h));
    const peer = peerAt < 0 ? undefined : hnswlibWanted.splice(peerAt, 1)[0];
    await sweepUsearch(s, built.path, peer, data, queries, queryArrays, truth, referencePath);
    await report(false);
  }
  // Peers with no usearch graph of their own setting, and `auto`, run beside the chosen graph.
  const chosen = chooseConfig();
  if (HNSWLIB.includes('auto') && chosen !== undefined && !builds.some((b) => b.contender === 'hnswlib-node' && b.config === `M=${chosen.m} efC=${chosen.efConstruction}`)) {
    hnswlibWanted.push({ m: chosen.m, efConstruction: chosen.efConstruction });
  }
  for (const peer of hnswlibWanted) {
    const beside = chosen ?? REFERENCE;
    await sweepUsearch(beside, (paths.get(label(beside)) as { path: string }).path, peer, data, queries, queryArrays, truth, referencePath, true);
    await report(false);
  }
  for (const [name, built] of paths) if (name !== label(REFERENCE) && !built.reused && KEEP === undefined) rmSync(built.path, { force: true });

  const engine = ENGINE === 'none' ? undefined : ENGINE === 'auto' ? chosen ?? REFERENCE : parseSetting(ENGINE);
  if (engine !== undefined) {
    log(`facevault ${label(engine)}: filling and building through the engine…`);
    await engineSection(engine, data, queries, truth, referencePath, paths.get(label(engine))?.seconds);
  }
  await report(true);
  rmSync(scratch, { recursive: true, force: true });
}

/**
 * A usearch graph's curve; with a peer, hnswlib-node built at the peer's M and efConstruction and
 * timed in the same rounds. `peerOnly`: the usearch graph was swept already and only rides along.
 */
async function sweepUsearch(s: GraphSetting, path: string, peer: { m: number; efConstruction: number } | undefined, data: Float32Array, queries: readonly Float32Array[], queryArrays: readonly number[][], truth: readonly number[][], referencePath: string, peerOnly = false): Promise<void> {
  let graph: HnswlibGraph | undefined;
  if (peer !== undefined) {
    log(`hnswlib-node M=${peer.m} efC=${peer.efConstruction}: building on 1 thread…`);
    graph = buildHnswlib(peer.m, peer.efConstruction, data);
    builds.push({ contender: 'hnswlib-node', config: `M=${peer.m} efC=${peer.efConstruction}`, threads: 1, build_s: graph.seconds, bytes_per_vector: graph.bytesPerVector });
    log(`hnswlib-node M=${peer.m} efC=${peer.efConstruction}: built in ${graph.seconds.toFixed(0)} s`);
  }
  await sweep((ef) => {
    const view = peerOnly ? undefined : viewUsearch(s, path, ef);
    graph?.index.setEf(ef);
    const entries: Entry[] = [];
    if (view !== undefined) entries.push({ contender: 'usearch', config: label(s), run: usearchContender(label(s), view, 0) });
    if (graph !== undefined) entries.push({ contender: 'hnswlib-node', config: `M=${graph.m} efC=${graph.efConstruction}`, run: hnswlibContender(graph, queryArrays) });
    return Promise.resolve({ entries, close: () => view && releaseUsearch(view) });
  }, referencePath, queries, truth);
  // initIndex frees the previous graph at once (hnswlib-node has no close()).
  graph?.index.initIndex({ maxElements: 1 });
}

await main();
