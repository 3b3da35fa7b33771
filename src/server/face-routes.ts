/**
 * DeepFace's REST API (`deepface/api/src/modules/core/routes.py`): `POST /represent`, `/verify`,
 * `/analyze`, and the gallery's `/register` and `/search`, with its field names and response
 * shapes. A request is JSON (images as base64 or data URLs) or a multipart form (images as files);
 * see face-input.ts. Errors are the server's, in the same shape and with the catalog's statuses
 * (no face 422, corrupt image 400, too large 413).
 *
 * Options are checked before any image is looked at, so a bad request never starts the pipeline.
 */
import type { FastifyPluginAsync } from 'fastify';
import { fvError, isFacevaultError, type ErrorCode } from '../errors.js';
import { parseMetric } from '../face/distance.js';
import { DEFAULT_GALLERY } from '../recognition/gallery.js';
import { actionsOf, analysisOf, detectorFor, faceOptionsOf, galleryModelOf, representationOf, searchOf, verificationOf } from './face-deepface.js';
import { FACE_BODY_LIMIT, requestImage } from './face-input.js';
import {
  AnalyzeRequest,
  AnalyzeResponse,
  RegisterRequest,
  RegisterResponse,
  RepresentRequest,
  RepresentResponse,
  SearchRequest,
  SearchResponse,
  VerifyRequest,
  VerifyResponse,
} from './face-schemas.js';
import { routeSchema } from './json-schema.js';

const TAGS = ['faces (DeepFace)'] as const;
const FORMS = 'JSON, or multipart/form-data with the images as file fields and the other fields as text.';

