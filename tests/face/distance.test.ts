import { describe, expect, it } from 'vitest';
import { angularDistance, confidenceFor, confidenceFromDistance, cosineDistance, distance, euclideanDistance, euclideanL2Distance, fromCosineDistance, l2Normalize, parseMetric, thresholdFor, toCosineDistance } from '../../src/face/distance.js';
import { at } from '../helpers/checked.js';

describe('distances', () => {
  it('cosine: 0 same direction, 1 orthogonal, 2 opposite, scale-free', () => {
    expect(cosineDistance([1, 2], [2, 4])).toBeCloseTo(0, 12);
    expect(cosineDistance([1, 0], [0, 2])).toBe(1);
    expect(cosineDistance([1, 1], [-3, -3])).toBeCloseTo(2, 12);
    expect(cosineDistance([0, 0], [1, 0])).toBe(1);
  });

  it('euclidean: 3-4-5', () => {
    expect(euclideanDistance([0, 0], [3, 4])).toBe(5);
    expect(euclideanDistance(new Float32Array([1, 1]), [1, 1])).toBe(0);
  });

  it('euclidean_l2 normalises first: √2 for orthogonal vectors of any length', () => {
    expect(euclideanL2Distance([2, 0], [0, 5])).toBeCloseTo(Math.SQRT2, 12);
    expect(euclideanL2Distance([3, 4], [6, 8])).toBeCloseTo(0, 6);
  });

  it('dispatches by metric name and rejects unknown names listing the allowed ones', () => {
    expect(distance([0, 0], [3, 4], 'euclidean')).toBe(5);
    expect(parseMetric('cosine')).toBe('cosine');
    expect(parseMetric('angular')).toBe('angular');
    expect(() => parseMetric('manhattan')).toThrow(expect.objectContaining({ code: 'FV_ERR_MODEL_UNKNOWN', message: expect.stringContaining('euclidean_l2, angular') }));
  });

  it("angular is DeepFace's arccos(cos) / π, and every metric converts to and from cosine on unit vectors", () => {
    expect(angularDistance([1, 0], [0, 2])).toBeCloseTo(0.5, 12);
    expect(angularDistance([1, 0], [-1, 0])).toBeCloseTo(1, 12);
    expect(angularDistance([1, 1], [2, 2])).toBeCloseTo(0, 6);
    const a = [0.6, 0.8], b = [1, 0];
    for (const metric of ['cosine', 'euclidean', 'euclidean_l2', 'angular'] as const) {
      const d = distance(a, b, metric);
      expect(fromCosineDistance(cosineDistance(a, b), metric)).toBeCloseTo(d, 12);
      expect(toCosineDistance(d, metric)).toBeCloseTo(cosineDistance(a, b), 12);
    }
    // the angular threshold verifies the same pairs as the cosine one, and scores them alike
    const thresholds = { cosine: 0.68, euclidean: 1.17, euclidean_l2: 1.17 };
    expect(thresholdFor(thresholds, 'angular')).toBeCloseTo(Math.acos(0.32) / Math.PI, 12);
    const slopes = { cosine: 26, euclidean: 31.5, euclidean_l2: 31.5 };
    expect(confidenceFor(fromCosineDistance(0.5, 'angular'), thresholdFor(thresholds, 'angular'), 'angular', slopes)).toBeCloseTo(confidenceFor(0.5, 0.68, 'cosine', slopes), 9);
  });

  it('l2Normalize gives unit length and keeps zero at zero', () => {
    expect(Array.from(l2Normalize([3, 4]))).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(l2Normalize([0, 0]))).toEqual([0, 0]);
  });
});

describe('confidenceFromDistance', () => {
  it('is 50 at the threshold, monotone decreasing, within 0-100', () => {
    expect(confidenceFromDistance(0.6, 0.6, 20)).toBe(50);
    expect(confidenceFromDistance(0.3, 0.6, 20)).toBeCloseTo(100 / (1 + Math.exp(-6)), 10);
    const values = [0, 0.2, 0.4, 0.6, 0.8, 1, 2].map((d) => confidenceFromDistance(d, 0.6, 20));
    values.slice(1).forEach((value, i) => expect(value).toBeLessThan(at(values, i)));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(100);
  });
});
