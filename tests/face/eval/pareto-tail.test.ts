import { describe, expect, it } from 'vitest';
import { fitGeneralizedPareto, gpdDensity, gpdQuantile, gpdSurvival } from '../../../src/face/eval/pareto-tail.js';
import { seededRandom } from '../../../src/util/seeded-random.js';

/** Draws by inversion: y = quantile(u) for u uniform. */
function samples(tail: { xi: number; sigma: number }, n: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => gpdQuantile(1 - random(), tail));
}

describe('generalized Pareto tail', () => {
  it('computes survival, density and quantile by hand on a bounded tail', () => {
    const tail = { xi: -0.5, sigma: 0.1 };
    // (1 + ξ y / σ)^(−1/ξ) = (1 − 0.5)^2
    expect(gpdSurvival(0.1, tail)).toBeCloseTo(0.25, 12);
    expect(gpdSurvival(0, tail)).toBe(1);
    expect(gpdSurvival(0.2, tail)).toBe(0); // the end point −σ/ξ
    expect(gpdQuantile(0.25, tail)).toBeCloseTo(0.1, 12);
    // density = (1/σ)(1 + ξ y/σ)^(−1/ξ − 1) = 10 · 0.5
    expect(gpdDensity(0.1, tail)).toBeCloseTo(5, 10);
    expect(gpdSurvival(0.1, { xi: 0, sigma: 0.1 })).toBeCloseTo(Math.exp(-1), 12);
  });

  it.each([
    { xi: -0.2, sigma: 0.05 },
    { xi: 0, sigma: 0.03 },
    { xi: 0.2, sigma: 0.04 },
  ])('recovers ξ = $xi, σ = $sigma from 20,000 draws', (tail) => {
    const fit = fitGeneralizedPareto(samples(tail, 20_000, 7));
    expect(fit.xi).toBeCloseTo(tail.xi, 1);
    expect(Math.abs(fit.sigma / tail.sigma - 1)).toBeLessThan(0.05);
  });

  it('weights count as repeated draws, and a narrowed search finds the same fit', () => {
    const draws = samples({ xi: -0.1, sigma: 0.05 }, 2_000, 3);
    const doubled = fitGeneralizedPareto([...draws, ...draws]);
    const weighted = fitGeneralizedPareto(draws, { weights: draws.map(() => 2) });
    expect(weighted.xi).toBeCloseTo(doubled.xi, 4);
    expect(weighted.sigma).toBeCloseTo(doubled.sigma, 5);
    const near = fitGeneralizedPareto(draws, { near: weighted });
    expect(near.xi).toBeCloseTo(weighted.xi, 3);
  });

  it('refuses too few excesses and non-positive ones', () => {
    expect(() => fitGeneralizedPareto([0.1, 0.2])).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => fitGeneralizedPareto([...Array.from({ length: 20 }, () => 0.1), 0])).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
  });
});
