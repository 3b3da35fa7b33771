import { describe, expect, it } from 'vitest';
import { stratifiedFolds, stratifiedSample } from '../../../src/face/eval/stratify.js';

describe('stratifiedSample', () => {
  // Two folds listed as LFW lists them: the same pairs, then the different ones.
  const pairs = [0, 1].flatMap((fold) => [true, true, true, false, false, false].map((same, i) => ({ fold, same, id: `${fold}${same ? 's' : 'd'}${i % 3}` })));

  it('takes evenly from every fold and kind, in file order', () => {
    expect(stratifiedSample(pairs, 4).map((p) => p.id)).toEqual(['0s0', '0d0', '1s0', '1d0']);
    expect(stratifiedSample(pairs, 6).map((p) => p.id)).toEqual(['0s0', '0s1', '0d0', '0d1', '1s0', '1d0']);
  });

  it('returns everything when the limit exceeds the pairs', () => {
    expect(stratifiedSample(pairs, 100)).toEqual(pairs);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => stratifiedSample(pairs, 0)).toThrow(/limit must be a positive integer; got 0/);
  });
});

describe('stratifiedFolds', () => {
  it('deals each kind of pair round the folds separately', () => {
    const folded = stratifiedFolds([true, true, false, true, false, false].map((same) => ({ same })), 2);
    expect(folded.map((p) => p.fold)).toEqual([0, 1, 0, 0, 1, 0]);
  });

  it('refuses fewer than two folds', () => {
    expect(() => stratifiedFolds([{ same: true }], 1)).toThrow(/k must be an integer of at least 2; got 1/);
  });
});
