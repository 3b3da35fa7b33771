/**
 * The one file that knows tfjs and face-api (`@vladmandic/face-api` 1.7.15 on `@tensorflow/tfjs`
 * 4.22 with the wasm backend). Everything else speaks `RgbImage`, `Float32Array` and the face types.
 *
 * Why the wasm backend and `dist/face-api.node-wasm.js`: face-api's default entry requires
 * tfjs-node, which cannot install here (it downloads libtensorflow at install time).
 * tfjs keeps one engine per thread and its wasm backend runs on one thread in Node, so
 * parallelism comes from one worker thread (or process) per core, each loading its own nets.
 * Weights are read from disk and decoded here: Node 20's `fetch` refuses `file://` URLs.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { fvError } from '../../errors.js';
import type { DetectedFace, Landmarks5, Point, RgbImage } from '../types.js';
import { at } from '../../util/checked.js';

/** The `model/` folder shipped inside the `@vladmandic/face-api` npm package. */
export const FACE_API_MODEL_DIR = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'model');

/** Crops per forward pass: bounds the activations held at once (~1 MB a crop) without losing batching. */
const MAX_BATCH = 16;

/** Weight names and shapes each net must hold, checked before decoding, so a wrong file fails at load. */
const EXPECTED_WEIGHTS = {
  face_recognition_model: { 'conv32_down/conv/filters': [7, 7, 3, 32], fc: [256, 128] },
  ssd_mobilenetv1_model: { 'Output/extra_dim': [1, 5118, 4] },
  face_landmark_68_model: { 'dense0/conv0/filters': [3, 3, 3, 32], 'fc/bias': [136] },
  age_gender_model: { 'fc/gender/weights': [512, 2], 'fc/age/weights': [512, 1] },
} as const satisfies Record<string, Record<string, readonly number[]>>;

type FaceApiModelName = keyof typeof EXPECTED_WEIGHTS;

let backendReady: Promise<void> | undefined;

/**
 * Selects tfjs's wasm backend once per thread, SIMD on and threads off (fixed rather than probed,
 * so every worker behaves the same).
 * @throws FV_ERR_MODEL_LOAD when the wasm backend cannot start.
 */
export function initTfjsWasm(): Promise<void> {
  backendReady ??= (async () => {
    tfjs.env().set('WASM_HAS_SIMD_SUPPORT', true);
    tfjs.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    const selected = await tfjs.setBackend('wasm');
    await tfjs.ready();
    if (!selected || tfjs.getBackend() !== 'wasm') throw new Error(`tfjs selected backend "${tfjs.getBackend()}" instead of "wasm"`);
  })().catch((cause: unknown) => {
    backendReady = undefined;
    throw fvError('FV_ERR_MODEL_LOAD', `Cannot start the tfjs wasm backend: ${(cause as Error).message}`, {}, cause);
  });
  return backendReady;
}

/** face-api's dlib-ResNet: square RGB face crops in, one 128-d descriptor per crop out. */
export class FaceApiDescriptorNet {
  private net: faceapi.FaceRecognitionNet | undefined;

  private constructor(net: faceapi.FaceRecognitionNet) {
    this.net = net;
  }

  /**
   * @throws FV_ERR_MODEL_LOAD when the weight files are missing or hold other tensors than the dlib-ResNet's.
   */
  static async load(modelDir: string = FACE_API_MODEL_DIR): Promise<FaceApiDescriptorNet> {
    const net = new faceapi.FaceRecognitionNet();
    await loadWeightsInto(net, modelDir, 'face_recognition_model');
    return new FaceApiDescriptorNet(net);
  }

  /**
   * Descriptors in input order, each a fresh `Float32Array(128)` starting at byte offset 0.
   * face-api subtracts dlib's mean RGB, divides by 255 and resizes a crop to 150×150 if needed.
   * @throws FV_ERR_MODEL_NOT_LOADED after `dispose()`.
   */
  async describe(crops: readonly RgbImage[]): Promise<Float32Array[]> {
    const descriptors: Float32Array[] = [];
    for (let start = 0; start < crops.length; start += MAX_BATCH) {
      const net = this.live();
      const inputs = crops.slice(start, start + MAX_BATCH).map(toTensor);
      try {
        const output = await net.forward(inputs);
        const values = await output.data();
        output.dispose();
        const width = values.length / inputs.length;
        for (let i = 0; i < inputs.length; i++) descriptors.push(Float32Array.from(values.subarray(i * width, (i + 1) * width)));
      } finally {
        for (const tensor of inputs) tensor.dispose();
      }
    }
    return descriptors;
  }

