/**
 * Types shared by the stages of the face pipeline. Each stage widens an immutable result
 * (decode → detect → align → embed), in the manner of face-api.js's `WithLandmarks<T>`.
 */

/** A decoded image: 8-bit RGB, row-major, no alpha, EXIF orientation already applied. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Five landmarks in image pixels: left eye, right eye (as seen in the image: left = smaller x), nose tip, mouth left, mouth right. */
export type Landmarks5 = readonly [Point, Point, Point, Point, Point];

/** A face box in image pixels; DeepFace's `facial_area` with eye points. */
export interface FacialArea {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly leftEye: Point;
  readonly rightEye: Point;
}

export interface DetectedFace {
  readonly facialArea: FacialArea;
  /** Detector confidence, 0-1. */
  readonly score: number;
  readonly landmarks: Landmarks5;
}

/** A face warped onto a model's canonical template (e.g. 112×112 ArcFace), RGB. */
export interface AlignedFace extends DetectedFace {
  readonly crop: RgbImage;
}

export interface EmbeddedFace extends DetectedFace {
  readonly embedding: Float32Array;
}

/** Metrics with thresholds of their own in the model registry (calibrated on LFW View 1). */
export type CalibratedMetric = 'cosine' | 'euclidean' | 'euclidean_l2';

/**
 * Every metric verify and search accept: the calibrated ones and DeepFace's `angular`
 * (arccos of the cosine similarity over π), whose threshold follows from the cosine one.
 */
export type DistanceMetric = CalibratedMetric | 'angular';

export type ModelRuntime = 'onnxruntime-node' | 'tfjs-wasm';

/** A weights file inside an npm package: it installs with facevault, so nothing is fetched at run time. */
export interface WeightsSource {
  readonly npmPackage: string;
  readonly file: string;
}

/** What the registry knows of a recognition model. */
export interface ModelInfo {
  readonly name: string;
  readonly dimension: number;
  /** Square input side in pixels of the aligned crop the model takes (for a fusion: of its first network, the crop `extractFaces` returns). */
  readonly inputSize: number;
  /** The runtime of a network; a fusion of networks lists each one's. */
  readonly runtime: ModelRuntime | readonly ModelRuntime[];
  /** Where the weights come from; a fusion of networks lists each one's. */
  readonly weights: WeightsSource | readonly WeightsSource[];
  readonly licence: string;
  readonly provenance: string;
  /** Verification thresholds per metric (verified when distance <= threshold), calibrated on LFW View 1. */
  readonly thresholds: Readonly<Record<CalibratedMetric, number>>;
}

/** A recognition model: aligned crops in, one embedding per crop out. Batch is the main call. */
export interface EmbeddingModel {
  readonly info: ModelInfo;
  load(): Promise<void>;
  embed(crops: readonly RgbImage[]): Promise<Float32Array[]>;
  /** Idempotent. Using the model afterwards throws FV_ERR_MODEL_NOT_LOADED. */
  dispose(): Promise<void>;
}
