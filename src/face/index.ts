/**
 * The face API of the package: the pipeline, image decoding, the shared face types and the
 * registry's facts about models and detectors.
 */
export { FacePipeline } from './pipeline.js';
export type { AnalyzedFace, AnalyzeOptions, Embedding, ExtractedFace, FaceOptions, FacePipelineOptions, Representation, VerifyOptions, VerifyResult, WithLiveness } from './pipeline.js';
export { decodeImage, DEFAULT_DECODE_LIMITS } from './image.js';
export type { DecodeLimits, ImageInput } from './image.js';
export type * from './types.js';
export { ANALYZE_ACTIONS } from './analyze/actions.js';
export type { AnalyzeAction, FaceAnalysis } from './analyze/actions.js';
export type { EmotionLabel, EmotionPrediction } from './analyze/emotion.js';
export type { GenderPrediction } from './analyze/gender.js';
export type { LivenessPrediction } from './analyze/liveness.js';
export { DEFAULT_MODEL, MODEL_REGISTRY, resolveModel } from './models/registry.js';
export type { FusionEntry, FusionPart, ModelEntry, NetworkEntry } from './models/registry.js';
export { DEFAULT_DETECTOR, DETECTOR_REGISTRY } from './detect/registry.js';
export { FACE_SELECTIONS } from './detect/select.js';
export type { DetectOptions, FaceSelection } from './detect/select.js';
export { confidenceFromDistance, cosineDistance, DISTANCE_METRICS, distance, euclideanDistance, euclideanL2Distance } from './distance.js';
