/**
 * Verification on the DeepFace test set: its 520 stated pairs (140 same, 380 different), 61
 * colour photos of mixed sizes and formats, some with several faces (the central one is used).
 *
 *   npx tsx bench/eval-deepface.ts --data ../shared/datasets/deepface [--model NAME] [--metric cosine]...
 *       [--workers 2] [--flip] [--select central|largest|confident] [--lfw-results bench/results/lfw-<model>.json] [--out bench/results/deepface-<model>.json]
 *
 * Reports the accuracy a user gets at the registry threshold and at the LFW View-1 threshold
 * (the transfer test), 10-fold accuracy on stratified folds, AUC and TAR at FAR.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stratifiedFolds } from '../src/face/eval/stratify.js';
import { accuracyAt, bestThreshold } from '../src/face/eval/threshold.js';
import { summarizeVerification } from '../src/face/eval/verification-summary.js';
import { thresholdFor } from '../src/face/distance.js';
import { resolveModel } from '../src/face/models/registry.js';
import type { DistanceMetric } from '../src/face/types.js';
import { embedDataset, parseEvalArgs, writeResults } from './lib/eval-cli.js';
import { DEFAULT_SELECT, plotMetric, readResults, runName, type DeepfaceMetricResult, type DeepfaceResults, type LfwResults } from './lib/results.js';
import { printTable } from './lib/report.js';
import { describeError, distinctImages, percent, readPairsFile, scorePairs, worstErrors } from './lib/verification-eval.js';
import { at as checkedAt, entry } from '../src/util/checked.js';

const args = parseEvalArgs({ script: 'eval-deepface', dataset: 'DeepFace test set', defaultData: '../shared/datasets/deepface', requiredFiles: ['pairs.csv', 'images'] }, ['lfw-results']);
// The threshold belongs to the model (and flip); LFW is always run on its central face.
const lfwPath = args.extra['lfw-results'] ?? `bench/results/lfw-${runName({ ...args, select: DEFAULT_SELECT })}.json`;
const lfw = existsSync(lfwPath) ? (JSON.parse(readFileSync(lfwPath, 'utf8')) as LfwResults) : undefined;
const registryThresholds = resolveModel(args.model).info.thresholds;

// The set has no folds: deal them, each kind of pair separately, in file order.
const pairs = stratifiedFolds(readPairsFile(join(args.data, 'pairs.csv'), args.limit), 10);
const { run, stats } = await embedDataset(args, distinctImages(pairs), 'DeepFace');

const metrics: Partial<Record<DistanceMetric, DeepfaceMetricResult>> = {};
for (const metric of args.metrics) {
  const scored = scorePairs(pairs, run.embeddings, metric);
  const lfwThreshold = lfw?.metrics[metric]?.calibration.threshold;
  const registryThreshold = thresholdFor(registryThresholds, metric);
  metrics[metric] = {
    crossValidation: summarizeVerification(scored),
    atRegistryThreshold: { threshold: registryThreshold, accuracy: accuracyAt(scored, registryThreshold) },
    atLfwThreshold: lfwThreshold === undefined ? null : { threshold: lfwThreshold, accuracy: accuracyAt(scored, lfwThreshold) },
    inSampleBest: bestThreshold(scored),
    worstErrors: worstErrors(pairs, scored, registryThreshold, 20),
  };
}
const report: DeepfaceResults = { kind: 'deepface', model: args.model, flip: args.flip, select: args.select, limit: args.limit ?? null, command: args.command, createdAt: new Date().toISOString(), images: stats, metrics };

console.log(`\nDeepFace test set, ${args.name}: ${pairs.length} pairs, ${stats.images} images, ${stats.msPerImage.toFixed(1)} ms/image wall-clock with ${stats.workers} workers`);
console.log(`failures: ${stats.failed} images (${percent(stats.failedShare, 1)})`);
for (const f of stats.failures) console.log(`  ${f.image}: ${f.code}`);
const at = (c: { threshold: number; accuracy: number } | null) => (c ? `${percent(c.accuracy)} @ ${c.threshold.toFixed(4)}` : 'no LFW result');
printTable(`DeepFace test set, ${args.name}`, Object.entries(metrics).map(([metric, r]) => ({
  metric,
  'at registry threshold': at(r.atRegistryThreshold),
  'at LFW View-1 threshold': at(r.atLfwThreshold),
  'best in-sample': at(r.inSampleBest),
  '10-fold acc ± std': `${percent(r.crossValidation.accuracy.mean)} ± ${percent(r.crossValidation.accuracy.sampleStd)}`,
  'found-only acc': percent(r.crossValidation.accuracyFound.mean),
  AUC: r.crossValidation.roc.auc.toFixed(5),
  'TAR@FAR 1e-2': percent(checkedAt(r.crossValidation.tarAtFar, 1).tar),
})));
console.log(`accuracy @ threshold; failed pairs count as wrong. ${lfw ? `LFW thresholds from ${lfwPath}.` : `No ${lfwPath}: run bench/eval-lfw.ts first for the transfer column.`}`);
console.log(`Folds are dealt in file order and pairs share images, so folds are not independent. TAR at FAR 1e-3 is not resolvable with 380 different pairs (1 pair = 2.6e-3): in the JSON only.\n`);

const shown = plotMetric(metrics);
console.log(`errors (${shown}, at the registry threshold):`);
for (const e of entry(metrics, shown).worstErrors) console.log(`  ${describeError(e)}`);
console.log('');

const others = readResults(dirname(args.out), 'deepface').filter((r) => runName(r) !== args.name);
const series = [...others, report].map((r) => {
  const metric = plotMetric(r.metrics);
  const m = entry(r.metrics, metric);
  return { label: `${runName(r)} ${metric}: AUC ${m.crossValidation.roc.auc.toFixed(4)}`, points: m.crossValidation.roc.points };
});
await writeResults(args.out, report, { file: `roc-deepface-${args.name}.png`, title: `DeepFace test set ROC (${pairs.length} stated pairs)`, series, farResolution: checkedAt(entry(metrics, shown).crossValidation.tarAtFar, 0).farResolution });
