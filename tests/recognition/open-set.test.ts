import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGET_FPIR, fpirAt, impostorFar, openSetModelFor, sameSubjectProbability, thresholdForFpir, type OpenSetModel } from '../../src/recognition/open-set.js';

/** A hand-made model: FAR rises linearly from 0.001 at 0.6 to 1 at 1.6 above the tail; an exponential tail below 0.6. */
const GRID = Array.from({ length: 201 }, (_, k) => k * 0.01);
const toy: OpenSetModel = {
  model: 'toy',
  tail: { threshold: 0.6, rate: 0.001, xi: 0, sigma: 0.05 },
  step: 0.01,
  far: GRID.map((d) => (d < 0.6 ? 0 : Math.min(1, 0.001 + (d - 0.6) * 0.999))),
  logLikelihoodRatio: GRID.map((d) => 20 - 40 * d),
};

const arcface = openSetModelFor('faceplugin-arcface');

describe('open-set thresholds', () => {
  it('FAR is the exponential tail below its threshold and the table above it', () => {
    expect(impostorFar(toy, 0.6 - 0.05)).toBeCloseTo(0.001 * Math.exp(-1), 12);
    expect(impostorFar(toy, 1.1)).toBeCloseTo(0.001 + 0.5 * 0.999, 9);
    expect(impostorFar(toy, 2)).toBe(1);
  });

  it('at N = 1 the FPIR is the per-pair FAR, and the solved threshold gives back the target', () => {
    for (const t of [0.3, 0.5, 0.7, 1]) expect(fpirAt(toy, t, 1)).toBeCloseTo(impostorFar(toy, t), 12);
    for (const fpir of [1e-4, 1e-3, 0.01, 0.2]) {
      const t = thresholdForFpir(toy, fpir, 1);
      expect(impostorFar(toy, t)).toBeCloseTo(fpir, 6);
    }
  });

  it('holds the target at any size, tightening as the gallery grows', () => {
    let previous = Number.POSITIVE_INFINITY;
    // (Up to 100,000: beyond, this toy tail would need a distance below 0.)
    for (const n of [1, 10, 1_000, 100_000]) {
      const t = thresholdForFpir(toy, 0.01, n);
      expect(fpirAt(toy, t, n)).toBeCloseTo(0.01, 6);
      expect(t).toBeLessThan(previous);
      previous = t;
    }
    // 1 − (1 − p)^N, by hand: p = 1e-5, N = 1,000 → 0.00995...
    const t = 0.6 - 0.05 * Math.log(0.001 / 1e-5);
    expect(fpirAt(toy, t, 1_000)).toBeCloseTo(1 - (1 - 1e-5) ** 1_000, 9);
  });

  it('a stricter target gives a lower threshold; bad arguments are refused', () => {
    expect(thresholdForFpir(toy, 0.001, 1_000)).toBeLessThan(thresholdForFpir(toy, 0.01, 1_000));
    expect(() => thresholdForFpir(toy, 0, 10)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => thresholdForFpir(toy, 1, 10)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => thresholdForFpir(toy, 0.01, 0)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => fpirAt(toy, 0.5, 1.5)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
  });
});

describe('candidate probability', () => {
  it('is Bayes with per-entry prior odds (π/N) / (1 − π/N): LR / (1 + LR) at N = 1, π = ½', () => {
    // ln LR(0.5) = 0 → ½
    expect(sameSubjectProbability(toy, 0.5, 1)).toBeCloseTo(0.5, 12);
    const lr = Math.exp(20 - 40 * 0.3);
    expect(sameSubjectProbability(toy, 0.3, 1)).toBeCloseTo(lr / (1 + lr), 12);
    const odds = lr * (0.5 / 1000) / (1 - 0.5 / 1000);
    expect(sameSubjectProbability(toy, 0.3, 1000)).toBeCloseTo(odds / (1 + odds), 12);
  });

  it('stays in [0, 1] and falls with the distance and with the gallery size', () => {
    for (const n of [1, 100, 1_000_000]) {
      let previous = 2;
      for (const d of GRID) {
        const p = sameSubjectProbability(toy, d, n);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(p).toBeLessThanOrEqual(previous);
        previous = p;
      }
    }
    expect(sameSubjectProbability(toy, 0.45, 1_000_000)).toBeLessThan(sameSubjectProbability(toy, 0.45, 100));
    expect(() => sameSubjectProbability(toy, 0.4, 10, 0)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
  });
});

describe.runIf(arcface !== undefined)('the fitted model of faceplugin-arcface', () => {
  const model = arcface as OpenSetModel;

  it('reproduces the measured figures it was fitted on (bench/results/open-set.json)', () => {
    // Person-weighted LFW-a: the fitted FAR at the old fixed threshold 0.53 is 1.9e-5 (1.3e-5 measured), so 0.53 holds ~84 % at 100K.
    expect(impostorFar(model, 0.53)).toBeGreaterThan(5e-6);
    expect(impostorFar(model, 0.53)).toBeLessThan(5e-5);
    expect(fpirAt(model, 0.53, 100_000)).toBeGreaterThan(0.5);
    expect(thresholdForFpir(model, DEFAULT_TARGET_FPIR, 1_000)).toBeCloseTo(0.51, 1);
  });

  it('its likelihood-ratio table never rises with the distance', () => {
    model.logLikelihoodRatio.forEach((v, k) => {
      if (k > 0) expect(v).toBeLessThanOrEqual(model.logLikelihoodRatio[k - 1] as number);
    });
  });

  it('models without a fitted tail have none', () => {
    expect(openSetModelFor('dlib-resnet-128')).toBeUndefined();
  });
});
