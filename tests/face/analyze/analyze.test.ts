/**
 * The four attribute models on real faces every machine has: face-api's demo photo sample1.jpg
 * (three women, colour, unlabelled upstream; the labels below are by eye).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePhoto } from '../../recognition/face-api-samples.js';
import { codeOf } from '../../helpers/error-code.js';
import { ANALYZE_ACTIONS } from '../../../src/face/analyze/actions.js';
import { FaceAnalyzer } from '../../../src/face/analyze/analyze.js';
import { EMOTION_LABELS } from '../../../src/face/analyze/emotion.js';
import { AgeEstimator } from '../../../src/face/analyze/age.js';
import { decodeImage } from '../../../src/face/image.js';
import type { FacialArea, RgbImage } from '../../../src/face/types.js';

const sample1 = samplePhoto(1);

/** Boxes the pipeline's default detector ('faceplugin') found in sample1.jpg (1920×1280), fixed here once. */
const box = (x: number, y: number, w: number, h: number): FacialArea => ({ x, y, w, h, leftEye: { x: 0, y: 0 }, rightEye: { x: 0, y: 0 } });
const LAUGHING_RIGHT = box(1461, 217, 219, 214);
const MIDDLE = box(829, 428, 202, 222);
const LEFT = box(417, 357, 184, 236);

describe('FaceAnalyzer on sample1.jpg', () => {
  let image: RgbImage;
  const analyzer = new FaceAnalyzer();
  beforeAll(async () => {
    image = await decodeImage(sample1);
    await analyzer.load();
  });
  afterAll(() => analyzer.dispose());

  it('gives every requested field, in range, for each face', async () => {
    for (const face of [LAUGHING_RIGHT, MIDDLE, LEFT]) {
      const result = await analyzer.analyzeFace(image, face);
      expect(Object.keys(result)).toEqual([...ANALYZE_ACTIONS]);
      expect(result.age).toBeGreaterThan(18);
      expect(result.age).toBeLessThan(60);
      expect(result.gender!.dominant).toBe('Woman');
      expect(result.gender!.woman + result.gender!.man).toBeCloseTo(100, 6);
      const scores = EMOTION_LABELS.map((label) => result.emotion!.scores[label]);
      expect(scores.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 4);
      expect(result.emotion!.scores[result.emotion!.dominant]).toBe(Math.max(...scores));
      expect(result.liveness!.score).toBeGreaterThanOrEqual(0);
      expect(result.liveness!.score).toBeLessThanOrEqual(1);
      expect(result.liveness!.isReal).toBe(result.liveness!.score >= result.liveness!.threshold);
    }
  });

  it('sees the laughing woman as happy and live', async () => {
    const result = await analyzer.analyzeFace(image, LAUGHING_RIGHT, ['emotion', 'liveness']);
    expect(Object.keys(result)).toEqual(['emotion', 'liveness']);
    expect(result.emotion!.dominant).toBe('happy');
    expect(result.liveness!.isReal).toBe(true);
  });

  it('is deterministic', async () => {
    const first = await analyzer.analyzeFace(image, MIDDLE);
    expect(await analyzer.analyzeFace(image, MIDDLE)).toEqual(first);
  });

  it('crops the box itself: a box at the image corner or partly outside still works', async () => {
    const corner = await analyzer.analyzeFace(image, box(-50, -50, 120, 120), ['age', 'liveness']);
    expect(Number.isFinite(corner.age)).toBe(true);
    expect(Number.isFinite(corner.liveness!.score)).toBe(true);
  });

  it('refuses boxes that cover no pixel, bad actions, and empty action lists', async () => {
    expect(await codeOf(analyzer.analyzeFace(image, box(5000, 10, 100, 100)))).toBe('FV_ERR_INVALID_ARGUMENT');
    expect(await codeOf(analyzer.analyzeFace(image, box(10, 10, Number.NaN, 100)))).toBe('FV_ERR_INVALID_ARGUMENT');
    expect(await codeOf(analyzer.analyzeFace(image, box(10, 10, -5, 100)))).toBe('FV_ERR_INVALID_ARGUMENT');
    expect(await codeOf(analyzer.analyzeFace(image, LEFT, ['race' as 'age']))).toBe('FV_ERR_INVALID_ARGUMENT');
    expect(await codeOf(analyzer.analyzeFace(image, LEFT, []))).toBe('FV_ERR_INVALID_ARGUMENT');
  });
});

describe('attribute model lifecycle', () => {
  const tiny: RgbImage = { data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64 };
  const whole = box(8, 8, 48, 48);

  it('needs load(); dispose() is idempotent and unloads', async () => {
    const ages = new AgeEstimator();
    expect(await codeOf(ages.predict(tiny, whole))).toBe('FV_ERR_MODEL_NOT_LOADED');
    await Promise.all([ages.load(), ages.load()]);
    expect(Number.isFinite(await ages.predict(tiny, whole))).toBe(true);
    await ages.dispose();
    await ages.dispose();
    expect(await codeOf(ages.predict(tiny, whole))).toBe('FV_ERR_MODEL_NOT_LOADED');
  });

  it('analyzeFace names the analyses that were not loaded', async () => {
    const analyzer = new FaceAnalyzer();
    await analyzer.load(['age']);
    expect(await codeOf(analyzer.analyzeFace(tiny, whole, ['age']))).toBe('no error');
    await expect(analyzer.analyzeFace(tiny, whole, ['age', 'gender'])).rejects.toMatchObject({ code: 'FV_ERR_MODEL_NOT_LOADED', details: { missing: ['gender'] } });
    await analyzer.dispose();
    expect(await codeOf(analyzer.analyzeFace(tiny, whole, ['age']))).toBe('FV_ERR_MODEL_NOT_LOADED');
  });

  it('fails to load from a folder without the models', async () => {
    expect(await codeOf(new AgeEstimator({ modelDir: '/nonexistent-facevault-models' }).load())).toBe('FV_ERR_MODEL_LOAD');
  });
});
