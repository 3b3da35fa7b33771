/**
 * Open-set identification as the gallery grows (issue 14): every LFW-a impostor pair, its far
 * tail fitted, and the threshold that holds a false-positive identification rate at any size.
 *
 *   npx tsx bench/open-set.ts --cache /tmp/facevault-lfw-arcface.emb
 *   options: --data DIR (LFW-a, default ../shared/datasets/lfw), --model NAME (default the registry's),
 *            --workers N (2), --cache FILE (embeddings kept between runs; outside the repository),
 *            --seed N (1: identity split and bootstrap), --bootstrap N (200), --out FILE (bench/results/open-set.json)
 *
 * 1. Embeds all 13,233 photos (the face nearest the centre, as the gallery's other LFW benches).
 * 2. Scores every pair of embedded photos with the exact kernel's arithmetic (dot products over
 *    one Float32Array): genuine pairs (same person) and impostor pairs (different people).
 * 3. Impostor pairs at distance ≈ 0 are the same photo under two names or a label error: listed,
 *    and left out of the fit.
 * 4. Splits the identities at random in two halves; fits a generalized Pareto distribution to the
 *    impostor distances below a tail threshold u among pairs within the fit half (peaks over
 *    threshold on the similarity side), and compares its predicted FAR with the empirical FAR of the
 *    pairs within the held-out half at several thresholds. The model committed to
 *    src/recognition/open-set-models.ts is then fitted on all identities, bootstrapped for a band.
 * 5. Open-set curve on real galleries: LFW's 5,749 people in 8 folds; each fold's people are the
 *    strangers (every photo of theirs probes for FPIR), the other people are enrolled with one
 *    photo each — all of them (about 5,030: the largest gallery LFW allows with strangers held out)
 *    and a random 1,000 — and their other photos probe for the rank-1 true identification rate.
 *    LFW has no 10,000 people: 10K, 100K and 1M are extrapolations from the fitted tail (with a
 *    bootstrap band over identities), and 10K also from the measured pairs without any fit.
 * 6. With --write-model, writes the fitted model to src/recognition/open-set-models.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fitGeneralizedPareto, type ParetoFit } from '../src/face/eval/pareto-tail.js';
import { resolveModel } from '../src/face/models/registry.js';
import { parseCsv } from '../src/recognition/enroll-sources.js';
import { fpirAt, impostorFar, sameSubjectProbability, thresholdForFpir, type OpenSetModel } from '../src/recognition/open-set.js';
import { seededRandom } from '../src/util/seeded-random.js';
import { createKernel, KERNEL_KIND, WASM_PAGE_BYTES } from '../src/vector/exact/kernel-loader.js';
import { embedImages } from './lib/embed-images.js';
import { readEmbeddingCache, writeEmbeddingCache, type EmbeddingCache } from './lib/embedding-cache.js';
import { openPipelineEmbedder } from './lib/face-embedder.js';
import { machineFacts, printTable, writeResult, type Row } from './lib/report.js';
import { progressPrinter } from './lib/verification-eval.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.FACEVAULT_DATASETS ? join(process.env.FACEVAULT_DATASETS, 'lfw') : '../shared/datasets/lfw' },
    model: { type: 'string' },
    workers: { type: 'string', default: '2' },
    cache: { type: 'string' },
    seed: { type: 'string', default: '1' },
    bootstrap: { type: 'string', default: '200' },
    out: { type: 'string', default: 'bench/results/open-set.json' },
    'tail-rate': { type: 'string', default: '0.001' },
    'duplicate-below': { type: 'string', default: '0.1' },
    weighting: { type: 'string', default: 'person' },
    'write-model': { type: 'boolean', default: false },
    'embed-only': { type: 'boolean', default: false },
  },
});
const DATA = resolve(values.data);
if (!existsSync(join(DATA, 'lfw-identities.csv')) || !existsSync(join(DATA, 'images'))) {
  console.log(`LFW-a not found under ${DATA} (need lfw-identities.csv and images/): skipping. Pass --data DIR.`);
  process.exit(0);
}
const MODEL = resolveModel(values.model).info.name;
const WORKERS = Number(values.workers);
const SELECT = 'central';

/** Every photo of LFW with its person, in the file's order. */
const photos = parseCsv(readFileSync(join(DATA, 'lfw-identities.csv'), 'utf8'))
  .slice(1)
  .flatMap(([image, identity]) => (image && identity ? [{ image, identity }] : []));

async function embedAll(): Promise<EmbeddingCache> {
  const wanted = { model: MODEL, flip: false, select: SELECT };
  const cached = values.cache === undefined ? undefined : readEmbeddingCache(values.cache, wanted);
  if (cached && cached.header.images.length + cached.header.failures.length === photos.length) {
    console.log(`embeddings from ${values.cache}: ${cached.header.images.length} photos (${cached.header.failures.length} without a face), made ${cached.header.createdAt}`);
    return cached;
  }
  const embedder = await openPipelineEmbedder({ model: MODEL, workers: WORKERS, flip: false, select: SELECT });
  const run = await embedImages(embedder, photos.map((p) => p.image), { root: join(DATA, 'images'), concurrency: Math.max(1, 2 * WORKERS), onProgress: progressPrinter(`LFW-a ${MODEL}`) }).finally(() => embedder.close());
  // Rows in the file's order, whatever order the lanes finished in.
  const images = photos.map((p) => p.image).filter((image) => run.embeddings.has(image));
  const dimension = resolveModel(MODEL).info.dimension;
  const vectors = new Float32Array(images.length * dimension);
  images.forEach((image, row) => vectors.set(run.embeddings.get(image) as Float32Array, row * dimension));
  const cache: EmbeddingCache = {
    header: { model: MODEL, flip: false, select: SELECT, dimension, images, failures: run.failures, seconds: run.elapsedMs / 1000, workers: WORKERS, createdAt: new Date().toISOString() },
    vectors,
  };
  if (values.cache !== undefined) {
    writeEmbeddingCache(values.cache, cache);
    console.log(`embeddings kept in ${values.cache}`);
  }
  return cache;
}

