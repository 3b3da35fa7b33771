import { fvError } from '../../errors.js';
import { groupByDistance } from './distance-groups.js';
import type { ScoredPair, ThresholdChoice } from './types.js';
import { at } from '../../util/checked.js';

/**
 * Share of pairs answered rightly at `threshold` (verified when `distance <= threshold`).
 * A pair with no face found is always wrong.
 *
 * @example accuracyAt([{ distance: 0.2, same: true }, { distance: 0.5, same: false }], 0.3) // 1
 * @throws FV_ERR_INVALID_ARGUMENT when there are no pairs, a distance is NaN or infinite, or the threshold is NaN.
 */
export function accuracyAt(pairs: readonly ScoredPair[], threshold: number): number {
  if (Number.isNaN(threshold)) throw fvError('FV_ERR_INVALID_ARGUMENT', 'threshold must be a number; got NaN', { threshold });
  const { values, same, different } = groupByDistance(pairs);
  let correct = 0;
  values.forEach((value, i) => {
    correct += value <= threshold ? at(same, i) : at(different, i);
  });
  return correct / pairs.length;
}

/**
 * The threshold that answers the most pairs rightly: scans the midpoints between consecutive
 * distinct distances, plus "accept all" (the largest distance) and "reject all" (-Infinity).
 * Ties go to the smallest threshold, the one with fewer false accepts.
 * Pairs with no face found are wrong at any threshold, so they lower the accuracy but never move the choice.
 *
 * @example bestThreshold([{ distance: 0.2, same: true }, { distance: 0.4, same: true }, { distance: 0.6, same: false }])
 * // { threshold: 0.5, accuracy: 1 }
 * @throws FV_ERR_INVALID_ARGUMENT when there are no pairs or a distance is NaN or infinite.
 */
export function bestThreshold(pairs: readonly ScoredPair[]): ThresholdChoice {
  const { values, same, different, totalDifferent } = groupByDistance(pairs);
  const finiteEnd = values[values.length - 1] === Number.POSITIVE_INFINITY ? values.length - 1 : values.length;
  let i = values[0] === Number.NEGATIVE_INFINITY ? 1 : 0;
  // At -Infinity only the different-person pairs with a missing face are accepted (wrongly).
  let correct = totalDifferent - (i === 1 ? at(different, 0) : 0);
  let best: ThresholdChoice = { threshold: Number.NEGATIVE_INFINITY, accuracy: correct / pairs.length };
  for (; i < finiteEnd; i++) {
    correct += at(same, i) - at(different, i);
    const accuracy = correct / pairs.length;
    if (accuracy > best.accuracy) {
      const threshold = i + 1 < finiteEnd ? (at(values, i) + at(values, i + 1)) / 2 : at(values, i);
      best = { threshold, accuracy };
    }
  }
  return best;
}

/** A threshold chosen on a development set and checked on held-out pairs. */
export interface Calibration {
  readonly threshold: number;
  /** Accuracy on the set the threshold was chosen on (optimistic). */
  readonly trainAccuracy: number;
  /** Accuracy on the held-out set: the figure to trust. */
  readonly testAccuracy: number;
}

/**
 * Chooses the registry threshold of a model and metric: the most accurate threshold on a
 * development set (LFW View 1 `pairsDevTrain`), checked on a held-out one (`pairsDevTest`).
 * The trade-off: a lower threshold gives fewer false accepts and more false rejects; this
 * picks the balance point of LFW's half same, half different pairs.
 *
 * @throws FV_ERR_INVALID_ARGUMENT when either set is empty or holds a NaN or infinite distance.
 */
export function calibrateThreshold(train: readonly ScoredPair[], test: readonly ScoredPair[]): Calibration {
  const { threshold, accuracy } = bestThreshold(train);
  return { threshold, trainAccuracy: accuracy, testAccuracy: accuracyAt(test, threshold) };
}
