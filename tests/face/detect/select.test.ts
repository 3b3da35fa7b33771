import { describe, expect, it } from 'vitest';
import { resolveDetectOptions, selectFaces } from '../../../src/face/detect/select.js';
import type { DetectedFace } from '../../../src/face/types.js';

const face = (x: number, y: number, side: number, score: number): DetectedFace => {
  const p = { x, y };
  return { facialArea: { x, y, w: side, h: side, leftEye: p, rightEye: p }, score, landmarks: [p, p, p, p, p] };
};
// On a 200×100 image: a big face at the edge, a confident small one, a medium one at the centre.
const faces = [face(0, 0, 60, 0.8), face(150, 60, 20, 0.99), face(85, 35, 30, 0.9)];
const image = { width: 200, height: 100 };

describe('selectFaces', () => {
  it('orders by largest, confident or central', () => {
    const pick = (select: 'largest' | 'confident' | 'central') => selectFaces(faces, image, resolveDetectOptions({ select })).map((f) => f.facialArea.w);
    expect(pick('largest')).toEqual([60, 30, 20]);
    expect(pick('confident')).toEqual([20, 30, 60]);
    expect(pick('central')).toEqual([30, 20, 60]);
  });

  it('drops faces under minFaceSize and keeps maxFaces', () => {
    expect(selectFaces(faces, image, resolveDetectOptions({ minFaceSize: 25, maxFaces: 1, select: 'confident' })).map((f) => f.facialArea.w)).toEqual([30]);
  });

  it('fills defaults and rejects bad options naming them', () => {
    expect(resolveDetectOptions({ maxFaces: undefined })).toMatchObject({ select: 'largest', minFaceSize: 0, scoreThreshold: 0.5 });
    for (const bad of [{ maxFaces: 0 }, { maxFaces: 1.5 }, { minFaceSize: -1 }, { scoreThreshold: 2 }, { select: 'biggest' as never }]) {
      expect(() => resolveDetectOptions(bad)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT', details: expect.objectContaining({ field: Object.keys(bad)[0] }) }));
    }
  });
});
