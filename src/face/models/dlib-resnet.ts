/**
 * dlib's ResNet face descriptor (128-d) as ported to tfjs by face-api.js — DeepFace's "Dlib".
 * The second recognition family beside the ONNX 512-d model: a different network, runtime and
 * training set, so its errors are worth fusing with the first's.
 */
import { LoadOnce } from '../../util/load-once.js';
import { fvError } from '../../errors.js';
import type { AlignmentTemplate } from '../align.js';
import type { FaceApiDescriptorNet } from '../runtime/tfjs.js';
import type { EmbeddingModel, ModelInfo, Point, RgbImage } from '../types.js';

/**
 * dlib's mean face as `get_face_chip_details` places it (fractions of the unpadded chip), reduced
 * to the pipeline's five points: eye centres (means of points 36-41 and 42-47), nose tip (30),
 * mouth corners (48, 54).
 */
const DLIB_MEAN_FACE_5 = [[0.225492, 0.21599], [0.754761, 0.21599], [0.490127, 0.515625], [0.254149, 0.780233], [0.726104, 0.780233]] as const;

/** dlib's padding for the chips this network was trained on: 0.25 of the face on each side. */
const DLIB_CHIP_PADDING = 0.25;

/**
 * Where the five landmarks go in the 150×150 crop for this model (dlib's chip, padding 0.25):
 * ≈ (47.6, 46.6) (100.5, 46.6) (74.0, 76.6) (50.4, 103.0) (97.6, 103.0). Eyes sit higher and
 * further apart than in the ArcFace template, and it matters: on LFW-a View 1 DevTest, aligned by
 * the pipeline's landmarks, 98.6 % here against 87.8 % with the ArcFace template scaled to 150;
 * with crops placed from LFW-a's mean landmarks, padding 0.2-0.3 scored 97.9-98.2 %, 0.1 → 97.1 %, 0.4 → 96.0 %.
 */
export const DLIB_RESNET_TEMPLATE: AlignmentTemplate = Object.freeze({ size: 150, points: Object.freeze(DLIB_MEAN_FACE_5.map(onChip)) });

function onChip([x, y]: readonly [number, number]): Point {
  const toPixels = (fraction: number) => ((DLIB_CHIP_PADDING + fraction) / (1 + 2 * DLIB_CHIP_PADDING)) * 150;
  return Object.freeze({ x: toPixels(x), y: toPixels(y) });
}

/**
 * What the registry knows of the dlib-ResNet.
 *
 * Thresholds apply to the pipeline's embeddings, which are L2-normalised (the raw descriptors have
 * a norm of about 1.4 on LFW-a, so dlib's own euclidean radius of 0.6 does not carry over): on unit
 * vectors euclidean = euclidean_l2 = √(2 · cosine). They are the accuracy-maximising ones on LFW-a
 * View 1 pairsDevTrain through the pipeline (ONNX detector, 5-point similarity alignment on
 * `DLIB_RESNET_TEMPLATE`, face nearest the centre): euclidean_l2 0.4197 and cosine 0.0881, 99.00 %
 * on DevTrain and 98.40 % on pairsDevTest at these thresholds (raw descriptors: euclidean 0.6006,
 * 98.82 % / 98.60 %). Logistic confidence slopes on the same DevTrain pairs: cosine 168.6,
 * euclidean_l2 71.6 (registry `confidenceSlope`). Raising a threshold accepts more genuine pairs
 * and more impostors alike.
 */
export const DLIB_RESNET_INFO: ModelInfo = Object.freeze({
  name: 'dlib-resnet-128',
  dimension: 128,
  inputSize: 150,
  runtime: 'tfjs-wasm',
  weights: Object.freeze({ npmPackage: '@vladmandic/face-api', file: 'model/face_recognition_model.bin' }),
  licence:
    'Code and converted weights: MIT (@vladmandic/face-api, after face-api.js by Vincent Mühler). ' +
    'Network: dlib_face_recognition_resnet_model_v1 by Davis King, released by its author into the public domain ' +
    '(dlib-models README); its training images (FaceScrub, VGG-Face, web scrapes) carry their own terms.',
  provenance:
    "dlib's 29-conv-layer ResNet (ResNet-34 with layers removed and filters halved), trained from scratch on ~3M faces " +
    'of 7,485 identities (no LFW identities) with a pairwise hinge loss whose margin is a 0.6 euclidean radius; ' +
    "dlib reports 99.38 % on LFW with its own 150×150 chips (padding 0.25). Converted to tfjs and uint8-quantised by face-api.js.",
  thresholds: Object.freeze({ cosine: 0.0881, euclidean: 0.4197, euclidean_l2: 0.4197 }),
});

export interface DlibResnetOptions {
  /** Folder holding `face_recognition_model-weights_manifest.json` and its `.bin`. Default: the one inside `@vladmandic/face-api`. */
  readonly modelDir?: string;
}

/**
 * The dlib-ResNet as an `EmbeddingModel`: 150×150 RGB crops aligned on `DLIB_RESNET_TEMPLATE` in,
 * raw 128-d descriptors out (not L2-normalised: their norm is about 1.4 on LFW-a).
 *
 * @example
 * const model = new DlibResnetModel();
 * await model.load();
 * const [a, b] = await model.embed([cropA, cropB]); // Float32Array(128) each
 * // same person when the euclidean distance of the raw a and b is <= 0.6 (of their unit-length copies: <= 0.42)
 * await model.dispose();
 */
export class DlibResnetModel implements EmbeddingModel {
  readonly info = DLIB_RESNET_INFO;
  private readonly net: LoadOnce<FaceApiDescriptorNet>;

  constructor(options: DlibResnetOptions = {}) {
    // tfjs is imported on load, not at the top, so reading this model's facts does not start a runtime.
    this.net = new LoadOnce(
      () => import('../runtime/tfjs.js').then(({ FaceApiDescriptorNet }) => FaceApiDescriptorNet.load(options.modelDir)),
      (net) => net.dispose(),
    );
  }

  /**
   * Idempotent; concurrent calls share one load.
   * @throws FV_ERR_MODEL_LOAD when the weights are missing or not the dlib-ResNet's.
   */
  load(): Promise<void> {
    return this.net.load();
  }

  /**
   * One descriptor per crop, in order; an empty batch gives an empty array.
   * @throws FV_ERR_MODEL_NOT_LOADED before `load()` or after `dispose()`.
   * @throws FV_ERR_INVALID_ARGUMENT when a crop is not 150×150 RGB (`data.length` = 150·150·3).
   */
  async embed(crops: readonly RgbImage[]): Promise<Float32Array[]> {
    const net = this.net.value;
    if (!net) throw fvError('FV_ERR_MODEL_NOT_LOADED', `Model ${this.info.name} was used before load() or after dispose()`, { model: this.info.name });
    const side = this.info.inputSize;
    crops.forEach((crop, index) => {
      if (crop.width !== side || crop.height !== side || crop.data.length !== side * side * 3) {
        throw fvError('FV_ERR_INVALID_ARGUMENT', `Crop ${index} is ${crop.width}×${crop.height} with ${crop.data.length} bytes; ${this.info.name} takes ${side}×${side} RGB (${side * side * 3} bytes)`, { index, width: crop.width, height: crop.height, expected: side });
      }
    });
    return net.describe(crops);
  }

  /** Idempotent. Using the model afterwards throws FV_ERR_MODEL_NOT_LOADED until `load()` again. */
  dispose(): Promise<void> {
    return this.net.dispose();
  }
}
