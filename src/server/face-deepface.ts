/**
 * DeepFace's vocabulary on the way in (model, detector and action names) and its shapes on the
 * way out (snake_case, integer boxes, the person's left eye first), kept apart from the routes so
 * that each route reads as: take the request, run the pipeline or the gallery, shape the answer.
 */
import { fvError, isFacevaultError } from '../errors.js';
import { ANALYZE_ACTIONS, type AnalyzeAction } from '../face/analyze/actions.js';
import type { LivenessPrediction } from '../face/analyze/liveness.js';
import { DEFAULT_DETECTOR, DETECTOR_REGISTRY } from '../face/detect/registry.js';
import { fromCosineDistance } from '../face/distance.js';
import type { AnalyzedFace, FaceOptions, Representation, VerifyResult } from '../face/pipeline.js';
import { MODEL_REGISTRY, resolveModel, type ModelEntry } from '../face/models/registry.js';
import type { DistanceMetric, FacialArea, Landmarks5 } from '../face/types.js';
import type { IdentifiedFace } from '../recognition/gallery.js';
import type { AnalyzeResponse, DeepFaceOption, FacialAreaOut, RepresentResponse, SearchResponse, VerifyResponse } from './face-schemas.js';

/**
 * DeepFace's detector backends. Each asks for "a face detector", which here is faceplugin (the
 * response names it); refusing them would break DeepFace clients that name one out of habit.
 */
const DEEPFACE_DETECTORS: ReadonlySet<string> = new Set([
  'opencv', 'ssd', 'dlib', 'mtcnn', 'fastmtcnn', 'retinaface', 'mediapipe', 'yunet', 'centerface',
  'yolov8', 'yolov8n', 'yolov8m', 'yolov8l', 'yolov11n', 'yolov11s', 'yolov11m', 'yolov11l', 'yolov12n', 'yolov12s', 'yolov12m', 'yolov12l',
]);

/** DeepFace's models that have no counterpart here: named in the refusal, so a DeepFace user sees why. */
const DEEPFACE_ONLY_MODELS = ['VGG-Face', 'Facenet', 'Facenet512', 'OpenFace', 'DeepFace', 'DeepID', 'SFace', 'GhostFaceNet', 'Buffalo_L'];

/**
 * The registry entry of a `model_name` (our names and aliases, DeepFace's ArcFace and Dlib among them).
 * @example modelFor('ArcFace').info.name // → 'faceplugin-arcface'
 * @throws FV_ERR_MODEL_UNKNOWN listing the models served here, for any other name (VGG-Face...).
 */
export function modelFor(name: string | undefined): ModelEntry {
  try {
    return resolveModel(name);
  } catch (err) {
    if (!isFacevaultError(err, 'FV_ERR_MODEL_UNKNOWN')) throw err;
    const served = Object.values(MODEL_REGISTRY).map((entry) => `${entry.info.name} (${entry.info.dimension}-d; also ${entry.aliases.join(', ')})`);
    const deepFaceOnly = DEEPFACE_ONLY_MODELS.some((model) => model.toLowerCase() === name?.toLowerCase());
    throw fvError(
      'FV_ERR_MODEL_UNKNOWN',
      `model_name "${name}" ${deepFaceOnly ? 'is a DeepFace model this server does not run' : 'is not a model here'}; models served: ${served.join('; ')} (\`facevault models --json\` describes them)`,
      { path: 'model_name', model: name, allowed: Object.keys(MODEL_REGISTRY) },
    );
  }
}

/**
 * Our detector for a `detector_backend`: ours by name, faceplugin for any of DeepFace's.
 * @throws FV_ERR_MODEL_UNKNOWN naming the allowed values.
 */
export function detectorFor(name: string | undefined): string {
  if (name === undefined) return DEFAULT_DETECTOR;
  const wanted = name.toLowerCase();
  if (wanted in DETECTOR_REGISTRY) return wanted;
  if (DEEPFACE_DETECTORS.has(wanted)) return DEFAULT_DETECTOR;
  throw fvError(
    'FV_ERR_MODEL_UNKNOWN',
    `detector_backend "${name}" is unknown; allowed: ${Object.keys(DETECTOR_REGISTRY).join(', ')}, or one of DeepFace's (${[...DEEPFACE_DETECTORS].join(', ')}), served by ${DEFAULT_DETECTOR}`,
    { path: 'detector_backend', detector: name, allowed: Object.keys(DETECTOR_REGISTRY) },
  );
}

/** The detection options every DeepFace route shares. */
export interface DeepFaceDetection {
  readonly model_name?: string;
  readonly detector_backend?: string;
  readonly enforce_detection?: boolean;
  readonly anti_spoofing?: boolean;
  readonly align?: boolean;
  readonly expand_percentage?: number;
  readonly max_faces?: number;
}

/** The pipeline options of a request, with the facevault model and detector that serve it. */
export type RequestFaceOptions = FaceOptions & { readonly model: string; readonly detector: string };

