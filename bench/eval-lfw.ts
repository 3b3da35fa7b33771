/**
 * LFW verification evaluation: View 2 (10-fold accuracy, ROC, TAR at FAR) and View 1
 * (threshold calibration, confidence fit) for one model, with the real pipeline.
 *
 *   npx tsx bench/eval-lfw.ts --data ../shared/datasets/lfw [--model NAME] [--metric cosine]...
 *       [--limit N] [--workers 2] [--flip] [--select central|largest|confident] [--out bench/results/lfw-<model>.json]
 *
 * Prints a table, writes the JSON, and a ROC plot with every full LFW result of the folder.
 */
import { dirname, join } from 'node:path';
import { calibrateThreshold } from '../src/face/eval/threshold.js';
import { summarizeVerification } from '../src/face/eval/verification-summary.js';
import type { DistanceMetric } from '../src/face/types.js';
import { embedDataset, parseEvalArgs, writeResults } from './lib/eval-cli.js';
import { plotMetric, readResults, runName, type LfwMetricResult, type LfwResults } from './lib/results.js';
import { printTable } from './lib/report.js';
import { confidenceReport, describeError, distinctImages, percent, readPairsFile, scorePairs, worstErrors } from './lib/verification-eval.js';
import { at, entry } from '../src/util/checked.js';

const PROTOCOL = ['pairs.csv', 'pairsDevTrain.csv', 'pairsDevTest.csv'] as const;
const args = parseEvalArgs({ script: 'eval-lfw', dataset: 'LFW', defaultData: '../shared/datasets/lfw', requiredFiles: [...PROTOCOL, 'images'] });

const readProtocol = (file: string) => readPairsFile(join(args.data, file), args.limit);
const [view2, devTrain, devTest] = [readProtocol(PROTOCOL[0]), readProtocol(PROTOCOL[1]), readProtocol(PROTOCOL[2])];
const view2Images = distinctImages(view2);
const { run, stats } = await embedDataset(args, distinctImages(view2, devTrain, devTest), 'LFW');

const metrics: Partial<Record<DistanceMetric, LfwMetricResult>> = {};
for (const metric of args.metrics) {
  const train = scorePairs(devTrain, run.embeddings, metric);
  const scored = scorePairs(view2, run.embeddings, metric);
  const calibration = calibrateThreshold(train, scorePairs(devTest, run.embeddings, metric));
  metrics[metric] = {
    view2: summarizeVerification(scored),
    calibration,
    confidence: confidenceReport(train),
    worstErrors: worstErrors(view2, scored, calibration.threshold, 20),
  };
}
const report: LfwResults = {
  kind: 'lfw',
  model: args.model,
  flip: args.flip,
  select: args.select,
  limit: args.limit ?? null,
  command: args.command,
  createdAt: new Date().toISOString(),
  images: stats,
  view2Images: { images: view2Images.length, failed: view2Images.filter((i) => !run.embeddings.has(i)).length },
  metrics,
};

console.log(`\nLFW-a, ${args.name}: ${stats.images} images (View 2 + View 1), ${stats.msPerImage.toFixed(1)} ms/image wall-clock with ${stats.workers} workers`);
console.log(`detection failures: ${stats.failed} images (${percent(stats.failedShare, 3)}); of the View-2 images: ${report.view2Images.failed} of ${report.view2Images.images}`);
for (const f of stats.failures.slice(0, 10)) console.log(`  ${f.image}: ${f.code}`);
printTable(`LFW-a View 2 (10-fold) and View 1 (calibration), ${args.name}`, Object.entries(metrics).map(([metric, r]) => ({
  metric,
  'View 2 acc ± std': `${percent(r.view2.accuracy.mean)} ± ${percent(r.view2.accuracy.sampleStd)}`,
  'found-only acc': percent(r.view2.accuracyFound.mean),
  'failed pairs': r.view2.failedPairs,
  AUC: r.view2.roc.auc.toFixed(5),
  'TAR@FAR 1e-3': percent(at(r.view2.tarAtFar, 0).tar),
  'TAR@FAR 1e-2': percent(at(r.view2.tarAtFar, 1).tar),
  'View-1 threshold': r.calibration.threshold.toFixed(4),
  'DevTest acc': percent(r.calibration.testAccuracy),
  'conf a': r.confidence.a.toFixed(3),
  'conf b': r.confidence.b.toFixed(3),
})));
console.log('std: sample (n - 1). Failed pairs count as wrong answers in the accuracy and as errors in the ROC; "found-only" re-runs the 10 folds on the pairs whose faces were both found.');
console.log('confidence = 100 · σ(a · distance + b), fitted on pairsDevTrain.');
const shown = plotMetric(metrics);
console.log(`\nworst View-2 errors (${shown}, at the View-1 threshold):`);
for (const e of entry(metrics, shown).worstErrors.slice(0, 8)) console.log(`  ${describeError(e)}`);
console.log('');

const others = readResults(dirname(args.out), 'lfw').filter((r) => runName(r) !== args.name);
const series = [...others, report].map((r) => {
  const metric = plotMetric(r.metrics);
  const m = entry(r.metrics, metric);
  return { label: `${runName(r)} ${metric}: ${percent(m.view2.accuracy.mean)}, AUC ${m.view2.roc.auc.toFixed(4)}`, points: m.view2.roc.points };
});
const limited = args.limit === undefined ? '' : `, --limit ${args.limit}`;
await writeResults(args.out, report, { file: `roc-lfw-${args.name}.png`, title: `LFW-a View 2 ROC (${view2.length} pairs${limited})`, series, farResolution: at(entry(metrics, shown).view2.tarAtFar, 0).farResolution });
