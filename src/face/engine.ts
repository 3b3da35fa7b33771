/**
 * The face pipeline as it runs inside one thread: decode → detect → select → align → embed.
 * `FacePipeline` runs one engine per worker thread; nothing here knows about threads or HTTP.
 * Detectors and models are loaded on first use, one session each, so a worker that is only
 * asked for the default model never loads another runtime.
 */
import { fvError } from '../errors.js';
import { alignFace, flipHorizontal, ImagePyramid } from './align.js';
import { resolveDetector, wholeImageFace, type FaceDetector } from './detect/registry.js';
import { resolveDetectOptions, selectFaces, type DetectOptions } from './detect/select.js';
import { l2Normalize } from './distance.js';
import { decodeImage, type DecodeLimits, type ImageInput } from './image.js';
import { resolveModel, type ModelEntry } from './models/registry.js';
import type { AlignedFace, DetectedFace, EmbeddingModel, FacialArea } from './types.js';

export interface FaceOptions extends DetectOptions {
  /** true (default): no face is an error (FV_ERR_NO_FACE); false: the whole image is taken as one face (score 0). */
  readonly enforceDetection?: boolean;
  /** Model name or alias (registry); default: the pipeline's model. */
  readonly model?: string;
  /** Detector name (DeepFace's `detector_backend`): 'faceplugin' or 'skip'; default: the pipeline's detector. */
  readonly detector?: string;
  /** Average the embeddings of the crop and its mirror image: twice the embedding time (measured gain on LFW View 1 in bench/face-pipeline.ts). */
  readonly flip?: boolean;
}

/** One face's embedding, DeepFace's `represent` item in camelCase. */
export interface Representation {
  /** L2-normalised (unit length), so cosine distance, dot product and euclidean_l2 agree. */
  readonly embedding: Float32Array;
  readonly facialArea: FacialArea;
  /** Detector confidence 0-1; 0 when the whole image was used (`enforceDetection: false` or the 'skip' detector). */
  readonly faceConfidence: number;
}

export interface EngineOptions {
  readonly model?: string;
  readonly detector?: string;
  readonly limits?: DecodeLimits;
  /** Intra-op threads per ONNX session. Default 1. */
  readonly threads?: number;
}

export class FaceEngine {
  private readonly detectors = new Map<string, Promise<FaceDetector>>();
  private readonly models = new Map<string, Promise<EmbeddingModel>>();
  private closed = false;

  private constructor(private readonly defaults: { model: string; detector: string }, private readonly limits: DecodeLimits, private readonly threads: number) {}

  /**
   * An engine with its default detector and model loaded (so a bad installation fails here, not on the first image).
   * @throws FV_ERR_MODEL_UNKNOWN for an unknown model or detector name; FV_ERR_MODEL_LOAD when weights are missing.
   */
  static async create(options: EngineOptions = {}): Promise<FaceEngine> {
    const model = resolveModel(options.model).info.name;
    const detector = resolveDetector(options.detector).name;
    const engine = new FaceEngine({ model, detector }, options.limits ?? {}, options.threads ?? 1);
    try {
      await Promise.all([engine.detector(detector), engine.model(resolveModel(model))]);
    } catch (err) {
      await engine.close();
      throw err;
    }
    return engine;
  }

  /**
   * Faces in the image, ordered and limited by `select` / `maxFaces`.
   * @throws FV_ERR_IMAGE_* for bad images; FV_ERR_NO_FACE when none is found and `enforceDetection` is not false.
   */
  async detectFaces(input: ImageInput, options: FaceOptions = {}): Promise<DetectedFace[]> {
    return (await this.find(input, options)).faces;
  }

  /** Faces with their aligned crops (the model's template and input size). @throws as detectFaces. */
  async extractFaces(input: ImageInput, options: FaceOptions = {}): Promise<AlignedFace[]> {
    const { image, faces } = await this.find(input, options);
    const { template } = resolveModel(options.model ?? this.defaults.model);
    return faces.map((face) => ({ ...face, crop: alignFace(image, face.landmarks, template) }));
  }

  /** One L2-normalised embedding per face. @throws as detectFaces, and FV_ERR_MODEL_LOAD when the model cannot load. */
  async represent(input: ImageInput, options: FaceOptions = {}): Promise<Representation[]> {
    const entry = resolveModel(options.model ?? this.defaults.model);
    const [{ image, faces }, model] = await Promise.all([this.find(input, options), this.model(entry)]);
    const crops = faces.map((face) => alignFace(image, face.landmarks, entry.template));
    const embeddings = await model.embed(options.flip ? [...crops, ...crops.map(flipHorizontal)] : crops);
    return faces.map((face, i) => ({
      embedding: l2Normalize(options.flip ? sum(embeddings[i], embeddings[i + faces.length]) : embeddings[i]),
      facialArea: face.facialArea,
      faceConfidence: face.score,
    }));
  }

  /** Releases every session. Idempotent; using the engine afterwards throws FV_ERR_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const loaded = [...this.detectors.values(), ...this.models.values()];
    this.detectors.clear();
    this.models.clear();
    await Promise.allSettled(loaded.map(async (p) => (await p).dispose()));
  }

  private async find(input: ImageInput, options: FaceOptions): Promise<{ image: ImagePyramid; faces: DetectedFace[] }> {
    const detectOptions = resolveDetectOptions(options);
    const detectorName = resolveDetector(options.detector ?? this.defaults.detector).name;
    const [decoded, detector] = await Promise.all([decodeImage(input, this.limits), this.detector(detectorName)]);
    const image = new ImagePyramid(decoded);
    const faces = selectFaces(await detector.detect(image, detectOptions), decoded, detectOptions);
    if (faces.length > 0) return { image, faces };
    if (options.enforceDetection === false) return { image, faces: [wholeImageFace(decoded)] };
    throw fvError('FV_ERR_NO_FACE', `No face found in the image (${decoded.width}×${decoded.height}) at scoreThreshold ${detectOptions.scoreThreshold}, minFaceSize ${detectOptions.minFaceSize}; pass enforceDetection: false to use the whole image`, {
      width: decoded.width,
      height: decoded.height,
      scoreThreshold: detectOptions.scoreThreshold,
      minFaceSize: detectOptions.minFaceSize,
    });
  }

  private detector(name: string): Promise<FaceDetector> {
    return this.cached(this.detectors, name, () => resolveDetector(name).create({ threads: this.threads }));
  }

  private model(entry: ModelEntry): Promise<EmbeddingModel> {
    return this.cached(this.models, entry.info.name, async () => {
      const model = await entry.create(entry, { threads: this.threads });
      await model.load();
      return model;
    });
  }

  /** A failed load is forgotten, so the next call retries instead of repeating a stale error. */
  private cached<T>(cache: Map<string, Promise<T>>, name: string, load: () => Promise<T>): Promise<T> {
    if (this.closed) throw fvError('FV_ERR_CLOSED', 'The face engine was used after close()');
    let pending = cache.get(name);
    if (!pending) {
      pending = load();
      cache.set(name, pending);
      pending.catch(() => cache.delete(name));
    }
    return pending;
  }
}

function sum(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}
