/**
 * The JSON the verification benches write, and reading earlier ones back: to draw several
 * models on one ROC, and to carry a model's LFW View-1 threshold to another dataset.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Calibration } from '../../src/face/eval/threshold.js';
import type { ThresholdChoice } from '../../src/face/eval/types.js';
import type { VerificationSummary } from '../../src/face/eval/verification-summary.js';
import type { FaceSelection } from '../../src/face/detect/select.js';
import type { DistanceMetric } from '../../src/face/types.js';
import type { ImageFailure } from './embed-images.js';
import type { ConfidenceReport, PairError } from './verification-eval.js';

export interface ImageStats {
  readonly images: number;
  readonly failed: number;
  readonly failedShare: number;
  readonly failures: readonly ImageFailure[];
  /** Wall-clock milliseconds per image with `workers` worker threads (throughput, not latency). */
  readonly msPerImage: number;
  readonly workers: number;
}

/** What tells runs of one bench apart: the model and how faces were chosen and embedded. */
export interface RunSettings {
  readonly model: string;
  readonly flip: boolean;
  /** Which face of a photo is used. */
  readonly select: FaceSelection;
}

interface RunInfo extends RunSettings {
  /** Pairs per protocol file when the run was limited; null for the full protocol. */
  readonly limit: number | null;
  readonly command: string;
  readonly createdAt: string;
  readonly images: ImageStats;
}

export interface LfwMetricResult {
  /** View 2, 10-fold. */
  readonly view2: VerificationSummary;
  /** View 1: threshold chosen on pairsDevTrain, checked on pairsDevTest. */
  readonly calibration: Calibration;
  /** Logistic confidence fit on pairsDevTrain. */
  readonly confidence: ConfidenceReport;
  /** View-2 pairs wrong at the View-1 threshold, worst first (at most 20). */
  readonly worstErrors: readonly PairError[];
}

export interface LfwResults extends RunInfo {
  readonly kind: 'lfw';
  /** Images of the View-2 pairs, and how many of them failed. */
  readonly view2Images: { readonly images: number; readonly failed: number };
  readonly metrics: Partial<Record<DistanceMetric, LfwMetricResult>>;
}

export interface DeepfaceMetricResult {
  /** 10 stratified folds assigned in file order (the set has none of its own). */
  readonly crossValidation: VerificationSummary;
  /** Accuracy at the model registry's threshold: what a user gets by default. */
  readonly atRegistryThreshold: ThresholdChoice;
  /** Accuracy at the threshold calibrated on LFW View 1 by bench/eval-lfw.ts, when its JSON exists. */
  readonly atLfwThreshold: ThresholdChoice | null;
  /** The best threshold over all pairs, chosen on the pairs it scores (optimistic; shows how far the others are). */
  readonly inSampleBest: ThresholdChoice;
  /** Pairs wrong at the registry threshold, worst first (at most 20). */
  readonly worstErrors: readonly PairError[];
}

export interface DeepfaceResults extends RunInfo {
  readonly kind: 'deepface';
  readonly metrics: Partial<Record<DistanceMetric, DeepfaceMetricResult>>;
}

type Results = LfwResults | DeepfaceResults;

/** Every full-protocol result of one kind in a folder (`<kind>-*.json`; quick `--limit` runs are left out). */
export function readResults<K extends Results['kind']>(folder: string, kind: K): Extract<Results, { kind: K }>[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.startsWith(`${kind}-`) && f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as Results)
    .filter((r): r is Extract<Results, { kind: K }> => r.kind === kind && r.limit === null);
}

/** The run's name in file names and legends: the model, then what differs from the defaults. */
export function runName(run: RunSettings): string {
  return [run.model, ...(run.flip ? ['flip'] : []), ...(run.select === DEFAULT_SELECT ? [] : [run.select])].join('-');
}

/** LFW's subject is the face nearest the centre of its 250×250 crop. */
export const DEFAULT_SELECT: FaceSelection = 'central';

/** The metric a run is plotted by: cosine when it was measured. */
export function plotMetric(metrics: Partial<Record<DistanceMetric, unknown>>): DistanceMetric {
  return metrics.cosine ? 'cosine' : (Object.keys(metrics)[0] as DistanceMetric);
}
