/**
 * The face pipeline as it runs inside one thread: decode → detect → select → align → embed, or
 * decode → detect → select → analyze. `FacePipeline` runs one engine per worker thread; nothing
 * here knows about threads or HTTP. Detectors, models and attribute models are loaded on first
 * use, one session each, so a worker that is only asked for the default model never loads another
 * runtime.
 */
import { fvError } from '../errors.js';
import { ANALYZE_ACTIONS, resolveActions, type AnalyzeAction, type FaceAnalysis } from './analyze/actions.js';
import type { FaceAnalyzer } from './analyze/analyze.js';
import type { LivenessPrediction } from './analyze/liveness.js';
import { alignFace, flipHorizontal, ImagePyramid } from './align.js';
import { resolveDetector, wholeImageFace, type FaceDetector } from './detect/registry.js';
import { resolveDetectOptions, selectFaces, type DetectOptions } from './detect/select.js';
import { l2Normalize } from './distance.js';
import { decodeImage, type DecodeLimits, type ImageInput } from './image.js';
import { fuseEmbeddings } from './models/fusion.js';
import { networksOf, resolveModel, type ModelEntry, type NetworkEntry } from './models/registry.js';
import type { AlignedFace, DetectedFace, EmbeddingModel, FacialArea, RgbImage } from './types.js';

export interface FaceOptions extends DetectOptions {
  /** true (default): no face is an error (FV_ERR_NO_FACE); false: the whole image is taken as one face (score 0). */
  readonly enforceDetection?: boolean;
  /** Model name or alias (registry); default: the pipeline's model. */
  readonly model?: string;
  /** Detector name (DeepFace's `detector_backend`): 'faceplugin' or 'skip'; default: the pipeline's detector. */
  readonly detector?: string;
  /**
   * Average the embeddings of the crop and its mirror image: twice the embedding time. Measured
   * for the default model: LFW-a View 2 99.18 % against 99.03 %, 39 ms a face on one thread against
   * 27.5 (`bench/eval-lfw.ts --flip`, `bench/face-pipeline.ts --speed --flip`); no gain for the fusion.
   */
  readonly flip?: boolean;
  /**
   * extractFaces and represent also give each face a passive liveness score (DeepFace's
   * `anti_spoofing`): `liveness: { score, isReal, threshold }`, from one photo, so a signal rather
   * than a security control (see `LivenessDetector`). About 10 ms a face.
   */
  readonly antiSpoof?: boolean;
}

/** A face's liveness, present when `antiSpoof` was asked for. */
export interface WithLiveness {
  readonly liveness?: LivenessPrediction;
}

/** An aligned face of `extractFaces`. */
export interface ExtractedFace extends AlignedFace, WithLiveness {}

export interface AnalyzeOptions extends FaceOptions {
  /** What to estimate per face; default all of `ANALYZE_ACTIONS` (age, gender, emotion, liveness). */
  readonly actions?: readonly AnalyzeAction[];
}

/** One face of `analyze`, DeepFace's shape in camelCase; it holds exactly the requested actions. */
export interface AnalyzedFace extends FaceAnalysis {
  readonly facialArea: FacialArea;
  /** Detector confidence 0-1; 0 when the whole image was used. */
  readonly faceConfidence: number;
}

/** One face's embedding, DeepFace's `represent` item in camelCase. */
export interface Representation extends WithLiveness {
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
  private analyzer: Promise<FaceAnalyzer> | undefined;
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
      await Promise.all([engine.detector(detector), ...networksOf(resolveModel(model)).map((network) => engine.model(network))]);
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

  /** Faces with their crops aligned on the model's template (for a fusion: its first network's). @throws as detectFaces. */
  async extractFaces(input: ImageInput, options: FaceOptions = {}): Promise<ExtractedFace[]> {
    const { image, faces } = await this.find(input, options);
    const { template } = resolveModel(options.model ?? this.defaults.model);
    const liveness = options.antiSpoof === true ? await this.liveness(image.base, faces) : undefined;
    return faces.map((face, i) => ({ ...face, crop: alignFace(image, face.landmarks, template), ...(liveness && { liveness: liveness[i] }) }));
  }

