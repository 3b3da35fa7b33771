/**
 * Glue shared by the verification benches: protocol files in, distances per metric out, and
 * the confidence fit in both forms the product may store.
 */
import { readFileSync } from 'node:fs';
import { distance } from '../../src/face/distance.js';
import { fitConfidenceLogistic, type ConfidenceFit } from '../../src/face/eval/logistic.js';
import { parsePairsCsv, type ImagePair } from '../../src/face/eval/pairs-csv.js';
import { stratifiedSample } from '../../src/face/eval/stratify.js';
import type { FoldedPair, ScoredPair } from '../../src/face/eval/types.js';
import type { DistanceMetric } from '../../src/face/types.js';
import { at } from '../../src/util/checked.js';

/** Reads a pairs CSV; with `limit`, keeps that many pairs spread over every fold and both kinds. */
export function readPairsFile(path: string, limit?: number): ImagePair[] {
  const pairs = parsePairsCsv(readFileSync(path, 'utf8'));
  return limit === undefined ? pairs : stratifiedSample(pairs, limit);
}

/** The distinct images of some pair lists, in first-seen order. */
export function distinctImages(...lists: readonly (readonly ImagePair[])[]): string[] {
  return [...new Set(lists.flat().flatMap((p) => [p.imgA, p.imgB]))];
}

/** Distance per pair; null when either image has no embedding (its face was not found). */
export function scorePairs(pairs: readonly ImagePair[], embeddings: ReadonlyMap<string, Float32Array>, metric: DistanceMetric): FoldedPair[] {
  return pairs.map((p) => {
    const a = embeddings.get(p.imgA);
    const b = embeddings.get(p.imgB);
    return { distance: a && b ? distance(a, b, metric) : null, same: p.same, fold: p.fold };
  });
}

/** A pair answered wrongly, for looking at the photos. */
export interface PairError {
  readonly imgA: string;
  readonly imgB: string;
  readonly same: boolean;
  /** null: no face found in one of the images. */
  readonly distance: number | null;
}

/** The pairs wrong at `threshold`, worst first: detection failures, then by distance beyond the threshold. */
export function worstErrors(pairs: readonly ImagePair[], scored: readonly ScoredPair[], threshold: number, count: number): PairError[] {
  const margin = (d: number | null) => (d === null ? Number.POSITIVE_INFINITY : Math.abs(d - threshold));
  return pairs
    .map((p, i) => ({ imgA: p.imgA, imgB: p.imgB, same: p.same, distance: at(scored, i).distance }))
    .filter((e) => e.distance === null || (e.distance <= threshold) !== e.same)
    .sort((x, y) => margin(y.distance) - margin(x.distance))
    .slice(0, count);
}

export function describeError(e: PairError): string {
  const kind = e.same ? 'same person rejected' : 'different people accepted';
  return `${e.imgA} × ${e.imgB}: ${e.distance === null ? 'no face found' : `${kind} at ${e.distance.toFixed(4)}`}`;
}

/**
 * The logistic fit, plus the registry's form of it, 100 / (1 + e^(slope·(distance − midpoint))):
 * slope = −a, midpoint = −b / a (the distance of confidence 50).
 */
export interface ConfidenceReport extends ConfidenceFit {
  readonly slope: number;
  readonly midpoint: number;
}

export function confidenceReport(pairs: readonly ScoredPair[]): ConfidenceReport {
  const fit = fitConfidenceLogistic(pairs);
  return { ...fit, slope: -fit.a, midpoint: -fit.b / fit.a };
}

/** Progress on stderr: one line rewritten each second on a terminal, a line every 10 % otherwise (logs). */
export function progressPrinter(label: string): (done: number, total: number) => void {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let lastPrinted = 0;
  return (done, total) => {
    const now = performance.now();
    const due = tty ? now - lastPrinted >= 1000 : Math.floor((done * 10) / total) > Math.floor(((done - 1) * 10) / total);
    if (done < total && !due) return;
    lastPrinted = now;
    const rate = (done / (now - started)) * 1000;
    const line = `${label}: ${done}/${total} images, ${rate.toFixed(1)}/s`;
    process.stderr.write(tty ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
  };
}

export const percent = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)} %`;
