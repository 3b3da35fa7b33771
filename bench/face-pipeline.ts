/**
 * The face pipeline core on LFW-a: speed of one image in one thread (decode + detect + align +
 * embed), throughput of the worker pool, and a quick LFW View-1 accuracy that gives the
 * registry its provisional thresholds (the 10-fold View-2 figure is bench/eval-lfw.ts's job).
 *
 *   npx tsx bench/face-pipeline.ts --speed                 # ms/image one thread, faces/s on 2 workers (200 images)
 *   npx tsx bench/face-pipeline.ts --calibrate             # View 1: thresholds on pairsDevTrain, accuracy on pairsDevTest
 *   npx tsx bench/face-pipeline.ts --calibrate --flip      # the same with flip-averaged embeddings
 *   npx tsx bench/face-pipeline.ts --speed --model fusion  # another registry model (default faceplugin-arcface)
 *   npx tsx bench/face-pipeline.ts --stages                # where one thread's CPU goes per DeepFace photo, stage by stage
 *   options: --datasets DIR (default ../shared/datasets or $FACEVAULT_DATASETS), --images N, --workers N, --limit PAIRS,
 *            --rounds N (--stages: passes over the photos, default 3)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ARCFACE_TEMPLATE_112, ImagePyramid, similarityTransform, type Affine, type FaceImage, type WarpRequest } from '../src/face/align.js';
import { resolveDetector } from '../src/face/detect/registry.js';
import { distance } from '../src/face/distance.js';
import { EncodedPhoto, openImage } from '../src/face/image.js';
import { resolveModel } from '../src/face/models/registry.js';
import { overviewSize, ShrunkPhoto } from '../src/face/photo.js';
import { FacePipeline } from '../src/face/pipeline.js';
import type { DistanceMetric, RgbImage } from '../src/face/types.js';
import { machineFacts, parseArgs, printTable, writeResult, type Row } from './lib/report.js';
import { at, defined } from '../src/util/checked.js';

const args = parseArgs(process.argv.slice(2));
const datasets = resolve(String(args.datasets ?? process.env.FACEVAULT_DATASETS ?? '../shared/datasets'));
const lfw = join(datasets, 'lfw');
if ((args.speed || args.calibrate) && !existsSync(join(lfw, 'pairsDevTrain.csv'))) {
  console.error(`LFW not found at ${lfw}: pass --datasets DIR or set FACEVAULT_DATASETS`);
  process.exit(1);
}
const WORKERS = Number(args.workers ?? 2);
const FLIP = args.flip === true;
const MODEL = resolveModel(args.model === undefined ? undefined : String(args.model)).info.name;
const REPRESENT = { maxFaces: 1, select: 'central', flip: FLIP } as const;
const METRICS: readonly DistanceMetric[] = ['cosine', 'euclidean', 'euclidean_l2'];
const results: Record<string, unknown> = { machine: machineFacts(), command: `npx tsx bench/face-pipeline.ts ${process.argv.slice(2).join(' ')}`, model: MODEL, flip: FLIP };

interface Pair {
  readonly a: string;
  readonly b: string;
  readonly same: boolean;
}

function readPairs(file: string): Pair[] {
  const rows = readFileSync(join(lfw, file), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  const pairs = rows.map((row) => ({ a: at(row, 0), b: at(row, 1), same: row[2] === '1' }));
  if (args.limit === undefined) return pairs;
  const half = Number(args.limit) / 2;
  return [...pairs.filter((p) => p.same).slice(0, half), ...pairs.filter((p) => !p.same).slice(0, half)];
}

const imagePath = (name: string) => join(lfw, 'images', name);

async function speed(): Promise<void> {
  const names = [...new Set(readPairs('pairsDevTrain.csv').flatMap((p) => [p.a, p.b]))].slice(0, Number(args.images ?? 200));
  const inThread = await FacePipeline.create({ model: MODEL, workers: 0 });
  for (const name of names.slice(0, 10)) await inThread.represent(imagePath(name), REPRESENT); // warm-up
  const times: number[] = [];
  for (const name of names) {
    const t = performance.now();
    await inThread.represent(imagePath(name), REPRESENT);
    times.push(performance.now() - t);
  }
  await inThread.close();
  times.sort((x, y) => x - y);
  const pooled = await FacePipeline.create({ model: MODEL, workers: WORKERS });
  await pooled.represent(names.slice(0, 10).map(imagePath), REPRESENT);
  const t = performance.now();
  const reps = await pooled.represent(names.map(imagePath), REPRESENT);
  const seconds = (performance.now() - t) / 1000;
  await pooled.close();
  const faces = reps.reduce((n, r) => n + r.length, 0);
  const rows: Row[] = [
    { what: 'ms/image, one thread (median)', value: +at(times, times.length >> 1).toFixed(1) },
    { what: 'ms/image, one thread (mean)', value: +(times.reduce((s, x) => s + x, 0) / times.length).toFixed(1) },
    { what: `faces/s, pool of ${WORKERS} workers`, value: +(faces / seconds).toFixed(1) },
  ];
  printTable(`Speed of ${MODEL} on ${names.length} LFW-a images (250×250, one face each), flip ${FLIP}`, rows);
  results.speed = { images: names.length, rows };
}

/** The threshold maximising accuracy on `pairs` (midpoints between sorted distances). */
function bestThreshold(scored: readonly { d: number; same: boolean }[]): { threshold: number; accuracy: number } {
  const sorted = [...scored].sort((x, y) => x.d - y.d);
  let correct = scored.filter((p) => !p.same).length; // threshold below every distance: all "different"
  let best = { threshold: at(sorted, 0).d - 1e-6, accuracy: correct / scored.length };
  for (const [i, pair] of sorted.entries()) {
    correct += pair.same ? 1 : -1;
    const next = sorted[i + 1];
    const threshold = next ? (pair.d + next.d) / 2 : pair.d + 1e-6;
    if (correct / scored.length > best.accuracy) best = { threshold, accuracy: correct / scored.length };
  }
  return best;
}

