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
    exception: z.string().optional().describe("The same message, where DeepFace's routes answer { exception } (an image that cannot be taken from the request)"),
    message: z.string().optional().describe("The same message, where DeepFace's routes answer { message } (401: a missing or wrong token)"),
    code: z.string().describe('facevault extension: a stable error code (FV_ERR_*), see docs/errors.md'),
    status: z.number().int(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .describe("DeepFace's error shape ({ error: message }) with facevault's code, status and details");

const IMAGE_HELP =
  'The image: base64 of its bytes or a data URL (data:image/jpeg;base64,...); in a form, a file field. ' +
  'A server-side path (inside the folder given by --images) or an http(s) URL (from the hosts of --allow-url-hosts) only where the server allows them; refused with 400 otherwise';

const image = (name: string) => z.string().describe(`${IMAGE_HELP} (multipart file field "${name}")`);

const imageOrEmbedding = (name: string) =>
  z
    .union([z.string(), z.array(z.number())])
    .describe(`${IMAGE_HELP} (multipart file field "${name}"); or a precomputed embedding, a list of numbers of the model's dimension`);

const Flag = (description: string) => z.boolean().describe(`${description}. Also "true"/"false" in any case, "1"/"0", 1/0`);

const ModelName = z
  .string()
  .describe("Recognition model or alias, case-insensitive (DeepFace's ArcFace and Dlib are served by faceplugin-arcface and dlib-resnet-128); default faceplugin-arcface. Other DeepFace models (VGG-Face, Facenet...) are refused with 400 listing the models here");
const DetectorBackend = z
  .string()
  .describe("faceplugin or skip; every DeepFace backend (opencv, retinaface, mtcnn, yolov8n, ...) is accepted and served by faceplugin (served_by.detector says so)");
const DistanceMetric = z.string().describe('cosine (default), euclidean, euclidean_l2 or angular (arccos of the cosine similarity over π)');

/**
 * Every option DeepFace's routes take (`deepface/api/src/modules/core/routes.py`, v0.0.100), on
 * every DeepFace route: a client may send any of them anywhere. Each route honours those that
 * mean something for it and reports the others, ignored, in the X-Facevault-Ignored-Fields header.
 */
const deepFaceOptions = {
  model_name: ModelName.optional(),
  detector_backend: DetectorBackend.optional(),
  enforce_detection: Flag('true (default): no face is a 400 (code FV_ERR_NO_FACE); false: the whole image is taken as one face').optional(),
  align: Flag('true (default): faces are aligned by a 5-point similarity transform; false: the box is cropped upright (less accurate)').optional(),
  expand_percentage: z.number().min(0).max(100).optional().describe('Widen each face box by this percentage before cropping (0-100, default 0)'),
  anti_spoofing: Flag("true: a photo with a face scored not live is refused with DeepFace's 400 \"Spoof detected...\" (code FV_ERR_SPOOF_DETECTED); the faces' is_real and antispoof_score are reported").optional(),
  max_faces: z.number().int().min(1).optional().describe('At most this many faces per image, largest first; default all'),
  distance_metric: DistanceMetric.optional(),
  threshold: z.number().min(0).optional().describe("Same person when distance <= threshold; default the model's, calibrated on LFW View 1"),
  normalization: z.string().optional().describe("Ignored (reported): each model's input normalisation is fixed"),
  l2_normalize: Flag('Ignored (reported): embeddings are always unit length').optional(),
  silent: Flag('Ignored (reported)').optional(),
};

/** The DeepFace option names, for the routes' lists of what they honour. */
export type DeepFaceOption = keyof typeof deepFaceOptions;

const GalleryName = z.string().min(1).describe('facevault extension: the gallery, a namespace of the model\'s index; default "default"');

/** Which facevault model and detector answered, whatever names the request used. */
export const ServedBy = z
  .object({ model: z.string(), detector: z.string() })
  .describe("facevault extension: the facevault model and detector that served the request (DeepFace's model / detector_backend fields carry the names asked for)");

/** A point [x, y] in whole pixels. */
const PointOut = z.array(z.number().int());

/** A face box in DeepFace's shape: integer pixels; left_eye is the person's left eye (on the image's right). */
export const FacialAreaOut = z.object({
  x: z.number().int(),
  y: z.number().int(),
  w: z.number().int(),
  h: z.number().int(),
  left_eye: PointOut.describe("[x, y] of the person's left eye (DeepFace: with respect to the person, not the observer)"),
  right_eye: PointOut.describe("[x, y] of the person's right eye"),
  nose: PointOut.optional().describe("[x, y] of the nose tip (the detector's 5 points)"),
  mouth_left: PointOut.optional().describe("[x, y] of the person's left mouth corner"),
  mouth_right: PointOut.optional().describe("[x, y] of the person's right mouth corner"),
});
export type FacialAreaOut = z.infer<typeof FacialAreaOut>;

const liveness = {
  is_real: z.boolean().optional().describe('With anti_spoofing (or the liveness action): the liveness verdict'),
  antispoof_score: z.number().optional().describe('With anti_spoofing (or the liveness action): probability of a live face, 0-1'),
};

const FaceConfidence = z.number().describe('Detector confidence 0-1, rounded to 2 decimals as DeepFace does; 0 when the whole image was used');

// ── /represent ────────────────────────────────────────────────────────────────────────────────

export const RepresentRequest = z.strictObject({
  img: image('img').optional(),
  img_path: image('img_path').optional().describe('Older DeepFace name of img; same rules'),
  ...deepFaceOptions,
});
export type RepresentRequest = z.infer<typeof RepresentRequest>;

export const RepresentResponse = z.object({
  results: z.array(
    z.object({
      embedding: z.array(z.number()).describe('Unit length'),
      facial_area: FacialAreaOut,
      face_confidence: FaceConfidence,
      ...liveness,
    }),
  ),
  model_name: z.string().describe('facevault extension: the model that embedded the faces (canonical name)'),
  served_by: ServedBy,
});
export type RepresentResponse = z.infer<typeof RepresentResponse>;

// ── /verify ───────────────────────────────────────────────────────────────────────────────────

export const VerifyRequest = z.strictObject({
  img1: imageOrEmbedding('img1').optional(),
  img1_path: imageOrEmbedding('img1_path').optional().describe('Older DeepFace name of img1; same rules'),
  img2: imageOrEmbedding('img2').optional(),
  img2_path: imageOrEmbedding('img2_path').optional().describe('Older DeepFace name of img2; same rules'),
  ...deepFaceOptions,
});
export type VerifyRequest = z.infer<typeof VerifyRequest>;

export const VerifyResponse = z.object({
  verified: z.boolean(),
  distance: z.number(),
  threshold: z.number(),
  confidence: z.number().describe('0-100, 50 at the threshold'),
  model: z.string().describe('The model_name asked for (the facevault model when none was): served_by names the one that ran'),
  detector_backend: z.string().describe('The detector_backend asked for (the facevault detector when none was)'),
  similarity_metric: z.string(),
  facial_areas: z.object({
    img1: FacialAreaOut.extend(liveness).nullable().describe('The face of the closest pair; null when the side is an embedding'),
    img2: FacialAreaOut.extend(liveness).nullable().describe('null when the side is an embedding or a stored face (gallery verify)'),
  }),
  time: z.number().describe('Seconds, rounded to 2 decimals'),
  served_by: ServedBy.optional(),
});
export type VerifyResponse = z.infer<typeof VerifyResponse>;

// ── /analyze ──────────────────────────────────────────────────────────────────────────────────

export const AnalyzeRequest = z.strictObject({
  img: image('img').optional(),
  img_path: image('img_path').optional().describe('Older DeepFace name of img; same rules'),
  actions: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .describe(
      'age, gender, emotion (default all three), and the facevault extension liveness; a list, or text such as "age,gender". ' +
        'race is refused with 400: facevault has no race model (none with a licence and an evaluation it could ship), so DeepFace\'s dominant_race is never answered',
    ),
  ...deepFaceOptions,
});
export type AnalyzeRequest = z.infer<typeof AnalyzeRequest>;

export const AnalyzeResponse = z.object({
  results: z.array(
    z.object({
      region: FacialAreaOut,
      face_confidence: FaceConfidence,
      age: z.number().int().optional().describe('Whole years, as DeepFace'),
      dominant_gender: z.string().optional(),
      gender: z.object({ Woman: z.number(), Man: z.number() }).optional().describe('Percent'),
      dominant_emotion: z.string().optional(),
      emotion: z.record(z.string(), z.number()).optional().describe('Percent per label: angry, disgust, fear, happy, sad, surprise, neutral'),
      ...liveness,
    }),
  ),
  served_by: ServedBy,
});
export type AnalyzeResponse = z.infer<typeof AnalyzeResponse>;

// ── /register and /search ─────────────────────────────────────────────────────────────────────

export const RegisterRequest = z.strictObject({
  img: image('img').optional(),
  img_path: image('img_path').optional().describe('Older DeepFace name of img; same rules'),
  img_name: z
    .string()
    .optional()
    .describe('The subject (the person) the faces are enrolled under. Without it (nor identity), as DeepFace: every face of the photo is stored, named after the path or URL given, the uploaded file\'s name, or a random UUID'),
  identity: z.string().optional().describe('Another name for img_name'),
  gallery: GalleryName.optional(),
  faces: z.enum(['one', 'all']).optional().describe('facevault extension. With img_name: one (default), the photo must show one face; all: every face, each under img_name. Without img_name: all'),
  on_multiple_faces: z
    .enum(['error', 'largest', 'central'])
    .optional()
    .describe('facevault extension, with faces=one: a photo of several faces is a 400 (error, default), or its largest or most central face is enrolled'),
  ...deepFaceOptions,
});
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export const RegisterResponse = z.object({
  inserted: z.number().int().describe('Faces stored by this request; 0 when the same photo was already enrolled'),
  status: z.enum(['enrolled', 'already-enrolled']).describe('facevault extension. A photo is known by its bytes: enrolling it again changes nothing'),
  img_name: z.string().describe('facevault extension: the subject the faces are stored under (for an already enrolled photo, the stored one)'),
  ids: z.array(z.string()).describe('facevault extension: the record ids of the faces'),
  gallery: z.string(),
  model_name: z.string(),
  served_by: ServedBy,
});
export type RegisterResponse = z.infer<typeof RegisterResponse>;

export const SearchRequest = z.strictObject({
  img: image('img').optional(),
  img_path: image('img_path').optional().describe('Older DeepFace name of img; same rules'),
  gallery: GalleryName.optional(),
  search_method: z.enum(['exact', 'ann']).optional().describe('exact (default): compare with every stored face; ann: the approximate (HNSW) index, faster at scale'),
  k: z.number().int().min(1).max(10_000).optional().describe('Nearest faces looked at per face, and at most this many rows per face; default 10'),
  similarity_search: Flag('false (default): rows are matches within the threshold; true: the nearest subjects whatever their distance').optional(),
  ...deepFaceOptions,
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
  served_by: ServedBy,
});
export type SearchResponse = z.infer<typeof SearchResponse>;

// ── /build/index ──────────────────────────────────────────────────────────────────────────────

export const BuildIndexRequest = z.strictObject({
  gallery: GalleryName.optional(),
  ...deepFaceOptions,
});
export type BuildIndexRequest = z.infer<typeof BuildIndexRequest>;

export const BuildIndexResponse = z.object({
  message: z.string().describe('"Index built successfully", as DeepFace'),
  gallery: z.string(),
  model_name: z.string(),
  faces: z.number().int().describe('facevault extension: the faces in the gallery, each searchable by search_method ann at once (the approximate index is kept up to date as faces are registered)'),
  served_by: ServedBy,
});
export type BuildIndexResponse = z.infer<typeof BuildIndexResponse>;
