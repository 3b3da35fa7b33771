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
import { flipHorizontal, ImagePyramid, similarityTransform, type Affine, type AlignmentTemplate, type FaceImage } from './align.js';
import { detectFaceCrop, isFaceSized } from './detect/face-crop.js';
import { resolveDetector, wholeImageFace, type FaceDetector } from './detect/registry.js';
import { resolveDetectOptions, selectFaces, type DetectOptions } from './detect/select.js';
import { l2Normalize } from './distance.js';
import { EncodedPhoto, openImage, type DecodeLimits, type ImageInput } from './image.js';
import { fuseEmbeddings } from './models/fusion.js';
import { networksOf, resolveModel, type ModelEntry, type NetworkEntry } from './models/registry.js';
import { overviewSize, ShrunkPhoto } from './photo.js';
import type { AlignedFace, DetectedFace, EmbeddingModel, FacialArea, Landmarks5, RgbImage } from './types.js';
import { at } from '../util/checked.js';

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
  /**
   * DeepFace's `anti_spoofing: true` on represent, verify and analyze: every face is scored for
   * liveness (as `antiSpoof`) and a photo with any spoofed face is refused with
   * FV_ERR_SPOOF_DETECTED. The same one-photo signal: a refusal, not a guarantee.
   */
  readonly refuseSpoof?: boolean;
  /**
   * true (default): each face is warped onto the model's template by a 5-point similarity
   * transform. false (DeepFace's `align: false`): the face's box is cropped upright and scaled into
   * the model's input, padded to a square; expect lower accuracy (the models are trained aligned).
   */
  readonly align?: boolean;
  /**
   * Widens each face's box by this percentage of its width and height (DeepFace's
   * `expand_percentage`, 0-100, default 0): the reported box grows (within the image), analysis
   * looks at the wider box, and the crop embedded takes in that much more around the face.
   */
  readonly expandPercentage?: number;
}

/**
 * Checks the options that are not detection options (those are `resolveDetectOptions`' job).
 * @throws FV_ERR_INVALID_ARGUMENT naming the option.
 */
export function checkFaceOptions(options: FaceOptions): void {
  const { expandPercentage, align } = options;
  if (expandPercentage !== undefined && !(Number.isFinite(expandPercentage) && expandPercentage >= 0 && expandPercentage <= 100)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `expandPercentage must be a number from 0 to 100, got ${expandPercentage}`, { field: 'expandPercentage', value: expandPercentage });
  }
  if (align !== undefined && typeof align !== 'boolean') throw fvError('FV_ERR_INVALID_ARGUMENT', `align must be true or false, got ${String(align)}`, { field: 'align', value: align });
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
  /** The detector's five points (as seen: left eye, right eye, nose tip, mouth left, mouth right). */
  readonly landmarks: Landmarks5;
  /** Detector confidence 0-1; 0 when the whole image was used. */
  readonly faceConfidence: number;
}

/** One face's embedding, DeepFace's `represent` item in camelCase. */
export interface Representation extends WithLiveness {
  /** L2-normalised (unit length), so cosine distance, dot product and euclidean_l2 agree. */
  readonly embedding: Float32Array;
  readonly facialArea: FacialArea;
  /** The detector's five points (as seen: left eye, right eye, nose tip, mouth left, mouth right). */
  readonly landmarks: Landmarks5;
  /** Detector confidence 0-1; 0 when the whole image was used (`enforceDetection: false` or the 'skip' detector). */
  readonly faceConfidence: number;
}

export interface EngineOptions {
  readonly model?: string;
  readonly detector?: string;
  readonly limits?: DecodeLimits;
  /** Intra-op threads per ONNX session. Default 1. */
  readonly threads?: number;
  /**
   * true (default): a large JPEG or WebP is decoded small for detection and alignment, and at full
   * resolution only around faces too small for that (see `photo.ts`); false: every photo is
   * decoded whole. See FacePipelineOptions.shrinkOnLoad.
   */
  readonly shrinkOnLoad?: boolean;
}

export class FaceEngine {
  private readonly detectors = new Map<string, Promise<FaceDetector>>();
  private readonly models = new Map<string, Promise<EmbeddingModel>>();
  private analyzer: Promise<FaceAnalyzer> | undefined;
  private closed = false;

  private constructor(private readonly defaults: { model: string; detector: string }, private readonly limits: DecodeLimits, private readonly threads: number, private readonly shrinkOnLoad: boolean) {}