export const faceRoutes: FastifyPluginAsync = async (app) => {
  const { faces } = app;

  app.post<{ Body: RepresentRequest }>(
    '/represent',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Embed every face of an image (DeepFace represent)',
        description: `${FORMS} One result per face, largest first: a unit-length embedding, its box and the detector's confidence.`,
        operationId: 'represent',
        tags: TAGS,
        body: RepresentRequest,
        response: { 200: RepresentResponse },
      }),
    },
    async (request): Promise<RepresentResponse> => {
      const options = faceOptionsOf(request.body);
      const image = requestImage(request, ['img', 'img_path']);
      const pipeline = await faces.pipeline();
      const found = await about('img', pipeline.represent(image.bytes, { ...options, maxFaces: request.body.max_faces }));
      return { results: found.map(representationOf), model_name: options.model };
    },
  );

  app.post<{ Body: VerifyRequest }>(
    '/verify',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Are the faces of two images the same person? (DeepFace verify)',
        description: `${FORMS} The largest face of each image is compared. A lower threshold accepts fewer impostors and rejects more genuine pairs.`,
        operationId: 'verify',
        tags: TAGS,
        body: VerifyRequest,
        response: { 200: VerifyResponse },
      }),
    },
    async (request): Promise<VerifyResponse> => {
      const started = performance.now();
      const { body } = request;
      const options = faceOptionsOf(body);
      const metric = parseMetric(body.distance_metric ?? 'cosine');
      const images = [requestImage(request, ['img1', 'img1_path']), requestImage(request, ['img2', 'img2_path'])];
      const pipeline = await faces.pipeline();
      // Settled, not Promise.all: when one image fails, the other's job still finishes before the answer goes out.
      const sides = await Promise.allSettled(images.map((image, i) => about(`img${i + 1}`, pipeline.represent(image.bytes, { ...options, maxFaces: 1 }))));
      const [[one], [two]] = sides.map((side) => {
        if (side.status === 'rejected') throw side.reason;
        return side.value;
      });
      // Both faces are embedded here (with their liveness when asked), then compared as embeddings.
      const result = await pipeline.verify(one.embedding, two.embedding, { model: options.model, detector: options.detector, metric, threshold: body.threshold });
      return verificationOf(
        { ...result, facialAreas: { img1: one.facialArea, img2: two.facialArea }, time: (performance.now() - started) / 1000 },
        [one.liveness, two.liveness],
      );
    },
  );

  app.post<{ Body: AnalyzeRequest }>(
    '/analyze',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Age, gender, emotion and liveness of every face (DeepFace analyze)',
        description: `${FORMS} The expression model is the slow one (~60-130 ms a face).`,
        operationId: 'analyze',
        tags: TAGS,
        body: AnalyzeRequest,
        response: { 200: AnalyzeResponse },
      }),
    },
    async (request): Promise<AnalyzeResponse> => {
      const { body } = request;
      const actions = actionsOf(body.actions, body.anti_spoofing);
      const detector = detectorFor(body.detector_backend);
      const image = requestImage(request, ['img', 'img_path']);
      const pipeline = await faces.pipeline();
      const analysed = await about('img', pipeline.analyze(image.bytes, { actions, detector, enforceDetection: body.enforce_detection ?? true }));
      return { results: analysed.map(analysisOf) };
    },
  );

  app.post<{ Body: RegisterRequest }>(
    '/register',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Enroll the face of a photo under a subject (DeepFace register)',
        description:
          `${FORMS} The subject is img_name (or identity). A photo is known by its bytes: enrolling the same photo again changes nothing. ` +
          'The faces go to the gallery (a namespace) of the model\'s index faces-<model>.',
        operationId: 'register',
        tags: TAGS,
        body: RegisterRequest,
        response: { 200: RegisterResponse },
      }),
    },
    async (request): Promise<RegisterResponse> => {
      const { body } = request;
      const model = galleryModelOf(body);
      const subject = subjectOf(body);
      const image = requestImage(request, ['img', 'img_path']);
      const gallery = await faces.gallery(body.gallery ?? DEFAULT_GALLERY, model, true);
      const outcome = await about('img', gallery.enrollPhoto({ bytes: image.bytes, source: image.source }, subject, { faces: body.faces, onMultipleFaces: body.on_multiple_faces }));
      const enrolled = outcome.status === 'enrolled';
      return {
        inserted: enrolled ? outcome.recordIds.length : 0,
        status: enrolled ? 'enrolled' : 'already-enrolled',
        img_name: outcome.subject ?? subject,
        ids: [...outcome.recordIds],
        gallery: gallery.name,
        model_name: model,
      };
    },
  );

  app.post<{ Body: SearchRequest }>(
    '/search',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Who is in the photo? (DeepFace search, with a known / unknown verdict per face)',
        description:
          `${FORMS} Every face of the photo is matched against the gallery: results holds DeepFace's rows per face, identities the verdict ` +
          '(the nearest subject within the threshold, or unknown). search_method chooses exact (default) or approximate search per request.',
        operationId: 'search',
        tags: TAGS,
        body: SearchRequest,
        response: { 200: SearchResponse },
      }),
    },
    async (request): Promise<SearchResponse> => {
      const { body } = request;
      const model = galleryModelOf(body);
      const image = requestImage(request, ['img', 'img_path']);
      const searchMethod = body.search_method ?? 'exact';
      const gallery = await faces.gallery(body.gallery ?? DEFAULT_GALLERY, model, true);
      const found = await about('img', gallery.identify(image.bytes, { exact: searchMethod === 'exact', topK: body.k, threshold: body.threshold }));
      const context = {
        model,
        detector: detectorFor(body.detector_backend),
        searchMethod,
        threshold: found.threshold,
        allCandidates: body.similarity_search ?? false,
        k: body.k,
      };
      const perFace = found.faces.map((face) => searchOf(face, context));
      return { results: perFace.map((face) => face.rows), identities: perFace.map((face) => face.identity), gallery: gallery.name, model_name: model };
    },
  );
};

/** The subject of a register request: img_name, or identity (the same thing by another name). */
function subjectOf(body: RegisterRequest): string {
  const { img_name: imgName, identity } = body;
  if (imgName !== undefined && identity !== undefined && imgName !== identity) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', 'img_name, identity: name the subject once (they differ)', { path: 'img_name', in: 'body' });
  }
  const subject = imgName ?? identity;
  if (subject === undefined) throw fvError('FV_ERR_INVALID_ARGUMENT', 'img_name: is required: the subject (person) to enroll the face under', { path: 'img_name', in: 'body' });
  return subject;
}

/** Failures that belong to one image of the request. */
const IMAGE_FAILURES: ReadonlySet<ErrorCode> = new Set(['FV_ERR_IMAGE_INPUT', 'FV_ERR_IMAGE_DECODE', 'FV_ERR_IMAGE_TOO_LARGE', 'FV_ERR_NO_FACE', 'FV_ERR_MULTIPLE_FACES']);

/**
 * Names the image field in an image's failure (no face, corrupt...), so that a client of verify
 * knows which of its two images to fix.
 */
async function about<T>(field: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isFacevaultError(err) && IMAGE_FAILURES.has(err.code)) throw fvError(err.code, `${field}: ${err.message}`, { ...err.details, path: field }, err);
    throw err;
  }
}
