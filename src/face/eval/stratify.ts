import { fvError } from '../../errors.js';
import { at } from '../../util/checked.js';

interface Labelled {
  readonly same: boolean;
  readonly fold: number;
}

/**
 * The first `limit` pairs taken evenly across every (fold, same) stratum, in file order:
 * a quick run that keeps all folds and both kinds of pair (LFW lists 300 same then 300
 * different pairs per fold, so a plain prefix would hold one fold of same pairs only).
 *
 * @example stratifiedSample([{ same: true, fold: 0 }, { same: true, fold: 0 }, { same: false, fold: 0 }], 2)
 * // [{ same: true, fold: 0 }, { same: false, fold: 0 }]
 * @throws FV_ERR_INVALID_ARGUMENT when limit is not a positive integer.
 */
export function stratifiedSample<T extends Labelled>(pairs: readonly T[], limit: number): T[] {
  if (!Number.isInteger(limit) || limit < 1) throw fvError('FV_ERR_INVALID_ARGUMENT', `limit must be a positive integer; got ${limit}`, { limit });
  const strata = new Map<string, number[]>();
  pairs.forEach((p, i) => {
    const key = `${p.fold}:${p.same}`;
    const stratum = strata.get(key);
    if (stratum) stratum.push(i);
    else strata.set(key, [i]);
  });
  const chosen: number[] = [];
  const queues = [...strata.values()];
  for (let round = 0; chosen.length < Math.min(limit, pairs.length); round++) {
    for (const queue of queues) {
      const index = queue[round];
      if (index !== undefined && chosen.length < limit) chosen.push(index);
    }
  }
  return chosen.sort((a, b) => a - b).map((i) => at(pairs, i));
}

/**
 * Assigns `k` cross-validation folds to pairs that come without any (the DeepFace set):
 * the n-th pair of each kind goes to fold n mod k, so every fold holds both kinds.
 *
 * @example stratifiedFolds([{ same: true }, { same: false }, { same: true }], 2)
 * // [{ same: true, fold: 0 }, { same: false, fold: 0 }, { same: true, fold: 1 }]
 * @throws FV_ERR_INVALID_ARGUMENT when k is not an integer of at least 2.
 */
export function stratifiedFolds<T extends { readonly same: boolean }>(pairs: readonly T[], k: number): (T & { fold: number })[] {
  if (!Number.isInteger(k) || k < 2) throw fvError('FV_ERR_INVALID_ARGUMENT', `k must be an integer of at least 2; got ${k}`, { k });
  let sameSeen = 0;
  let differentSeen = 0;
  return pairs.map((p) => ({ ...p, fold: (p.same ? sameSeen++ : differentSeen++) % k }));
}
