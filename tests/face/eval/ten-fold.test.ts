import { describe, expect, it } from 'vitest';
import { tenFoldAccuracy } from '../../../src/face/eval/ten-fold.js';
import type { FoldedPair } from '../../../src/face/eval/types.js';

const p = (distance: number | null, same: boolean, fold: number): FoldedPair => ({ distance, same, fold });

// Three folds of four pairs; thresholds worked out by hand from the other two folds:
// fold 0 ← folds 1+2: .3S .35S .4S | .5D .65S .8D .9D .95D → 0.45 (7/8); fold 0 scores 4/4.
// fold 1 ← folds 0+2: .1S .2S .35S | .5D .6D .65S .7D .95D → 0.425 (7/8); fold 1 scores 4/4.
// fold 2 ← folds 0+1: .1S .2S .3S .4S | .6D .7D .8D .9D → 0.5 (8/8); fold 2 scores 2/4
//   (.65S rejected, .5D accepted since distance <= threshold).
const FOLDS: FoldedPair[] = [
  p(0.1, true, 0), p(0.2, true, 0), p(0.6, false, 0), p(0.7, false, 0),
  p(0.3, true, 1), p(0.4, true, 1), p(0.8, false, 1), p(0.9, false, 1),
  p(0.35, true, 2), p(0.65, true, 2), p(0.5, false, 2), p(0.95, false, 2),
];

describe('tenFoldAccuracy', () => {
  it('scores each fold with the threshold chosen on the others', () => {
    const result = tenFoldAccuracy(FOLDS);
    expect(result.folds.map((f) => f.fold)).toEqual([0, 1, 2]);
    expect(result.folds.map((f) => f.threshold)).toEqual([0.45, 0.425, 0.5]);
    expect(result.folds.map((f) => f.accuracy)).toEqual([1, 1, 0.5]);
    expect(result.folds.map((f) => f.pairs)).toEqual([4, 4, 4]);
  });

  it('reports the mean and the sample (n - 1) standard deviation', () => {
    const { mean, sampleStd } = tenFoldAccuracy(FOLDS);
    expect(mean).toBeCloseTo(5 / 6, 12);
    // Deviations 1/6, 1/6, -1/3: sum of squares 1/6, over k - 1 = 2 → 1/12 (population would be 1/18).
    expect(sampleStd).toBeCloseTo(Math.sqrt(1 / 12), 12);
  });

  it('counts a failed pair as an error in its fold and leaves other folds alone', () => {
    const result = tenFoldAccuracy([...FOLDS, p(null, true, 0)]);
    expect(result.folds.map((f) => f.accuracy)).toEqual([0.8, 1, 0.5]);
    expect(result.folds.map((f) => f.threshold)).toEqual([0.45, 0.425, 0.5]);
  });

  it('orders folds by number whatever the input order', () => {
    expect(tenFoldAccuracy([...FOLDS].reverse()).folds.map((f) => f.fold)).toEqual([0, 1, 2]);
  });

  it('needs two folds with integer numbers', () => {
    expect(() => tenFoldAccuracy(FOLDS.filter((f) => f.fold === 0))).toThrow(/at least 2 folds/);
    expect(() => tenFoldAccuracy([...FOLDS, p(0.1, true, 1.5)])).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
  });
});
