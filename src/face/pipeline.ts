/**
 * The public face API, in DeepFace's shapes (camelCase): detectFaces, extractFaces, represent,
 * verify, analyze. Every image runs decode → detect → align → embed (or analyze) inside a pool of
 * worker threads, so a server's event loop only dispatches and collects.
 */
import { availableParallelism } from 'node:os';
import { fvError } from '../errors.js';
import { resolveActions } from './analyze/actions.js';
import { resolveDetector } from './detect/registry.js';
import { resolveDetectOptions } from './detect/select.js';
import { confidenceFor, distance, parseMetric, thresholdFor } from './distance.js';
import { checkFaceOptions, FaceEngine, type AnalyzedFace, type AnalyzeOptions, type ExtractedFace, type FaceOptions, type Representation } from './engine.js';
import type { DecodeLimits, ImageInput } from './image.js';
import { resolveModel, type ModelEntry } from './models/registry.js';
import { runFaceJob, type FaceJob, type FaceJobResults, type FaceOperation, type FaceWorkerData } from './pool/face-jobs.js';
import { InThreadRunner } from './pool/in-thread-runner.js';
import { checkMaxQueuedBytes, DEFAULT_MAX_QUEUED_BYTES, type Lane } from './pool/job-queue.js';
import { WorkerPool } from './pool/worker-pool.js';
import { disableOnnxTelemetry } from './runtime/onnx-environment.js';
import type { DetectedFace, DistanceMetric, FacialArea, ModelInfo } from './types.js';

export type { AnalyzedFace, AnalyzeOptions, ExtractedFace, FaceOptions, Representation, WithLiveness } from './engine.js';

export interface FacePipelineOptions {
  /** Default model name or alias for every call (registry). Default 'faceplugin-arcface'. */
  readonly model?: string;
  /** Default detector: 'faceplugin' or 'skip'. Default 'faceplugin'. */
  readonly detector?: string;
  /** Worker threads; default one per core. 0 runs in the calling thread (blocks its event loop: scripts and tests only). */
  readonly workers?: number;
  /** Decoding limits for every image (default 20 MB, 40 megapixels). */
  readonly limits?: DecodeLimits;
  /**
   * Memory budget of the images waiting for a worker, in bytes (encoded bytes, base64 text or
   * decoded pixels as given; a file path costs only its name). Past it a call rejects at once
   * with FV_ERR_OVERLOADED (HTTP 503) rather than queue without end. Default 512 MiB: 10,000
   * images of 50 KB. Infinity turns the bound off.
   */
  readonly maxQueuedBytes?: number;
  /**
   * Jobs each worker holds at once (default 2): with two, one photo's decode (on libuv's threads,
   * the worker idle meanwhile) overlaps the other's inference. Enrolling the DeepFace set from the
   * built tree on 2 cores (`bench/enroll-built.ts`): 51.1 faces/s against 48.9 with 1, the same
   * CPU a face, the same embeddings bit for bit. 1 suits a server that favours the latency of a
   * request arriving at a busy pipeline: it then waits behind one job in its worker, not two.
   */
  readonly jobsPerWorker?: number;
  /**
   * true (default): a large JPEG or WebP (one whose detector input would come from the 1/4 or a
   * coarser level of its pyramid, from about 1280×960 up) is decoded once at that level's size
   * (shrink-on-load) for detection, landmarks and alignment, and at full resolution only around a
   * face too small for it (`photo.ts`). false: every photo decoded whole. Faces agree with the
   * whole decode's: on the DeepFace set a median cosine distance of 0.00025 between the two
   * embeddings of a photo (the largest 0.012), the same verification errors (`bench/eval-deepface.ts`).
   */
  readonly shrinkOnLoad?: boolean;
}

/** A precomputed embedding, accepted by `verify` in place of an image. */
export type Embedding = readonly number[] | Float32Array;

export interface VerifyOptions extends FaceOptions {
  /** Default 'cosine'. */
  readonly metric?: DistanceMetric;
  /** Verified when distance <= threshold; default: the model's calibrated threshold for the metric. */
  readonly threshold?: number;
}

export interface VerifyResult {
  readonly verified: boolean;
  readonly distance: number;
  readonly threshold: number;
  /** 0-100, 50 at the threshold, higher for smaller distances (see `confidenceFromDistance`). */
  readonly confidence: number;
  readonly model: string;
  readonly detectorBackend: string;
  readonly similarityMetric: DistanceMetric;
  /** The face used on each side; null for a side given as an embedding. */
  readonly facialAreas: { readonly img1: FacialArea | null; readonly img2: FacialArea | null };
  /** Seconds, as DeepFace reports it. */
  readonly time: number;
}

