/**
 * Chooses the weights of a fusion model on LFW-a View 1: embeds the View-1 images once with the
 * fusion, splits each fused vector back into its networks' unit embeddings, and for each weight
 * w of the first network (1 − w of the second) scores the weighted sum of cosine distances.
 * The weight kept is the most accurate on pairsDevTrain (ties: the larger DevTrain AUC);
 * pairsDevTest is only reported. View 2 is not read.
 *
 *   npx tsx bench/fusion-weights.ts --data ../shared/datasets/lfw [--model fusion-arcface-dlib] [--flip] [--workers 2] [--limit N]
 *
 * Prints the sweep and the registry facts of the chosen weight (thresholds, confidence slopes).
 */
import { join } from 'node:path';
import { cosineDistance } from '../src/face/distance.js';
import { rocCurve } from '../src/face/eval/roc.js';
import { accuracyAt, bestThreshold } from '../src/face/eval/threshold.js';
import type { ImagePair } from '../src/face/eval/pairs-csv.js';
import { networksOf, resolveModel } from '../src/face/models/registry.js';
import { embedDataset, parseEvalArgs } from './lib/eval-cli.js';
import { machineFacts, printTable, writeResult, type Row } from './lib/report.js';
import { runName } from './lib/results.js';
import { confidenceReport, distinctImages, percent, readPairsFile } from './lib/verification-eval.js';
import { at } from '../src/util/checked.js';

const parsed = parseEvalArgs({ script: 'fusion-weights', dataset: 'LFW View 1', defaultData: '../shared/datasets/lfw', requiredFiles: ['pairsDevTrain.csv', 'pairsDevTest.csv', 'images'] });
const fusion = resolveModel(process.argv.includes('--model') ? parsed.model : 'fusion-arcface-dlib');
if (fusion.kind !== 'fusion') throw new Error(`--model must name a fusion model; ${fusion.info.name} is a single network`);
const args = { ...parsed, model: fusion.info.name, name: runName({ ...parsed, model: fusion.info.name }) };
const networks = networksOf(fusion);
const [first, second] = [at(networks, 0), at(networks, 1)];
const [w0, w1] = [at(fusion.parts, 0).weight, at(fusion.parts, 1).weight];

const readProtocol = (file: string) => readPairsFile(join(args.data, file), args.limit);
const [train, test] = [readProtocol('pairsDevTrain.csv'), readProtocol('pairsDevTest.csv')];
const { run, stats } = await embedDataset(args, distinctImages(train, test), 'LFW View 1');

// Both networks' cosine distance per pair; a pair with a failed image stays null (wrong at any weight).
const cut = first.info.dimension;
const parts = (fused: Float32Array): [Float32Array, Float32Array] => [fused.subarray(0, cut).map((x) => x / Math.sqrt(w0)), fused.subarray(cut).map((x) => x / Math.sqrt(w1))];
const partDistances = (pairs: readonly ImagePair[]) =>
  pairs.map((p) => {
    const a = run.embeddings.get(p.imgA), b = run.embeddings.get(p.imgB);
    if (!a || !b) return { same: p.same, d: null };
    const [a0, a1] = parts(a), [b0, b1] = parts(b);
    return { same: p.same, d: [cosineDistance(a0, b0), cosineDistance(a1, b1)] as const };
  });
const trainParts = partDistances(train), testParts = partDistances(test);
const fused = (scored: typeof trainParts, w: number) => scored.map(({ same, d }) => ({ same, distance: d === null ? null : w * d[0] + (1 - w) * d[1] }));

const sweep = Array.from({ length: 19 }, (_, i) => Number(((i + 1) * 0.05).toFixed(2))).map((w) => {
  const { threshold, accuracy } = bestThreshold(fused(trainParts, w));
  return { w, threshold, trainAccuracy: accuracy, trainAuc: rocCurve(fused(trainParts, w)).auc, testAccuracy: accuracyAt(fused(testParts, w), threshold) };
});
const chosen = sweep.reduce((best, s) => (s.trainAccuracy > best.trainAccuracy || (s.trainAccuracy === best.trainAccuracy && s.trainAuc > best.trainAuc) ? s : best));

// Registry facts at the chosen weight: cosine as swept; euclidean = euclidean_l2 = √(2·cosine) on unit vectors.
const cosineTrain = fused(trainParts, chosen.w);
const l2Train = cosineTrain.map((p) => ({ ...p, distance: p.distance === null ? null : Math.sqrt(2 * Math.max(0, p.distance)) }));
const registry = {
  parts: [{ model: first.info.name, weight: chosen.w }, { model: second.info.name, weight: Number((1 - chosen.w).toFixed(2)) }],
  thresholds: { cosine: chosen.threshold, euclidean_l2: Math.sqrt(2 * chosen.threshold) },
  confidenceSlope: { cosine: confidenceReport(cosineTrain).slope, euclidean_l2: confidenceReport(l2Train).slope },
};

const rows: Row[] = sweep.map((s) => ({
  [`w ${first.info.name}`]: s.w,
  'DevTrain threshold': s.threshold.toFixed(4),
  'DevTrain acc': percent(s.trainAccuracy),
  'DevTrain AUC': s.trainAuc.toFixed(5),
  'DevTest acc': percent(s.testAccuracy),
  chosen: s === chosen ? '←' : '',
}));
printTable(`Fusion weights on LFW-a View 1, ${args.name} (${stats.images} images, ${stats.failed} failed, ${stats.msPerImage.toFixed(1)} ms/image with ${stats.workers} workers)`, rows);
console.log(`chosen: ${JSON.stringify(registry)}`);
writeResult(join('bench', 'results', `fusion-weights-${args.name}.json`), { machine: machineFacts(), command: args.command, images: stats, sweep, chosen, registry });
