import { fvError } from '../../errors.js';
import type { ScoredPair } from './types.js';

/** P(same | distance) = σ(a · distance + b), with a < 0 so that confidence falls as distance grows. */
export interface ConfidenceFit {
  readonly a: number;
  readonly b: number;
}

// A whisper of L2 penalty on the standardised slope keeps Newton finite when the classes are
// separable (a good model on easy pairs), where the unpenalised fit runs to an infinite slope.
const RIDGE = 1e-3;
const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-10;

/**
 * Fits the confidence mapping of a model and metric: a 1-D logistic regression of same/different
 * on distance, by Newton's method, over the pairs whose faces were found (DeepFace fits one per
 * model the same way). Fit it on a development set with as many same as different pairs (LFW
 * View 1): the intercept absorbs the share of same pairs, so the confidence is 50 near the
 * threshold only when both kinds are equally common.
 *
 * @example fitConfidenceLogistic([...3 × { distance: 0, same: true }, { distance: 0, same: false },
 *   { distance: 1, same: true }, ...3 × { distance: 1, same: false }]) // ≈ { a: -2.197, b: 1.099 } (−2 ln 3, ln 3)
 * @throws FV_ERR_INVALID_ARGUMENT when fewer than two distinct distances or one kind of pair is present,
 *   or when same-person pairs are not closer than different-person pairs (a >= 0).
 */
export function fitConfidenceLogistic(pairs: readonly ScoredPair[]): ConfidenceFit {
  const found = pairs.filter((p): p is ScoredPair & { distance: number } => p.distance !== null);
  const n = found.length;
  const sameCount = found.reduce((s, p) => s + (p.same ? 1 : 0), 0);
  const mean = found.reduce((s, p) => s + p.distance, 0) / n;
  const scale = Math.sqrt(found.reduce((s, p) => s + (p.distance - mean) ** 2, 0) / n);
  // With no pairs, mean and scale are NaN and fail the scale test too.
  if (sameCount === 0 || sameCount === n || !(scale > 0)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `a confidence fit needs both kinds of pair and two distinct distances; got ${n} pairs, ${sameCount} same`, { pairs: n, same: sameCount });
  }
  // Newton on standardised distances z = (d - mean) / scale: well conditioned whatever the metric's range.
  let slope = 0;
  let intercept = Math.log(sameCount / (n - sameCount));
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    let gSlope = RIDGE * slope;
    let gIntercept = 0;
    let hSS = RIDGE;
    let hSI = 0;
    let hII = 0;
    for (const p of found) {
      const z = (p.distance - mean) / scale;
      const prob = sigmoid(slope * z + intercept);
      const residual = prob - (p.same ? 1 : 0);
      const weight = prob * (1 - prob);
      gSlope += residual * z;
      gIntercept += residual;
      hSS += weight * z * z;
      hSI += weight * z;
      hII += weight;
    }
    const det = hSS * hII - hSI * hSI;
    const stepSlope = (hII * gSlope - hSI * gIntercept) / det;
    const stepIntercept = (hSS * gIntercept - hSI * gSlope) / det;
    slope -= stepSlope;
    intercept -= stepIntercept;
    if (Math.abs(stepSlope) + Math.abs(stepIntercept) < TOLERANCE) break;
  }
  const a = slope / scale;
  if (!(a < 0)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `same-person pairs must have smaller distances than different-person pairs; the fitted slope is ${a}`, { a });
  }
  return { a, b: intercept - (slope * mean) / scale };
}

/**
 * Confidence 0-100 that a pair at `distance` shows one person: 100 · σ(a · distance + b).
 *
 * @example logisticConfidence({ a: -10, b: 5 }, 0.5) // 50
 */
export function logisticConfidence(fit: ConfidenceFit, distance: number): number {
  return 100 * sigmoid(fit.a * distance + fit.b);
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
