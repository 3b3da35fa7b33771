/**
 * Face detectors by name (DeepFace's `detector_backend`). A detector finds every face with its
 * box, score and five landmarks; choosing among them is `selectFaces`' job.
 */
import { fvError } from '../../errors.js';
import { ARCFACE_TEMPLATE_112, type FaceImage } from '../align.js';
import { resolveWeights } from '../models/registry.js';
import type { DetectedFace, Landmarks5 } from '../types.js';

export interface DetectorRunOptions {
  readonly scoreThreshold: number;
  /** Also search overlapping tiles of a large image for small faces (the detector decides when it is large). */
  readonly tiles: boolean;
}

export interface FaceDetector {
  readonly name: string;
  /** Every face scoring at least `scoreThreshold`, in no particular order. @throws FV_ERR_MODEL_NOT_LOADED after dispose(). */
  detect(image: FaceImage, options: DetectorRunOptions): Promise<DetectedFace[]>;
  /** Idempotent. */
  dispose(): Promise<void>;
}

export interface DetectorEntry {
  readonly name: string;
  readonly description: string;
  readonly licence: string;
  readonly create: (options: { readonly threads?: number }) => Promise<FaceDetector>;
}

const FACEPLUGIN_PACKAGE = 'faceplugin-face-recognition-js';

export const DETECTOR_REGISTRY: Readonly<Record<string, DetectorEntry>> = Object.freeze({
  faceplugin: {
    name: 'faceplugin',
    description: 'Ultra-Light RFB-320 style detector (fr_detect.onnx) + 68-point landmarks (fr_landmark.onnx) from npm faceplugin-face-recognition-js; ~10 px faces at 320×240 input',
    licence: 'MIT (npm faceplugin-face-recognition-js 0.0.1)',
    create: async ({ threads }) => {
      const { FacepluginFaceDetector } = await import('./faceplugin.js');
      return FacepluginFaceDetector.load(
        resolveWeights({ npmPackage: FACEPLUGIN_PACKAGE, file: 'model/fr_detect.onnx' }),
        resolveWeights({ npmPackage: FACEPLUGIN_PACKAGE, file: 'model/fr_landmark.onnx' }),
        threads ?? 1,
      );
    },
  },
  skip: {
    name: 'skip',
    description: 'No detection: the whole image is one face, already cropped and roughly aligned (DeepFace\'s "skip")',
    licence: 'n/a',
    create: async () => ({ name: 'skip', detect: async (image: FaceImage) => [wholeImageFace(image)], dispose: async () => undefined }),
  },
});

export const DEFAULT_DETECTOR = 'faceplugin';

/** @throws FV_ERR_MODEL_UNKNOWN listing the allowed detector names. */
export function resolveDetector(name?: string): DetectorEntry {
  const entry = DETECTOR_REGISTRY[(name ?? DEFAULT_DETECTOR).toLowerCase()];
  if (entry) return entry;
  const allowed = Object.keys(DETECTOR_REGISTRY);
  throw fvError('FV_ERR_MODEL_UNKNOWN', `Unknown face detector "${name}"; allowed: ${allowed.join(', ')}`, { detector: name, allowed });
}

/**
 * The whole image taken as one face whose landmarks sit where the ArcFace template puts them,
 * so aligning it is a plain resize. Used by the 'skip' detector and by `enforceDetection: false`
 * when nothing was found. Score 0: nothing was detected.
 */
export function wholeImageFace(img: { readonly width: number; readonly height: number }): DetectedFace {
  const { size, points } = ARCFACE_TEMPLATE_112;
  const sx = img.width / size, sy = img.height / size;
  const landmarks = points.map((p) => ({ x: (p.x + 0.5) * sx - 0.5, y: (p.y + 0.5) * sy - 0.5 })) as unknown as Landmarks5;
  return {
    facialArea: { x: 0, y: 0, w: img.width, h: img.height, leftEye: landmarks[0], rightEye: landmarks[1] },
    score: 0,
    landmarks,
  };
}
