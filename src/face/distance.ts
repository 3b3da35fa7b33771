/**
 * Distances between embeddings, as DeepFace defines them: a pair is "the same person" when
 * distance <= threshold. All take `ArrayLike<number>` of equal length (checked by the caller once).
 */
import { fvError } from '../errors.js';
import type { CalibratedMetric, DistanceMetric } from './types.js';

export const DISTANCE_METRICS: readonly DistanceMetric[] = Object.freeze(['cosine', 'euclidean', 'euclidean_l2', 'angular']);

/** 1 − cos(a, b): 0 for the same direction, 1 orthogonal, 2 opposite. @example cosineDistance([1, 0], [0, 2]) // → 1 */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === undefined || y === undefined) throw lengthMismatch(a, b);
    dot += x * y; na += x * x; nb += y * y;
  }
  const denom = Math.sqrt(na * nb);
  return denom === 0 ? 1 : 1 - dot / denom;
}

/** Straight-line distance. @example euclideanDistance([0, 0], [3, 4]) // → 5 */
export function euclideanDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x === undefined || y === undefined) throw lengthMismatch(a, b);
    const d = x - y;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** Euclidean distance of the L2-normalised vectors, √(2·cosine distance): 0 to 2. @example euclideanL2Distance([2, 0], [0, 5]) // → √2 */
export function euclideanL2Distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.sqrt(Math.max(0, 2 * cosineDistance(a, b)));
}

/**
 * DeepFace's angular distance: the angle between the vectors as a fraction of π, arccos(cos(a, b)) / π:
 * 0 for the same direction, 0.5 orthogonal, 1 opposite. @example angularDistance([1, 0], [0, 2]) // → 0.5
 */
export function angularDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return angularFromCosine(cosineDistance(a, b));
}

/**
 * The loops above read `a[i]` and `b[i]` for i below `a.length`, checking each read (a typed-array
 * read in range is never undefined, so the check costs nothing measurable): a shorter `b` or a
 * hole is a caller's bug, thrown as FV_ERR_INTERNAL rather than returned as NaN.
 */
function lengthMismatch(a: ArrayLike<number>, b: ArrayLike<number>): Error {
  return fvError('FV_ERR_INTERNAL', `vectors of length ${a.length} and ${b.length} (or with holes) cannot be compared`, { lengths: [a.length, b.length] });
}

const BY_METRIC: Record<DistanceMetric, (a: ArrayLike<number>, b: ArrayLike<number>) => number> = {
  cosine: cosineDistance,
  euclidean: euclideanDistance,
  euclidean_l2: euclideanL2Distance,
  angular: angularDistance,
};

function angularFromCosine(cosine: number): number {
  return Math.acos(Math.min(1, Math.max(-1, 1 - cosine))) / Math.PI;
}

/**
 * A cosine distance between unit vectors (embeddings and gallery matches are unit length) in
 * another metric; each is a monotone function of the cosine distance, so a threshold converted
 * the same way decides every pair alike.
 * @example fromCosineDistance(1, 'euclidean_l2') // → √2; fromCosineDistance(1, 'angular') // → 0.5
 */
export function fromCosineDistance(cosine: number, metric: DistanceMetric): number {
  if (metric === 'cosine') return cosine;
  if (metric === 'angular') return angularFromCosine(cosine);
  return Math.sqrt(Math.max(0, 2 * cosine));
}

/** The inverse of {@link fromCosineDistance}: the cosine distance of unit vectors at `d` in `metric`. */
export function toCosineDistance(d: number, metric: DistanceMetric): number {
  if (metric === 'cosine') return d;
  if (metric === 'angular') return 1 - Math.cos(Math.min(1, Math.max(0, d)) * Math.PI);
  return (d * d) / 2;
}

/**
 * The verification threshold of `metric` from a model's calibrated thresholds; angular's is the
 * cosine threshold converted (the same pairs are verified).
 * @example thresholdFor({ cosine: 0.68, euclidean: 1.17, euclidean_l2: 1.17 }, 'angular') // → 0.3963
 */
export function thresholdFor(thresholds: Readonly<Record<CalibratedMetric, number>>, metric: DistanceMetric): number {
  return metric === 'angular' ? fromCosineDistance(thresholds.cosine, 'angular') : thresholds[metric];
}

/**
 * The verification confidence (0-100, 50 at the threshold) of a distance in `metric`, with the
 * model's logistic slopes; angular distances are scored as their cosine equivalents.
 */
export function confidenceFor(d: number, threshold: number, metric: DistanceMetric, slopes: Readonly<Record<CalibratedMetric, number>>): number {
  if (metric !== 'angular') return confidenceFromDistance(d, threshold, slopes[metric]);
  return confidenceFromDistance(toCosineDistance(d, 'angular'), toCosineDistance(threshold, 'angular'), slopes.cosine);
}

export function distance(a: ArrayLike<number>, b: ArrayLike<number>, metric: DistanceMetric): number {
  return BY_METRIC[metric](a, b);
}

/** @throws FV_ERR_MODEL_UNKNOWN naming the allowed metrics when `name` is not one. */
export function parseMetric(name: string): DistanceMetric {
  if ((DISTANCE_METRICS as readonly string[]).includes(name)) return name as DistanceMetric;
  throw fvError('FV_ERR_MODEL_UNKNOWN', `Unknown distance metric "${name}"; allowed: ${DISTANCE_METRICS.join(', ')}`, { metric: name, allowed: DISTANCE_METRICS });
}

/** A unit-length copy of `v` (a zero vector stays zero). */
export function l2Normalize(v: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === undefined) throw lengthMismatch(v, v);
    sum += x * x;
  }
  const k = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === undefined) throw lengthMismatch(v, v);
    out[i] = x * k;
  }
  return out;
}

/**
 * Verification confidence 0-100 from a distance: 100 / (1 + e^(k·(distance − threshold))).
 * Monotone (smaller distance, higher confidence), exactly 50 at the threshold, so `verified`
 * and `confidence > 50` agree; `k` per model and metric comes from a logistic fit on LFW View 1.
 * @example confidenceFromDistance(0.3, 0.6, 20) // → 99.75
 */
export function confidenceFromDistance(distance: number, threshold: number, k: number): number {
  return 100 / (1 + Math.exp(k * (distance - threshold)));
}
