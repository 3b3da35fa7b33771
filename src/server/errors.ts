/**
 * The server's one error handler: every failure becomes an error body with the status of its code
 * in the catalog — Pinecone's `{ error: { code, message, details }, status }` on the Pinecone
 * routes, DeepFace's `{ error: message }` widened with `code`, `status` and `details` on the face
 * routes (a DeepFace client reads `error` as a string).
 * 4xx are the client's business and are logged at info; 5xx at error, with the stack and the full
 * message, while the client gets only the code and its catalog summary (a 5xx message may name
 * files and paths of the server).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOG, fvError, isFacevaultError, type ErrorCode, type FacevaultError } from '../errors.js';
import type { ErrorResponse } from './pinecone-schemas.js';

/**
 * Seconds a client should wait before retrying a 503 (`Retry-After`): an overloaded face queue
 * drains in about a second; a store that cannot be reached, or a server shutting down, takes longer.
 */
const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = { FV_ERR_OVERLOADED: 1 };
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The multipart parser's directory. It raises plain errors with no code ("Unexpected end of
 * multipart data", "Boundary not found"); one raised there is a malformed form, the client's doing.
 */
const MULTIPART_PARSER = dirname(createRequire(createRequire(import.meta.url).resolve('@fastify/multipart')).resolve('@fastify/busboy'));

/**
 * Pinecone's own sentence for failures whose message Pinecone clients match on (the official
 * client's integration tests do), added after facevault's message, which names the field.
 */
const PINECONE_WORDING: Partial<Record<ErrorCode, string>> = {
  FV_ERR_INDEX_NAME: "Name must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  FV_ERR_DELETION_PROTECTED: 'Deletion protection is enabled for this index. Disable deletion protection before retrying',
};

/** Pinecone's JSON error body for a coded error. */
export function errorBody(err: FacevaultError): ErrorResponse {
  const wording = PINECONE_WORDING[err.code];
  const message = wording === undefined ? err.message : `${err.message} (${wording})`;
  return { error: { code: err.code, message, ...detailsOf(err) }, status: err.status };
}

/** DeepFace's error body (`{ error: message }`), with the code, status and details beside it. */
export function faceErrorBody(err: FacevaultError): { error: string; code: string; status: number; details?: Record<string, unknown> } {
  return { error: err.message, code: err.code, status: err.status, ...detailsOf(err) };
}

type ErrorBodyShape = (err: FacevaultError) => object;

function detailsOf(err: FacevaultError): { details?: Record<string, unknown> } {
  return Object.keys(err.details).length > 0 ? { details: { ...err.details } } : {};
}

/**
 * Installs the error and not-found handlers on the root instance (inherited by every plugin), and
 * the refusal of requests that arrive (on a kept-alive connection) once the server is closing:
 * FV_ERR_CLOSED in Pinecone's shape with a Retry-After, where fastify's own 503 had its own shape.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | FacevaultError, request, reply) => respond(err, request, reply));
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    // Said as it is (a 5xx message is otherwise replaced by the code's summary) and logged at info: nothing failed.
    const err = fvError('FV_ERR_CLOSED', 'The server is shutting down; retry shortly, or against another server of the same store');
    request.log.info({ code: err.code, status: err.status }, err.message);
    return send(reply, err);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = (request.raw.url ?? '').split('?')[0];
    const err = fvError('FV_ERR_ROUTE_NOT_FOUND', `No route for ${request.method} ${path}`, { method: request.method, path });
    request.log.info({ code: err.code, status: err.status }, err.message);
    return send(reply, err);
  });
}

/**
 * fastify's `frameworkErrors` option: a path the router refuses before any route is chosen (a
 * malformed percent-encoding, a segment over `maxParamLength`). Without it fastify answers in its
 * own shape, which the official client cannot read.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void respond(err, request, reply);
}

/**
 * The face plugin's error handler: the same mapping and logging, in the face routes' body shape.
 * `deepFace` (DeepFace's own routes): statuses as DeepFace answers them — 400 for a photo it
 * cannot use (no face, several faces: 422 on facevault's own routes), the code unchanged in the
 * body — and the message also under `exception` where DeepFace's routes put it (an image that
 * cannot be taken from the request).
 */