const embedded = await embedAll();
console.log(`${embedded.header.images.length} of ${photos.length} photos embedded in ${embedded.header.seconds.toFixed(0)} s with ${embedded.header.workers} workers`);
if (values['embed-only']) process.exit(0);

const SEED = Number(values.seed);
const BOOTSTRAP = Number(values.bootstrap);
const TAIL_RATE = Number(values['tail-rate']);
const DUPLICATE_BELOW = Number(values['duplicate-below']);
/**
 * 'person': every pair of people counts the same (a pair of photos weighs 1 / (photos of a × photos of b)),
 * as in a gallery of one face per person probed by strangers; 'photo': every pair of photos counts the
 * same, so the 530 photos of George W. Bush weigh as much as 530 people.
 */
const WEIGHTING = values.weighting;
if (WEIGHTING !== 'person' && WEIGHTING !== 'photo') throw new Error(`--weighting must be person or photo, got ${WEIGHTING}`);
/** Impostor pairs closer than this are kept one by one (identities, distance) for the tail fits; the rest are only counted. */
const KEEP_BELOW = 0.85;
/** The FPIR targets of the open-set curve. */
const TARGETS = [0.001, 0.003, 0.01, 0.03, 0.1] as const;
/** Thresholds at which the tail fitted on half the people is checked against the other half. */
const VALIDATION_THRESHOLDS = [0.65, 0.6, 0.55, 0.53, 0.5, 0.45, 0.4, 0.35, 0.3] as const;
const FOLDS = 8;
const SMALL_GALLERY = 1_000;
const CANDIDATES = 5;
const GRID_STEP = 0.01;
const GRID = Math.round(2 / GRID_STEP) + 1;

const results: Record<string, unknown> = {
  machine: machineFacts(),
  command: `npx tsx bench/open-set.ts ${process.argv.slice(2).join(' ')}`.trim(),
  model: MODEL,
  settings: { weighting: WEIGHTING, seed: SEED, bootstrap: BOOTSTRAP, tailRate: TAIL_RATE, duplicateBelow: DUPLICATE_BELOW, folds: FOLDS, select: SELECT, flip: false },
  embedding: { photos: photos.length, embedded: embedded.header.images.length, failures: embedded.header.failures, seconds: embedded.header.seconds, workers: embedded.header.workers },
};

// ── people and rows ──────────────────────────────────────────────────────────────────────────
const { images, dimension } = embedded.header;
const n = images.length;
const people = [...new Set(photos.map((p) => p.identity))];
const personIndex = new Map(people.map((p, i) => [p, i]));
const identityOf = new Map(photos.map((p) => [p.image, p.identity]));
const personOf = (image: string): number => personIndex.get(identityOf.get(image) ?? '') ?? -1;
const who = Int32Array.from(images, personOf);
const photoCount = new Float64Array(people.length);
for (const p of who) photoCount[p] = (photoCount[p] ?? 0) + 1;
const random = seededRandom(SEED);
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
/** Half 0 (fit) or 1 (held out) per person: a random half of the identities. */
const half = new Uint8Array(people.length);
shuffled(people.map((_, i) => i)).forEach((p, rank) => {
  half[p] = rank < people.length / 2 ? 0 : 1;
});

// ── every pair, with the exact kernel ────────────────────────────────────────────────────────
/** Index of pair (i, j), i < j, in the upper triangle. */
const rowStart = (i: number): number => i * n - (i * (i + 1)) / 2;
const pairIndex = (i: number, j: number): number => (i < j ? rowStart(i) + j - i - 1 : rowStart(j) + i - j - 1);
const pairCount = (n * (n - 1)) / 2;
const distances = new Float32Array(pairCount);
{
  const started = performance.now();
  const rowBytes = dimension * 4;
  const outOffset = n * rowBytes;
  const pages = Math.ceil((outOffset + n * 4) / WASM_PAGE_BYTES) + 1;
  const kernel = createKernel(pages, pages);
  new Float32Array(kernel.buffer, 0, n * dimension).set(embedded.vectors);
  const out = new Float32Array(kernel.buffer, outOffset, n);
  for (let i = 0; i < n - 1; i++) {
    // Keys are −(q·x) for dotproduct; the embeddings are unit vectors, so the cosine distance is 1 + key.
    kernel.scan(KERNEL_KIND.dotproduct, i * rowBytes, 0, rowBytes, i + 1, n - i - 1, 0, outOffset, 0, 1);
    const base = rowStart(i);
    for (let k = 0; k < n - i - 1; k++) distances[base + k] = 1 + (out[k] as number);
  }
  results.pairsSeconds = (performance.now() - started) / 1000;
  console.log(`${pairCount.toLocaleString('en-US')} pairs scored in ${(results.pairsSeconds as number).toFixed(1)} s (WebAssembly SIMD kernel, one thread)`);
}

