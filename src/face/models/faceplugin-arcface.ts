/**
 * The 512-d recognition model shipped in npm `faceplugin-face-recognition-js`
 * (`model/fr_feature.onnx`): an ArcFace-style network on 112×112 RGB crops aligned to the
 * ArcFace template. Its batch dimension is fixed at 1 in the file, so a batch runs crop by crop.
 */
import { OnnxModel } from '../runtime/onnx.js';
import { fvError } from '../../errors.js';
import type { EmbeddingModel, ModelInfo, RgbImage } from '../types.js';
import type { NetworkEntry } from './registry.js';
import { entry } from '../../util/checked.js';

export class FacepluginArcFace implements EmbeddingModel {
  readonly info: ModelInfo;
  private model: OnnxModel | undefined;

  constructor(private readonly entry: NetworkEntry, private readonly weightsPath: string, private readonly threads = 1) {
    this.info = entry.info;
  }

  /** @throws FV_ERR_MODEL_LOAD when the weights are missing or the input is not [1, 3, size, size]. */
  async load(): Promise<void> {
    if (this.model) return;
    const side = this.info.inputSize;
    this.model = await OnnxModel.load(this.weightsPath, { threads: this.threads, expectInputs: { input: [1, 3, side, side] } });
  }

  /**
   * One raw (not normalised) embedding per crop.
   * @throws FV_ERR_MODEL_NOT_LOADED before load() or after dispose().
   * @throws FV_ERR_INVALID_ARGUMENT when a crop is not inputSize × inputSize.
   */
  async embed(crops: readonly RgbImage[]): Promise<Float32Array[]> {
    const model = this.model;
    if (!model) throw fvError('FV_ERR_MODEL_NOT_LOADED', `Model ${this.info.name} was used before load() or after dispose()`, { model: this.info.name });
    const side = this.info.inputSize, plane = side * side;
    const { mean: [mean0, mean1, mean2], std: [std0, std1, std2] } = this.entry.normalisation;
    const out: Float32Array[] = [];
    for (const crop of crops) {
      if (crop.width !== side || crop.height !== side) {
        throw fvError('FV_ERR_INVALID_ARGUMENT', `Model ${this.info.name} takes ${side}×${side} crops, got ${crop.width}×${crop.height}`, { width: crop.width, height: crop.height });
      }
      // A fresh input per crop: onnxruntime reads it while the event loop may start another embedding.
      const px = crop.data, input = new Float32Array(3 * plane);
      // px holds 3·plane bytes (checked above), so `?? 0` only satisfies the type, without a call per pixel.
      for (let i = 0; i < plane; i++) {
        input[i] = ((px[i * 3] ?? 0) - mean0) / std0;
        input[plane + i] = ((px[i * 3 + 1] ?? 0) - mean1) / std1;
        input[2 * plane + i] = ((px[i * 3 + 2] ?? 0) - mean2) / std2;
      }
      const result = await model.run({ input: { data: input, dims: [1, 3, side, side] } });
      out.push(Float32Array.from(entry(result, 'output').data));
    }
    return out;
  }

  async dispose(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    await model?.dispose();
  }
}