  /** One L2-normalised embedding per face. @throws as detectFaces, and FV_ERR_MODEL_LOAD when the model cannot load. */
  async represent(input: ImageInput, options: FaceOptions = {}): Promise<Representation[]> {
    const entry = resolveModel(options.model ?? this.defaults.model);
    const [{ image, faces }] = await Promise.all([this.find(input, options), ...networksOf(entry).map((network) => this.model(network))]);
    const [embeddings, liveness] = await Promise.all([this.embed(image, faces, entry, options.flip === true), options.antiSpoof === true ? this.liveness(image.base, faces) : undefined]);
    return faces.map((face, i) => ({ embedding: embeddings[i], facialArea: face.facialArea, faceConfidence: face.score, ...(liveness && { liveness: liveness[i] }) }));
  }

  /**
   * Age, gender, emotion and liveness of each face, as `actions` asks.
   * @throws as detectFaces; FV_ERR_INVALID_ARGUMENT for an empty or unknown action; FV_ERR_MODEL_LOAD when an attribute model cannot load.
   */
  async analyze(input: ImageInput, options: AnalyzeOptions = {}): Promise<AnalyzedFace[]> {
    const actions = resolveActions(options.actions ?? ANALYZE_ACTIONS);
    const [{ image, faces }, analyzer] = await Promise.all([this.find(input, options), this.analyzerFor(actions)]);
    const analysed: AnalyzedFace[] = [];
    for (const face of faces) analysed.push({ facialArea: face.facialArea, faceConfidence: face.score, ...(await analyzer.analyzeFace(image.base, face.facialArea, actions)) });
    return analysed;
  }

  /** Releases every session. Idempotent; using the engine afterwards throws FV_ERR_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const loaded = [...this.detectors.values(), ...this.models.values(), ...(this.analyzer ? [this.analyzer] : [])];
    this.detectors.clear();
    this.models.clear();
    this.analyzer = undefined;
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

  /** Unit-length embeddings of `faces`: a network's, or a fusion's weighted concatenation of its networks'. */
  private async embed(image: ImagePyramid, faces: readonly DetectedFace[], entry: ModelEntry, flip: boolean): Promise<Float32Array[]> {
    if (entry.kind === 'fusion') {
      const parts = await Promise.all(networksOf(entry).map((network) => this.embed(image, faces, network, flip)));
      const weights = entry.parts.map((part) => part.weight);
      return faces.map((_, i) => fuseEmbeddings(parts.map((part) => part[i]), weights));
    }
    const model = await this.model(entry);
    const crops = faces.map((face) => alignFace(image, face.landmarks, entry.template));
    const raw = await model.embed(flip ? [...crops, ...crops.map(flipHorizontal)] : crops);
    return faces.map((_, i) => l2Normalize(flip ? sum(raw[i], raw[i + faces.length]) : raw[i]));
  }

  private async liveness(image: RgbImage, faces: readonly DetectedFace[]): Promise<LivenessPrediction[]> {
    const analyzer = await this.analyzerFor(['liveness']);
    const scores: LivenessPrediction[] = [];
    for (const face of faces) scores.push((await analyzer.analyzeFace(image, face.facialArea, ['liveness'])).liveness!);
    return scores;
  }

  /** The attribute models, imported on first use (they need onnxruntime) with those of `actions` loaded. */
  private async analyzerFor(actions: readonly AnalyzeAction[]): Promise<FaceAnalyzer> {
    if (this.closed) throw fvError('FV_ERR_CLOSED', 'The face engine was used after close()');
    this.analyzer ??= import('./analyze/analyze.js').then(({ FaceAnalyzer }) => new FaceAnalyzer());
    const analyzer = await this.analyzer;
    await analyzer.load(actions);
    return analyzer;
  }

  private detector(name: string): Promise<FaceDetector> {
    return this.cached(this.detectors, name, () => resolveDetector(name).create({ threads: this.threads }));
  }

  private model(entry: NetworkEntry): Promise<EmbeddingModel> {
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