// ── genuine, impostor, duplicates ────────────────────────────────────────────────────────────
/** Categories of impostor pairs: both people in the fit half, both held out, or one of each. */
const FIT = 0, HELD = 1, CROSS = 2;
const BIN = 1e-4;
const BINS = Math.round(2 / BIN) + 1;
const impostorHistogram = [new Float64Array(BINS), new Float64Array(BINS), new Float64Array(BINS)] as const;
/** Weight of each category's impostor pairs, and their number. */
const impostorTotal = [0, 0, 0];
const impostorCount = [0, 0, 0];
const pairWeight = (a: number, b: number): number => (WEIGHTING === 'person' ? 1 / ((photoCount[a] as number) * (photoCount[b] as number)) : 1);
const genuine: number[] = [];
const genuineWeights: number[] = [];
const duplicates: { i: number; j: number; d: number }[] = [];
const kept = { d: [] as number[], w: [] as number[], a: [] as number[], b: [] as number[], category: [] as number[], i: [] as number[], j: [] as number[] };
for (let i = 0; i < n - 1; i++) {
  const pi = who[i] as number;
  const hi = half[pi] as number;
  const base = rowStart(i);
  for (let j = i + 1; j < n; j++) {
    const d = distances[base + j - i - 1] as number;
    const pj = who[j] as number;
    if (pi === pj) {
      genuine.push(d);
      // Every person with two photos or more weighs the same among the genuine pairs, as among the impostors.
      genuineWeights.push(WEIGHTING === 'person' ? 2 / ((photoCount[pi] as number) * ((photoCount[pi] as number) - 1)) : 1);
      continue;
    }
    if (d < DUPLICATE_BELOW) {
      duplicates.push({ i, j, d });
      continue;
    }
    const category = hi === half[pj] ? hi : CROSS;
    const w = pairWeight(pi, pj);
    impostorTotal[category] = (impostorTotal[category] ?? 0) + w;
    impostorCount[category] = (impostorCount[category] ?? 0) + 1;
    const histogram = impostorHistogram[category as 0 | 1 | 2];
    const bin = Math.min(BINS - 1, Math.max(0, Math.floor(d / BIN)));
    histogram[bin] = (histogram[bin] ?? 0) + w;
    if (d < KEEP_BELOW) {
      kept.d.push(d);
      kept.w.push(w);
      kept.a.push(pi);
      kept.b.push(pj);
      kept.category.push(category);
      kept.i.push(i);
      kept.j.push(j);
    }
  }
}
/** Weight of all impostor pairs fitted, and their number. */
const impostorAll = impostorTotal.reduce((s, x) => s + x, 0);
const impostorPairs = impostorCount.reduce((s, x) => s + x, 0);
const describePair = (i: number, j: number) => ({ a: images[i] ?? '', b: images[j] ?? '' });
const duplicateList = duplicates.sort((x, y) => x.d - y.d).map(({ i, j, d }) => ({ ...describePair(i, j), distance: Number(d.toFixed(4)) }));
/** The closest impostor pairs kept in the fit: candidates for label errors, for a reviewer. */
const LIST_BELOW = 0.4;
const closestKept = kept.d
  .map((d, k) => ({ d, k }))
  .filter(({ d }) => d < LIST_BELOW)
  .sort((x, y) => x.d - y.d)
  .map(({ d, k }) => ({ ...describePair(kept.i[k] as number, kept.j[k] as number), distance: Number(d.toFixed(4)) }));
results.pairs = {
  genuine: genuine.length,
  impostor: impostorPairs + duplicates.length,
  impostorFitted: impostorPairs,
  duplicatesExcluded: duplicates.length,
  duplicateRule: `impostor pairs (different names) at cosine distance < ${DUPLICATE_BELOW}`,
  byHalf: { fit: impostorCount[FIT], heldOut: impostorCount[HELD], cross: impostorCount[CROSS] },
  keptBelow: KEEP_BELOW,
  kept: kept.d.length,
};
results.duplicates = duplicateList;
results.impostorsBelow = { distance: LIST_BELOW, pairs: closestKept };
console.log(`genuine pairs ${genuine.length.toLocaleString('en-US')}; impostor pairs ${(impostorPairs + duplicates.length).toLocaleString('en-US')}, of which ${duplicates.length} below ${DUPLICATE_BELOW} (duplicates / label errors) are left out`);
printTable(`Impostor pairs at distance < ${DUPLICATE_BELOW}: the same photo under two names, or a label error (left out of the fit)`, duplicateList.map((p) => ({ ...p })));
printTable(`Impostor pairs kept in the fit, closer than ${LIST_BELOW} (${closestKept.length}): twins, name variants of one person, look-alikes — look at these before trusting the far tail`, closestKept.map((p) => ({ ...p })));