/**
 * Pipeline options of a request: DeepFace's `anti_spoofing: true` refuses a spoof (and reports
 * each face's liveness), `align`, `expand_percentage` and `max_faces` as DeepFace means them.
 * @throws as modelFor and detectorFor.
 */
export function faceOptionsOf(request: DeepFaceDetection): RequestFaceOptions {
  const spoofCheck = request.anti_spoofing === true;
  return {
    model: modelFor(request.model_name).info.name,
    detector: detectorFor(request.detector_backend),
    enforceDetection: request.enforce_detection ?? true,
    antiSpoof: spoofCheck,
    refuseSpoof: spoofCheck,
    align: request.align ?? true,
    ...(request.expand_percentage !== undefined && { expandPercentage: request.expand_percentage }),
    ...(request.max_faces !== undefined && { maxFaces: request.max_faces }),
  };
}

/**
 * The gallery routes store and match detected faces only: the options that would enroll or
 * search a whole image are refused rather than silently dropped.
 * @throws FV_ERR_INVALID_ARGUMENT naming the option; as modelFor and detectorFor.
 */
export function galleryOptionsOf(request: DeepFaceDetection): RequestFaceOptions {
  const refuse = (path: string, why: string) => fvError('FV_ERR_INVALID_ARGUMENT', `${path}: ${why}`, { path, in: 'body' });
  if (request.enforce_detection === false) throw refuse('enforce_detection', 'false is not supported here: the gallery stores and matches detected faces only');
  if (detectorFor(request.detector_backend) === 'skip') throw refuse('detector_backend', 'skip is not supported here: the gallery stores and matches detected faces only');
  return faceOptionsOf(request);
}

/**
 * The DeepFace options a request sent that its route does not honour, for the
 * X-Facevault-Ignored-Fields header (a DeepFace client sends them out of habit; nothing fails).
 * @example ignoredFields({ normalization: 'base', align: true }, ['align']) // → ['normalization']
 */
export function ignoredFields(body: object, honoured: readonly DeepFaceOption[]): string[] {
  return DEEPFACE_OPTIONS.filter((name) => !honoured.includes(name) && (body as Record<string, unknown>)[name] !== undefined);
}

/** Every DeepFace option name (face-schemas.ts `deepFaceOptions`). */
export const DEEPFACE_OPTIONS: readonly DeepFaceOption[] = [
  'model_name', 'detector_backend', 'enforce_detection', 'align', 'expand_percentage', 'anti_spoofing', 'max_faces', 'distance_metric', 'threshold', 'normalization', 'l2_normalize', 'silent',
];

/** Actions DeepFace offers that are not estimated here. */
const DEEPFACE_ONLY_ACTIONS = ['race'];
/** What DeepFace's analyze returns when no actions are given (less race, which is not estimated here). */
const DEFAULT_ACTIONS: readonly AnalyzeAction[] = ['age', 'gender', 'emotion'];

/**
 * The actions of an analyze request: a list, or text as DeepFace's forms send it ("age,gender",
 * "['age', 'gender']"); liveness is added when `anti_spoofing` asks for it.
 * @example actionsOf('[age, "emotion"]', true) // → ['age', 'emotion', 'liveness']
 * @throws FV_ERR_INVALID_ARGUMENT naming an action not estimated here, and the allowed ones.
 */
