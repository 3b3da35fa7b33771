import { describe, expect, it } from 'vitest';
import { rocCurve, tarAtFar } from '../../../src/face/eval/roc.js';
import type { ScoredPair } from '../../../src/face/eval/types.js';

const pair = (distance: number | null, same: boolean): ScoredPair => ({ distance, same });
const INTERLEAVED = [pair(0.1, true), pair(0.3, false), pair(0.5, true), pair(0.7, false)];

describe('rocCurve', () => {
  it('walks every operating point and integrates by trapezoids', () => {
    const { points, auc } = rocCurve(INTERLEAVED);
    expect(points.map((q) => [q.far, q.tar])).toEqual([[0, 0], [0, 0.5], [0.5, 0.5], [0.5, 1], [1, 1]]);
    expect(points.map((q) => q.threshold)).toEqual([Number.NEGATIVE_INFINITY, 0.1, 0.3, 0.5, 0.7]);
    expect(auc).toBe(0.75);
  });

  it('keeps only the corners of straight runs', () => {
    const { points, auc } = rocCurve([pair(0.1, true), pair(0.2, true), pair(0.3, true), pair(0.4, false), pair(0.5, false)]);
    expect(points.map((q) => [q.far, q.tar])).toEqual([[0, 0], [0, 1], [1, 1]]);
    expect(auc).toBe(1);
  });

  it('draws a diagonal for tied distances of both kinds', () => {
    expect(rocCurve([pair(0.5, true), pair(0.5, false)]).auc).toBe(0.5);
  });

  it('counts failed pairs as errors at every threshold', () => {
    // A failed different pair is accepted from the start (FAR 0.5); a failed same pair is never accepted (TAR <= 0.5).
    const { points, auc } = rocCurve([pair(0.1, true), pair(0.2, false), pair(null, false), pair(null, true)]);
    expect(points.map((q) => [q.far, q.tar])).toEqual([[0.5, 0], [0.5, 0.5], [1, 0.5]]);
    expect(auc).toBe(0.25);
  });

  it('needs both kinds of pair', () => {
    expect(() => rocCurve([pair(0.1, true)])).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
  });
});

describe('tarAtFar', () => {
  it('gives the best TAR within the FAR and the threshold reaching it', () => {
    expect(tarAtFar(INTERLEAVED, 0.01)).toEqual({ targetFar: 0.01, far: 0, tar: 0.5, threshold: 0.1, farResolution: 0.5 });
    expect(tarAtFar(INTERLEAVED, 0.5)).toEqual({ targetFar: 0.5, far: 0.5, tar: 1, threshold: 0.5, farResolution: 0.5 });
  });

  it('reports TAR 0 when failed different pairs alone exceed the FAR', () => {
    const result = tarAtFar([pair(0.1, true), pair(0.2, false), pair(null, false)], 0.1);
    expect(result.tar).toBe(0);
    expect(result.far).toBe(0.5);
    expect(result.threshold).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses a FAR outside [0, 1]', () => {
    expect(() => tarAtFar(INTERLEAVED, 1.5)).toThrow(/far must be from 0 to 1; got 1.5/);
  });
});