// ── the tail fit ─────────────────────────────────────────────────────────────────────────────
/** Kept pairs of a category (or every category) by distance, with their weights and the running sum of the weights. */
interface SortedPairs {
  readonly d: Float64Array;
  readonly w: Float64Array;
  /** cum[i]: the weight of pairs 0 .. i − 1. */
  readonly cum: Float64Array;
}
function keptPairs(category?: number): SortedPairs {
  const order: number[] = [];
  kept.d.forEach((_, k) => {
    if (category === undefined || kept.category[k] === category) order.push(k);
  });
  order.sort((x, y) => (kept.d[x] as number) - (kept.d[y] as number));
  const d = Float64Array.from(order, (k) => kept.d[k] as number);
  const w = Float64Array.from(order, (k) => kept.w[k] as number);
  const cum = new Float64Array(order.length + 1);
  w.forEach((x, i) => (cum[i + 1] = (cum[i] as number) + x));
  return { d, w, cum };
}
const sortedAll = keptPairs();
const sortedFit = keptPairs(FIT);
const sortedHeld = keptPairs(HELD);
/** Pairs at distance ≤ t. */
function countAtMost(sorted: SortedPairs, t: number): number {
  let lo = 0, hi = sorted.d.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted.d[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
/** Their weight. */
const weightAtMost = (sorted: SortedPairs, t: number): number => sorted.cum[countAtMost(sorted, t)] as number;

interface TailFit extends ParetoFit {
  /** The tail threshold u (distance) and the share of impostor pairs below it. */
  readonly threshold: number;
  readonly rate: number;
  readonly excesses: number;
}
function fitTail(sorted: SortedPairs, total: number, rate: number): TailFit {
  // The first m pairs weigh `rate` of the total.
  let m = 0;
  while (m < sorted.d.length && (sorted.cum[m + 1] as number) < rate * total) m++;
  if (m + 1 >= sorted.d.length) throw new Error(`tail rate ${rate} needs more pairs than the ${sorted.d.length} kept below ${KEEP_BELOW}: raise KEEP_BELOW`);
  const threshold = ((sorted.d[m - 1] as number) + (sorted.d[m] as number)) / 2;
  const excesses: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < m; i++) {
    const y = threshold - (sorted.d[i] as number);
    if (y <= 0) continue;
    excesses.push(y);
    weights.push(sorted.w[i] as number);
  }
  const fit = fitGeneralizedPareto(excesses, { weights });
  return { ...fit, threshold, rate: weights.reduce((a, w) => a + w, 0) / total, excesses: excesses.length };
}

/** Cumulative table on the grid: share of the histogram's pairs below k · GRID_STEP. */
function cumulativeTable(histogram: Float64Array, total: number): number[] {
  const table: number[] = [];
  let acc = 0;
  let bin = 0;
  for (let k = 0; k < GRID; k++) {
    const edge = Math.round((k * GRID_STEP) / BIN);
    while (bin < edge && bin < BINS) acc += histogram[bin++] as number;
    table.push(acc / total);
  }
  table[GRID - 1] = 1;
  return table;
}
const allHistogram = new Float64Array(BINS);
for (const h of impostorHistogram) h.forEach((c, i) => (allHistogram[i] = (allHistogram[i] ?? 0) + c));
const genuineHistogram = new Float64Array(BINS);
genuine.forEach((d, i) => {
  const bin = Math.min(BINS - 1, Math.max(0, Math.floor(d / BIN)));
  genuineHistogram[bin] = (genuineHistogram[bin] ?? 0) + (genuineWeights[i] as number);
});
const genuineTotal = genuineWeights.reduce((a, w) => a + w, 0);
const farTable = cumulativeTable(allHistogram, impostorAll);
const tarTable = cumulativeTable(genuineHistogram, genuineTotal);

/** Non-increasing least-squares fit (pool adjacent violators). */
function nonIncreasing(values: readonly number[]): number[] {
  const blocks: { sum: number; count: number }[] = [];
  for (const v of values) {
    blocks.push({ sum: v, count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1] as { sum: number; count: number };
      const prev = blocks[blocks.length - 2] as { sum: number; count: number };
      if (prev.sum / prev.count >= last.sum / last.count) break;
      prev.sum += last.sum;
      prev.count += last.count;
      blocks.pop();
    }
  }
  return blocks.flatMap((b) => Array.from({ length: b.count }, () => b.sum / b.count));
}

/** The model of a tail fit: the measured FAR above the tail, and ln LR on the grid. */
function openSetModel(tail: TailFit): OpenSetModel {
  const base: OpenSetModel = { model: MODEL, tail: { threshold: tail.threshold, rate: tail.rate, xi: tail.xi, sigma: tail.sigma }, step: GRID_STEP, far: farTable, logLikelihoodRatio: [] };
  // Densities by central differences over ±h; g from the genuine pairs, f from the model (the fitted tail below u).
  const h = 0.02;
  const tarAt = (d: number) => {
    const x = Math.min(Math.max(d, 0), 2) / GRID_STEP;
    const k = Math.min(GRID - 2, Math.floor(x));
    return (tarTable[k] as number) + ((tarTable[k + 1] as number) - (tarTable[k] as number)) * (x - k);
  };
  // Where the genuine pairs run out, half a pair in the window; where the impostors do (closer than the
  // 10th closest impostor pair kept), the ratio stays at its value there: no claim beyond the data.
  // Beyond the median impostor distance the ratio is tiny and both densities thin out: it stays at its value there.
  const genuineFloor = 0.5 / genuine.length / (2 * h);
  const dataEnd = sortedAll.d[9] ?? 0;
  const medianImpostor = farTable.findIndex((x) => x >= 0.5) * GRID_STEP;
  const raw: number[] = [];
  for (let k = 0; k < GRID; k++) {
    const d = Math.min(Math.max(k * GRID_STEP, dataEnd), medianImpostor);
    const g = Math.max((tarAt(d + h) - tarAt(d - h)) / (2 * h), genuineFloor);
    const f = Math.max((impostorFar(base, d + h) - impostorFar(base, Math.max(0, d - h))) / (2 * h), 1e-300);
    raw.push(Math.log(g / f));
  }
  const monotone = nonIncreasing(raw).map((v) => Number(Math.max(-50, v).toFixed(4)));
  return { ...base, logLikelihoodRatio: monotone };
}

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? Number.NaN;
};
const band = (values: readonly number[]) => ({ low: quantile(values, 0.025), high: quantile(values, 0.975) });

