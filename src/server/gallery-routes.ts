/**
 * The gallery resource routes under `/galleries`: list galleries, list a gallery's subjects
 * with their face counts, rename or erase a subject, read a stored face, verify a photo
 * against a stored face by record id, and identify a photo with a candidate list. Only verify and
 * identify start the face pipeline.
 *
 * Reading never creates anything: a gallery whose model index does not exist has no subjects,
 * and its faces and subjects are not found (404).
 */
import type { FastifyPluginAsync } from 'fastify';
import { fvError } from '../errors.js';
import type { FaceRecord } from '../recognition/face-record.js';
import type { IdentifyResult } from '../recognition/gallery.js';
import { modelFor, verificationOf } from './face-deepface.js';
import { FACE_BODY_LIMIT, requestImage } from './face-input.js';
import {
  FaceCropResponse,
  FaceRecordResponse,
  GalleriesResponse,
  GalleryParams,
  IdentifyRequest,
  IdentifyResponse,
  ModelQuery,
  RecordParams,
  RecordVerifyRequest,
  RecordVerifyResponse,
  RenameRequest,
  SubjectChangeResponse,
  SubjectParams,
  SubjectsResponse,
} from './gallery-schemas.js';
import { routeSchema } from './json-schema.js';

const TAGS = ['galleries'] as const;

export const galleryRoutes: FastifyPluginAsync = async (app) => {
  const { faces } = app;

  /** The gallery a subject route names, for the model asked; an absent gallery has no such subject. */
  async function subjectGallery(name: string, subject: string, modelName: string | undefined) {
    const model = modelFor(modelName).info.name;
    return { model, gallery: (await faces.existingGallery(name, model)) ?? subjectNotFound(name, subject) };
  }

  app.get(
    '/galleries',
    {
      schema: routeSchema({
        summary: 'Every gallery that holds faces, with its model and face count',
        operationId: 'list_galleries',
        tags: TAGS,
        response: { 200: GalleriesResponse },
      }),
    },
    async (): Promise<GalleriesResponse> => ({
      galleries: (await faces.galleries()).map(({ name, model, index, faces: count }) => ({ name, model_name: model, index, faces: count })),
    }),
  );

  app.get<{ Params: GalleryParams; Querystring: ModelQuery }>(
    '/galleries/:gallery/subjects',
    {
      schema: routeSchema({
        summary: "A gallery's subjects with the number of faces of each, by name",
        description: 'Reads every stored face of the gallery: O(faces).',
        operationId: 'list_subjects',
        tags: TAGS,
        params: GalleryParams,
        querystring: ModelQuery,
        response: { 200: SubjectsResponse },
      }),
    },
    async (request): Promise<SubjectsResponse> => {
      const model = modelFor(request.query.model_name).info.name;
      const gallery = await faces.existingGallery(request.params.gallery, model);
      return { gallery: request.params.gallery, model_name: model, subjects: gallery ? [...(await gallery.subjects())] : [] };
    },
  );

  app.patch<{ Params: SubjectParams; Querystring: ModelQuery; Body: RenameRequest }>(
    '/galleries/:gallery/subjects/:subject',
    {
      schema: routeSchema({
        summary: 'Rename a subject on every one of its faces',
        description: 'Renaming onto an existing subject is a 400 unless merge is true.',
        operationId: 'rename_subject',
        tags: TAGS,
        params: SubjectParams,
        querystring: ModelQuery,
        body: RenameRequest,
        response: { 200: SubjectChangeResponse },
      }),
    },
    async (request): Promise<SubjectChangeResponse> => {
      const { gallery: name, subject } = request.params;
      const { model, gallery } = await subjectGallery(name, subject, request.query.model_name);
      const renamed = await gallery.renameSubject(subject, request.body.name, { merge: request.body.merge });
      return { gallery: name, model_name: model, subject: request.body.name, faces: renamed };
    },
  );

  app.delete<{ Params: SubjectParams; Querystring: ModelQuery }>(
    '/galleries/:gallery/subjects/:subject',
    {
      schema: routeSchema({
        summary: 'Erase a subject completely',
        description: 'Every face of the subject is deleted and the gallery\'s files rewritten, so nothing of it can be fetched, matched or recovered from disk.',
        operationId: 'erase_subject',
        tags: TAGS,
        params: SubjectParams,
        querystring: ModelQuery,
        response: { 200: SubjectChangeResponse },
      }),
    },
    async (request): Promise<SubjectChangeResponse> => {
      const { gallery: name, subject } = request.params;
      const { model, gallery } = await subjectGallery(name, subject, request.query.model_name);
      return { gallery: name, model_name: model, subject, faces: await gallery.eraseSubject(subject) };
    },
  );

  app.get<{ Params: RecordParams; Querystring: ModelQuery }>(
    '/galleries/:gallery/records/:id',
    {
      schema: routeSchema({
        summary: 'A stored face: its subject, source photo, box and enrolment time',
        operationId: 'get_record',
        tags: TAGS,
        params: RecordParams,
        querystring: ModelQuery,
        response: { 200: FaceRecordResponse },
      }),
    },
    async (request): Promise<FaceRecordResponse> => {
      const { gallery: name, id } = request.params;
      const model = modelFor(request.query.model_name).info.name;
      const record = await (await faces.existingGallery(name, model))?.getRecord(id);
      return recordOf(name, record ?? recordNotFound(name, id));
    },
  );

  app.get<{ Params: RecordParams; Querystring: ModelQuery }>(
    '/galleries/:gallery/records/:id/crop',
    {
      schema: routeSchema({
        summary: 'The thumbnail of a stored face (96×96 JPEG), kept only when the server runs with --keep-face-crops',
        operationId: 'get_record_crop',
        tags: TAGS,
        params: RecordParams,
        querystring: ModelQuery,
        response: { 200: FaceCropResponse },
      }),
    },
    async (request, reply) => {
      const { gallery: name, id } = request.params;
      const model = modelFor(request.query.model_name).info.name;
      const gallery = await faces.existingGallery(name, model);
      const crop = await gallery?.getFaceCrop(id);
      if (crop) return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600').send(crop);
      if (!(await gallery?.getRecord(id))) recordNotFound(name, id);
      throw fvError('FV_ERR_RECORD_NOT_FOUND', `face record "${id}" of gallery "${name}" has no thumbnail: it was enrolled while the server kept no face crops (--keep-face-crops)`, { id, gallery: name, crop: false });
    },
  );

  app.post<{ Params: GalleryParams; Body: RecordVerifyRequest }>(
    '/galleries/:gallery/verify',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Is the person of a photo the one of a stored face? (verify by record id)',
        description: "JSON, or multipart/form-data with the photo as file field img. The photo's largest face is compared with the stored face by cosine distance; the answer is DeepFace's verify dict and the record.",
        operationId: 'verify_record',
        tags: TAGS,
        params: GalleryParams,
        body: RecordVerifyRequest,
        response: { 200: RecordVerifyResponse },
      }),
    },
    async (request): Promise<RecordVerifyResponse> => {
      const { body } = request;
      const name = request.params.gallery;
      const model = modelFor(body.model_name).info.name;
      const image = await requestImage(request, ['img', 'img_path'], app.imageSources);
      if (!(await faces.existingGallery(name, model))) recordNotFound(name, body.id);
      const gallery = await faces.gallery(name, model, true);
      const result = await gallery.verifyRecord(image.bytes, body.id, { threshold: body.threshold });
      return { ...verificationOf(result), record: recordOf(name, result.record) };
    },
  );

  app.post<{ Params: GalleryParams; Body: IdentifyRequest }>(
    '/galleries/:gallery/identify',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Who is in the photo? Every face with a verdict and a candidate list for a reviewer',
        description:
          "JSON, or multipart/form-data with the photo as file field img. Unless a threshold is given, the threshold holds the target FPIR (default 1 %) at the gallery's " +
          'current size, so it tightens as the gallery grows; each face lists its nearest subjects with the probability that each is the same person given that size. ' +
          'A gallery without faces of the model is a 400 (FV_ERR_GALLERY_EMPTY), as /search.',
        operationId: 'identify',
        tags: TAGS,
        params: GalleryParams,
        body: IdentifyRequest,
        response: { 200: IdentifyResponse },
      }),
    },
    async (request): Promise<IdentifyResponse> => {
      const { body } = request;
      const name = request.params.gallery;
      const model = modelFor(body.model_name).info.name;
      const image = await requestImage(request, ['img', 'img_path'], app.imageSources);
      const existing = await faces.existingGallery(name, model);
      if (!existing || (await existing.faceCount()) === 0) throw fvError('FV_ERR_GALLERY_EMPTY', `gallery "${name}" holds no face of model ${model}: register faces before identifying against it`, { gallery: name, model });
      const gallery = await faces.gallery(name, model, true);
      const result = await gallery.identify(image.bytes, { exact: body.exact, topK: body.top_k, threshold: body.threshold, fpir: body.fpir, candidates: body.candidates });
      return identificationOf(name, result);
    },
  );
};