  /**
   * An engine with its default detector and model loaded (so a bad installation fails here, not on the first image).
   * @throws FV_ERR_MODEL_UNKNOWN for an unknown model or detector name; FV_ERR_MODEL_LOAD when weights are missing.
   */
  static async create(options: EngineOptions = {}): Promise<FaceEngine> {
    const model = resolveModel(options.model).info.name;
    const detector = resolveDetector(options.detector).name;
    const engine = new FaceEngine({ model, detector }, options.limits ?? {}, options.threads ?? 1, options.shrinkOnLoad ?? true);
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
    const liveness = await this.livenessFor(image, faces, options);
    const crops = await cropFaces(image, faces, template, options);
    return faces.map((face, i) => ({ ...face, crop: at(crops, i), ...(liveness && { liveness: liveness[i] }) }));
  }

  /** One L2-normalised embedding per face. @throws as detectFaces, and FV_ERR_MODEL_LOAD when the model cannot load. */
  async represent(input: ImageInput, options: FaceOptions = {}): Promise<Representation[]> {
    const entry = resolveModel(options.model ?? this.defaults.model);
    const [{ image, faces }] = await Promise.all([this.find(input, options), ...networksOf(entry).map((network) => this.model(network))]);
    // Liveness first: a refused spoof costs no embedding.
    const liveness = await this.livenessFor(image, faces, options);
    const embeddings = await this.embed(image, faces, entry, options);
    return faces.map((face, i) => ({ embedding: at(embeddings, i), facialArea: face.facialArea, landmarks: face.landmarks, faceConfidence: face.score, ...(liveness && { liveness: liveness[i] }) }));
  }

