/** face-api on tfjs-wasm: the detector on face-api's own demo photo, the descriptor net's mechanics, lifecycles. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePhoto } from '../../recognition/face-api-samples.js';
import { codeOf } from '../../helpers/error-code.js';
import { decodeImage } from '../../../src/face/image.js';
import { FaceApiDescriptorNet, FaceApiDetector } from '../../../src/face/runtime/tfjs.js';
import type { RgbImage } from '../../../src/face/types.js';
import { atLeast } from '../../helpers/checked.js';

const sample1 = samplePhoto(1);

describe('FaceApiDetector on sample1.jpg (three women)', () => {
  let detector: FaceApiDetector;
  let image: RgbImage;
  beforeAll(async () => {
    [detector, image] = await Promise.all([FaceApiDetector.load(), decodeImage(sample1)]);
  });
  afterAll(() => detector?.dispose());

  it('finds the three faces where the ONNX detector does, with five landmarks inside each box', async () => {
    const faces = await detector.detect(image);
    // Box centres of the pipeline's default detector on this photo (fixed once): right, middle, left.
    const onnxCentres: [number, number][] = [[1570, 324], [930, 539], [509, 475]];
    expect(faces.length).toBe(3);
    for (const [cx, cy] of onnxCentres) {
      const match = faces.find((f) => Math.hypot(f.facialArea.x + f.facialArea.w / 2 - cx, f.facialArea.y + f.facialArea.h / 2 - cy) < 40);
      expect(match, `a face near (${cx}, ${cy})`).toBeDefined();
    }
    for (const { facialArea: box, score, landmarks } of faces) {
      expect(score).toBeGreaterThan(0.5);
      for (const p of landmarks) {
        expect(p.x).toBeGreaterThan(box.x - 5);
        expect(p.x).toBeLessThan(box.x + box.w + 5);
        expect(p.y).toBeGreaterThan(box.y - 5);
        expect(p.y).toBeLessThan(box.y + box.h + 5);
      }
      expect(landmarks[0].x).toBeLessThan(landmarks[1].x);
      expect(box.leftEye).toEqual(landmarks[0]);
      expect(box.rightEye).toEqual(landmarks[1]);
    }
    expect(await detector.detect(image)).toEqual(faces);
  });

  it('honours maxFaces and refuses bad options', async () => {
    expect((await detector.detect(image, { maxFaces: 1 })).length).toBe(1);
    expect(await codeOf(detector.detect(image, { minScore: 1 }))).toBe('FV_ERR_INVALID_ARGUMENT');
    expect(await codeOf(detector.detect(image, { maxFaces: 0 }))).toBe('FV_ERR_INVALID_ARGUMENT');
  });
});

describe('face-api lifecycles', () => {
  const grey: RgbImage = { data: new Uint8Array(150 * 150 * 3).fill(128), width: 150, height: 150 };

  it('the descriptor net resizes other sizes to 150 and is unusable after dispose(), which is idempotent', async () => {
    const net = await FaceApiDescriptorNet.load();
    const [a, b] = atLeast(await net.describe([grey, { data: new Uint8Array(300 * 300 * 3).fill(128), width: 300, height: 300 }]), 2);
    expect(a.length).toBe(128);
    // A flat grey 300×300 resized to 150 is the same flat grey.
    expect(b).toEqual(a);
    net.dispose();
    net.dispose();
    expect(await codeOf(net.describe([grey]))).toBe('FV_ERR_MODEL_NOT_LOADED');
  });

  it('the detector is unusable after dispose(), which is idempotent', async () => {
    const detector = await FaceApiDetector.load();
    expect(await detector.detect(grey)).toEqual([]);
    detector.dispose();
    detector.dispose();
    expect(await codeOf(detector.detect(grey))).toBe('FV_ERR_MODEL_NOT_LOADED');
  });

  it('loading from a folder without weights fails with FV_ERR_MODEL_LOAD', async () => {
    expect(await codeOf(FaceApiDescriptorNet.load('/nonexistent-facevault-models'))).toBe('FV_ERR_MODEL_LOAD');
    expect(await codeOf(FaceApiDetector.load('/nonexistent-facevault-models'))).toBe('FV_ERR_MODEL_LOAD');
  });
});