/**
 * Bootstrap over people (pairs of one person are not independent: a look-alike of many sits in
 * many pairs): each person of the scope gets a Poisson(1) multiplicity m, an impostor pair of
 * people a, b the weight m_a · m_b, and the tail is refitted above the same u.
 */
function bootstrapTail(base: OpenSetModel, fitted: TailFit, category: number | undefined, count: number): OpenSetModel[] {
  const members: number[] = [];
  kept.d.forEach((d, k) => {
    if (d < fitted.threshold && (category === undefined || kept.category[k] === category)) members.push(k);
  });
  const inScope = (p: number) => category === undefined || half[p] === category;
  const poisson = (): number => {
    // Knuth's method, λ = 1.
    let k = 0;
    for (let p = random(); p > Math.exp(-1); p *= random()) k++;
    return k;
  };
  const out: OpenSetModel[] = [];
  for (let r = 0; r < count; r++) {
    const m = people.map((_, p) => (inScope(p) ? poisson() : 0));
    let s1 = 0, s2 = 0;
    m.forEach((x, p) => {
      // A person weighs 1 (person weighting) or their number of photos (photo weighting); none without a photo.
      const size = WEIGHTING === 'person' ? Math.min(1, photoCount[p] as number) : (photoCount[p] as number);
      s1 += x * size;
      s2 += (x * size) ** 2;
    });
    const total = (s1 * s1 - s2) / 2;
    const excesses: number[] = [];
    const weights: number[] = [];
    for (const k of members) {
      const w = (m[kept.a[k] as number] as number) * (m[kept.b[k] as number] as number) * (kept.w[k] as number);
      if (w === 0) continue;
      excesses.push(fitted.threshold - (kept.d[k] as number));
      weights.push(w);
    }
    const fit = fitGeneralizedPareto(excesses, { weights, near: fitted });
    out.push({ ...base, tail: { threshold: fitted.threshold, rate: weights.reduce((a, w) => a + w, 0) / total, xi: fit.xi, sigma: fit.sigma } });
  }
  return out;
}

