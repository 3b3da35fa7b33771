/**
 * Open-set identification that stays right as the gallery grows (issue 14).
 *
 * A stranger's photo is compared with every enrolled face; with a per-comparison false-accept
 * rate FAR(t) at threshold t, the chance that at least one of N faces falls within t — the
 * false-positive identification rate — is FPIR(t, N) = 1 − (1 − FAR(t))^N. A fixed threshold
 * therefore names more strangers the larger the gallery: for the default model, 0.53 holds
 * FPIR ≈ 1.9 % at 1,000 faces and ≈ 84 % at 100,000. This module solves the other way round: the
 * threshold that holds a target FPIR at the gallery's size, from a model of the impostor distances
 * whose far tail (the distances that matter at large N, far below anything a sample of pairs
 * resolves) is a generalized Pareto fit, measured and validated on LFW-a by `bench/open-set.ts`.
 * Pairs are weighted per person (each pair of people counts once, however many photos each has), as
 * a gallery of one face per person sees them.
 *
 * It also gives each candidate a probability of being the same person. Bayes per gallery entry:
 * a probe's person is enrolled with prior probability π (default ½: no knowledge), and if so
 * is any one of the N entries, so the prior odds that a given entry is the probe's own face are
 * (π/N) / (1 − π/N); the evidence of a distance d is the likelihood ratio LR(d) = g(d) / f(d) of
 * the genuine density g (all same-person pairs of LFW-a) and the impostor density f (the fitted
 * tail where it applies, the measured distribution above it). The bench stores ln LR on a grid,
 * made non-increasing in d (pool-adjacent-violators: a closer face is never weaker evidence) and
 * capped where the pairs run out. Why not the logistic confidence: it is fitted on balanced 1:1
 * pairs and says nothing of N; a candidate 0.45 away is near-certain in a gallery of 100 (0.99)
 * and unlikely in a gallery of a million (0.015), and a reviewer working a list needs to see that.
 */
import { fvError } from '../errors.js';
import { gpdQuantile, gpdSurvival } from '../face/eval/pareto-tail.js';
import { OPEN_SET_MODELS } from './open-set-models.js';

/** A model's impostor and genuine distance distributions (cosine distance), as `bench/open-set.ts` measures them. */
export interface OpenSetModel {
  /** The face model's registry name. */
  readonly model: string;
  /**
   * Impostor distances below `threshold` (a share `rate` of all impostor pairs) follow a
   * generalized Pareto law in the excess `threshold − d`: FAR(t) = rate · S(threshold − t).
   */
  readonly tail: { readonly threshold: number; readonly rate: number; readonly xi: number; readonly sigma: number };
  /** Grid spacing of the tables: entry k is at distance k · step. */
  readonly step: number;
  /** Measured FAR (share of impostor pairs at distance ≤ k · step), used at and above the tail threshold. */
  readonly far: readonly number[];
  /** ln g(d)/f(d) at k · step, non-increasing. */
  readonly logLikelihoodRatio: readonly number[];
}

/** The default target: at most 1 % of strangers' faces named as someone enrolled, at any gallery size. */
export const DEFAULT_TARGET_FPIR = 0.01;
/** How likely a probe's person is enrolled, when the caller does not say: no knowledge. */
export const DEFAULT_PRIOR_ENROLLED = 0.5;

/** The fitted open-set model of a face model, or undefined when none was fitted (such models keep their fixed identification threshold). */
export function openSetModelFor(model: string): OpenSetModel | undefined {
  return OPEN_SET_MODELS.find((m) => m.model === model);
}

/** Linear interpolation in a table on the grid k · step, clamped at its ends. */
function interpolate(table: readonly number[], step: number, d: number): number {
  const x = d / step;
  const k = Math.floor(x);
  if (k < 0) return table[0] ?? 0;
  if (k >= table.length - 1) return table[table.length - 1] ?? 0;
  const lo = table[k] ?? 0;
  const hi = table[k + 1] ?? lo;
  return lo + (hi - lo) * (x - k);
}

/**
 * The per-comparison false-accept rate at threshold t: the share of impostor pairs (faces of two
 * different people) at cosine distance ≤ t. Below the tail threshold it is the fitted tail,
 * beyond what any sample of pairs resolves — an extrapolation, validated on held-out people down to
 * distance 0.40, FAR about 3e-7 (BENCHMARKS.md, "Open-set identification").
 * @example impostorFar(openSetModelFor('faceplugin-arcface')!, 0.53) // → 1.86e-5
 */