  /** Idempotent: frees the weights held by the wasm backend. */
  dispose(): void {
    this.net?.dispose();
    this.net = undefined;
  }

  private live(): faceapi.FaceRecognitionNet {
    if (!this.net) throw fvError('FV_ERR_MODEL_NOT_LOADED', 'face-api descriptor net was used after dispose()', { model: 'face_recognition_model' });
    return this.net;
  }
}

/** face-api's age-gender net (a MobileNet-style net on 112×112 RGB): one face crop in, the probability that it is a man's out. */
export class FaceApiGenderNet {
  private net: faceapi.AgeGenderNet | undefined;

  private constructor(net: faceapi.AgeGenderNet) {
    this.net = net;
  }

  /** @throws FV_ERR_MODEL_LOAD when the weight files are missing or hold other tensors than the age-gender net's. */
  static async load(modelDir: string = FACE_API_MODEL_DIR): Promise<FaceApiGenderNet> {
    const net = new faceapi.AgeGenderNet();
    await loadWeightsInto(net, modelDir, 'age_gender_model');
    return new FaceApiGenderNet(net);
  }

  /**
   * 0-1, the net's softmax probability of "male". face-api pads a crop to a square and resizes it to 112×112.
   * @throws FV_ERR_MODEL_NOT_LOADED after `dispose()`.
   */
  async manProbability(crop: RgbImage): Promise<number> {
    if (!this.net) throw fvError('FV_ERR_MODEL_NOT_LOADED', 'face-api age-gender net was used after dispose()', { model: 'age_gender_model' });
    const input = toTensor(crop);
    try {
      const { gender, genderProbability } = (await this.net.predictAgeAndGender(input)) as { gender: string; genderProbability: number };
      return gender === 'male' ? genderProbability : 1 - genderProbability;
    } finally {
      input.dispose();
    }
  }

  /** Idempotent. */
  dispose(): void {
    this.net?.dispose();
    this.net = undefined;
  }
}

export interface FaceApiDetectOptions {
  /** SSD score below which a box is dropped, 0-1 exclusive. Default 0.5 (face-api's default). */
  readonly minScore?: number;
  /** Most faces returned, best first. Default 100. */
  readonly maxFaces?: number;
}

/**
 * face-api's SSD-MobileNetV1 detector with its 68-point landmark net, reduced to the pipeline's
 * five points. A second detector for measurements and tests on machines where the ONNX
 * pipeline is not wanted; it crops an unrotated box, so faces with roll get rougher landmarks.
 */
export class FaceApiDetector {
  private nets: { ssd: faceapi.SsdMobilenetv1; landmarks: faceapi.FaceLandmark68Net } | undefined;

  private constructor(ssd: faceapi.SsdMobilenetv1, landmarks: faceapi.FaceLandmark68Net) {
    this.nets = { ssd, landmarks };
  }

  /** @throws FV_ERR_MODEL_LOAD when a weight file is missing or holds unexpected tensors. */
  static async load(modelDir: string = FACE_API_MODEL_DIR): Promise<FaceApiDetector> {
    const ssd = new faceapi.SsdMobilenetv1();
    const landmarks = new faceapi.FaceLandmark68Net();
    await loadWeightsInto(ssd, modelDir, 'ssd_mobilenetv1_model');
    try {
      await loadWeightsInto(landmarks, modelDir, 'face_landmark_68_model');
    } catch (err) {
      ssd.dispose();
      throw err;
    }
    return new FaceApiDetector(ssd, landmarks);
  }

