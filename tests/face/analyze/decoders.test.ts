import { describe, expect, it } from 'vitest';
import { EMOTION_LABELS, EMOTION_SPEC } from '../../../src/face/analyze/emotion.js';
import { softmax } from '../../../src/face/analyze/face-attribute-model.js';
import { toGender } from '../../../src/face/analyze/gender.js';
import { LIVENESS_SPEC } from '../../../src/face/analyze/liveness.js';
import { decodeSsrNet } from '../../../src/face/analyze/ssr-net.js';
import type { TensorData } from '../../../src/face/runtime/onnx.js';

const t = (...values: number[]): TensorData => ({ data: Float32Array.from(values), dims: [1, values.length] });

/** SSR-Net outputs with the given stage probabilities and, optionally, offsets and scale shifts. */
type Stages<T> = [T, T, T];
function ssr(p: Stages<number[]>, offsets: Stages<number[]> = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], deltas: Stages<number> = [0, 0, 0]) {
  return {
    prob_stage_1: t(...p[0]), prob_stage_2: t(...p[1]), prob_stage_3: t(...p[2]),
    index_offset_stage1: t(...offsets[0]), index_offset_stage2: t(...offsets[1]), index_offset_stage3: t(...offsets[2]),
    stage1_delta_k: t(deltas[0]), stage2_delta_k: t(deltas[1]), stage3_delta_k: t(deltas[2]),
  };
}

describe('decodeSsrNet (the vendor mergeAge / mergeGender formula)', () => {
  const none = [0, 0, 0];

  it('one stage in its top bin: range · 2 / 3', () => {
    expect(decodeSsrNet(ssr([[0, 0, 1], none, none]), 101)).toBeCloseTo((101 * 2) / 3, 5);
  });

  it('a scale shift Δ widens the stage: 2 / (3 · (1 + 1))', () => {
    expect(decodeSsrNet(ssr([[0, 0, 1], none, none], undefined, [1, 0, 0]), 1)).toBeCloseTo(1 / 3, 6);
  });

  it('index offsets move the bins: ((0 + 0.2) · 0.5 + (1 − 0.4) · 0.5) / 3', () => {
    expect(decodeSsrNet(ssr([[0.5, 0.5, 0], none, none], [[0.2, -0.4, 0], none, none]), 1)).toBeCloseTo(0.4 / 3, 6);
  });

  it('later stages refine by 1/9 and 1/27: 1/3 + 2/9 + 0.5/27', () => {
    expect(decodeSsrNet(ssr([[0, 1, 0], [0, 0, 1], [1, 0, 0]], [none, none, [0.5, 0, 0]]), 1)).toBeCloseTo(15.5 / 27, 6);
  });
});

describe('toGender (vendor decision point 0.6 → 50 %)', () => {
  it.each([
    [0, 0, 'Woman'],
    [0.3, 25, 'Woman'],
    [0.6, 50, 'Woman'],
    [0.8, 75, 'Man'],
    [1, 100, 'Man'],
    [1.2, 100, 'Man'],
    [-0.1, 0, 'Woman'],
  ] as const)('%d → man %d %%, %s', (value, man, dominant) => {
    const g = toGender(value);
    expect(g.man).toBeCloseTo(man, 9);
    expect(g.woman + g.man).toBeCloseTo(100, 9);
    expect(g.dominant).toBe(dominant);
  });
});

describe('softmax', () => {
  it('[0, ln 3] → [0.25, 0.75]; huge equal logits stay finite', () => {
    expect(Array.from(softmax(Float32Array.from([0, Math.log(3)]), new Float64Array(2))).map((v) => v.toFixed(6))).toEqual(['0.250000', '0.750000']);
    expect(Array.from(softmax(Float32Array.from([1000, 1000]), new Float64Array(2)))).toEqual([0.5, 0.5]);
  });
});

describe('emotion and liveness decoding', () => {
  it('emotion: percentages in FER-2013 order, dominant the largest', () => {
    const logits = [0, 0, 0, Math.log(4), 0, 0, 0]; // happy: 4 / 10
    const e = EMOTION_SPEC.decode({ output: t(...logits) });
    expect(e.dominant).toBe('happy');
    expect(e.scores.happy).toBeCloseTo(40, 5);
    expect(e.scores.angry).toBeCloseTo(10, 5);
    expect(EMOTION_LABELS.reduce((sum, label) => sum + e.scores[label], 0)).toBeCloseTo(100, 9);
  });

  it('liveness: the score is the probability of class 0, real from 0.3 up', () => {
    const live = LIVENESS_SPEC.decode({ output: t(Math.log(3), 0, 0) });
    expect(live.score).toBeCloseTo(0.6, 6);
    expect(live).toMatchObject({ isReal: true, threshold: 0.3 });
    const fake = LIVENESS_SPEC.decode({ output: t(0, Math.log(9), 0) });
    expect(fake.score).toBeCloseTo(1 / 11, 6);
    expect(fake.isReal).toBe(false);
  });
});
