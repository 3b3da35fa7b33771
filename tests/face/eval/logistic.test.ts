import { describe, expect, it } from 'vitest';
import { fitConfidenceLogistic, logisticConfidence } from '../../../src/face/eval/logistic.js';
import type { ScoredPair } from '../../../src/face/eval/types.js';

const repeat = (n: number, distance: number | null, same: boolean): ScoredPair[] => Array.from({ length: n }, () => ({ distance, same }));

// Two distances, each with its own share of same pairs: the maximum-likelihood fit passes through
// both shares exactly: σ(b) = 3/4 → b = ln 3; σ(a + b) = 1/4 → a = -2 ln 3.
const TWO_GROUPS = [...repeat(3, 0, true), ...repeat(1, 0, false), ...repeat(1, 1, true), ...repeat(3, 1, false)];

describe('fitConfidenceLogistic', () => {
  it('finds the maximum-likelihood fit of a hand-solvable case', () => {
    const { a, b } = fitConfidenceLogistic(TWO_GROUPS);
    expect(a).toBeCloseTo(-2 * Math.log(3), 2);
    expect(b).toBeCloseTo(Math.log(3), 2);
    expect(logisticConfidence({ a, b }, 0)).toBeCloseTo(75, 1);
  });

  it('ignores pairs with no face found', () => {
    const withFailures = fitConfidenceLogistic([...TWO_GROUPS, ...repeat(5, null, true), ...repeat(5, null, false)]);
    expect(withFailures).toEqual(fitConfidenceLogistic(TWO_GROUPS));
  });

  it('stays finite and steep, with 50 % at the gap, on separable pairs', () => {
    const fit = fitConfidenceLogistic([...repeat(5, 0.2, true), ...repeat(5, 0.3, true), ...repeat(5, 0.7, false), ...repeat(5, 0.8, false)]);
    expect(Number.isFinite(fit.a) && Number.isFinite(fit.b)).toBe(true);
    expect(fit.a).toBeLessThan(-20);
    expect(logisticConfidence(fit, 0.5)).toBeCloseTo(50, 6);
    expect(logisticConfidence(fit, 0.2)).toBeGreaterThan(95);
  });

  it('refuses pairs where same-person distances are the larger', () => {
    expect(() => fitConfidenceLogistic([...repeat(3, 0.9, true), ...repeat(3, 0.1, false)])).toThrow(/fitted slope/);
  });

  it('refuses a set with one kind of pair or one distance', () => {
    expect(() => fitConfidenceLogistic(repeat(3, 0.5, true))).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => fitConfidenceLogistic([...repeat(2, 0.5, true), ...repeat(2, 0.5, false)])).toThrow(/two distinct distances/);
    expect(() => fitConfidenceLogistic([])).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
  });
});

describe('logisticConfidence', () => {
  it('is 50 where a·d + b = 0 and falls as the distance grows', () => {
    const fit = { a: -10, b: 5 };
    expect(logisticConfidence(fit, 0.5)).toBe(50);
    expect(logisticConfidence(fit, 0.4)).toBeGreaterThan(logisticConfidence(fit, 0.6));
  });
});
