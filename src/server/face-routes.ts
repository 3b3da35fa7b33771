/**
 * DeepFace's REST API (`deepface/api/src/modules/core/routes.py`, v0.0.100): `POST /represent`,
 * `/verify`, `/analyze`, and the gallery's `/register`, `/search` and `/build/index`, with its
 * field names, value spellings and response shapes, so that a DeepFace client switches by changing
 * the URL and adding the key. A request is JSON, a url-encoded form or a multipart form (images as
 * files); see face-input.ts for images given as paths, URLs or embeddings.
 *
 * Errors are DeepFace's: 400 for anything wrong with the request or its photo (no face included),
 * `{ error }` (and `{ exception }` where DeepFace's routes use it), with facevault's code beside.
 * DeepFace options a route does not honour are named in the X-Facevault-Ignored-Fields header.
 *
 * Options are checked before any image is looked at, so a bad request never starts the pipeline.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { fvError, isFacevaultError, type ErrorCode } from '../errors.js';
import { confidenceFor, parseMetric, thresholdFor, toCosineDistance } from '../face/distance.js';
import { checkEmbedding, closestPair, type VerifyResult, type VerifySide } from '../face/pipeline.js';
import { DEFAULT_GALLERY } from '../recognition/gallery.js';
import { installFaceErrorHandling } from './errors.js';
import {
  actionsOf,
  analysisOf,
  detectorFor,
  faceOptionsOf,
  galleryOptionsOf,
  ignoredFields,
  modelFor,
  representationOf,
  searchOf,
  verificationOf,
  type RequestFaceOptions,
  type VerifiedSide,
} from './face-deepface.js';
import { FACE_BODY_LIMIT, requestImage, requestInput } from './face-input.js';
import {
  AnalyzeRequest,
  AnalyzeResponse,
  BuildIndexRequest,
  BuildIndexResponse,
  RegisterRequest,
  RegisterResponse,
  RepresentRequest,
  RepresentResponse,
  SearchRequest,
  SearchResponse,
  VerifyRequest,
  VerifyResponse,
  type DeepFaceOption,
} from './face-schemas.js';
import { routeSchema } from './json-schema.js';
import { defined } from '../util/checked.js';

const TAGS = ['faces (DeepFace)'] as const;
const FORMS =
  'JSON, application/x-www-form-urlencoded, or multipart/form-data with the images as file fields; flags also as "true"/"false"/"1"/"0", numbers as text. ' +
  'DeepFace options this route does not honour are accepted and named in the X-Facevault-Ignored-Fields response header.';

/** The header naming the DeepFace options a request sent that its route ignored. */
export const IGNORED_FIELDS_HEADER = 'x-facevault-ignored-fields';

/** What each route honours of DeepFace's options; the others are ignored and reported. */
const DETECTION: readonly DeepFaceOption[] = ['model_name', 'detector_backend', 'enforce_detection', 'align', 'expand_percentage', 'anti_spoofing'];
const HONOURS = {
  represent: [...DETECTION, 'max_faces'],
  verify: [...DETECTION, 'max_faces', 'distance_metric', 'threshold'],
  analyze: ['detector_backend', 'enforce_detection', 'expand_percentage', 'anti_spoofing', 'max_faces'],
  register: DETECTION,
  search: [...DETECTION, 'distance_metric', 'threshold'],
  buildIndex: ['model_name'],
} satisfies Record<string, readonly DeepFaceOption[]>;