export function actionsOf(actions: readonly string[] | string | undefined, antiSpoofing: boolean | undefined): AnalyzeAction[] {
  const names = typeof actions === 'string' ? actions.split(',').map((name) => name.replace(/[[\]()"'\s]/g, '')).filter(Boolean) : (actions ?? DEFAULT_ACTIONS);
  const wanted = new Set<string>(names);
  if (antiSpoofing) wanted.add('liveness');
  const unknown = [...wanted].filter((name) => !(ANALYZE_ACTIONS as readonly string[]).includes(name));
  if (unknown.length > 0 || wanted.size === 0) {
    const why = unknown.some((name) => DEEPFACE_ONLY_ACTIONS.includes(name)) ? ' (race is not estimated here)' : '';
    throw fvError('FV_ERR_INVALID_ARGUMENT', `actions: ${wanted.size === 0 ? 'is empty' : `"${unknown.join('", "')}" not available${why}`}; allowed: ${ANALYZE_ACTIONS.join(', ')}`, {
      path: 'actions',
      in: 'body',
      allowed: ANALYZE_ACTIONS,
    });
  }
  return ANALYZE_ACTIONS.filter((action) => wanted.has(action));
}

// ── answers ───────────────────────────────────────────────────────────────────────────────────

const point = (p: { x: number; y: number }): number[] => [Math.round(p.x), Math.round(p.y)];

/** DeepFace rounds a face's confidence to 2 decimals, and `time` too. */
export const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * A face box as DeepFace gives it: whole pixels, and `left_eye` the person's left eye, which is
 * on the right of the image (ours are named as seen: `leftEye` has the smaller x); with the
 * detector's five points, also `nose`, `mouth_left` and `mouth_right` (the person's, likewise).
 */
export function facialAreaOf(area: FacialArea, landmarks?: Landmarks5): FacialAreaOut {
  return {
    x: Math.round(area.x),
    y: Math.round(area.y),
    w: Math.round(area.w),
    h: Math.round(area.h),
    left_eye: point(area.rightEye),
    right_eye: point(area.leftEye),
    ...(landmarks && { nose: point(landmarks[2]), mouth_left: point(landmarks[4]), mouth_right: point(landmarks[3]) }),
  };
}

/** DeepFace's names for a face's liveness (those of its extract_faces), when it was asked for. */
function livenessOf(liveness: LivenessPrediction | undefined): { is_real?: boolean; antispoof_score?: number } {
  return liveness ? { is_real: liveness.isReal, antispoof_score: liveness.score } : {};
}

export function representationOf(face: Representation): Omit<RepresentResponse['results'][number], never> {
  return { embedding: Array.from(face.embedding), facial_area: facialAreaOf(face.facialArea, face.landmarks), face_confidence: round2(face.faceConfidence), ...livenessOf(face.liveness) };
}

/** A side of a verify: the face of the closest pair (with its five points and liveness), or null for an embedding or a stored face. */
export interface VerifiedSide {
  readonly facialArea: FacialArea | null;
  readonly landmarks?: Landmarks5;
  readonly liveness?: LivenessPrediction;
}

/**
 * DeepFace's verify dict. `names` are the model and detector names the request used (DeepFace
 * echoes them), defaulting to the facevault ones that served it.
 */
export function verificationOf(result: VerifyResult, sides: readonly [VerifiedSide, VerifiedSide] = [{ facialArea: result.facialAreas.img1 }, { facialArea: result.facialAreas.img2 }], names?: { model?: string; detector?: string }): VerifyResponse {
  const side = ({ facialArea, landmarks, liveness }: VerifiedSide) => (facialArea ? { ...facialAreaOf(facialArea, landmarks), ...livenessOf(liveness) } : null);
  return {
    verified: result.verified,
    distance: result.distance,
    threshold: result.threshold,
    confidence: round2(result.confidence),
    model: names?.model ?? result.model,
    detector_backend: names?.detector ?? result.detectorBackend,
    similarity_metric: result.similarityMetric,
    facial_areas: { img1: side(sides[0]), img2: side(sides[1]) },
    time: round2(result.time),
    ...(names && { served_by: { model: result.model, detector: result.detectorBackend } }),
  };
}

export function analysisOf(face: AnalyzedFace): AnalyzeResponse['results'][number] {
  return {
    region: facialAreaOf(face.facialArea, face.landmarks),
    face_confidence: round2(face.faceConfidence),
    ...(face.age !== undefined && { age: Math.round(face.age) }),
    ...(face.gender && { dominant_gender: face.gender.dominant, gender: { Woman: face.gender.woman, Man: face.gender.man } }),
    ...(face.emotion && { dominant_emotion: face.emotion.dominant, emotion: { ...face.emotion.scores } }),
    ...livenessOf(face.liveness),
  };
}

/** What a search row reports about how it was found, beside the match itself. */
export interface SearchContext {
  readonly model: string;
  readonly detector: string;
  /** The metric the rows are in: the gallery matches by cosine, and every other metric is a function of it on unit embeddings. */
  readonly metric: DistanceMetric;
  readonly searchMethod: 'exact' | 'ann';
  /** The identification threshold, a cosine distance. */
  readonly threshold: number;
  /** true: every candidate; false: those within the threshold (DeepFace's `similarity_search`). */
  readonly allCandidates: boolean;
  readonly k: number | undefined;
}

/** One face of a searched photo: DeepFace's rows (one per subject, nearest first) and our verdict. */
export function searchOf(face: IdentifiedFace, context: SearchContext): { rows: SearchResponse['results'][number]; identity: SearchResponse['identities'][number] } {
  const box = facialAreaOf(face.facialArea, face.landmarks);
  const candidates = face.candidates.filter((c) => context.allCandidates || c.distance <= context.threshold).slice(0, context.k);
  const inMetric = (cosine: number) => fromCosineDistance(cosine, context.metric);
  const rows = candidates.map((candidate) => ({
    id: candidate.recordId,
    img_name: candidate.subject,
    model_name: context.model,
    detector_backend: context.detector,
    aligned: true,
    l2_normalized: true,
    search_method: context.searchMethod,
    target_x: box.x,
    target_y: box.y,
    target_w: box.w,
    target_h: box.h,
    threshold: inMetric(context.threshold),
    distance_metric: context.metric,
    distance: inMetric(candidate.distance),
    confidence: candidate.confidence,
    matches: candidate.matches,
  }));
  const known = face.identity.status === 'known' ? face.identity : undefined;
  return {
    rows,
    identity: {
      verdict: known ? 'known' : 'unknown',
      img_name: known?.subject ?? null,
      id: known?.recordId ?? null,
      distance: known ? inMetric(known.distance) : null,
      confidence: known?.confidence ?? null,
      facial_area: box,
      face_confidence: round2(face.faceConfidence),
    },
  };
}