  /**
   * Age, gender, emotion and liveness of each face, as `actions` asks.
   * @throws as detectFaces; FV_ERR_INVALID_ARGUMENT for an empty or unknown action; FV_ERR_MODEL_LOAD when an attribute model cannot load.
   */
  async analyze(input: ImageInput, options: AnalyzeOptions = {}): Promise<AnalyzedFace[]> {
    const actions = resolveActions(options.actions ?? ANALYZE_ACTIONS);
    const [{ image, faces }, analyzer] = await Promise.all([this.find(input, options), this.analyzerFor(actions)]);
    if (options.refuseSpoof === true) await this.livenessFor(image, faces, options);
    const whole = await wholePhoto(image);
    const analysed: AnalyzedFace[] = [];
    for (const face of faces) analysed.push({ facialArea: face.facialArea, landmarks: face.landmarks, faceConfidence: face.score, ...(await analyzer.analyzeFace(whole, face.facialArea, actions)) });
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

  /**
   * Decodes and detects. A large JPEG or WebP comes back as a `ShrunkPhoto` (see photo.ts) for
   * every operation alike, so that represent, extract and analyze find the same faces; it comes
   * back whole (an `ImagePyramid`) for the 'skip' detector, tiled detection and `faceCrop: true`.
   */
  private async find(input: ImageInput, options: FaceOptions): Promise<{ image: FaceImage; faces: DetectedFace[] }> {
    const detectOptions = resolveDetectOptions(options);
    const detectorName = resolveDetector(options.detector ?? this.defaults.detector).name;
    const [opened, detector] = await Promise.all([openImage(input, this.limits), this.detector(detectorName)]);
    checkFaceOptions(options);
    const mayShrink = this.shrinkOnLoad && detectorName !== 'skip' && !detectOptions.tiles && detectOptions.faceCrop !== true;
    const overview = mayShrink && opened instanceof EncodedPhoto ? overviewSize(opened) : undefined;
    const image: FaceImage = overview && opened instanceof EncodedPhoto ? await ShrunkPhoto.open(opened, overview) : new ImagePyramid(opened instanceof EncodedPhoto ? await opened.decode() : opened);
    const expand = options.expandPercentage ?? 0;
    const { faceCrop } = detectOptions;
    // A face-sized photo (at most 200 pixels a side) is never shrunk: it is an ImagePyramid.
    const asCrop = image instanceof ImagePyramid && detectorName !== 'skip' && (faceCrop === 'auto' ? isFaceSized(image.width, image.height) : faceCrop);
    const found = (asCrop ? await detectFaceCrop(detector, image.base, detectOptions, faceCrop === 'auto') : undefined) ?? (await detector.detect(image, detectOptions));
    const faces = selectFaces(found, image, detectOptions).map((face) => (expand > 0 ? expandFace(face, expand, image) : face));
    if (faces.length > 0) return { image, faces };
    if (options.enforceDetection === false) return { image, faces: [wholeImageFace(image)] };
    throw fvError('FV_ERR_NO_FACE', `No face found in the image (${image.width}×${image.height}) at scoreThreshold ${detectOptions.scoreThreshold}, minFaceSize ${detectOptions.minFaceSize}; pass enforceDetection: false to use the whole image`, {
      width: image.width,
      height: image.height,
      scoreThreshold: detectOptions.scoreThreshold,
      minFaceSize: detectOptions.minFaceSize,
    });
  }

  /** Unit-length embeddings of `faces`: a network's, or a fusion's weighted concatenation of its networks'. */
  private async embed(image: FaceImage, faces: readonly DetectedFace[], entry: ModelEntry, options: FaceOptions): Promise<Float32Array[]> {
    const flip = options.flip === true;
    if (entry.kind === 'fusion') {
      const parts = await Promise.all(networksOf(entry).map((network) => this.embed(image, faces, network, options)));
      const weights = entry.parts.map((part) => part.weight);
      return faces.map((_, i) => fuseEmbeddings(parts.map((part) => at(part, i)), weights));
    }
    const model = await this.model(entry);
    const crops = await cropFaces(image, faces, entry.template, options);
    const raw = await model.embed(flip ? [...crops, ...crops.map(flipHorizontal)] : crops);
    return faces.map((_, i) => l2Normalize(flip ? sum(at(raw, i), at(raw, i + faces.length)) : at(raw, i)));
  }

  /**
   * Each face's liveness when `antiSpoof` or `refuseSpoof` asks for it, else undefined.
   * @throws FV_ERR_SPOOF_DETECTED with `refuseSpoof` when a face is not live.
   */
  private async livenessFor(photo: FaceImage, faces: readonly DetectedFace[], options: FaceOptions): Promise<LivenessPrediction[] | undefined> {
    if (options.antiSpoof !== true && options.refuseSpoof !== true) return undefined;
    const analyzer = await this.analyzerFor(['liveness']);
    const image = await wholePhoto(photo);
    const scores: LivenessPrediction[] = [];
    for (const face of faces) scores.push((await analyzer.analyzeFace(image, face.facialArea, ['liveness'])).liveness!);
    const spoof = scores.findIndex((score) => !score.isReal);
    if (options.refuseSpoof === true && spoof >= 0) {
      const { score, threshold } = at(scores, spoof);
      throw fvError('FV_ERR_SPOOF_DETECTED', `Spoof detected in the given image: face ${spoof + 1} of ${faces.length} scored ${score.toFixed(3)} for liveness, below ${threshold}`, {
        face: spoof,
        antispoofScore: score,
        threshold,
      });
    }
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
  return a.map((x, i) => x + at(b, i));
}

/**
 * The crops a model embeds: each face warped onto the template (aligned), or with `align: false`
 * its box upright, scaled to fit the template's square and centred. `expandPercentage` zooms the
 * aligned crop out by as much as the box was widened (the box itself is widened by `find`). The
 * photo is first asked for the detail the warps need (`FaceImage.prepare`).
 */
async function cropFaces(image: FaceImage, faces: readonly DetectedFace[], template: AlignmentTemplate, options: FaceOptions): Promise<RgbImage[]> {
  const { size } = template;
  const maps = faces.map((face) => cropMap(face, template, options));
  await image.prepare(maps.map((forward) => ({ forward, width: size, height: size })));
  return maps.map((forward) => image.warp(forward, size, size));
}

function cropMap(face: DetectedFace, template: AlignmentTemplate, options: FaceOptions): Affine {
  const { size } = template;
  if (options.align === false) {
    const { x, y, w, h } = face.facialArea;
    const scale = size / Math.max(w, h, 1);
    const cx = x + w / 2, cy = y + h / 2;
    return [scale, 0, size / 2 - scale * cx, 0, scale, size / 2 - scale * cy];
  }
  const expand = options.expandPercentage ?? 0;
  if (expand === 0) return similarityTransform(face.landmarks, template.points);
  const k = 1 / (1 + expand / 100), c = size / 2;
  return similarityTransform(face.landmarks, template.points.map((p) => ({ x: c + (p.x - c) * k, y: c + (p.y - c) * k })));
}

/** The whole photo at full resolution, which analysis and liveness read around each face (decoded now if it was decoded small). */
async function wholePhoto(image: FaceImage): Promise<RgbImage> {
  if (image instanceof ImagePyramid) return image.base;
  if (image instanceof ShrunkPhoto) return image.whole();
  throw fvError('FV_ERR_INTERNAL', 'A face image that is neither an ImagePyramid nor a ShrunkPhoto');
}

/** The face with its box widened by `percent` of its width and height, kept inside the image (DeepFace's `expand_percentage`). */
function expandFace(face: DetectedFace, percent: number, image: { readonly width: number; readonly height: number }): DetectedFace {
  const { x, y, w, h } = face.facialArea;
  const dx = (w * percent) / 200, dy = (h * percent) / 200;
  const left = Math.max(0, x - dx), top = Math.max(0, y - dy);
  const right = Math.min(image.width, x + w + dx), bottom = Math.min(image.height, y + h + dy);
  return { ...face, facialArea: { ...face.facialArea, x: left, y: top, w: right - left, h: bottom - top } };
}