function identificationOf(gallery: string, result: IdentifyResult): IdentifyResponse {
  return {
    gallery,
    model_name: result.model,
    metric: result.metric,
    threshold: result.threshold,
    threshold_source: result.thresholdSource,
    fpir_target: result.fpirTarget,
    fpir: result.fpir,
    gallery_size: result.gallerySize,
    faces: result.faces.map((face) => {
      const known = face.identity.status === 'known' ? face.identity : undefined;
      const { x, y, w, h } = face.facialArea;
      return {
        box: { x: Math.round(x), y: Math.round(y), w: Math.round(w), h: Math.round(h) },
        face_confidence: face.faceConfidence,
        verdict: known ? 'known' : 'unknown',
        subject: known?.subject ?? null,
        distance: known?.distance ?? null,
        probability: known?.probability ?? null,
        candidates: face.candidates.map((c) => ({ subject: c.subject, id: c.recordId, distance: c.distance, confidence: c.confidence, probability: c.probability, matches: c.matches })),
      };
    }),
  };
}

function recordOf(gallery: string, record: FaceRecord): FaceRecordResponse {
  return {
    id: record.id,
    gallery,
    subject: record.subject,
    source: record.source,
    model_name: record.model,
    detector_score: record.detectorScore,
    box: record.box,
    enrolled_at: record.enrolledAt,
  };
}

function subjectNotFound(gallery: string, subject: string): never {
  throw fvError('FV_ERR_SUBJECT_NOT_FOUND', `gallery "${gallery}" has no subject "${subject}"`, { subject, gallery });
}

function recordNotFound(gallery: string, id: string): never {
  throw fvError('FV_ERR_RECORD_NOT_FOUND', `gallery "${gallery}" holds no face record "${id}"`, { id, gallery });
}