export const faceRoutes: FastifyPluginAsync = async (app) => {
  installFaceErrorHandling(app, { deepFace: true });
  const { faces, imageSources: sources } = app;

  app.post<{ Body: RepresentRequest }>(
    '/represent',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Embed every face of an image (DeepFace represent)',
        description: `${FORMS} One result per face, largest first: a unit-length embedding, its box with the detector's 5 points, and the detector's confidence.`,
        operationId: 'represent',
        tags: TAGS,
        body: RepresentRequest,
        response: { 200: RepresentResponse },
      }),
    },
    async (request, reply): Promise<RepresentResponse> => {
      const { body } = request;
      reportIgnored(reply, body, HONOURS.represent);
      const options = faceOptionsOf(body);
      const image = await requestImage(request, ['img', 'img_path'], sources);
      const pipeline = await faces.pipeline();
      const found = await about('img', pipeline.represent(image.bytes, options));
      return { results: found.map(representationOf), model_name: options.model, served_by: servedBy(options) };
    },
  );

  app.post<{ Body: VerifyRequest }>(
    '/verify',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Are the faces of two images the same person? (DeepFace verify)',
        description:
          `${FORMS} As DeepFace: every face of each image is embedded (max_faces, largest first, limits them) and the closest pair decides; ` +
          "either side may be a precomputed embedding of the model's dimension. A lower threshold accepts fewer impostors and rejects more genuine pairs.",
        operationId: 'verify',
        tags: TAGS,
        body: VerifyRequest,
        response: { 200: VerifyResponse },
      }),
    },
    async (request, reply): Promise<VerifyResponse> => {
      const started = performance.now();
      const { body } = request;
      reportIgnored(reply, body, HONOURS.verify);
      const options = faceOptionsOf(body);
      const entry = modelFor(body.model_name);
      const metric = parseMetric(body.distance_metric ?? 'cosine');
      const threshold = body.threshold ?? thresholdFor(entry.info.thresholds, metric);
      const inputs = await Promise.all([
        requestInput(request, ['img1', 'img1_path'], sources, { embedding: true }),
        requestInput(request, ['img2', 'img2_path'], sources, { embedding: true }),
      ]);
      inputs.forEach((input, i) => {
        if ('embedding' in input) onField(`img${i + 1}`, () => checkEmbedding(input.embedding, entry.info));
      });
      const pipeline = inputs.every((input) => 'embedding' in input) ? undefined : await faces.pipeline();
      // Settled, not Promise.all: when one image fails, the other's job still finishes before the answer goes out.
      const sides = await Promise.allSettled(
        inputs.map(
          (input, i): Promise<readonly (VerifySide & VerifiedSide)[]> =>
            'embedding' in input ? Promise.resolve([{ embedding: input.embedding, facialArea: null }]) : about(`img${i + 1}`, pipeline!.represent(input.bytes, options)),
        ),
      );
      const [ones, twos] = sides.map((side) => {
        if (side.status === 'rejected') throw side.reason;
        return side.value;
      });
      const { one, two, distance } = closestPair(defined(ones, 'img1'), defined(twos, 'img2'), metric);
      const result: VerifyResult = {
        verified: distance <= threshold,
        distance,
        threshold,
        confidence: confidenceFor(distance, threshold, metric, entry.confidenceSlope),
        model: options.model,
        detectorBackend: options.detector,
        similarityMetric: metric,
        facialAreas: { img1: one.facialArea, img2: two.facialArea },
        time: (performance.now() - started) / 1000,
      };
      return verificationOf(result, [one, two], { model: body.model_name ?? options.model, detector: body.detector_backend ?? options.detector });
    },
  );

  app.post<{ Body: AnalyzeRequest }>(
    '/analyze',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Age, gender, emotion and liveness of every face (DeepFace analyze)',
        description: `${FORMS} race is refused with 400: facevault has no race model. The expression model is the slow one (~60-130 ms a face).`,
        operationId: 'analyze',
        tags: TAGS,
        body: AnalyzeRequest,
        response: { 200: AnalyzeResponse },
      }),
    },
    async (request, reply): Promise<AnalyzeResponse> => {
      const { body } = request;
      reportIgnored(reply, body, HONOURS.analyze);
      const actions = actionsOf(body.actions, body.anti_spoofing);
      const detector = detectorFor(body.detector_backend);
      const image = await requestImage(request, ['img', 'img_path'], sources);
      const pipeline = await faces.pipeline();
      const analysed = await about(
        'img',
        pipeline.analyze(image.bytes, {
          actions,
          detector,
          enforceDetection: body.enforce_detection ?? true,
          refuseSpoof: body.anti_spoofing === true,
          ...(body.expand_percentage !== undefined && { expandPercentage: body.expand_percentage }),
          ...(body.max_faces !== undefined && { maxFaces: body.max_faces }),
        }),
      );
      return { results: analysed.map(analysisOf), served_by: { model: `attribute models: ${actions.join(', ')}`, detector } };
    },
  );

  app.post<{ Body: RegisterRequest }>(
    '/register',
    {
      bodyLimit: FACE_BODY_LIMIT,
      schema: routeSchema({
        summary: 'Enroll the faces of a photo (DeepFace register)',
        description:
          `${FORMS} With img_name (or identity), the photo's face is enrolled under that subject. Without it, as DeepFace: every face is stored, ` +
          "named after the path or URL given, the uploaded file's name, or a random UUID. A photo is known by its bytes: enrolling the same photo again changes nothing. " +
          "The faces go to the gallery (a namespace) of the model's index faces-<model>.",
        operationId: 'register',
        tags: TAGS,
        body: RegisterRequest,
        response: { 200: RegisterResponse },
      }),
    },
    async (request, reply): Promise<RegisterResponse> => {
      const { body } = request;
      reportIgnored(reply, body, HONOURS.register);
      const options = galleryOptionsOf(body);
      const named = subjectOf(body);
      const image = await requestImage(request, ['img', 'img_path'], sources);
      const subject = named ?? nameOf(image.source);
      const gallery = await faces.gallery(body.gallery ?? DEFAULT_GALLERY, options.model, true);
      const outcome = await about(
        'img',
        gallery.enrollPhoto({ bytes: image.bytes, source: image.source }, subject, {
          faces: named === undefined ? 'all' : body.faces,
          onMultipleFaces: body.on_multiple_faces,
          detection: detectionOf(options),
        }),
      );
      const enrolled = outcome.status === 'enrolled';
      return {
        inserted: enrolled ? outcome.recordIds.length : 0,
        status: enrolled ? 'enrolled' : 'already-enrolled',
        img_name: outcome.subject ?? subject,
        ids: [...outcome.recordIds],
        gallery: gallery.name,
        model_name: options.model,
        served_by: servedBy(options),
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
          '(the nearest subject within the threshold, or unknown). Distances and threshold are in distance_metric (any metric /verify takes). ' +
          'search_method chooses exact (default) or approximate search per request. An empty gallery is a 400, as DeepFace.',
        operationId: 'search',
        tags: TAGS,
        body: SearchRequest,
        response: { 200: SearchResponse },
      }),
    },
    async (request, reply): Promise<SearchResponse> => {
      const { body } = request;
      reportIgnored(reply, body, HONOURS.search);
      const options = galleryOptionsOf(body);
      const metric = parseMetric(body.distance_metric ?? 'cosine');
      const image = await requestImage(request, ['img', 'img_path'], sources);
      const name = body.gallery ?? DEFAULT_GALLERY;
      // The size identify reads next: on a remote store one count, not two, at most once per 10 s.
      await nonEmptyGallery(name, options.model, 'search', true);
      const searchMethod = body.search_method ?? 'exact';
      const gallery = await faces.gallery(name, options.model, true);
      const found = await about(
        'img',
        gallery.identify(image.bytes, {
          exact: searchMethod === 'exact',
          topK: body.k,
          threshold: body.threshold === undefined ? undefined : toCosineDistance(body.threshold, metric),
          detection: detectionOf(options),
        }),
      );
      const context = { model: options.model, detector: options.detector, metric, searchMethod, threshold: found.threshold, allCandidates: body.similarity_search ?? false, k: body.k };
      const perFace = found.faces.map((face) => searchOf(face, context));
      return { results: perFace.map((face) => face.rows), identities: perFace.map((face) => face.identity), gallery: gallery.name, model_name: options.model, served_by: servedBy(options) };
    },
  );

  app.post<{ Body: BuildIndexRequest }>(
    '/build/index',
    {
      schema: routeSchema({
        summary: "Make the gallery searchable by search_method ann (DeepFace build_index)",
        description:
          `${FORMS} Answers DeepFace's "Index built successfully" when the gallery holds faces: facevault keeps each gallery's approximate index ` +
          'up to date as faces are registered (a graph from 4,096 faces, an exact scan below), so there is nothing left to build. An empty gallery is a 400, as DeepFace.',
        operationId: 'buildIndex',
        tags: TAGS,
        body: BuildIndexRequest,
        response: { 200: BuildIndexResponse },
      }),
    },
    async (request, reply): Promise<BuildIndexResponse> => {
      const body = request.body ?? {};
      reportIgnored(reply, body, HONOURS.buildIndex);
      const model = modelFor(body.model_name).info.name;
      const detector = detectorFor(body.detector_backend);
      const name = body.gallery ?? DEFAULT_GALLERY;
      const count = await nonEmptyGallery(name, model, 'build_index');
      return { message: 'Index built successfully', gallery: name, model_name: model, faces: count, served_by: { model, detector } };
    },
  );

  /**
   * The faces in a gallery of `model`; never creates its index.
   * @throws FV_ERR_GALLERY_EMPTY in DeepFace's words when it holds none.
   */
  /** The gallery's size, refusing an empty one as DeepFace does; `recent` takes identify's cached size (gallery-sizes.ts). */
  async function nonEmptyGallery(name: string, model: string, operation: string, recent = false): Promise<number> {
    const gallery = await faces.existingGallery(name, model);
    const count = gallery ? await (recent ? gallery.recentFaceCount() : gallery.faceCount()) : 0;
    if (count === 0) {
      throw fvError(
        'FV_ERR_GALLERY_EMPTY',
        `No embeddings found in the database for the criteria model_name=${model}, gallery=${name}. You must register some embeddings to the database before using ${operation}.`,
        { gallery: name, model },
      );
    }
    return count;
  }
};