export function impostorFar(model: OpenSetModel, t: number): number {
  const { tail } = model;
  if (t < tail.threshold) return tail.rate * gpdSurvival(tail.threshold - t, tail);
  return Math.min(1, interpolate(model.far, model.step, t));
}

/**
 * FPIR(t, N) = 1 − (1 − FAR(t))^N: the share of strangers whose photo is within t of at least one
 * of N enrolled faces (independent comparisons; LFW's measured galleries of 1,000 and ~5,000 agree
 * with it, BENCHMARKS.md).
 * @example fpirAt(model, 0.53, 1) === impostorFar(model, 0.53) // → true
 * @throws FV_ERR_INVALID_ARGUMENT for a gallery size that is not an integer ≥ 1.
 */
export function fpirAt(model: OpenSetModel, t: number, gallerySize: number): number {
  checkGallerySize(gallerySize);
  return -Math.expm1(gallerySize * Math.log1p(-Math.min(impostorFar(model, t), 1 - 1e-16)));
}

/**
 * The threshold that holds a target FPIR in a gallery of N faces: solves 1 − (1 − FAR(t))^N = fpir
 * for t. Trade-off: the stricter the target or the larger the gallery, the lower the threshold and
 * the more enrolled people go unrecognised (BENCHMARKS.md has the open-set curve: rank-1 identification
 * rate against FPIR at 1K, 10K, 100K and 1M faces).
 * @example thresholdForFpir(model, 0.01, 1_000) // → 0.509 for faceplugin-arcface (0.278 at 1,000,000)
 * @throws FV_ERR_INVALID_ARGUMENT for an FPIR outside (0, 1) or a gallery size that is not an integer ≥ 1.
 */
export function thresholdForFpir(model: OpenSetModel, fpir: number, gallerySize: number): number {
  checkFpir(fpir);
  checkGallerySize(gallerySize);
  // The per-comparison FAR that gives this FPIR over N comparisons, without losing digits at large N.
  const far = -Math.expm1(Math.log1p(-fpir) / gallerySize);
  const { tail } = model;
  if (far < tail.rate) return Math.max(0, tail.threshold - gpdQuantile(far / tail.rate, tail));
  // Above the tail: the largest grid distance whose measured FAR is at most the target, interpolated.
  const table = model.far;
  let k = Math.floor(tail.threshold / model.step);
  while (k < table.length - 1 && (table[k + 1] ?? 1) <= far) k++;
  const lo = table[k] ?? 0;
  const hi = table[k + 1] ?? lo;
  const fraction = hi > lo ? Math.min(1, Math.max(0, (far - lo) / (hi - lo))) : 0;
  return Math.max(tail.threshold, (k + fraction) * model.step);
}

/**
 * The probability that a candidate at cosine distance d is the probe's own person, in a gallery of
 * N faces, when the probe's person is enrolled with probability `priorEnrolled`: posterior odds =
 * LR(d) · (π/N) / (1 − π/N) (see the file's comment). Falls as d grows and as N grows; with N = 1
 * and π = ½ it is LR / (1 + LR), a 1:1 verification's posterior.
 * @example sameSubjectProbability(model, 0.45, 100) // → 0.994 for faceplugin-arcface; at 1,000,000 faces: 0.015
 * @throws FV_ERR_INVALID_ARGUMENT for a prior outside (0, 1] or a gallery size that is not an integer ≥ 1.
 */
export function sameSubjectProbability(model: OpenSetModel, d: number, gallerySize: number, priorEnrolled = DEFAULT_PRIOR_ENROLLED): number {
  checkGallerySize(gallerySize);
  if (!(priorEnrolled > 0 && priorEnrolled <= 1)) throw fvError('FV_ERR_INVALID_ARGUMENT', `the prior that a probe is enrolled must be in (0, 1], got ${priorEnrolled}`, { field: 'priorEnrolled', value: priorEnrolled });
  const perEntry = priorEnrolled / gallerySize;
  const logOdds = interpolate(model.logLikelihoodRatio, model.step, d) + Math.log(perEntry) - Math.log1p(-Math.min(perEntry, 1 - 1e-12));
  return 1 / (1 + Math.exp(-logOdds));
}

function checkFpir(fpir: number): void {
  if (!(fpir > 0 && fpir < 1)) throw fvError('FV_ERR_INVALID_ARGUMENT', `a target FPIR must be a share between 0 and 1 (0.01 for 1 %), got ${fpir}`, { field: 'fpir', value: fpir });
}

function checkGallerySize(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw fvError('FV_ERR_INVALID_ARGUMENT', `a gallery size must be an integer >= 1, got ${n}`, { field: 'gallerySize', value: n });
}
