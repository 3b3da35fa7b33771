/**
 * Passive liveness (anti-spoof) score from `fr_liveness.onnx` (128×128 input, three classes).
 */
import { FaceAttributeModel, softmax, type FaceAttributeOptions, type FaceAttributeSpec } from './face-attribute-model.js';
import { at, entry } from '../../util/checked.js';

/**
 * The vendor's demo labels a face "Fake" when the score is below 0.3. Not validated here: no
 * spoof data set was available, so treat the score as a signal, not a security control.
 */
export const LIVENESS_THRESHOLD = 0.3;

export interface LivenessPrediction {
  /** Probability of the "live" class (the model's class 0), 0-1. */
  readonly score: number;
  /** `score >= threshold`. */
  readonly isReal: boolean;
  readonly threshold: number;
}

export const LIVENESS_SPEC = Object.freeze<FaceAttributeSpec<LivenessPrediction>>({
  name: 'liveness',
  file: 'fr_liveness.onnx',
  inputSize: 128,
  // 2.7× the box: the model judges the surroundings of the face too (screen borders, paper edges).
  crop: { kind: 'centred', scale: 2.7 },
  // Raw 0-255 values, as the vendor feeds them (in BGR, unlike the vendor: see face-attribute-model.ts).
  pixels: { order: 'bgr', mean: [0, 0, 0], scale: [1, 1, 1] },
  outputs: { output: 3 },
  decode: (outputs) => {
    const score = at(softmax(entry(outputs, 'output').data, new Float64Array(3)), 0);
    return { score, isReal: score >= LIVENESS_THRESHOLD, threshold: LIVENESS_THRESHOLD };
  },
});

/**
 * `predict(image, box)` → `{ score, isReal, threshold }`. A single-frame passive check: it sees
 * one photo, so replayed video and good prints can pass; combine with challenge-response where
 * spoofing matters. What was seen here, which is no validated anti-spoof evaluation: 61 of 62
 * real deepface photos judged real; simulated re-captures of the same photos (downscaled 4×,
 * blurred, JPEG 30) still judged real 61/62; a simulated print in a frame on a wall 56/62.
 * On face-api's demo photos (pipeline boxes) 2 of 22 real faces scored below the threshold.
 *
 * @example
 * await liveness.predict(image, face.facialArea); // { score: 0.93, isReal: true, threshold: 0.3 }
 */
export class LivenessDetector extends FaceAttributeModel<LivenessPrediction> {
  constructor(options: FaceAttributeOptions = {}) {
    super(LIVENESS_SPEC, options);
  }
}
