/**
 * Facial expression, seven classes, from `fr_expression.onnx` (224×224 input).
 */
import { FaceAttributeModel, softmax, type FaceAttributeOptions, type FaceAttributeSpec } from './face-attribute-model.js';
import { at, entry } from '../../util/checked.js';

/**
 * DeepFace's emotion labels, in the model's output order: the FER-2013 order, which the vendor's
 * Vue demo spells `{0: angry, 1: disgust, 2: fear, 3: smile, 4: sad, 5: surprise, 6: neutral}`.
 */
export const EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;

export type EmotionLabel = (typeof EMOTION_LABELS)[number];

export interface EmotionPrediction {
  readonly dominant: EmotionLabel;
  /** Per label, in percent; they sum to 100. */
  readonly scores: Readonly<Record<EmotionLabel, number>>;
}

export const EMOTION_SPEC = Object.freeze<FaceAttributeSpec<EmotionPrediction>>({
  name: 'emotion',
  file: 'fr_expression.onnx',
  inputSize: 224,
  crop: { kind: 'grow-right-down', factor: 1.2 },
  pixels: { order: 'bgr', mean: [0, 0, 0], scale: [1 / 255, 1 / 255, 1 / 255] },
  outputs: { output: EMOTION_LABELS.length },
  decode: (outputs) => toEmotion(softmax(entry(outputs, 'output').data, new Float64Array(EMOTION_LABELS.length))),
});

function toEmotion(probabilities: Float64Array): EmotionPrediction {
  const scores = {} as Record<EmotionLabel, number>;
  let dominant: EmotionLabel = EMOTION_LABELS[0];
  EMOTION_LABELS.forEach((label, i) => {
    const probability = at(probabilities, i);
    scores[label] = probability * 100;
    if (probability > scores[dominant] / 100) dominant = label;
  });
  return { dominant, scores };
}

/**
 * `predict(image, box)` → the dominant expression and a percentage per label. Not measured
 * against labels (none were available here); on the 62 deepface photos it agreed with face-api's
 * independently trained expression net on 44 (mostly 'happy' celebrity photos).
 *
 * @example
 * await emotions.predict(image, face.facialArea); // { dominant: 'happy', scores: { angry: 0.4, …, happy: 93.1, … } }
 */
export class EmotionClassifier extends FaceAttributeModel<EmotionPrediction> {
  constructor(options: FaceAttributeOptions = {}) {
    super(EMOTION_SPEC, options);
  }
}