export function installFaceErrorHandling(app: FastifyInstance, options: { readonly deepFace?: boolean } = {}): void {
  const shape = options.deepFace ? deepFaceErrorBody : faceErrorBody;
  const statusOf = options.deepFace ? deepFaceStatus : undefined;
  app.setErrorHandler((err: FastifyError | FacevaultError, request, reply) => respond(err, request, reply, shape, statusOf));
}

/** DeepFace answers every failure of a request's content with 400; facevault's 422 become 400 there. */
function deepFaceStatus(err: FacevaultError): number {
  return err.status === 422 ? 400 : err.status;
}

/**
 * Failures of taking the image out of the request (missing, or a string that is no image a
 * client may send here), which DeepFace's routes answer as `{ exception }`, and a missing or wrong
 * token, which they answer as `{ message }`: the body carries the message under both keys, so a
 * client reading either finds it.
 */
function deepFaceErrorBody(err: FacevaultError): object {
  const body = { ...faceErrorBody(err), status: deepFaceStatus(err) };
  if (err.code === 'FV_ERR_UNAUTHORIZED') return { ...body, message: err.message };
  return err.code === 'FV_ERR_IMAGE_INPUT' || err.details.reason === 'missing-image' ? { ...body, exception: err.message } : body;
}

function respond(err: FastifyError | FacevaultError, request: FastifyRequest, reply: FastifyReply, shape: ErrorBodyShape = errorBody, statusOf?: (err: FacevaultError) => number): FastifyReply {
  const coded = toCoded(err, request);
  if (coded.status < 500) {
    request.log.info({ code: coded.code, status: coded.status }, coded.message);
    return send(reply, coded, shape, statusOf);
  }
  request.log.error({ err, code: coded.code }, `request failed: ${coded.message}`);
  const summary = `${ERROR_CATALOG[coded.code].summary} The server log has the details of request ${request.id}.`;
  return send(reply, fvError(coded.code, summary, { requestId: request.id }), shape, statusOf);
}

function send(reply: FastifyReply, err: FacevaultError, shape: ErrorBodyShape = errorBody, statusOf?: (err: FacevaultError) => number): FastifyReply {
  if (err.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS[err.code] ?? DEFAULT_RETRY_AFTER_SECONDS));
  return reply.status(statusOf ? statusOf(err) : err.status).type('application/json; charset=utf-8').send(shape(err));
}

/** An error the multipart parser raised (with no code: fastify's own errors from forms have one). */
function isMultipartParserError(err: Error & { code?: string }): boolean {
  return err.code === undefined && err.stack?.includes(MULTIPART_PARSER) === true;
}

/** The coded error a failure stands for; anything unexpected is an internal error with no detail. */
function toCoded(err: FastifyError | FacevaultError, request: FastifyRequest): FacevaultError {
  if (isFacevaultError(err)) return err;
  if (isMultipartParserError(err)) return fvError('FV_ERR_INVALID_ARGUMENT', `body: is not a valid multipart form: ${err.message}`, { in: 'body' });
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = request.routeOptions.bodyLimit;
      return fvError(
        'FV_ERR_PAYLOAD_TOO_LARGE',
        `body: is over the ${limit}-byte limit of a request; send fewer records per request, or raise the limit with FACEVAULT_MAX_BODY_BYTES (--max-body-bytes)`,
        { limit, setting: 'FACEVAULT_MAX_BODY_BYTES' },
      );
    }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return fvError('FV_ERR_INVALID_ARGUMENT', 'body: is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return fvError('FV_ERR_INVALID_ARGUMENT', 'body: is empty but Content-Type says application/json');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return fvError('FV_ERR_INVALID_ARGUMENT', `Content-Type: "${request.headers['content-type'] ?? ''}" is not supported; send application/json`);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return fvError('FV_ERR_INVALID_ARGUMENT', 'path: a segment is too long; an index name has at most 45 characters and a namespace at most 512 UTF-8 bytes');
    case 'FST_ERR_BAD_URL':
      return fvError('FV_ERR_INVALID_ARGUMENT', 'path: is not a valid URL (malformed percent-encoding)');
  }
  // Other 4xx raised by fastify itself (bad Content-Length, malformed URL, ...) describe the request, not the server.
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return fvError('FV_ERR_INVALID_ARGUMENT', err.message, { fastifyCode: err.code });
  return fvError('FV_ERR_INTERNAL', err.message);
}
