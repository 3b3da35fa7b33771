/**
 * Gender: face-api's age-gender net (the default, `GenderClassifier`), and the Faceplugin
 * `fr_gender.onnx` it replaced (`FacepluginGenderClassifier`, kept for comparison).
 *
 * Measured on the 13,225 labelled photos of LFW-a (`npm run bench:analyze`,
 * bench/results/analyze-gender.json; see BENCHMARKS.md): face-api's net is right far more often,
 * above all for women, whom fr_gender took for men in a large share of photos.
 */
import { LoadOnce } from '../../util/load-once.js';
import { fvError } from '../../errors.js';
import { warpAffine } from '../align.js';
import type { FaceApiGenderNet } from '../runtime/tfjs.js';
import type { FacialArea, RgbImage, WeightsSource } from '../types.js';
import { FaceAttributeModel, type AttributePredictor, type FaceAttributeOptions, type FaceAttributeSpec } from './face-attribute-model.js';
import { decodeSsrNet, SSR_NET_INPUT, SSR_NET_OUTPUTS } from './ssr-net.js';

/** The vendor's demo says "Male" above 0.6 on the model's 0-1 scale. */
const MAN_ABOVE = 0.6;

export interface GenderPrediction {
  readonly dominant: 'Woman' | 'Man';
  /** Percent, 0-100; `woman + man = 100`. */
  readonly woman: number;
  readonly man: number;
}

export const GENDER_SPEC = Object.freeze<FaceAttributeSpec<GenderPrediction>>({
  name: 'gender',
  file: 'fr_gender.onnx',
  ...SSR_NET_INPUT,
  outputs: SSR_NET_OUTPUTS,
  decode: (outputs) => toGender(decodeSsrNet(outputs, 1)),
});

/**
 * Maps the regressed value to DeepFace's percentages, piecewise linearly so that the vendor's
 * decision point 0.6 becomes 50 %: the dominant label always agrees with the larger percentage.
 * The percentages order faces by confidence; they are not calibrated probabilities.
 */
export function toGender(value: number): GenderPrediction {
  const v = Math.min(Math.max(value, 0), 1);
  const man = v <= MAN_ABOVE ? (v / MAN_ABOVE) * 50 : 50 + ((v - MAN_ABOVE) / (1 - MAN_ABOVE)) * 50;
  return { dominant: man > 50 ? 'Man' : 'Woman', woman: 100 - man, man };
}

/** Where the default gender model comes from, and on what terms. */
export const GENDER_MODEL_INFO = Object.freeze({
  name: 'face-api-age-gender',
  runtime: 'tfjs-wasm',
  weights: Object.freeze<WeightsSource>({ npmPackage: '@vladmandic/face-api', file: 'model/age_gender_model.bin' }),
  licence: 'MIT (@vladmandic/face-api 1.7.15, after face-api.js by Vincent Mühler, MIT); the training images carry their own terms.',
  provenance:
    "face-api.js's AgeGenderNet: a MobileNet-style feature extractor with an age regression and a gender classification head, " +
    '112×112 RGB input; trained by face-api.js on UTK, FGNET, Chalearn, Wiki, IMDB, CACD, MegaAge and MegaAge-asian (per its ' +
    'README), converted to tfjs and quantised. Shipped with the @vladmandic/face-api package already used for the dlib ResNet: ' +
    'no download at run time.',
});

/** Side of the square crop the net sees; face-api would pad and resize any crop to this. */
const GENDER_INPUT = 112;

/**
 * `predict(image, box)` → `{ dominant, woman, man }` in DeepFace's shape, from face-api's
 * age-gender net on the box made square about its centre (black beyond the image). The
 * percentages are the net's softmax probabilities.
 *
 * @example
 * await genders.predict(image, face.facialArea); // { dominant: 'Man', woman: 2.1, man: 97.9 }
 */
export class GenderClassifier implements AttributePredictor<GenderPrediction> {
  readonly name = 'gender';
  private readonly net: LoadOnce<FaceApiGenderNet>;

  constructor(options: FaceAttributeOptions = {}) {
    // tfjs is imported on load, so reading this module starts no runtime.
    this.net = new LoadOnce(
      () => import('../runtime/tfjs.js').then(({ FaceApiGenderNet }) => FaceApiGenderNet.load(options.faceApiModelDir)),
      (net) => net.dispose(),
    );
  }

  /** Idempotent; concurrent calls share one load. @throws FV_ERR_MODEL_LOAD when the weights are missing or not the age-gender net's. */
  load(): Promise<void> {
    return this.net.load();
  }

  /**
   * @throws FV_ERR_MODEL_NOT_LOADED before `load()` or after `dispose()`.
   * @throws FV_ERR_INVALID_ARGUMENT when the box is not finite or not positive in size.
   */
  async predict(image: RgbImage, box: FacialArea): Promise<GenderPrediction> {
    const net = this.net.value;
    if (!net) throw fvError('FV_ERR_MODEL_NOT_LOADED', 'The gender model was used before load() or after dispose()', { model: 'gender' });
    const { x, y, w, h } = box;
    if (![x, y, w, h].every(Number.isFinite) || !(w > 0 && h > 0)) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `Face box {x: ${x}, y: ${y}, w: ${w}, h: ${h}} must be finite and positive in size`, { box: { x, y, w, h } });
    }
    const scale = GENDER_INPUT / Math.max(w, h);
    const crop = warpAffine(image, [scale, 0, GENDER_INPUT / 2 - scale * (x + w / 2), 0, scale, GENDER_INPUT / 2 - scale * (y + h / 2)], GENDER_INPUT, GENDER_INPUT);
    const man = 100 * (await net.manProbability(crop));
    return { dominant: man > 50 ? 'Man' : 'Woman', woman: 100 - man, man };
  }

  /** Idempotent. */
  dispose(): Promise<void> {
    return this.net.dispose();
  }
}

/**
 * The Faceplugin `fr_gender.onnx` gender model, the default before face-api's net measured better
 * on LFW-a; kept so that `bench/analyze.ts --compare faceplugin` can measure it. On the DeepFace
 * set's 62 photos it was right for 55 (88.7 %).
 */
export class FacepluginGenderClassifier extends FaceAttributeModel<GenderPrediction> {
  constructor(options: FaceAttributeOptions = {}) {
    super(GENDER_SPEC, options);
  }
}
