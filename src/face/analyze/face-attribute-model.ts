/**
 * One ONNX face-attribute model from `faceplugin-face-recognition-js` (age, gender, expression,
 * liveness): its lifecycle, its crop from the face box, and the decoding of its outputs.
 * Each attribute is a spec (data and a decoder), not a subclass with its own copy of the plumbing.
 *
 * Colour order: the vendor's browser code feeds these models RGB, but converts to BGR for its own
 * detector, and the models answer better to BGR — OpenCV's order, presumably that of their
 * training. Measured on the 62 faces of the deepface test set (boxes from `fr_detect`, the
 * pipeline's detector model): gender 90.3 % right in BGR against 72.6 % in RGB (women 28/32
 * against 17/32); real photos judged live 61/62 against 50/62; ages in BGR spread less (no 60+
 * for people in their thirties); the expression model agreed with face-api's expression net as
 * often in either order (44/62). So every spec here is BGR.
 */
import { LoadOnce } from '../../util/load-once.js';
import { join } from 'node:path';
import { fvError } from '../../errors.js';
import { resolveWeights } from '../models/registry.js';
import { OnnxModel, type TensorData } from '../runtime/onnx.js';
import type { FacialArea, RgbImage } from '../types.js';
import { cropRect, resampleToPlanar, type CropRule, type PixelNormalisation } from './crop.js';

export interface FaceAttributeSpec<T> {
  /** Short name used in errors, e.g. `age`. */
  readonly name: string;
  /** ONNX file inside the model folder. */
  readonly file: string;
  /** Side of the square input; the model takes one face a call, `[1, 3, side, side]`. */
  readonly inputSize: number;
  readonly crop: CropRule;
  readonly pixels: PixelNormalisation;
  /** Every output the decoder reads, with its number of values; checked by a warm-up run at load. */
  readonly outputs: Readonly<Record<string, number>>;
  decode(outputs: Readonly<Record<string, TensorData>>): T;
}

export interface FaceAttributeOptions {
  /** Folder holding the `fr_*.onnx` files. Default: the one inside `faceplugin-face-recognition-js`. */
  readonly modelDir?: string;
  /** Folder holding face-api's `age_gender_model` files (the gender model). Default: the one inside `@vladmandic/face-api`. */
  readonly faceApiModelDir?: string;
}

/** What `FaceAnalyzer` needs of an attribute model, whatever its runtime. */
export interface AttributePredictor<T> {
  load(): Promise<void>;
  predict(image: RgbImage, box: FacialArea): Promise<T>;
  dispose(): Promise<void>;
}

/** A face-attribute model with an explicit lifecycle: `load()`, `predict()`, `dispose()` (idempotent). */
export class FaceAttributeModel<T> implements AttributePredictor<T> {
  private readonly model = new LoadOnce(
    () => this.open(),
    (model: OnnxModel) => model.dispose(),
  );

  constructor(
    readonly spec: FaceAttributeSpec<T>,
    private readonly options: FaceAttributeOptions = {},
  ) {}

  /**
   * Idempotent; concurrent calls share one load.
   * @throws FV_ERR_MODEL_LOAD when the package or file is missing, its input is not `[1, 3, side, side]`, or a warm-up run lacks an expected output.
   */
  load(): Promise<void> {
    return this.model.load();
  }

  /**
   * Crops the face as the model expects from `box` (in `image` pixels) and decodes its answer.
   * @throws FV_ERR_MODEL_NOT_LOADED before `load()` or after `dispose()`.
   * @throws FV_ERR_INVALID_ARGUMENT when the box is not finite, not positive in size, or covers no pixel of the image.
   */
  async predict(image: RgbImage, box: FacialArea): Promise<T> {
    const model = this.model.value;
    if (!model) throw fvError('FV_ERR_MODEL_NOT_LOADED', `The ${this.spec.name} model was used before load() or after dispose()`, { model: this.spec.name });
    const { x, y, w, h } = box;
    const finite = Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(w) && Number.isFinite(h);
    const rect = finite && w > 0 && h > 0 ? cropRect(image.width, image.height, box, this.spec.crop) : undefined;
    if (!rect) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `Face box {x: ${x}, y: ${y}, w: ${w}, h: ${h}} must be finite, positive in size and cover a pixel of the ${image.width}×${image.height} image`, { box: { x, y, w, h }, width: image.width, height: image.height });
    }
    const side = this.spec.inputSize;
    // A fresh input per call: onnxruntime may still read it while a concurrent call would fill a shared one.
    const input = new Float32Array(3 * side * side);
    resampleToPlanar(image, rect, side, this.spec.pixels, input);
    return this.spec.decode(await model.run({ input: { data: input, dims: [1, 3, side, side] } }));
  }

  /** Idempotent. */
  dispose(): Promise<void> {
    return this.model.dispose();
  }

  private async open(): Promise<OnnxModel> {
    const side = this.spec.inputSize;
    const path = this.options.modelDir === undefined ? resolveWeights({ npmPackage: 'faceplugin-face-recognition-js', file: `model/${this.spec.file}` }) : join(this.options.modelDir, this.spec.file);
    const model = await OnnxModel.load(path, { expectInputs: { input: [1, 3, side, side] } });
    try {
      const outputs = await model.run({ input: { data: new Float32Array(3 * side * side), dims: [1, 3, side, side] } });
      for (const [name, size] of Object.entries(this.spec.outputs)) {
        const got = outputs[name]?.data.length;
        if (got !== size) throw fvError('FV_ERR_MODEL_LOAD', `Model ${path} output "${name}" holds ${got ?? 'no'} values, expected ${size}`, { path, output: name });
      }
    } catch (err) {
      await model.dispose();
      throw err;
    }
    return model;
  }
}

/** Softmax of `logits` into `out` (same length), stable against large logits. */
export function softmax(logits: Float32Array, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (const logit of logits) max = Math.max(max, logit);
  const exps = Array.from(logits, (logit) => Math.exp(logit - max));
  let sum = 0;
  for (const e of exps) sum += e;
  exps.forEach((e, i) => {
    out[i] = e / sum;
  });
  return out;
}