function servedBy(options: RequestFaceOptions): { model: string; detector: string } {
  return { model: options.model, detector: options.detector };
}

/** The detection settings a gallery passes to the pipeline. */
function detectionOf(options: RequestFaceOptions) {
  return { align: options.align, expandPercentage: options.expandPercentage, refuseSpoof: options.refuseSpoof };
}

/** Names, in a response header, the DeepFace options the request sent that its route ignores. */
function reportIgnored(reply: FastifyReply, body: object, honoured: readonly DeepFaceOption[]): void {
  const ignored = ignoredFields(body, honoured);
  if (ignored.length > 0) reply.header(IGNORED_FIELDS_HEADER, ignored.join(', '));
}

/** The subject a register request names: img_name, or identity (the same thing by another name); undefined when neither. */
function subjectOf(body: RegisterRequest): string | undefined {
  const { img_name: imgName, identity } = body;
  if (imgName !== undefined && identity !== undefined && imgName !== identity) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', 'img_name, identity: name the subject once (they differ)', { path: 'img_name', in: 'body' });
  }
  return imgName ?? identity;
}

/** DeepFace's name for a record registered without img_name: the path or URL as given when it names an image file, else a UUID. */
function nameOf(source: string): string {
  return /\.(jpe?g|png|webp|gif|tiff?|avif|pgm|ppm|pnm)$/i.test(source) && source.length <= 200 ? source : randomUUID();
}

