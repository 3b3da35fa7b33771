import { describe, expect, it } from 'vitest';
import { summarizeVerification } from '../../../src/face/eval/verification-summary.js';
import type { FoldedPair } from '../../../src/face/eval/types.js';

const p = (distance: number | null, same: boolean, fold: number): FoldedPair => ({ distance, same, fold });

describe('summarizeVerification', () => {
  // Two separable folds, plus one failed same pair in fold 1.
  const pairs = [p(0.1, true, 0), p(0.9, false, 0), p(0.2, true, 1), p(0.8, false, 1), p(null, true, 1)];

  it('reports failures as errors in the headline and apart in the found-only figures', () => {
    const s = summarizeVerification(pairs, [0.01]);
    expect(s.pairs).toBe(5);
    expect(s.failedPairs).toBe(1);
    expect(s.accuracy.folds.map((f) => f.accuracy)).toEqual([1, 2 / 3]);
    expect(s.accuracyFound.mean).toBe(1);
    expect(s.aucFound).toBe(1);
    // Same pairs: 0.1, 0.2 accepted before any different pair; the failed one never: TAR 2/3.
    expect(s.roc.auc).toBeCloseTo(2 / 3, 12);
    expect(s.tarAtFar).toEqual([{ targetFar: 0.01, far: 0, tar: 2 / 3, threshold: 0.2, farResolution: 0.5 }]);
  });
});
