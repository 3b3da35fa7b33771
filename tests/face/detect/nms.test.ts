import { describe, expect, it } from 'vitest';
import { intersectionOverUnion, nonMaxSuppression } from '../../../src/face/detect/nms.js';

const box = (x1: number, y1: number, x2: number, y2: number, score: number) => ({ x1, y1, x2, y2, score });

describe('nonMaxSuppression', () => {
  it('computes IoU by hand: two 10×10 boxes overlapping by half', () => {
    expect(intersectionOverUnion(box(0, 0, 10, 10, 1), box(5, 0, 15, 10, 1))).toBeCloseTo(50 / 150, 12);
    expect(intersectionOverUnion(box(0, 0, 10, 10, 1), box(10, 0, 20, 10, 1))).toBe(0);
  });

  it('keeps the best of overlapping boxes and every separate one, best first', () => {
    const kept = nonMaxSuppression([box(1, 0, 11, 10, 0.8), box(0, 0, 10, 10, 0.9), box(50, 50, 60, 60, 0.7), box(100, 0, 110, 10, 0.95)], 0.3);
    expect(kept.map((b) => b.score)).toEqual([0.95, 0.9, 0.7]);
  });

  it('keeps a box whose overlap is at the threshold', () => {
    expect(nonMaxSuppression([box(0, 0, 10, 10, 0.9), box(5, 0, 15, 10, 0.8)], 1 / 3 + 1e-9)).toHaveLength(2);
  });
});