  /**
   * Faces best first, with box, score, eye points and five landmarks (eye centres, nose tip, mouth corners).
   * @throws FV_ERR_INVALID_ARGUMENT when `minScore` is not in (0, 1) or `maxFaces` is not a positive integer.
   * @throws FV_ERR_MODEL_NOT_LOADED after `dispose()`.
   */
  async detect(image: RgbImage, options: FaceApiDetectOptions = {}): Promise<DetectedFace[]> {
    const { minScore = 0.5, maxFaces = 100 } = options;
    if (!(minScore > 0 && minScore < 1)) throw fvError('FV_ERR_INVALID_ARGUMENT', `minScore must be a number between 0 and 1 exclusive; got ${minScore}`, { minScore });
    if (!Number.isInteger(maxFaces) || maxFaces < 1) throw fvError('FV_ERR_INVALID_ARGUMENT', `maxFaces must be a positive integer; got ${maxFaces}`, { maxFaces });
    const { ssd, landmarks } = this.live();
    const input = toTensor(image);
    let crops: faceapi.tf.Tensor3D[] = [];
    try {
      const detections = await ssd.locateFaces(input, { minConfidence: minScore, maxResults: maxFaces });
      const kept = detections
        .map((detection) => ({ box: detection.box.clipAtImageBorders(image.width, image.height), score: detection.score }))
        .filter(({ box }) => box.width > 0 && box.height > 0);
      crops = await faceapi.extractFaceTensors(input, kept.map(({ box }) => box));
      const faces: DetectedFace[] = [];
      for (const [k, { box, score }] of kept.entries()) {
        const marks = (await landmarks.detectLandmarks(at(crops, k))) as faceapi.FaceLandmarks68;
        const points = fivePoints(marks.positions, box.x, box.y);
        faces.push({
          facialArea: { x: box.x, y: box.y, w: box.width, h: box.height, leftEye: points[0], rightEye: points[1] },
          score,
          landmarks: points,
        });
      }
      return faces;
    } finally {
      input.dispose();
      for (const crop of crops) crop.dispose();
    }
  }

  /** Idempotent. */
  dispose(): void {
    this.nets?.ssd.dispose();
    this.nets?.landmarks.dispose();
    this.nets = undefined;
  }

  private live() {
    if (!this.nets) throw fvError('FV_ERR_MODEL_NOT_LOADED', 'face-api detector was used after dispose()', { model: 'ssd_mobilenetv1_model' });
    return this.nets;
  }
}

/** Eye centres (mean of each eye's six points), nose tip (30), mouth corners (48, 54) of the 68-point scheme, shifted into image pixels. */
function fivePoints(p: readonly faceapi.Point[], dx: number, dy: number): Landmarks5 {
  const shifted = (i: number): Point => ({ x: at(p, i).x + dx, y: at(p, i).y + dy });
  const eye = (first: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = first; i < first + 6; i++) {
      const point = at(p, i);
      x += point.x;
      y += point.y;
    }
    return { x: x / 6 + dx, y: y / 6 + dy };
  };
  return [eye(36), eye(42), shifted(30), shifted(48), shifted(54)];
}

function toTensor(image: RgbImage): faceapi.tf.Tensor3D {
  return faceapi.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
}

async function loadWeightsInto(net: faceapi.NeuralNetwork<unknown>, modelDir: string, model: FaceApiModelName): Promise<void> {
  await initTfjsWasm();
  const manifestPath = join(modelDir, `${model}-weights_manifest.json`);
  let groups: { paths: string[]; weights: faceapi.tf.io.WeightsManifestEntry[] }[];
  let shards: Buffer[];
  try {
    groups = JSON.parse(await readFile(manifestPath, 'utf8'));
    shards = await Promise.all(groups.flatMap((g) => g.paths).map((file) => readFile(join(modelDir, file))));
  } catch (cause) {
    throw fvError('FV_ERR_MODEL_LOAD', `Cannot read face-api model "${model}" from ${modelDir}: ${(cause as Error).message}`, { path: manifestPath }, cause);
  }
  const specs = groups.flatMap((g) => g.weights);
  for (const [name, shape] of Object.entries(EXPECTED_WEIGHTS[model])) {
    const spec = specs.find((s) => s.name === name);
    if (!spec || spec.shape.length !== shape.length || spec.shape.some((d, i) => d !== shape[i])) {
      throw fvError('FV_ERR_MODEL_LOAD', `face-api model "${model}" weight "${name}" has shape [${spec?.shape.join(', ') ?? 'missing'}], expected [${shape.join(', ')}]`, { path: manifestPath, weight: name });
    }
  }
  const bytes = Buffer.concat(shards);
  try {
    const weightMap = faceapi.tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
    net.loadFromWeightMap(weightMap);
  } catch (cause) {
    throw fvError('FV_ERR_MODEL_LOAD', `Cannot decode face-api model "${model}": ${(cause as Error).message}`, { path: manifestPath }, cause);
  }
}
