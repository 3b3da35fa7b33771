/**
 * The generalized Pareto distribution (GPD) of peaks over a threshold: the limit law of the
 * excesses of almost any score distribution beyond a high enough threshold (Pickands–Balkema–de
 * Haan), used here for the impostor distances closer than a tail threshold u, with excess
 * y = u − distance > 0. Survival S(y) = (1 + ξ·y/σ)^(−1/ξ) (e^(−y/σ) at ξ = 0); ξ < 0 is a tail
 * with an end point at y = −σ/ξ, which cosine distances have (they cannot fall below 0).
 * Coles, "An Introduction to Statistical Modeling of Extreme Values" (2001), ch. 4.
 */
import { fvError } from '../../errors.js';

export interface ParetoTail {
  /** Shape ξ: < 0 bounded tail, 0 exponential, > 0 heavy. */
  readonly xi: number;
  /** Scale σ > 0, in the units of the excesses. */
  readonly sigma: number;
}

const NEAR_ZERO_XI = 1e-9;

/**
 * P(Y > y) for an excess y ≥ 0: 1 at y = 0, falling to 0 (at the end point −σ/ξ when ξ < 0).
 * @example gpdSurvival(0.1, { xi: -0.5, sigma: 0.1 }) // → 0.25 (1 − 0.5)^2
 */
export function gpdSurvival(y: number, tail: ParetoTail): number {
  if (y <= 0) return 1;
  const z = y / tail.sigma;
  if (Math.abs(tail.xi) < NEAR_ZERO_XI) return Math.exp(-z);
  const base = 1 + tail.xi * z;
  return base <= 0 ? 0 : Math.exp(-Math.log(base) / tail.xi);
}

/** The density of an excess y ≥ 0 (0 beyond the end point). */
export function gpdDensity(y: number, tail: ParetoTail): number {
  if (y < 0) return 0;
  const z = y / tail.sigma;
  if (Math.abs(tail.xi) < NEAR_ZERO_XI) return Math.exp(-z) / tail.sigma;
  const base = 1 + tail.xi * z;
  return base <= 0 ? 0 : Math.exp((-1 / tail.xi - 1) * Math.log(base)) / tail.sigma;
}

/**
 * The excess y with P(Y > y) = p, for p in (0, 1]: the inverse of {@link gpdSurvival}.
 * @example gpdQuantile(0.25, { xi: -0.5, sigma: 0.1 }) // → 0.1
 */
export function gpdQuantile(p: number, tail: ParetoTail): number {
  if (Math.abs(tail.xi) < NEAR_ZERO_XI) return -tail.sigma * Math.log(p);
  return (tail.sigma / tail.xi) * (Math.exp(-tail.xi * Math.log(p)) - 1);
}

export interface ParetoFit extends ParetoTail {
  /** Weighted log-likelihood at the fit. */
  readonly logLikelihood: number;
  /** Sum of the weights (the number of excesses when unweighted). */
  readonly n: number;
}

/**
 * Maximum-likelihood GPD fit to excesses (all > 0), optionally weighted (a bootstrap's
 * multiplicities). Profile likelihood over θ = ξ/σ (Grimshaw 1993): for a given θ the likelihood
 * is maximal at ξ(θ) = mean log(1 + θ·y), σ = ξ/θ, so the fit is a one-dimensional search — a
 * grid over θ > −1/max(y), then golden-section refinement around the best grid point. `near`
 * narrows the grid around a previous fit (bootstrap replicates start from the point estimate).
 * @example fitGeneralizedPareto(samplesOf({ xi: -0.2, sigma: 0.05 })) // ≈ { xi: -0.2, sigma: 0.05 } for a few thousand samples
 * @throws FV_ERR_INVALID_ARGUMENT for fewer than 10 excesses, an excess ≤ 0 or not finite, or weights of another length.
 */
export function fitGeneralizedPareto(excesses: Float64Array | readonly number[], options: { readonly weights?: Float64Array | readonly number[]; readonly near?: ParetoTail } = {}): ParetoFit {
  const y = Float64Array.from(excesses);
  const w = options.weights === undefined ? undefined : Float64Array.from(options.weights);
  if (y.length < 10) throw fvError('FV_ERR_INVALID_ARGUMENT', `a tail fit needs at least 10 excesses, got ${y.length}`, { excesses: y.length });
  if (w && w.length !== y.length) throw fvError('FV_ERR_INVALID_ARGUMENT', `${w.length} weights for ${y.length} excesses`, { weights: w.length });
  let yMax = 0;
  let total = 0;
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i] as number;
    if (!(v > 0) || !Number.isFinite(v)) throw fvError('FV_ERR_INVALID_ARGUMENT', `excesses must be finite and > 0, got ${v} at ${i}`, { index: i, value: v });
    const weight = w ? (w[i] as number) : 1;
    yMax = Math.max(yMax, v);
    total += weight;
    sum += weight * v;
  }
  const mean = sum / total;
  // The profile log-likelihood of θ; θ → 0 is the exponential tail.
  const profile = (theta: number): { ll: number; xi: number } => {
    if (Math.abs(theta) * yMax < 1e-12) return { ll: -total * Math.log(mean) - total, xi: 0 };
    let acc = 0;
    for (let i = 0; i < y.length; i++) acc += (w ? (w[i] as number) : 1) * Math.log1p(theta * (y[i] as number));
    const xi = acc / total;
    const sigma = xi / theta;
    if (!(sigma > 0)) return { ll: Number.NEGATIVE_INFINITY, xi };
    return { ll: -total * Math.log(sigma) - (1 + 1 / xi) * acc, xi };
  };
  // θ lives in (−1/yMax, ∞); scale it by 1/mean, the exponential's rate.
  const lower = -1 / yMax;
  const candidates: number[] = [];
  if (options.near) {
    const centre = options.near.xi / options.near.sigma;
    for (let k = -8; k <= 8; k++) candidates.push(centre + (k / 8) * Math.max(Math.abs(centre) * 0.6, 0.5 / mean));
  } else {
    for (let k = 1; k <= 120; k++) candidates.push(lower * (1 - 10 ** (-k / 20)));
    for (let k = -60; k <= 60; k++) candidates.push((10 ** (k / 20)) / mean);
  }
  const usable = candidates.filter((t) => t > lower).sort((a, b) => a - b);
  let best = 0;
  let bestLl = Number.NEGATIVE_INFINITY;
  usable.forEach((theta, i) => {
    const { ll } = profile(theta);
    if (ll > bestLl) {
      bestLl = ll;
      best = i;
    }
  });
  // Golden section between the best grid point's neighbours.
  let a = usable[best - 1] ?? Math.max(lower * (1 - 1e-9), (usable[best] ?? 0) - 1 / mean);
  let b = usable[best + 1] ?? (usable[best] ?? 0) + 1 / mean;
  a = Math.max(a, lower * (1 - 1e-12));
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = profile(c).ll;
  let fd = profile(d).ll;
  for (let i = 0; i < 80 && Math.abs(b - a) > 1e-9 * (Math.abs(a) + 1 / mean); i++) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = profile(c).ll;
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = profile(d).ll;
    }
  }
  const refined = (a + b) / 2;
  const theta = profile(refined).ll >= bestLl ? refined : (usable[best] as number);
  const at = profile(theta);
  if (Math.abs(at.xi) < NEAR_ZERO_XI || Math.abs(theta) * yMax < 1e-12) return { xi: 0, sigma: mean, logLikelihood: -total * Math.log(mean) - total, n: total };
  return { xi: at.xi, sigma: at.xi / theta, logLikelihood: at.ll, n: total };
}
