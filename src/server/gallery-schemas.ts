/**
 * Shapes of the gallery resource routes: galleries, their subjects and stored faces. snake_case,
 * as the DeepFace routes beside them; a gallery is a namespace of a model's index, so every route
 * takes `model_name` (default faceplugin-arcface).
 */
import { z } from 'zod';
import { VerifyResponse } from './face-schemas.js';

const ModelName = z.string().describe('The model whose index holds the gallery (name or alias); default faceplugin-arcface');

export const GalleryParams = z.strictObject({ gallery: z.string().min(1).describe('The gallery: a namespace of the model\'s index') });
export type GalleryParams = z.infer<typeof GalleryParams>;

export const SubjectParams = GalleryParams.extend({ subject: z.string().min(1).describe('The subject (person), as enrolled') });
export type SubjectParams = z.infer<typeof SubjectParams>;

export const RecordParams = GalleryParams.extend({ id: z.string().min(1).describe('Record id of a stored face, as register returns it') });
export type RecordParams = z.infer<typeof RecordParams>;

export const ModelQuery = z.strictObject({ model_name: ModelName.optional() });
export type ModelQuery = z.infer<typeof ModelQuery>;

export const GalleriesResponse = z.object({
  galleries: z.array(
    z.object({
      name: z.string(),
      model_name: z.string(),
      index: z.string().describe('The store index that holds it, faces-<model>'),
      faces: z.number().int(),
    }),
  ),
});
export type GalleriesResponse = z.infer<typeof GalleriesResponse>;

export const SubjectsResponse = z.object({
  gallery: z.string(),
  model_name: z.string(),
  subjects: z.array(z.object({ subject: z.string(), faces: z.number().int().describe('Faces stored under the subject') })),
});
export type SubjectsResponse = z.infer<typeof SubjectsResponse>;

export const RenameRequest = z.strictObject({
  name: z.string().describe('The new subject name'),
  merge: z.boolean().optional().describe('true: renaming onto an existing subject merges the two (cannot be undone); otherwise that is a 400'),
});
export type RenameRequest = z.infer<typeof RenameRequest>;

export const SubjectChangeResponse = z.object({
  gallery: z.string(),
  model_name: z.string(),
  subject: z.string().describe('The subject as it is now named (for an erase, as it was)'),
  faces: z.number().int().describe('Faces renamed, or erased'),
});
export type SubjectChangeResponse = z.infer<typeof SubjectChangeResponse>;

/** A JPEG's bytes; documented as a binary string, sent as they are. */
export const FaceCropResponse = z.string().describe('image/jpeg: a 96×96 thumbnail of the face');

export const FaceRecordResponse = z.object({
  id: z.string(),
  gallery: z.string(),
  subject: z.string(),
  source: z.string().describe('The photo as it was enrolled: the uploaded file name, or the field it came in'),
  model_name: z.string(),
  detector_score: z.number(),
  box: z.object({ x: z.number().int(), y: z.number().int(), w: z.number().int(), h: z.number().int() }),
  enrolled_at: z.string().describe('ISO 8601'),
});
export type FaceRecordResponse = z.infer<typeof FaceRecordResponse>;

export const RecordVerifyRequest = z.strictObject({
  img: z.string().optional().describe('The photo: base64 or a data URL; in a multipart form, a file field "img". Never a path or a URL'),
  img_path: z.string().optional().describe('Older DeepFace name of img; same rules'),
  id: z.string().min(1).describe('Record id of the stored face to compare with'),
  model_name: ModelName.optional(),
  threshold: z.number().min(0).max(2).optional().describe("Cosine distance at or below which it is the same person; default the model's"),
});
export type RecordVerifyRequest = z.infer<typeof RecordVerifyRequest>;

export const RecordVerifyResponse = VerifyResponse.extend({ record: FaceRecordResponse });
export type RecordVerifyResponse = z.infer<typeof RecordVerifyResponse>;

export const IdentifyRequest = z.strictObject({
  img: z.string().optional().describe('The photo: base64 or a data URL; in a multipart form, a file field "img". Never a path or a URL'),
  img_path: z.string().optional().describe('Older DeepFace name of img; same rules'),
  model_name: ModelName.optional(),
  exact: z.boolean().optional().describe("true: compare with every enrolled face; false: the approximate index; absent: the index's default"),
  top_k: z.number().int().min(1).max(1000).optional().describe('Nearest faces looked at per face (default 10, at least candidates)'),
  threshold: z.number().min(0).max(2).optional().describe('Cosine distance at or below which a face is recognised; default: the one that holds fpir at the gallery\'s size'),
  fpir: z.number().gt(0).lt(1).optional().describe("False-positive identification rate to hold when no threshold is given: the share of strangers' faces named as someone enrolled (default 0.01). The threshold tightens as the gallery grows"),
  candidates: z.number().int().min(1).max(100).optional().describe('Candidates listed per face (default 5)'),
});
export type IdentifyRequest = z.infer<typeof IdentifyRequest>;

const Probability = z.number().min(0).max(1).nullable().describe("Probability that this is the probe's own person, given the gallery's size (half of probes assumed enrolled); null for a model without a fitted open-set model");

const IdentifyCandidate = z.object({
  subject: z.string(),
  id: z.string().describe("The subject's nearest stored face"),
  distance: z.number().describe('Cosine distance'),
  confidence: z.number().describe('0-100, 50 at the threshold (logistic fit on LFW View 1)'),
  probability: Probability,
  matches: z.number().int().describe('How many of the nearest faces were this subject\'s'),
});

export const IdentifyResponse = z.object({
  gallery: z.string(),
  model_name: z.string(),
  metric: z.literal('cosine'),
  threshold: z.number().describe('The cosine distance used'),
  threshold_source: z.enum(['fpir', 'explicit', 'fixed']).describe("fpir: solved for fpir_target at gallery_size; explicit: given; fixed: the model's fixed threshold (it has no fitted open-set model)"),
  fpir_target: z.number().nullable().describe('The target FPIR the threshold was solved for; null when explicit or fixed'),
  fpir: z.number().nullable().describe("The FPIR the threshold holds at this gallery's size by the model's fitted tail; null without one"),
  gallery_size: z.number().int().describe('Faces enrolled in the gallery when it was searched'),
  faces: z.array(
    z.object({
      box: z.object({ x: z.number().int(), y: z.number().int(), w: z.number().int(), h: z.number().int() }),
      face_confidence: z.number(),
      verdict: z.enum(['known', 'unknown']),
      subject: z.string().nullable().describe('The subject recognised; null when unknown'),
      distance: z.number().nullable(),
      probability: Probability,
      candidates: z.array(IdentifyCandidate).describe('Nearest subjects first, for a reviewer'),
    }),
  ),
});
export type IdentifyResponse = z.infer<typeof IdentifyResponse>;