/** Runs face jobs: a WorkerPool, or an InThreadRunner for `workers: 0`. */
interface FaceJobRunner {
  run(job: FaceJob, lane: Lane, bytes: number): Promise<FaceJobResults[FaceOperation]>;
  close(): Promise<void>;
}

/**
 * What a waiting call holds besides its image (promises, job, lane, queue entry: ~830 bytes
 * measured on Node 20 with a file path), so that even a flood of paths meets the byte budget.
 */
const JOB_OVERHEAD_BYTES = 1024;

export class FacePipeline {
  private closed = false;

  private constructor(
    private readonly runner: FaceJobRunner,
    /** Jobs that run at once: the worker threads, or 1 in this thread. */
    readonly concurrency: number,
    private readonly defaults: { readonly model: ModelEntry; readonly detector: string },
  ) {}

  /**
   * Loads the detector and model in every worker (or in this thread with `workers: 0`).
   * @example const faces = await FacePipeline.create(); await faces.represent('photo.jpg') // → [{ embedding: Float32Array(512), facialArea, faceConfidence }]
   * @throws FV_ERR_MODEL_UNKNOWN for an unknown model or detector; FV_ERR_MODEL_LOAD when weights are missing; FV_ERR_INVALID_ARGUMENT for a bad `workers`, `jobsPerWorker` or `maxQueuedBytes`.
   */
  static async create(options: FacePipelineOptions = {}): Promise<FacePipeline> {
    const model = resolveModel(options.model);
    const detector = resolveDetector(options.detector).name;
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 0) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `workers must be an integer >= 0, got ${workers}`, { field: 'workers', value: workers });
    }
    const queue = { maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES };
    checkMaxQueuedBytes(queue.maxQueuedBytes);
    const engineOptions: FaceWorkerData = { model: model.info.name, detector, limits: options.limits ?? {}, shrinkOnLoad: options.shrinkOnLoad ?? true };
    // Before any thread creates an ONNX session: a long command line otherwise overflows a worker's stack.
    disableOnnxTelemetry();
    if (workers === 0) {
      const engine = await FaceEngine.create(engineOptions);
      const runner = new InThreadRunner((job: FaceJob) => runFaceJob(engine, job), queue);
      return new FacePipeline({ run: (job, lane, bytes) => runner.run(job, lane, bytes), close: () => runner.close().then(() => engine.close()) }, 1, { model, detector });
    }
    const pool = await WorkerPool.start<FaceJob, FaceJobResults[FaceOperation]>(new URL('./pool/face-worker.js', import.meta.url), workers, engineOptions, { ...queue, jobsPerWorker: options.jobsPerWorker ?? 2 });
    return new FacePipeline(pool, workers, { model, detector });
  }

  /** The default model's registry facts (name, dimension, thresholds...). */
  get model(): ModelInfo {
    return this.defaults.model.info;
  }

  /**
   * Every face with box, score and five landmarks, ordered by `select` (default largest first).
   * @throws FV_ERR_IMAGE_INPUT / FV_ERR_IMAGE_DECODE / FV_ERR_IMAGE_TOO_LARGE for bad images; FV_ERR_NO_FACE unless `enforceDetection: false`;
   *   FV_ERR_OVERLOADED (at once) when the images waiting would pass `maxQueuedBytes`; FV_ERR_CLOSED after close().
   */
  detectFaces(img: ImageInput, options: FaceOptions = {}): Promise<DetectedFace[]> {
    return this.submit('detect', img, options, Symbol('detect'));
  }

  /**
   * Faces with their crops aligned on the model's template (112×112 for the default model), and
   * with `antiSpoof: true` each one's liveness score. @throws as detectFaces.
   */
  extractFaces(img: ImageInput, options: FaceOptions = {}): Promise<ExtractedFace[]> {
    return this.submit('extract', img, options, Symbol('extract'));
  }

  /**
   * One unit-length embedding per face (DeepFace's `represent`); an array of images gives one list per image, in order.
   * The images of one call share a queue lane, so a large batch does not delay other callers' single images.
   * @example (await faces.represent('lfw.jpg', { maxFaces: 1, select: 'central' }))[0].embedding.length // → 512
   * @throws as detectFaces (a batch rejects with the first failing image's error).
   */
  represent(img: ImageInput, options?: FaceOptions): Promise<Representation[]>;
  represent(imgs: readonly ImageInput[], options?: FaceOptions): Promise<Representation[][]>;
  represent(img: ImageInput | readonly ImageInput[], options: FaceOptions = {}): Promise<Representation[] | Representation[][]> {
    const lane = Symbol('represent');
    if (Array.isArray(img)) return Promise.all(img.map((one: ImageInput) => this.submit('represent', one, options, lane)));
    return this.submit('represent', img as ImageInput, options, lane);
  }

  /**
   * Are `a` and `b` the same person? Each side is an image or a precomputed embedding of the
   * model's dimension. DeepFace's rule and shape: every face of each image is embedded (at most
   * `maxFaces`, largest first) and the closest pair of faces decides. On DeepFace's own 520 pairs
   * this rule gets the 3 same-person pairs with several faces right that comparing the largest
   * faces got wrong (`bench/deepface-verify.ts`).
   *
   * Trade-off: a lower `threshold` means fewer false accepts and more false rejects; the
   * registry's default is the accuracy-maximising one on LFW View 1.
   * @throws FV_ERR_EMBEDDING_DIMENSION when an embedding's length is not the model's dimension;
   *   FV_ERR_MODEL_UNKNOWN for an unknown model or metric; FV_ERR_INVALID_ARGUMENT for a bad threshold; and as detectFaces.
   */
  async verify(a: ImageInput | Embedding, b: ImageInput | Embedding, options: VerifyOptions = {}): Promise<VerifyResult> {
    const started = performance.now();
    const entry = options.model === undefined ? this.defaults.model : resolveModel(options.model);
    const metric = parseMetric(options.metric ?? 'cosine');
    const threshold = options.threshold ?? thresholdFor(entry.info.thresholds, metric);
    if (!Number.isFinite(threshold) || threshold < 0) {
      throw fvError('FV_ERR_INVALID_ARGUMENT', `threshold must be a finite number >= 0, got ${threshold}`, { field: 'threshold', value: threshold });
    }
    const { metric: _metric, threshold: _threshold, ...detectOptions } = options;
    const faceOptions: FaceOptions = { ...detectOptions, model: entry.info.name };
    const lane = Symbol('verify');
    const [ones, twos] = await Promise.all([this.side(a, entry, faceOptions, lane), this.side(b, entry, faceOptions, lane)]);
    const { one, two, distance: d } = closestPair(ones, twos, metric);
    return {
      verified: d <= threshold,
      distance: d,
      threshold,
      confidence: confidenceFor(d, threshold, metric, entry.confidenceSlope),
      model: entry.info.name,
      detectorBackend: resolveDetector(options.detector ?? this.defaults.detector).name,
      similarityMetric: metric,
      facialAreas: { img1: one.facialArea, img2: two.facialArea },
      time: (performance.now() - started) / 1000,
    };
  }

  /**
   * Age, gender, emotion and liveness of every face (DeepFace's `analyze`, camelCase): per face
   * `{ facialArea, faceConfidence, age, gender: { dominant, woman, man }, emotion: { dominant, scores }, liveness: { score, isReal, threshold } }`,
   * holding the `actions` asked for (default all four). The expression model is the slow one (~60-130 ms a face).
   * @example (await faces.analyze('photo.jpg', { actions: ['age', 'gender'] }))[0] // → { facialArea, faceConfidence: 0.99, age: 34.2, gender: { dominant: 'Man', woman: 3.1, man: 96.9 } }
   * @throws FV_ERR_INVALID_ARGUMENT for an empty or unknown action; and as detectFaces.
   */
  analyze(img: ImageInput, options: AnalyzeOptions = {}): Promise<AnalyzedFace[]> {
    try {
      if (options.actions !== undefined) resolveActions(options.actions);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.submit('analyze', img, options, Symbol('analyze'));
  }

  /** Terminates the workers (running and queued jobs reject with FV_ERR_CLOSED). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runner.close();
  }

  private async side(input: ImageInput | Embedding, entry: ModelEntry, options: FaceOptions, lane: Lane): Promise<VerifySide[]> {
    if (isEmbedding(input)) {
      checkEmbedding(input, entry.info);
      return [{ embedding: input, facialArea: null }];
    }
    return this.submit('represent', input, options, lane);
  }

  /**
   * Validates options here, at the boundary, so a bad option fails without a trip to a worker.
   * @throws FV_ERR_OVERLOADED (as a rejection) when the waiting images would pass `maxQueuedBytes`.
   */
  private submit<Op extends FaceOperation>(op: Op, input: ImageInput, options: AnalyzeOptions, lane: Lane): Promise<FaceJobResults[Op]> {
    if (this.closed) return Promise.reject(fvError('FV_ERR_CLOSED', 'The face pipeline was used after close()'));
    try {
      resolveDetectOptions(options);
      checkFaceOptions(options);
      if (options.model !== undefined) resolveModel(options.model);
      if (options.detector !== undefined) resolveDetector(options.detector);
    } catch (err) {
      return Promise.reject(err);
    }
    const job = { op, input: detachable(input), options };
    return this.runner.run(job, lane, inputBytes(job.input) + JOB_OVERHEAD_BYTES) as Promise<FaceJobResults[Op]>;
  }
}