// Held-out validation: the tail of the fit half (with its bootstrap band over the fit half's people)
// against the measured FAR of the held-out half, at several tail rates.
const validation: Record<string, unknown>[] = [];
const validationRows: Row[] = [];
for (const rate of [0.01, 0.001, 0.0001]) {
  const fitted = fitTail(sortedFit, impostorTotal[FIT] as number, rate);
  const fitModel = openSetModel(fitted);
  const started = performance.now();
  const fitReplicates = bootstrapTail(fitModel, fitted, FIT, BOOTSTRAP);
  console.log(`fit half, tail rate ${rate}: ${BOOTSTRAP} bootstrap replicates in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const rows = VALIDATION_THRESHOLDS.map((t) => {
    const count = countAtMost(sortedHeld, t);
    const heldOut = weightAtMost(sortedHeld, t) / (impostorTotal[HELD] as number);
    const predicted = impostorFar(fitModel, t);
    const predictedBand = band(fitReplicates.map((r) => impostorFar(r, t)));
    return { threshold: t, predicted, predictedBand, heldOut, heldOutPairs: count, fitHalf: weightAtMost(sortedFit, t) / (impostorTotal[FIT] as number), heldOutInBand: heldOut >= predictedBand.low && heldOut <= predictedBand.high };
  });
  validation.push({ tailRate: rate, tail: { threshold: fitted.threshold, rate: fitted.rate, xi: fitted.xi, sigma: fitted.sigma, excesses: fitted.excesses }, rows });
  for (const r of rows) {
    validationRows.push({
      'tail rate': rate,
      u: fitted.threshold,
      ξ: fitted.xi,
      threshold: r.threshold,
      'predicted FAR (fit half)': r.predicted.toExponential(2),
      '95 % band (people bootstrap)': `${r.predictedBand.low.toExponential(1)} – ${r.predictedBand.high.toExponential(1)}`,
      'held-out FAR': r.heldOut.toExponential(2),
      'held-out pairs': r.heldOutPairs,
      'held-out in band': r.heldOutInBand,
      'fit half, measured': r.fitHalf.toExponential(2),
    });
  }
}
results.validation = { fitPairs: impostorCount[FIT], heldOutPairs: impostorCount[HELD], people: { fit: half.filter((x) => x === 0).length, heldOut: half.filter((x) => x === 1).length }, byTailRate: validation };
printTable(`Held-out validation: tail fitted on the impostor pairs of a random half of the people (${(impostorCount[FIT] as number).toLocaleString('en-US')} pairs), FAR measured on the other half (${(impostorCount[HELD] as number).toLocaleString('en-US')}); ${WEIGHTING} weighting`, validationRows);

// The model: every identity, the chosen tail rate; a bootstrap over identities for the band.
const tail = fitTail(sortedAll, impostorAll, TAIL_RATE);
const model = openSetModel(tail);
console.log(`\ntail fit on all people: u = ${tail.threshold.toFixed(4)} (FAR ${tail.rate.toExponential(2)}, ${tail.excesses.toLocaleString('en-US')} excesses), ξ = ${tail.xi.toFixed(4)}, σ = ${tail.sigma.toFixed(5)}`);
const bootstrapStarted = performance.now();
const replicates = bootstrapTail(model, tail, undefined, BOOTSTRAP);
console.log(`${BOOTSTRAP} bootstrap replicates (people resampled) in ${((performance.now() - bootstrapStarted) / 1000).toFixed(1)} s`);
results.tail = {
  threshold: tail.threshold,
  rate: tail.rate,
  xi: tail.xi,
  sigma: tail.sigma,
  excesses: tail.excesses,
  bootstrap: { replicates: BOOTSTRAP, xi: band(replicates.map((r) => r.tail.xi)), sigma: band(replicates.map((r) => r.tail.sigma)), rate: band(replicates.map((r) => r.tail.rate)) },
};
const empiricalFar = (t: number): number => (t < KEEP_BELOW ? weightAtMost(sortedAll, t) / impostorAll : Number.NaN);
results.farAt = [0.6, 0.53, 0.5, 0.45, 0.4, 0.35, 0.3].map((t) => ({ threshold: t, measured: empiricalFar(t), measuredPairs: countAtMost(sortedAll, t), fitted: impostorFar(model, t), band: band(replicates.map((r) => impostorFar(r, t))), fpirAtSize: Object.fromEntries([1_000, 10_000, 100_000, 1_000_000].map((size) => [size, fpirAt(model, t, size)])) }));

// ── open-set identification on real galleries ───────────────────────────────────────────────
/** Rows of each person, in file order; the first is the one enrolled. */
const rowsOf: number[][] = people.map(() => []);
who.forEach((p, row) => rowsOf[p]?.push(row));
/** Photos without a face, by person: a genuine probe missed, a stranger probe rejected. */
const failedOf = new Float64Array(people.length);
for (const f of embedded.header.failures) {
  const p = personOf(f.image);
  if (p >= 0) failedOf[p] = (failedOf[p] ?? 0) + 1;
}
/** Each genuine probe once: its distance to its person's enrolled photo (Infinity: no face). */
const mateDistances: number[] = [];
rowsOf.forEach((rows, p) => {
  const [first, ...others] = rows;
  if (first === undefined) return;
  for (const row of others) mateDistances.push(distances[pairIndex(first, row)] as number);
  for (let k = 0; k < (failedOf[p] as number); k++) mateDistances.push(Number.POSITIVE_INFINITY);
});

interface Candidate { readonly d: number; readonly mate: boolean; readonly row: number }
interface Experiment {
  readonly galleries: number[];
  /** Per genuine probe: rank-1 right, the nearest distance, and the fold's gallery size. */
  readonly genuine: { correct: boolean; nearest: number; size: number }[];
  /** Per stranger probe: the nearest distance and the fold's gallery size. */
  readonly strangers: { nearest: number; size: number; probe: number; nearestRow: number }[];
  /** The top candidates of every probe, with the share of probes enrolled in the fold (the prior). */
  readonly candidates: { list: Candidate[]; size: number; prior: number }[];
}

function topCandidates(probe: number, gallery: readonly number[], mateRow: number): Candidate[] {
  const best: Candidate[] = [];
  for (const row of gallery) {
    const d = distances[pairIndex(probe, row)] as number;
    if (best.length === CANDIDATES && d >= (best[CANDIDATES - 1] as Candidate).d) continue;
    let at = best.length < CANDIDATES ? best.length : CANDIDATES - 1;
    if (best.length < CANDIDATES) best.push({ d, mate: row === mateRow, row });
    else best[at] = { d, mate: row === mateRow, row };
    while (at > 0 && (best[at - 1] as Candidate).d > d) {
      [best[at - 1], best[at]] = [best[at] as Candidate, best[at - 1] as Candidate];
      at--;
    }
  }
  return best;
}

const foldOf = new Uint8Array(people.length);
shuffled(people.map((_, i) => i)).forEach((p, rank) => {
  foldOf[p] = rank % FOLDS;
});
const experiments = new Map<string, Experiment>([['1K', { galleries: [], genuine: [], strangers: [], candidates: [] }], ['all others', { galleries: [], genuine: [], strangers: [], candidates: [] }]]);
{
  const started = performance.now();
  for (let fold = 0; fold < FOLDS; fold++) {
    const strangers = people.map((_, p) => p).filter((p) => foldOf[p] === fold);
    const others = people.map((_, p) => p).filter((p) => foldOf[p] !== fold && (rowsOf[p]?.length ?? 0) > 0);
    const enrolledSets = new Map([['1K', shuffled(others).slice(0, SMALL_GALLERY)], ['all others', others]]);
    for (const [name, enrolled] of enrolledSets) {
      const experiment = experiments.get(name) as Experiment;
      const gallery = enrolled.map((p) => rowsOf[p]?.[0] as number);
      const size = gallery.length;
      experiment.galleries.push(size);
      const genuineProbes = enrolled.reduce((s, p) => s + (rowsOf[p]?.length ?? 1) - 1 + (failedOf[p] as number), 0);
      const strangerProbes = strangers.reduce((s, p) => s + (rowsOf[p]?.length ?? 0) + (failedOf[p] as number), 0);
      const prior = genuineProbes / (genuineProbes + strangerProbes);
      for (const p of enrolled) {
        const [mateRow, ...probes] = rowsOf[p] as number[];
        for (const probe of probes) {
          const list = topCandidates(probe, gallery, mateRow as number);
          const top = list[0] as Candidate;
          experiment.genuine.push({ correct: top.mate, nearest: top.d, size });
          experiment.candidates.push({ list, size, prior });
        }
        for (let k = 0; k < (failedOf[p] as number); k++) experiment.genuine.push({ correct: false, nearest: Number.POSITIVE_INFINITY, size });
      }
      for (const p of strangers) {
        for (const probe of rowsOf[p] ?? []) {
          const list = topCandidates(probe, gallery, -1);
          experiment.strangers.push({ nearest: (list[0] as Candidate).d, size, probe, nearestRow: (list[0] as Candidate).row });
          experiment.candidates.push({ list, size, prior });
        }
        for (let k = 0; k < (failedOf[p] as number); k++) experiment.strangers.push({ nearest: Number.POSITIVE_INFINITY, size, probe: -1, nearestRow: -1 });
      }
    }
  }
  console.log(`real galleries searched (${FOLDS} folds, exact) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Predicted rank-1 TPIR at t in a gallery of N: the mate within t and no impostor of N − 1 nearer. */
function predictedTpir(m: OpenSetModel, t: number, size: number): number {
  let sum = 0;
  for (const d of mateDistances) if (d <= t) sum += Math.exp((size - 1) * Math.log1p(-Math.min(impostorFar(m, d), 1 - 1e-16)));
  return sum / mateDistances.length;
}

const curveRows: Row[] = [];
const curve: Record<string, unknown>[] = [];
for (const [name, experiment] of experiments) {
  const sizes = experiment.galleries;
  const meanSize = Math.round(sizes.reduce((s, x) => s + x, 0) / sizes.length);
  const strangerNearest = experiment.strangers.map((s) => s.nearest).sort((a, b) => a - b);
  for (const target of TARGETS) {
    // Measured: the threshold at which the target share of strangers is named (below the next stranger's distance).
    const allowed = Math.floor(target * strangerNearest.length);
    const empiricalThreshold = ((strangerNearest[allowed] as number) + (strangerNearest[Math.max(0, allowed - 1)] as number)) / 2;
    const tpirAt = (threshold: (size: number) => number) => experiment.genuine.filter((g) => g.correct && g.nearest <= threshold(g.size)).length / experiment.genuine.length;
    const fpirMeasured = (threshold: (size: number) => number) => experiment.strangers.filter((s) => s.nearest <= threshold(s.size)).length / experiment.strangers.length;
    const solved = (size: number) => thresholdForFpir(model, target, size);
    const row = {
      gallery: `${name === '1K' ? '1K' : `~${(meanSize / 1000).toFixed(1)}K`} (real, ${FOLDS} folds)`,
      size: meanSize,
      'target FPIR': target,
      'threshold (solved)': solved(meanSize),
      'FPIR measured at it': fpirMeasured(solved),
      'TPIR measured at it': tpirAt(solved),
      'TPIR predicted': predictedTpir(model, solved(meanSize), meanSize),
      'threshold (measured on strangers)': empiricalThreshold,
      'TPIR at measured threshold': tpirAt(() => empiricalThreshold),
    };
    // The strangers named at the solved threshold, for a reviewer: twins, name variants and label errors show here.
    const named = experiment.strangers.filter((x) => x.nearest <= solved(x.size)).sort((x, y) => x.nearest - y.nearest);
    const falsePositives = target <= 0.01 ? named.slice(0, 100).map((x) => ({ ...describePair(x.probe, x.nearestRow), distance: Number(x.nearest.toFixed(4)) })) : undefined;
    curve.push({ kind: 'measured', name, sizes, genuineProbes: experiment.genuine.length, strangerProbes: experiment.strangers.length, ...row, strangersNamed: named.length, ...(falsePositives ? { falsePositives } : {}) });
    curveRows.push({
      gallery: row.gallery,
      'target FPIR': target,
      threshold: row['threshold (solved)'],
      'FPIR measured': row['FPIR measured at it'],
      'TPIR measured': row['TPIR measured at it'],
      'TPIR predicted': row['TPIR predicted'],
      'band (threshold)': '',
      'band (FPIR held)': '',
    });
  }
}
// Extrapolated: the fitted tail (and, where the pairs resolve the FAR needed, the measured pairs).
for (const size of [1_000, 10_000, 100_000, 1_000_000]) {
  for (const target of TARGETS) {
    const threshold = thresholdForFpir(model, target, size);
    const thresholds = replicates.map((r) => thresholdForFpir(r, target, size));
    const heldFpir = replicates.map((r) => fpirAt(r, threshold, size));
    const tpirs = replicates.map((r, i) => predictedTpir(r, thresholds[i] as number, size));
    const farNeeded = -Math.expm1(Math.log1p(-target) / size);
    // The measured pairs resolve this FAR when at least 10 pairs lie below the threshold it gives.
    const needed = farNeeded * impostorAll;
    const first = sortedAll.cum.findIndex((c) => c > needed);
    const measuredThreshold = first > 10 ? (sortedAll.d[first - 1] as number) : null;
    const row = {
      kind: 'extrapolated',
      size,
      'target FPIR': target,
      'FAR per comparison': farNeeded,
      threshold,
      thresholdBand: band(thresholds),
      fpirHeldBand: band(heldFpir),
      'TPIR predicted': predictedTpir(model, threshold, size),
      tpirBand: band(tpirs),
      thresholdFromMeasuredPairs: measuredThreshold,
      tpirAtMeasuredPairsThreshold: measuredThreshold === null ? null : predictedTpir(model, measuredThreshold, size),
    };
    curve.push(row);
    curveRows.push({
      gallery: `${size.toLocaleString('en-US')} (extrapolated)`,
      'target FPIR': target,
      threshold,
      'FPIR measured': '',
      'TPIR measured': '',
      'TPIR predicted': `${row['TPIR predicted'].toFixed(4)} (${row.tpirBand.low.toFixed(4)} – ${row.tpirBand.high.toFixed(4)})`,
      'band (threshold)': `${row.thresholdBand.low.toFixed(3)} – ${row.thresholdBand.high.toFixed(3)}`,
      'band (FPIR held)': `${(row.fpirHeldBand.low * 100).toFixed(2)} – ${(row.fpirHeldBand.high * 100).toFixed(2)} %`,
      ...(measuredThreshold === null ? {} : { 'threshold from pairs': measuredThreshold }),
    });
  }
}
results.curve = curve;
printTable('Open-set curve: rank-1 true identification rate (TPIR) against the false-positive identification rate (FPIR). Real galleries measured; larger ones extrapolated from the fitted tail (95 % bootstrap band over identities)', curveRows);

// ── calibration of the candidate probabilities ─────────────────────────────────────────────────
const calibration: Record<string, unknown>[] = [];
const calibrationRows: Row[] = [];
for (const [name, experiment] of experiments) {
  const bins = Array.from({ length: 10 }, () => ({ count: 0, predicted: 0, mates: 0 }));
  let brier = 0, total = 0;
  for (const { list, size, prior } of experiment.candidates) {
    for (const c of list) {
      const p = sameSubjectProbability(model, c.d, size, prior);
      const bin = bins[Math.min(9, Math.floor(p * 10))] as { count: number; predicted: number; mates: number };
      bin.count++;
      bin.predicted += p;
      bin.mates += c.mate ? 1 : 0;
      brier += (p - (c.mate ? 1 : 0)) ** 2;
      total++;
    }
  }
  const ece = bins.reduce((s, b) => s + (b.count === 0 ? 0 : Math.abs(b.predicted - b.mates)), 0) / total;
  calibration.push({ name, candidates: total, brier: brier / total, expectedCalibrationError: ece, bins: bins.map((b, i) => ({ from: i / 10, to: (i + 1) / 10, ...b })) });
  bins.forEach((b, i) => {
    if (b.count === 0) return;
    calibrationRows.push({ gallery: name, 'probability bin': `${(i / 10).toFixed(1)} – ${((i + 1) / 10).toFixed(1)}`, candidates: b.count, 'mean predicted': b.predicted / b.count, 'share same person': b.mates / b.count });
  });
  calibrationRows.push({ gallery: name, 'probability bin': 'all', candidates: total, 'mean predicted': `ECE ${ece.toFixed(4)}`, 'share same person': `Brier ${(brier / total).toFixed(4)}` });
}
results.calibration = calibration;
printTable(`Candidate probabilities: top ${CANDIDATES} of every probe, predicted against the share that are the probe's own person (prior = the fold's share of enrolled probes)`, calibrationRows);

results.openSetModel = model;
writeResult(values.out, results);

if (values['write-model']) {
  const path = 'src/recognition/open-set-models.ts';
  // Plain object syntax (keys unquoted, single-line tables) so the file reads as code.
  const data = JSON.stringify({ ...model, far: model.far.map((x) => Number(x.toPrecision(6))) })
    .replace(/"([a-zA-Z]+)":/g, '$1: ')
    .replace(/"/g, "'")
    .replace(/,(?=[a-zA-Z])/g, ', ');
  writeFileSync(
    path,
    `/**
 * Fitted open-set models, one per face model (src/recognition/open-set.ts explains their use). Written by
 * \`${results.command as string}\` (bench/results/open-set.json) on ${new Date().toISOString().slice(0, 10)}:
 * model ${MODEL} (no flip, the face nearest the centre), every photo of LFW-a (${n} of ${photos.length} embedded),
 * ${impostorPairs.toLocaleString('en-US')} impostor pairs (${WEIGHTING} weighting) (${duplicates.length} at distance < ${DUPLICATE_BELOW} left out as duplicates or label errors) and
 * ${genuine.length.toLocaleString('en-US')} genuine pairs. Tail: the ${tail.excesses.toLocaleString('en-US')} impostor pairs below u = ${tail.threshold.toFixed(4)}, generalized Pareto by maximum likelihood,
 * ξ = ${tail.xi.toFixed(4)} (95 % bootstrap over people ${(results.tail as { bootstrap: { xi: { low: number; high: number } } }).bootstrap.xi.low.toFixed(3)} – ${(results.tail as { bootstrap: { xi: { low: number; high: number } } }).bootstrap.xi.high.toFixed(3)}). Do not edit by hand: rerun the bench.
 * Models absent from this list keep their registry's fixed identification threshold.
 */
import type { OpenSetModel } from './open-set.js';

export const OPEN_SET_MODELS: readonly OpenSetModel[] = [
  ${data},
];
`,
  );
  console.log(`model written to ${path}`);
}
