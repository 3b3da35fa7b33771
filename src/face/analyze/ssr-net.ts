/**
 * Decoding of SSR-Net's soft stagewise regression (Yang et al., IJCAI 2018), the head of the
 * Faceplugin age and gender models: `mergeAge` / `mergeGender` in the vendor's JavaScript.
 */
import type { TensorData } from '../runtime/onnx.js';
import type { CropRule, PixelNormalisation } from './crop.js';
import { at, entry } from '../../util/checked.js';

/** Three stages of three bins each, as both shipped models have. */
const STAGES = 3;
const BINS = 3;

/** Both SSR-Net models take the box grown 1.4× about its centre, at 64×64, BGR planes normalised with ImageNet's mean and deviation (in plane order, as the vendor does). */
export const SSR_NET_INPUT = Object.freeze<{ inputSize: number; crop: CropRule; pixels: PixelNormalisation }>({
  inputSize: 64,
  crop: { kind: 'centred', scale: 1.4 },
  pixels: {
    order: 'bgr',
    mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
    scale: [1 / (0.229 * 255), 1 / (0.224 * 255), 1 / (0.225 * 255)],
  },
});

/** The output tensors an SSR-Net head produces, with the number of values each holds. */
export const SSR_NET_OUTPUTS: Readonly<Record<string, number>> = Object.freeze({
  prob_stage_1: BINS,
  prob_stage_2: BINS,
  prob_stage_3: BINS,
  stage1_delta_k: 1,
  stage2_delta_k: 1,
  stage3_delta_k: 1,
  index_offset_stage1: BINS,
  index_offset_stage2: BINS,
  index_offset_stage3: BINS,
});

/**
 * The regressed value: `range · Σₖ Σᵢ pₖ[i]·(i + ηₖ[i]) / Πⱼ≤ₖ (BINS·(1 + Δⱼ))` over the stages k,
 * where p are the stage probabilities, η the index offsets and Δ the scale shifts (λ = 1 for both).
 * `range` is 101 for age in years and 1 for gender (0 woman … 1 man).
 *
 * @example
 * // one stage all in bin 2, no offsets or shifts, the others empty: 101 · 2 / 3 = 67.33
 * decodeSsrNet(outputs, 101)
 */
export function decodeSsrNet(outputs: Readonly<Record<string, TensorData>>, range: number): number {
  let value = 0;
  let denominator = 1;
  for (let k = 1; k <= STAGES; k++) {
    const probabilities = entry(outputs, `prob_stage_${k}`).data;
    const offsets = entry(outputs, `index_offset_stage${k}`).data;
    denominator *= BINS * (1 + at(entry(outputs, `stage${k}_delta_k`).data, 0));
    let sum = 0;
    for (let i = 0; i < BINS; i++) sum += (i + at(offsets, i)) * at(probabilities, i);
    value += sum / denominator;
  }
  return value * range;
}