/** Steepness k of P(same) = 1 / (1 + e^(k·(d − threshold))) by maximum likelihood over a grid. */
function logisticSlope(scored: readonly { d: number; same: boolean }[], threshold: number): number {
  let best = { k: 1, ll: -Infinity };
  for (let k = 1; k <= 200; k += 0.5) {
    let ll = 0;
    for (const { d, same } of scored) {
      const p = 1 / (1 + Math.exp(k * (d - threshold)));
      ll += Math.log(Math.max(1e-12, same ? p : 1 - p));
    }
    if (ll > best.ll) best = { k, ll };
  }
  return best.k;
}

async function calibrate(): Promise<void> {
  const train = readPairs('pairsDevTrain.csv');
  const test = readPairs('pairsDevTest.csv');
  const names = [...new Set([...train, ...test].flatMap((p) => [p.a, p.b]))];
  const pipeline = await FacePipeline.create({ model: MODEL, workers: WORKERS });
  const started = performance.now();
  const embeddings = new Map<string, Float32Array>();
  const failures: { image: string; code: string }[] = [];
  await Promise.all(
    names.map(async (name) => {
      try {
        const [face] = await pipeline.represent(imagePath(name), REPRESENT);
        embeddings.set(name, defined(face, `a face in ${name}`).embedding);
      } catch (err) {
        failures.push({ image: name, code: (err as { code?: string }).code ?? String(err) });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pipeline.close();
  // A pair with a failed image counts as wrong whatever the threshold (distance +∞ for "same", −∞ for "different").
  const score = (pairs: readonly Pair[], metric: DistanceMetric) =>
    pairs.map(({ a, b, same }) => {
      const ea = embeddings.get(a), eb = embeddings.get(b);
      return { same, d: ea && eb ? distance(ea, eb, metric) : same ? Infinity : -Infinity };
    });
  const rows: Row[] = METRICS.map((metric) => {
    const fitted = bestThreshold(score(train, metric).filter((p) => Number.isFinite(p.d)));
    const accuracy = (pairs: readonly Pair[]) => score(pairs, metric).filter((p) => p.d <= fitted.threshold === p.same).length / pairs.length;
    return {
      metric,
      threshold: +fitted.threshold.toFixed(4),
      'DevTrain acc %': +(accuracy(train) * 100).toFixed(2),
      'DevTest acc %': +(accuracy(test) * 100).toFixed(2),
      'confidence slope k': logisticSlope(score(train, metric).filter((p) => Number.isFinite(p.d)), fitted.threshold),
    };
  });
  printTable(`LFW-a View 1 (${train.length} train / ${test.length} test pairs, ${names.length} images, ${failures.length} without a face, ${(names.length / seconds).toFixed(1)} images/s on ${WORKERS} workers), flip ${FLIP}`, rows);
  if (failures.length) console.log('failures:', failures);
  results.calibration = { pairs: { train: train.length, test: test.length }, images: names.length, failures, rows };
}

/** CPU milliseconds of this process (every thread: sharp decodes on libuv's), for one stage at a time. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Where one thread's time goes per photo on the DeepFace set (issue 15): each stage of
 * represent(largest face) timed alone in CPU time, for large photos decoded small (the default)
 * and decoded whole. The stages are the engine's own functions, called in its order; the photo's
 * warps and `prepare` are timed where the detector and the alignment call them, so the detector's
 * and the landmark model's inference are what remains of detection.
 */
async function stages(): Promise<void> {
  const deepface = join(datasets, 'deepface');
  if (!existsSync(join(deepface, 'identities.csv'))) throw new Error(`DeepFace set not found at ${deepface}: pass --datasets DIR`);
  const photos = readFileSync(join(deepface, 'identities.csv'), 'utf8').trim().split('\n').slice(1).map((line) => readFileSync(join(deepface, 'images', at(line.split(','), 0))));
  const rounds = Number(args.rounds ?? 3);
  const detector = await resolveDetector().create({ threads: 1 });
  const entry = resolveModel(MODEL);
  if (entry.kind === 'fusion') throw new Error('--stages takes a single network, not a fusion');
  const model = await entry.create(entry, { threads: 1 });
  await model.load();
  const modes: Record<string, Record<string, number>> = {};
  for (const shrink of [true, false]) {
    const spent: Record<string, number> = {};
    const add = (stage: string, ms: number) => (spent[stage] = (spent[stage] ?? 0) + ms);
    const timed = async <T>(stage: string, run: () => Promise<T> | T): Promise<T> => {
      const started = cpuMs();
      try {
        return await run();
      } finally {
        add(stage, cpuMs() - started);
      }
    };
    /** The photo with its warps and prepare timed, by the size of what is warped. */
    const watched = (image: FaceImage): FaceImage => ({
      width: image.width,
      height: image.height,
      prepare: (requests: readonly WarpRequest[]) => timed('pieces (prepare)', () => image.prepare(requests)),
      warp: (forward: Affine, width: number, height: number): RgbImage => {
        const started = cpuMs();
        const out = image.warp(forward, width, height);
        add(`warp to ${width}×${height}`, cpuMs() - started);
        return out;
      },
    });
    const one = async (bytes: Uint8Array) => {
      const opened = await timed('open (format, size, ICC check)', () => openImage(bytes));
      const size = shrink && opened instanceof EncodedPhoto ? overviewSize(opened) : undefined;
      const image = watched(
        size && opened instanceof EncodedPhoto
          ? await timed('decode: overview (shrink-on-load)', () => ShrunkPhoto.open(opened, size))
          : await timed('decode: whole photo', async () => new ImagePyramid(opened instanceof EncodedPhoto ? await opened.decode() : opened)),
      );
      const before = { ...spent };
      const found = await timed('detection (all of it)', () => detector.detect(image, { scoreThreshold: 0.5, tiles: false }));
      const inner = ['warp to 320×240', 'warp to 64×64', 'pieces (prepare)'].reduce((sum, stage) => sum + (spent[stage] ?? 0) - (before[stage] ?? 0), 0);
      add('detector + landmark models', (spent['detection (all of it)'] ?? 0) - (before['detection (all of it)'] ?? 0) - inner);
      const face = [...found].sort((p, q) => q.facialArea.w * q.facialArea.h - p.facialArea.w * p.facialArea.h)[0];
      if (!face) return;
      const forward = similarityTransform(face.landmarks, ARCFACE_TEMPLATE_112.points);
      await image.prepare([{ forward, width: 112, height: 112 }]);
      const crop = image.warp(forward, 112, 112);
      await timed('embedding model', () => model.embed([crop]));
    };
    for (const bytes of photos.slice(0, 8)) await one(bytes); // warm-up
    for (const stage of Object.keys(spent)) delete spent[stage];
    const started = cpuMs();
    for (let round = 0; round < rounds; round++) for (const bytes of photos) await one(bytes);
    const total = cpuMs() - started;
    delete spent['detection (all of it)'];
    const n = rounds * photos.length;
    modes[shrink ? 'shrink-on-load' : 'whole decode'] = { ...Object.fromEntries(Object.entries(spent).map(([stage, ms]) => [stage, ms / n])), total: total / n };
  }
  await detector.dispose();
  await model.dispose();
  const names = [...new Set(Object.values(modes).flatMap((m) => Object.keys(m)))].filter((stage) => stage !== 'total');
  const rows: Row[] = [...names, 'total'].map((stage) => ({
    stage,
    ...Object.fromEntries(Object.entries(modes).flatMap(([mode, spent]) => [
      [`${mode}: CPU ms a photo`, +(spent[stage] ?? 0).toFixed(2)],
      [`${mode}: share`, `${((100 * (spent[stage] ?? 0)) / (spent.total ?? 1)).toFixed(1)} %`],
    ])),
  }));
  printTable(`One thread's CPU per DeepFace photo (${photos.length} photos × ${rounds} rounds, largest face), ${MODEL}`, rows);
  console.log('"total" is every CPU millisecond of the rounds, so it also holds what no stage names (selection, similarity fits, awaits).');
  results.stages = { photos: photos.length, rounds, cpuMsPerPhoto: modes, rows };
}

if (args.speed) await speed();
if (args.calibrate) await calibrate();
if (args.stages) await stages();
if (!args.speed && !args.calibrate && !args.stages) console.log('nothing to do: pass --speed, --calibrate and/or --stages');
else writeResult(join('bench', 'results', `face-pipeline${MODEL === resolveModel().info.name ? '' : `-${MODEL}`}${args.speed ? '-speed' : ''}${args.calibrate ? '-calibrate' : ''}${args.stages ? '-stages' : ''}${FLIP ? '-flip' : ''}.json`), results);