/** Failures that belong to one image of the request. */
const IMAGE_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'FV_ERR_IMAGE_INPUT',
  'FV_ERR_IMAGE_DECODE',
  'FV_ERR_IMAGE_TOO_LARGE',
  'FV_ERR_NO_FACE',
  'FV_ERR_MULTIPLE_FACES',
  'FV_ERR_SPOOF_DETECTED',
  'FV_ERR_EMBEDDING_DIMENSION',
  'FV_ERR_VECTOR_VALUE',
]);

/**
 * Names the image field in an image's failure (no face, corrupt...), so that a client of verify
 * knows which of its two images to fix.
 */
async function about<T>(field: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw withField(field, err);
  }
}

function onField(field: string, check: () => void): void {
  try {
    check();
  } catch (err) {
    throw withField(field, err);
  }
}

function withField(field: string, err: unknown): unknown {
  if (!isFacevaultError(err) || !IMAGE_FAILURES.has(err.code) || err.message.startsWith(`${field}: `)) return err;
  // The pipeline names its own option; a DeepFace client knows it as enforce_detection.
  const message = err.code === 'FV_ERR_NO_FACE' ? err.message.replace('enforceDetection: false', 'enforce_detection: false') : err.message;
  return fvError(err.code, `${field}: ${message}`, { ...err.details, path: field }, err);
}
