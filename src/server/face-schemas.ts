/**
 * Request and response shapes of the face routes: DeepFace's REST API (`deepface/api/src/modules/
 * core/routes.py` and `service.py`: snake_case, `{ results: [...] }`, the verify dict), with
 * facevault's additions marked as such, and the gallery resource routes in the same style.
 *
 * Requests are strict (an unknown field is a 400 naming it). DeepFace options that have no
 * meaning here are accepted and ignored, so that a DeepFace client works unchanged; each says so.
 */
import { z } from 'zod';

// ── shared ────────────────────────────────────────────────────────────────────────────────────

export const FaceErrorResponse = z
  .object({
    error: z.string().describe('What is wrong, naming the field and the allowed values (DeepFace puts its message here)'),
    code: z.string().describe('facevault extension: a stable error code (FV_ERR_*), see docs/errors.md'),
    status: z.number().int(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .describe("DeepFace's error shape ({ error: message }) with facevault's code, status and details");

const image = (name: string) =>
  z
    .string()
    .describe(
      `The image: base64 of its bytes, or a data URL (data:image/jpeg;base64,...); in a multipart form, a file field "${name}". ` +
        'Never a server-side path or a URL: both are refused with 400',
    );

const ModelName = z
  .string()
  .describe("Recognition model or alias, case-insensitive (DeepFace's ArcFace and Dlib are served by faceplugin-arcface and dlib-resnet-128); default faceplugin-arcface. Other DeepFace models are refused with 400 listing the models here");
const DetectorBackend = z
  .string()
  .describe("faceplugin or skip; DeepFace's backends (opencv, retinaface, mtcnn, ...) are accepted and served by faceplugin, which the response reports");
const EnforceDetection = z.boolean().describe('true (default): no face is a 422 (FV_ERR_NO_FACE); false: the whole image is taken as one face');
const AntiSpoofing = z.boolean().describe("Adds each face's passive liveness, is_real and antispoof_score (a signal from one photo, not a security control); faces are reported, not refused");
const DistanceMetric = z.string().describe('cosine (default), euclidean or euclidean_l2');
const Threshold = z.number().min(0).describe("facevault extension: same person when distance <= threshold; default the model's, calibrated on LFW View 1");
const GalleryName = z.string().min(1).describe('facevault extension: the gallery, a namespace of the model\'s index; default "default"');

/** DeepFace options with no meaning here, accepted so that DeepFace clients work unchanged. */
const ignored = {
  align: z.boolean().optional().describe('Ignored: faces are always aligned (5-point similarity transform), which their accuracy depends on'),
  expand_percentage: z.number().optional().describe('Ignored: the aligned crop is fixed by the model'),
  normalization: z.string().optional().describe("Ignored: each model's input normalisation is fixed"),
  l2_normalize: z.boolean().optional().describe('Ignored: embeddings are always unit length'),
  silent: z.boolean().optional().describe('Ignored'),
};

const detection = {
  model_name: ModelName.optional(),
  detector_backend: DetectorBackend.optional(),
  enforce_detection: EnforceDetection.optional(),
  anti_spoofing: AntiSpoofing.optional(),
  ...ignored,
};

/** A face box in DeepFace's shape: integer pixels; left_eye is the person's left eye (on the image's right). */
export const FacialAreaOut = z.object({
  x: z.number().int(),
  y: z.number().int(),
  w: z.number().int(),
  h: z.number().int(),
  left_eye: z.array(z.number().int()).describe('[x, y] of the person\'s left eye (DeepFace: with respect to the person, not the observer)'),
  right_eye: z.array(z.number().int()).describe("[x, y] of the person's right eye"),
});
export type FacialAreaOut = z.infer<typeof FacialAreaOut>;

const liveness = {
  is_real: z.boolean().optional().describe('With anti_spoofing (or the liveness action): the liveness verdict'),
  antispoof_score: z.number().optional().describe('With anti_spoofing (or the liveness action): probability of a live face, 0-1'),
};

// ── /represent ────────────────────────────────────────────────────────────────────────────────

export const RepresentRequest = z.strictObject({
  img: image('img').optional(),
  img_path: image('img_path').optional().describe('Older DeepFace name of img; same rules'),
  max_faces: z.number().int().min(1).optional().describe('At most this many faces, largest first; default all'),
  ...detection,
});
export type RepresentRequest = z.infer<typeof RepresentRequest>;

export const RepresentResponse = z.object({
  results: z.array(
    z.object({
      embedding: z.array(z.number()).describe('Unit length'),
      facial_area: FacialAreaOut,
      face_confidence: z.number().describe('Detector confidence 0-1; 0 when the whole image was used'),
      ...liveness,
    }),
  ),
  model_name: z.string().describe('facevault extension: the model that embedded the faces (canonical name)'),
});
export type RepresentResponse = z.infer<typeof RepresentResponse>;

// ── /verify ───────────────────────────────────────────────────────────────────────────────────

export const VerifyRequest = z.strictObject({
  img1: image('img1').optional(),
  img1_path: image('img1_path').optional().describe('Older DeepFace name of img1; same rules'),
  img2: image('img2').optional(),
  img2_path: image('img2_path').optional().describe('Older DeepFace name of img2; same rules'),
  distance_metric: DistanceMetric.optional(),
  threshold: Threshold.optional(),
  ...detection,
});
export type VerifyRequest = z.infer<typeof VerifyRequest>;

export const VerifyResponse = z.object({
  verified: z.boolean(),
  distance: z.number(),
  threshold: z.number(),
  confidence: z.number().describe('0-100, 50 at the threshold'),
  model: z.string(),
  detector_backend: z.string(),
  similarity_metric: z.string(),
  facial_areas: z.object({
    img1: FacialAreaOut.extend(liveness).nullable(),
    img2: FacialAreaOut.extend(liveness).nullable().describe('null when the second side is a stored face (gallery verify)'),
  }),
  time: z.number().describe('Seconds'),
});
export type VerifyResponse = z.infer<typeof VerifyResponse>;

// ── /analyze ──────────────────────────────────────────────────────────────────────────────────

export const AnalyzeRequest = z.strictObject({
  img: image('img').optional(),
  img_path: image('img_path').optional().describe('Older DeepFace name of img; same rules'),
  actions: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .describe('age, gender, emotion (default all three), and the facevault extension liveness; a list, or text such as "age,gender". race is not estimated here: asking for it is a 400'),
  detector_backend: DetectorBackend.optional(),
  enforce_detection: EnforceDetection.optional(),
  anti_spoofing: AntiSpoofing.optional(),
  align: ignored.align,
  expand_percentage: ignored.expand_percentage,
  silent: ignored.silent,
});
export type AnalyzeRequest = z.infer<typeof AnalyzeRequest>;

export const AnalyzeResponse = z.object({
  results: z.array(
    z.object({
      region: FacialAreaOut,
      face_confidence: z.number(),
      age: z.number().optional(),
      dominant_gender: z.string().optional(),
      gender: z.object({ Woman: z.number(), Man: z.number() }).optional().describe('Percent'),
      dominant_emotion: z.string().optional(),
      emotion: z.record(z.string(), z.number()).optional().describe('Percent per label: angry, disgust, fear, happy, sad, surprise, neutral'),
      ...liveness,
    }),
  ),
});
export type AnalyzeResponse = z.infer<typeof AnalyzeResponse>;

// ── /register and /search ─────────────────────────────────────────────────────────────────────

/** Detection options of the gallery routes, which store and match detected faces only. */
const galleryDetection = {
  model_name: ModelName.optional(),
  detector_backend: DetectorBackend.optional().describe('As elsewhere, except skip: the gallery stores and matches detected faces only'),
  enforce_detection: z.boolean().optional().describe('Only true: the gallery stores and matches detected faces only'),
  anti_spoofing: z.boolean().optional().describe('Only false: use /represent or /analyze for liveness'),
  ...ignored,
};

export const RegisterRequest = z.strictObject({
  img: image('img').optional(),
  img_path: image('img_path').optional().describe('Older DeepFace name of img; same rules'),
  img_name: z.string().optional().describe('The subject (the person) the face is enrolled under; required unless identity is given'),
  identity: z.string().optional().describe('Another name for img_name'),
  gallery: GalleryName.optional(),
  faces: z.enum(['one', 'all']).optional().describe("facevault extension. one (default): the photo must show one face; all: every face, each under img_name"),
  on_multiple_faces: z
    .enum(['error', 'largest', 'central'])
    .optional()
    .describe('facevault extension, with faces=one: a photo of several faces is a 422 (error, default), or its largest or most central face is enrolled'),
  ...galleryDetection,
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const RegisterResponse = z.object({
  inserted: z.number().int().describe('Faces stored by this request; 0 when the same photo was already enrolled'),
  status: z.enum(['enrolled', 'already-enrolled']).describe('facevault extension. A photo is known by its bytes: enrolling it again changes nothing'),
  img_name: z.string().describe('facevault extension: the subject the faces are stored under (for an already enrolled photo, the stored one)'),
  ids: z.array(z.string()).describe('facevault extension: the record ids of the faces'),
  gallery: z.string(),
  model_name: z.string(),
});
export type RegisterResponse = z.infer<typeof RegisterResponse>;

export const SearchRequest = z.strictObject({
  img: image('img').optional(),
  img_path: image('img_path').optional().describe('Older DeepFace name of img; same rules'),
  gallery: GalleryName.optional(),
  search_method: z.enum(['exact', 'ann']).optional().describe('exact (default): compare with every stored face; ann: the approximate (HNSW) index, faster at scale'),
  k: z.number().int().min(1).max(10_000).optional().describe('Nearest faces looked at per face, and at most this many rows per face; default 10'),
  similarity_search: z.boolean().optional().describe('false (default): rows are matches within the threshold; true: the nearest subjects whatever their distance'),
  distance_metric: z.literal('cosine').optional().describe("Only cosine, the metric of the gallery's index"),
  threshold: z.number().min(0).max(2).optional().describe("facevault extension: cosine distance at or below which a face is recognised; default the model's"),
  ...galleryDetection,
});
export type SearchRequest = z.infer<typeof SearchRequest>;

const SearchRow = z.object({
  id: z.string().describe('Record id of the stored face'),
  img_name: z.string().describe('The subject'),
  model_name: z.string(),
  detector_backend: z.string(),
  aligned: z.boolean(),
  l2_normalized: z.boolean(),
  search_method: z.string(),
  target_x: z.number().int().describe("As DeepFace: the box of the searched photo's face"),
  target_y: z.number().int(),
  target_w: z.number().int(),
  target_h: z.number().int(),
  threshold: z.number(),
  distance_metric: z.string(),
  distance: z.number(),
  confidence: z.number(),
  matches: z.number().int().describe("facevault extension: how many of the k nearest faces are this subject's"),
});

const SearchIdentity = z.object({
  verdict: z.enum(['known', 'unknown']).describe('known: the nearest subject is within the threshold'),
  img_name: z.string().nullable().describe('The subject recognised; null when unknown'),
  id: z.string().nullable().describe("The subject's nearest stored face; null when unknown"),
  distance: z.number().nullable(),
  confidence: z.number().nullable(),
  facial_area: FacialAreaOut,
  face_confidence: z.number(),
});

export const SearchResponse = z.object({
  results: z.array(z.array(SearchRow)).describe("DeepFace's shape: per face of the photo (largest first), one row per subject, nearest first"),
  identities: z.array(SearchIdentity).describe('facevault extension: per face, in the order of results, the verdict: a subject, or unknown'),
  gallery: z.string(),
  model_name: z.string(),
});
export type SearchResponse = z.infer<typeof SearchResponse>;