/**
 * Checks a precomputed embedding against a model: its length is the model's dimension, every value a finite number.
 * @throws FV_ERR_EMBEDDING_DIMENSION for another length; FV_ERR_VECTOR_VALUE for NaN, Infinity or a non-number.
 */
export function checkEmbedding(input: Embedding, model: ModelInfo): void {
  if (input.length !== model.dimension) {
    throw fvError('FV_ERR_EMBEDDING_DIMENSION', `An embedding for model ${model.name} must have ${model.dimension} numbers, got ${input.length}`, { expected: model.dimension, got: input.length });
  }
  if (!Array.prototype.every.call(input, (v: unknown) => typeof v === 'number' && Number.isFinite(v))) {
    throw fvError('FV_ERR_VECTOR_VALUE', 'An embedding holds NaN, Infinity or a non-number', { model: model.name });
  }
}

/** One face of a verify side: an embedding, with its box when it came from an image. */
export interface VerifySide {
  readonly embedding: ArrayLike<number>;
  readonly facialArea: FacialArea | null;
}

/**
 * DeepFace's verify rule for photos of several faces: the pair (one face of each side) at the
 * smallest distance. Ties keep the earlier faces (largest first).
 * @example closestPair([a1, a2], [b1], 'cosine') // → { one: a2, two: b1, distance: 0.21 } when a2 is nearer b1
 * @throws FV_ERR_INVALID_ARGUMENT when a side has no face (a caller's bug: represent never returns none).
 */
