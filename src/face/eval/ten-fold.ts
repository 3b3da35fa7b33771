import { fvError } from '../../errors.js';
import { accuracyAt, bestThreshold } from './threshold.js';
import type { FoldedPair } from './types.js';
import { at } from '../../util/checked.js';

/** One fold of cross-validation: the threshold chosen on the other folds, and this fold's accuracy with it. */
export interface FoldResult {
  readonly fold: number;
  readonly pairs: number;
  readonly threshold: number;
  /** 0-1. */
  readonly accuracy: number;
}

export interface CrossValidation {
  /** In ascending fold order. */
  readonly folds: readonly FoldResult[];
  /** Mean of the fold accuracies, 0-1: the LFW View 2 figure. */
  readonly mean: number;
  /**
   * Sample standard deviation of the fold accuracies (divides by k - 1), as LFW results
   * tables usually give it. NumPy's default `std` divides by k and is about 5 % smaller for k = 10.
   */
  readonly sampleStd: number;
}

/**
 * The LFW View 2 protocol: for each fold, the most accurate threshold on the other folds
 * (see {@link bestThreshold}) scores that fold; the result is the mean ± sample std.
 * Any number of folds of at least two works; LFW has ten (0-9 in its CSV, 600 pairs each).
 * Pairs with no face found count as wrong answers. For the accuracy on the pairs whose faces
 * were both found, pass only those.
 *
 * @example
 * tenFoldAccuracy([
 *   { distance: 0.1, same: true, fold: 0 }, { distance: 0.9, same: false, fold: 0 },
 *   { distance: 0.2, same: true, fold: 1 }, { distance: 0.8, same: false, fold: 1 },
 * ]) // { folds: [{ fold: 0, pairs: 2, threshold: 0.5, accuracy: 1 }, { fold: 1, pairs: 2, threshold: 0.5, accuracy: 1 }], mean: 1, sampleStd: 0 }
 * @throws FV_ERR_INVALID_ARGUMENT when a fold is not an integer, there are fewer than two folds, or a distance is NaN or infinite.
 */
export function tenFoldAccuracy(pairs: readonly FoldedPair[]): CrossValidation {
  const badIndex = pairs.findIndex((p) => !Number.isInteger(p.fold));
  if (badIndex >= 0) throw fvError('FV_ERR_INVALID_ARGUMENT', `pairs[${badIndex}].fold must be an integer; got ${at(pairs, badIndex).fold}`, { index: badIndex });
  const foldIds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  if (foldIds.length < 2) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `cross-validation needs at least 2 folds; got ${foldIds.length}`, { folds: foldIds });
  }
  const folds = foldIds.map((fold): FoldResult => {
    const held = pairs.filter((p) => p.fold === fold);
    const { threshold } = bestThreshold(pairs.filter((p) => p.fold !== fold));
    return { fold, pairs: held.length, threshold, accuracy: accuracyAt(held, threshold) };
  });
  const accuracies = folds.map((f) => f.accuracy);
  const mean = accuracies.reduce((s, a) => s + a, 0) / accuracies.length;
  const variance = accuracies.reduce((s, a) => s + (a - mean) ** 2, 0) / (accuracies.length - 1);
  return { folds, mean, sampleStd: Math.sqrt(variance) };
}
