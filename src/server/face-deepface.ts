/**
 * DeepFace's vocabulary on the way in (model, detector and action names) and its shapes on the
 * way out (snake_case, integer boxes, the person's left eye first), kept apart from the routes so
 * that each route reads as: take the request, run the pipeline or the gallery, shape the answer.
 */
import { fvError, isFacevaultError } from '../errors.js';
import { ANALYZE_ACTIONS, type AnalyzeAction } from '../face/analyze/actions.js';
import type { LivenessPrediction } from '../face/analyze/liveness.js';
import { DEFAULT_DETECTOR, DETECTOR_REGISTRY } from '../face/detect/registry.js';
import type { AnalyzedFace, FaceOptions, Representation, VerifyResult } from '../face/pipeline.js';
import { MODEL_REGISTRY, resolveModel, type ModelEntry } from '../face/models/registry.js';
import type { FacialArea } from '../face/types.js';
import type { IdentifiedFace } from '../recognition/gallery.js';
import type { AnalyzeResponse, FacialAreaOut, RepresentResponse, SearchResponse, VerifyResponse } from './face-schemas.js';

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
}

/** Pipeline options of a request. @throws as modelFor and detectorFor. */
export function faceOptionsOf(request: DeepFaceDetection): FaceOptions & { readonly model: string; readonly detector: string } {
  return {
    model: modelFor(request.model_name).info.name,
    detector: detectorFor(request.detector_backend),
    enforceDetection: request.enforce_detection ?? true,
    antiSpoof: request.anti_spoofing ?? false,
  };
}

/**
 * The gallery routes store and match detected faces only: the options that would enroll or
 * search a whole image, or ask for liveness, are refused rather than silently dropped.
 * @throws FV_ERR_INVALID_ARGUMENT naming the option; as modelFor and detectorFor.
 */
export function galleryModelOf(request: DeepFaceDetection): string {
  const refuse = (path: string, why: string) => fvError('FV_ERR_INVALID_ARGUMENT', `${path}: ${why}`, { path, in: 'body' });
  if (request.enforce_detection === false) throw refuse('enforce_detection', 'false is not supported here: the gallery stores and matches detected faces only');
  if (detectorFor(request.detector_backend) === 'skip') throw refuse('detector_backend', 'skip is not supported here: the gallery stores and matches detected faces only');
  if (request.anti_spoofing === true) throw refuse('anti_spoofing', 'true is not supported here: ask /represent or /analyze for liveness');
  return modelFor(request.model_name).info.name;
}

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

/**
 * A face box as DeepFace gives it: whole pixels, and `left_eye` the person's left eye, which is
 * on the right of the image (ours are named as seen: `leftEye` has the smaller x).
 */
export function facialAreaOf(area: FacialArea): FacialAreaOut {
  return {
    x: Math.round(area.x),
    y: Math.round(area.y),
    w: Math.round(area.w),
    h: Math.round(area.h),
    left_eye: [Math.round(area.rightEye.x), Math.round(area.rightEye.y)],
    right_eye: [Math.round(area.leftEye.x), Math.round(area.leftEye.y)],
  };
}

/** DeepFace's names for a face's liveness (those of its extract_faces), when it was asked for. */
function livenessOf(liveness: LivenessPrediction | undefined): { is_real?: boolean; antispoof_score?: number } {
  return liveness ? { is_real: liveness.isReal, antispoof_score: liveness.score } : {};
}

export function representationOf(face: Representation): RepresentResponse['results'][number] {
  return { embedding: Array.from(face.embedding), facial_area: facialAreaOf(face.facialArea), face_confidence: face.faceConfidence, ...livenessOf(face.liveness) };
}

/** DeepFace's verify dict; a side given as a stored face has no box (null). */
export function verificationOf(result: VerifyResult, liveness: readonly [LivenessPrediction | undefined, LivenessPrediction | undefined] = [undefined, undefined]): VerifyResponse {
  const side = (area: FacialArea | null, live: LivenessPrediction | undefined) => (area ? { ...facialAreaOf(area), ...livenessOf(live) } : null);
  return {
    verified: result.verified,
    distance: result.distance,
    threshold: result.threshold,
    confidence: result.confidence,
    model: result.model,
    detector_backend: result.detectorBackend,
    similarity_metric: result.similarityMetric,
    facial_areas: { img1: side(result.facialAreas.img1, liveness[0]), img2: side(result.facialAreas.img2, liveness[1]) },
    time: result.time,
  };
}

export function analysisOf(face: AnalyzedFace): AnalyzeResponse['results'][number] {
  return {
    region: facialAreaOf(face.facialArea),
    face_confidence: face.faceConfidence,
    ...(face.age !== undefined && { age: face.age }),
    ...(face.gender && { dominant_gender: face.gender.dominant, gender: { Woman: face.gender.woman, Man: face.gender.man } }),
    ...(face.emotion && { dominant_emotion: face.emotion.dominant, emotion: { ...face.emotion.scores } }),
    ...livenessOf(face.liveness),
  };
}

/** What a search row reports about how it was found, beside the match itself. */
export interface SearchContext {
  readonly model: string;
  readonly detector: string;
  readonly searchMethod: 'exact' | 'ann';
  readonly threshold: number;
  /** true: every candidate; false: those within the threshold (DeepFace's `similarity_search`). */
  readonly allCandidates: boolean;
  readonly k: number | undefined;
}

/** One face of a searched photo: DeepFace's rows (one per subject, nearest first) and our verdict. */
export function searchOf(face: IdentifiedFace, context: SearchContext): { rows: SearchResponse['results'][number]; identity: SearchResponse['identities'][number] } {
  const box = facialAreaOf(face.facialArea);
  const candidates = face.candidates.filter((c) => context.allCandidates || c.distance <= context.threshold).slice(0, context.k);
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
    threshold: context.threshold,
    distance_metric: 'cosine',
    distance: candidate.distance,
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
      distance: known?.distance ?? null,
      confidence: known?.confidence ?? null,
      facial_area: box,
      face_confidence: face.faceConfidence,
    },
  };
}
