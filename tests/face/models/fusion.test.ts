import { describe, expect, it } from 'vitest';
import { cosineDistance, l2Normalize } from '../../../src/face/distance.js';
import { fuseEmbeddings } from '../../../src/face/models/fusion.js';

describe('fuseEmbeddings', () => {
  it('scales each unit part by √weight and concatenates in order', () => {
    const fused = fuseEmbeddings([new Float32Array([1, 0]), new Float32Array([0, 1, 0])], [0.75, 0.25]);
    expect(Array.from(fused)).toEqual([Math.fround(Math.sqrt(0.75)), 0, 0, 0.5, 0]);
  });

  it('gives unit vectors whose cosine distance is the weighted sum of the parts\' (hand-computed pair)', () => {
    // Part 1: a₁ = (1, 0), b₁ = (0, 1): cosine distance 1. Part 2: a₂ = b₂ = (0.6, 0.8): distance 0.
    const a = fuseEmbeddings([new Float32Array([1, 0]), new Float32Array([0.6, 0.8])], [0.3, 0.7]);
    const b = fuseEmbeddings([new Float32Array([0, 1]), new Float32Array([0.6, 0.8])], [0.3, 0.7]);
    expect(Math.hypot(...a)).toBeCloseTo(1, 6);
    expect(cosineDistance(a, b)).toBeCloseTo(0.3 * 1 + 0.7 * 0, 6);
  });

  it('keeps that identity for any unit parts', () => {
    const unit = (...v: number[]) => l2Normalize(v);
    const [a1, b1, a2, b2] = [unit(1, 2, 3), unit(-1, 0.5, 2), unit(4, -1), unit(1, 1)];
    const fused = cosineDistance(fuseEmbeddings([a1, a2], [0.2, 0.8]), fuseEmbeddings([b1, b2], [0.2, 0.8]));
    expect(fused).toBeCloseTo(0.2 * cosineDistance(a1, b1) + 0.8 * cosineDistance(a2, b2), 6);
  });
});