export function closestPair<T extends VerifySide>(ones: readonly T[], twos: readonly T[], metric: DistanceMetric): { one: T; two: T; distance: number } {
  let best: { one: T; two: T; distance: number } | undefined;
  for (const one of ones) {
    for (const two of twos) {
      const d = distance(one.embedding, two.embedding, metric);
      if (best === undefined || d < best.distance) best = { one, two, distance: d };
    }
  }
  if (!best) throw fvError('FV_ERR_INVALID_ARGUMENT', 'verify needs at least one face on each side');
  return best;
}

/** The memory an image input holds while it waits; 0 for a value that is no image (it fails in the worker with FV_ERR_IMAGE_INPUT). */
function inputBytes(input: ImageInput): number {
  if (typeof input === 'string') return input.length;
  if (input instanceof Uint8Array) return input.byteLength;
  if (typeof input !== 'object' || input === null) return 0;
  if ('base64' in input && typeof input.base64 === 'string') return input.base64.length;
  if ('data' in input && input.data instanceof Uint8Array) return input.data.byteLength;
  return 0;
}

function isEmbedding(input: ImageInput | Embedding): input is Embedding {
  return Array.isArray(input) || input instanceof Float32Array;
}

/**
 * Posting a typed array to a worker copies its whole ArrayBuffer: an image that is a small view
 * of a large buffer is copied down to its own bytes first. Inputs are never transferred (that
 * would empty the caller's Buffer).
 */
function detachable(input: ImageInput): ImageInput {
  if (input instanceof Uint8Array) return isView(input) ? new Uint8Array(input) : input;
  if (typeof input === 'object' && 'data' in input && input.data instanceof Uint8Array && isView(input.data)) {
    return { data: new Uint8Array(input.data), width: input.width, height: input.height };
  }
  return input;
}

function isView(bytes: Uint8Array): boolean {
  return bytes.byteLength !== bytes.buffer.byteLength;
}
