import { fvError } from '../../errors.js';
import { groupByDistance } from './distance-groups.js';
import type { ScoredPair } from './types.js';
import { at } from '../../util/checked.js';

/** One operating point: the pairs accepted at `distance <= threshold`. */
export interface RocPoint {
  readonly threshold: number;
  /** False accept rate: different-person pairs accepted / all different-person pairs. */
  readonly far: number;
  /** True accept rate: same-person pairs accepted / all same-person pairs. */
  readonly tar: number;
}

export interface RocCurve {
  /** Ascending threshold; only the corners (points on a straight run between two others are dropped, which leaves the area unchanged). */
  readonly points: readonly RocPoint[];
  /** Area under the curve by the trapezoid rule, 0-1. */
  readonly auc: number;
}

/**
 * Every operating point of the pairs, as in scikit-learn's `roc_curve` with `drop_intermediate`.
 * Pairs with no face found count as errors at every threshold: a same-person pair is never
 * accepted, a different-person pair always is (so the curve starts at FAR = their share, not 0).
 *
 * @example rocCurve([{ distance: 0.1, same: true }, { distance: 0.3, same: false }, { distance: 0.5, same: true }, { distance: 0.7, same: false }])
 * // points (FAR, TAR): (0, 0), (0, 0.5), (0.5, 0.5), (0.5, 1), (1, 1); auc: 0.75
 * @throws FV_ERR_INVALID_ARGUMENT when there is not at least one pair of each kind, or a distance is NaN or infinite.
 */
export function rocCurve(pairs: readonly ScoredPair[]): RocCurve {
  const all = sweep(pairs);
  const points = all.filter((p, i) => i === 0 || i === all.length - 1 || !isStraightRun(at(all, i - 1), p, at(all, i + 1)));
  let auc = 0;
  for (let i = 1; i < points.length; i++) {
    const p = at(points, i), before = at(points, i - 1);
    auc += ((p.far - before.far) * (p.tar + before.tar)) / 2;
  }
  return { points, auc };
}

/** The best true accept rate whose false accept rate is at most the target, with the threshold that reaches it. */
export interface TarAtFar {
  /** The target asked for. */
  readonly targetFar: number;
  /** The false accept rate actually reached: <= targetFar, unless failed different-person pairs alone exceed it (then tar is 0). */
  readonly far: number;
  readonly tar: number;
  readonly threshold: number;
  /**
   * The smallest FAR the pairs can resolve (1 / different-person pairs): a target below it is
   * answered at FAR 0 and says little (LFW View 2 has 3,000 different pairs: 3.3e-4).
   */
  readonly farResolution: number;
}

/**
 * TAR at a fixed FAR (e.g. 1e-3 or 1e-2): the verification figure that matters when false
 * accepts are costly. The threshold is the largest distance accepted at that operating point.
 *
 * @example tarAtFar([{ distance: 0.1, same: true }, { distance: 0.3, same: false }, { distance: 0.5, same: true }, { distance: 0.7, same: false }], 0.01)
 * // { targetFar: 0.01, far: 0, tar: 0.5, threshold: 0.1, farResolution: 0.5 }
 * @throws FV_ERR_INVALID_ARGUMENT when far is outside [0, 1], there is not one pair of each kind, or a distance is NaN or infinite.
 */
export function tarAtFar(pairs: readonly ScoredPair[], far: number): TarAtFar {
  if (!(far >= 0 && far <= 1)) throw fvError('FV_ERR_INVALID_ARGUMENT', `far must be from 0 to 1; got ${far}`, { far });
  const points = sweep(pairs);
  let best = at(points, 0);
  // TAR and FAR both grow with the threshold, so the last point within the target is the best.
  for (const p of points) if (p.far <= far) best = p;
  const differentPairs = pairs.reduce((n, p) => n + (p.same ? 0 : 1), 0);
  return { targetFar: far, far: best.far, tar: best.tar, threshold: best.threshold, farResolution: 1 / differentPairs };
}

/** All operating points at finite thresholds, from "reject all" (-Infinity) to "accept all" (largest distance). */
function sweep(pairs: readonly ScoredPair[]): RocPoint[] {
  const { values, same, different, totalSame, totalDifferent } = groupByDistance(pairs);
  if (totalSame === 0 || totalDifferent === 0) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `a ROC needs same-person and different-person pairs; got ${totalSame} and ${totalDifferent}`, { totalSame, totalDifferent });
  }
  let i = values[0] === Number.NEGATIVE_INFINITY ? 1 : 0;
  let acceptedSame = 0;
  let acceptedDifferent = i === 1 ? at(different, 0) : 0;
  const points: RocPoint[] = [{ threshold: Number.NEGATIVE_INFINITY, far: acceptedDifferent / totalDifferent, tar: 0 }];
  for (; i < values.length && values[i] !== Number.POSITIVE_INFINITY; i++) {
    acceptedSame += at(same, i);
    acceptedDifferent += at(different, i);
    points.push({ threshold: at(values, i), far: acceptedDifferent / totalDifferent, tar: acceptedSame / totalSame });
  }
  return points;
}

function isStraightRun(before: RocPoint, p: RocPoint, after: RocPoint): boolean {
  return (before.far === p.far && p.far === after.far) || (before.tar === p.tar && p.tar === after.tar);
}
