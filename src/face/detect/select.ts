/**
 * Which detected faces a caller gets, and in what order.
 */
import { fvError } from '../../errors.js';
import type { DetectedFace } from '../types.js';

/**
 * - `largest`: biggest box first (DeepFace's order with `max_faces`).
 * - `confident`: highest detector score first.
 * - `central`: box centre nearest the image centre first — the subject of a portrait or an
 *   LFW photo, where the largest-face rule picked background faces (design.md).
 */
export type FaceSelection = 'largest' | 'confident' | 'central';

export const FACE_SELECTIONS: readonly FaceSelection[] = Object.freeze(['largest', 'confident', 'central']);

export interface DetectOptions {
  /** Keep at most this many faces, after ordering by `select`. Default: all. */
  readonly maxFaces?: number;
  /** Ignore faces whose box is smaller than this many pixels on its shorter side. Default 0. */
  readonly minFaceSize?: number;
  /** Detector confidence (0-1) below which a candidate is dropped. Default 0.5. */
  readonly scoreThreshold?: number;
  /** Order of the faces returned (and so which survive `maxFaces`). Default 'largest'. */
  readonly select?: FaceSelection;
  /**
   * Also search overlapping tiles of photos over 3× the detector's 320×240 input: finds faces
   * down to ~1/50 of the photo's width instead of ~1/20 (face-api samples shrunk 4×: 22 of 22
   * faces instead of 13), for 4 or 9 extra detector runs (~4× the detection time). Default false.
   */
  readonly tiles?: boolean;
  /**
   * Treat the image as a photo that is already one face (see `detect/face-crop.ts`): detect it
   * inside a margin, keep the single best face, and take the whole image as the face when none is
   * found. 'auto' (default): when the image is face-sized — each side 32-200 pixels, height /
   * width 0.8-1.6, such as ORL's 92×112 — and its best face spans at least 40 % of its width.
   * false: detect it as any photo.
   */
  readonly faceCrop?: boolean | 'auto';
}

export const DEFAULT_DETECT_OPTIONS: Readonly<Required<DetectOptions>> = Object.freeze({
  maxFaces: Number.POSITIVE_INFINITY,
  minFaceSize: 0,
  scoreThreshold: 0.5,
  select: 'largest',
  tiles: false,
  faceCrop: 'auto',
});

/**
 * Fills defaults and validates once, at the boundary.
 * @throws FV_ERR_INVALID_ARGUMENT naming the option and its allowed values.
 */
export function resolveDetectOptions(options: DetectOptions = {}): Required<DetectOptions> {
  const o = { ...DEFAULT_DETECT_OPTIONS, ...stripUndefined(options) };
  if (!(o.maxFaces === Number.POSITIVE_INFINITY || (Number.isInteger(o.maxFaces) && o.maxFaces >= 1))) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `maxFaces must be a positive integer, got ${o.maxFaces}`, { field: 'maxFaces', value: o.maxFaces });
  }
  if (!(Number.isFinite(o.minFaceSize) && o.minFaceSize >= 0)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `minFaceSize must be a number of pixels >= 0, got ${o.minFaceSize}`, { field: 'minFaceSize', value: o.minFaceSize });
  }
  if (!(Number.isFinite(o.scoreThreshold) && o.scoreThreshold >= 0 && o.scoreThreshold <= 1)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `scoreThreshold must be from 0 to 1, got ${o.scoreThreshold}`, { field: 'scoreThreshold', value: o.scoreThreshold });
  }
  if (typeof o.tiles !== 'boolean') {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `tiles must be true or false, got ${String(o.tiles)}`, { field: 'tiles', value: o.tiles });
  }
  if (typeof o.faceCrop !== 'boolean' && o.faceCrop !== 'auto') {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `faceCrop must be true, false or 'auto', got ${String(o.faceCrop)}`, { field: 'faceCrop', value: o.faceCrop, allowed: [true, false, 'auto'] });
  }
  if (!FACE_SELECTIONS.includes(o.select)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `select must be one of ${FACE_SELECTIONS.join(', ')}, got ${String(o.select)}`, { field: 'select', value: o.select, allowed: FACE_SELECTIONS });
  }
  return o;
}

/** Drops faces under `minFaceSize`, orders by `select`, keeps `maxFaces`. */
export function selectFaces<T extends DetectedFace>(faces: readonly T[], image: { width: number; height: number }, options: Required<DetectOptions>): T[] {
  const cx = image.width / 2, cy = image.height / 2;
  const key: Record<FaceSelection, (f: DetectedFace) => number> = {
    largest: (f) => -f.facialArea.w * f.facialArea.h,
    confident: (f) => -f.score,
    central: (f) => Math.hypot(f.facialArea.x + f.facialArea.w / 2 - cx, f.facialArea.y + f.facialArea.h / 2 - cy),
  };
  const rank = key[options.select];
  return faces
    .filter((f) => Math.min(f.facialArea.w, f.facialArea.h) >= options.minFaceSize)
    .sort((p, q) => rank(p) - rank(q))
    .slice(0, options.maxFaces);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
