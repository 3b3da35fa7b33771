import { fvError } from '../../errors.js';
import type { ScoredPair } from './types.js';
import { at } from '../../util/checked.js';

/**
 * Pairs grouped by equal distance, ascending: the one sweep that threshold search and ROC share.
 *
 * A pair without a distance (no face found) is placed where it is wrong at every finite
 * threshold: a same-person pair at +Infinity (never accepted), a different-person pair at
 * -Infinity (always accepted). So failures count as errors without a special case.
 */
export interface DistanceGroups {
  /** Distinct distances, ascending; may start with -Infinity and end with +Infinity. */
  readonly values: readonly number[];
  /** Same-person pairs at each distance. */
  readonly same: readonly number[];
  /** Different-person pairs at each distance. */
  readonly different: readonly number[];
  readonly totalSame: number;
  readonly totalDifferent: number;
}

/** The distance a pair is scored at: its own, or the worst place for it when a face was missing. */
export function effectiveDistance(pair: ScoredPair): number {
  if (pair.distance !== null) return pair.distance;
  return pair.same ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/**
 * @throws FV_ERR_INVALID_ARGUMENT when there are no pairs or a distance is NaN or infinite.
 */
export function groupByDistance(pairs: readonly ScoredPair[]): DistanceGroups {
  if (pairs.length === 0) throw fvError('FV_ERR_INVALID_ARGUMENT', 'pairs must hold at least one pair; got none', { pairs: 0 });
  const badIndex = pairs.findIndex((p) => p.distance !== null && !Number.isFinite(p.distance));
  if (badIndex >= 0) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `pairs[${badIndex}].distance must be a finite number or null; got ${at(pairs, badIndex).distance}`, { index: badIndex });
  }
  const order = pairs.map((p) => ({ d: effectiveDistance(p), same: p.same })).sort(byDistance);
  const values: number[] = [];
  const same: number[] = [];
  const different: number[] = [];
  let totalSame = 0;
  for (const { d, same: isSame } of order) {
    if (values.length === 0 || values[values.length - 1] !== d) {
      values.push(d);
      same.push(0);
      different.push(0);
    }
    const last = values.length - 1;
    if (isSame) {
      same[last] = at(same, last) + 1;
      totalSame++;
    } else {
      different[last] = at(different, last) + 1;
    }
  }
  return { values, same, different, totalSame, totalDifferent: pairs.length - totalSame };
}

// Not `x.d - y.d`: Infinity - Infinity is NaN, which breaks the sort.
function byDistance(x: { d: number }, y: { d: number }): number {
  return x.d < y.d ? -1 : x.d > y.d ? 1 : 0;
}
