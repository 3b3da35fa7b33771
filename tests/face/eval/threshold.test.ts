import { describe, expect, it } from 'vitest';
import { accuracyAt, bestThreshold, calibrateThreshold } from '../../../src/face/eval/threshold.js';
import type { ScoredPair } from '../../../src/face/eval/types.js';

const pair = (distance: number | null, same: boolean): ScoredPair => ({ distance, same });

describe('accuracyAt', () => {
  it('accepts a distance equal to the threshold', () => {
    expect(accuracyAt([pair(0.5, true), pair(0.5, false)], 0.5)).toBe(0.5);
    expect(accuracyAt([pair(0.5, true), pair(0.6, false)], 0.5)).toBe(1);
  });

  it('counts a pair with no face found as wrong, whatever the threshold', () => {
    const pairs = [pair(null, true), pair(null, false), pair(0.2, true), pair(0.8, false)];
    for (const t of [Number.NEGATIVE_INFINITY, 0, 0.5, 1]) expect(accuracyAt(pairs, t)).toBeLessThanOrEqual(0.5);
    expect(accuracyAt(pairs, 0.5)).toBe(0.5);
  });

  it('rejects a NaN threshold and NaN distances', () => {
    expect(() => accuracyAt([pair(0.1, true)], Number.NaN)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => accuracyAt([pair(Number.NaN, true)], 0.5)).toThrow(/pairs\[0\]\.distance/);
  });
});

describe('bestThreshold', () => {
  it('picks the midpoint between the last accepted and first rejected distance', () => {
    expect(bestThreshold([pair(0.2, true), pair(0.4, true), pair(0.6, false)])).toEqual({ threshold: 0.5, accuracy: 1 });
  });

  it('breaks ties towards the smaller threshold', () => {
    // Candidates: reject all 3/5, (0.1|0.3) 4/5, (0.3|0.5) 3/5, (0.5|0.7) 4/5, ...: the first 4/5 wins.
    const pairs = [pair(0.1, true), pair(0.3, false), pair(0.5, true), pair(0.7, false), pair(0.9, false)];
    expect(bestThreshold(pairs)).toEqual({ threshold: 0.2, accuracy: 0.8 });
  });

  it('treats equal distances as one step', () => {
    const pairs = [pair(0.2, true), pair(0.5, true), pair(0.5, false), pair(0.8, false)];
    expect(bestThreshold(pairs)).toEqual({ threshold: 0.35, accuracy: 0.75 });
  });

  it('lowers the accuracy for failed pairs without moving the threshold', () => {
    const pairs = [pair(0.2, true), pair(0.4, true), pair(0.6, false), pair(null, true), pair(null, false)];
    expect(bestThreshold(pairs)).toEqual({ threshold: 0.5, accuracy: 0.6 });
  });

  it('offers "accept all" at the largest distance and "reject all" at -Infinity', () => {
    expect(bestThreshold([pair(0.3, true), pair(0.7, true)])).toEqual({ threshold: 0.7, accuracy: 1 });
    expect(bestThreshold([pair(0.3, false), pair(0.7, false)])).toEqual({ threshold: Number.NEGATIVE_INFINITY, accuracy: 1 });
  });

  it('refuses an empty set', () => {
    expect(() => bestThreshold([])).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
  });
});

describe('calibrateThreshold', () => {
  it('chooses on the development set and scores the held-out set with that threshold', () => {
    const train = [pair(0.2, true), pair(0.4, true), pair(0.6, false)];
    const test = [pair(0.45, true), pair(0.55, false), pair(0.52, true)];
    const { threshold, trainAccuracy, testAccuracy } = calibrateThreshold(train, test);
    expect(threshold).toBe(0.5);
    expect(trainAccuracy).toBe(1);
    expect(testAccuracy).toBeCloseTo(2 / 3, 12);
  });
});
