/**
 * How face requests carry their images and options, as DeepFace's API takes them: a JSON body, a
 * form (application/x-www-form-urlencoded) or a multipart form whose image fields are files.
 * Text fields are typed by the route's body schema the way DeepFace's clients mean them ("False",
 * "0", 1 and "1" for flags, "5" for numbers; a null is an absent field), before the schema
 * validates them.
 *
 * An image string is a data URL or base64; a server-side path or a URL only when the operator
 * turned them on (see image-sources.ts): otherwise both are refused with 400, saying how to send
 * the image instead. /verify also takes a precomputed embedding (a list of numbers).
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fvError, isFacevaultError } from '../errors.js';
import { DEFAULT_DECODE_LIMITS } from '../face/image.js';
import type { ImageSources } from './image-sources.js';
import { base64Payload, DATA_URL, decodedBytes, isBase64 } from './image-string.js';
import type { JsonSchema } from './json-schema.js';
import { keyedByUser } from '../util/keyed-by-user.js';

/** Largest image accepted, in bytes: the face pipeline's own decoding limit. */
export const MAX_IMAGE_BYTES = DEFAULT_DECODE_LIMITS.maxBytes;

/** The fields that carry an image, under DeepFace's names. */
export const IMAGE_FIELDS = ['img', 'img_path', 'img1', 'img1_path', 'img2', 'img2_path'] as const;

/** The most images one face request carries (verify's two). */
const MAX_IMAGES = 2;

/** Characters of base64 (with a data URL's prefix) that carry `bytes` bytes. */
function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4 + 64;
}

/** Largest JSON body of a face route: two images in base64, and room for the options. */
export const FACE_BODY_LIMIT = MAX_IMAGES * base64Length(MAX_IMAGE_BYTES) + 64 * 1024;

const FORM_LIMITS = {
  fileSize: MAX_IMAGE_BYTES,
  files: MAX_IMAGES,
  // A text field may hold an image in base64, as DeepFace's forms allow.
  fieldSize: base64Length(MAX_IMAGE_BYTES),
  fields: 32,
  parts: 32 + MAX_IMAGES,
};

/** A file field of a multipart request. */
export interface Upload {
  readonly bytes: Buffer;
  readonly filename: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The file fields of a multipart request, by field name; undefined for JSON. */
    uploads?: ReadonlyMap<string, Upload>;
  }
}

/** An image of a request: its encoded bytes, and a name for it (the file name of an upload). */
export interface RequestImage {
  readonly bytes: Uint8Array;
  readonly source: string;
}

/**
 * Lets the routes of `app` (a plugin's encapsulated instance) take multipart and url-encoded
 * forms: files land in `request.uploads`, text fields in `request.body`; every body's fields are
 * then typed by the route's body schema (`typeFields`) before the schema validates them.
 */
export async function acceptMultipartForms(app: FastifyInstance): Promise<void> {
  await app.register(multipart, { limits: FORM_LIMITS });
  app.decorateRequest('uploads', undefined);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, text, done) => {
    try {
      done(null, parseUrlEncoded(text as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema?.body as JsonSchema | undefined;
    const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
    if (request.isMultipart()) {
      const { fields, uploads } = await readForm(request);
      for (const name of uploads.keys()) {
        if (!(name in properties)) throw fvError('FV_ERR_INVALID_ARGUMENT', `${name}: is not a known field`, { path: name, in: 'body' });
      }
      request.body = fields;
      request.uploads = uploads;
    }
    if (isPlainObject(request.body)) request.body = typeFields(request.body, properties);
  });
}

/** A url-encoded form's fields; a name given twice is refused, as in multipart forms. */
function parseUrlEncoded(text: string): Record<string, string> {
  const fields = keyedByUser<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.hasOwn(fields, name)) throw fvError('FV_ERR_INVALID_ARGUMENT', `${name}: is given twice in the form`, { path: name, in: 'body' });
    fields[name] = value;
  }
  return fields;
}

/** An image of a request (its encoded bytes and a name for it), or a precomputed embedding. */
export type RequestInput = RequestImage | { readonly embedding: readonly number[] };

/**
 * The image a request gives under one of `names` (DeepFace spells them `img` or `img_path`,
 * `img1` or `img1_path`...): an uploaded file; a base64 or data URL string; a path or a URL when
 * `sources` allows them; with `embedding`, a list of numbers (checked against the model later).
 * @throws FV_ERR_INVALID_ARGUMENT when it is missing or given twice; FV_ERR_IMAGE_INPUT for a path,
 *   a URL or a string that is not allowed or not an image; FV_ERR_IMAGE_TOO_LARGE over MAX_IMAGE_BYTES.
 */
export async function requestInput(request: FastifyRequest, names: readonly string[], sources: ImageSources, options: { readonly embedding?: boolean } = {}): Promise<RequestInput> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const given = names.filter((name) => request.uploads?.has(name) || body[name] !== undefined);
  const [name, ...others] = given;
  if (name === undefined) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `${names[0]}: is required: send the image as a multipart file field, a base64 string or a data URL`, { path: names[0], in: 'body', reason: 'missing-image' });
  }
  if (others.length > 0 || (request.uploads?.has(name) && body[name] !== undefined)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `${given.join(', ')}: one image is expected, given twice`, { path: name, in: 'body' });
  }
  const upload = request.uploads?.get(name);
  if (upload) {
    if (upload.bytes.byteLength === 0 && !upload.filename) throw fvError('FV_ERR_INVALID_ARGUMENT', `${name}: no file uploaded`, { path: name, in: 'body', reason: 'missing-image' });
    return { bytes: upload.bytes, source: upload.filename || name };
  }
  const value = body[name];
  if (Array.isArray(value)) {
    if (!options.embedding) throw fvError('FV_ERR_IMAGE_INPUT', `${name}: a list of numbers (an embedding) is accepted by /verify only`, { path: name, reason: 'embedding' });
    return { embedding: value as number[] };
  }
  const text = value as string;
  if (text === '') throw fvError('FV_ERR_INVALID_ARGUMENT', `${name}: is empty`, { path: name, in: 'body', reason: 'missing-image' });
  if (URL_SCHEME.test(text)) return { bytes: await sources.fetchUrl(name, text), source: text };
  // Scanned once: the payload (data URL prefix and whitespace taken out) and whether it is base64.
  const payload = base64Payload(text);
  const wellFormed = isBase64(payload);
  if (DATA_URL.test(text) || text.startsWith('data:') || (payload.length >= MIN_BASE64_CHARS && wellFormed)) {
    return { bytes: decodeImageString(name, text, payload, wellFormed), source: name };
  }
  return { bytes: await sources.readPath(name, text), source: text };
}

/**
 * The image a request gives under one of `names`, as `requestInput`, where an embedding is not an image.
 * @throws as requestInput, and FV_ERR_IMAGE_INPUT for a list of numbers.
 */
export async function requestImage(request: FastifyRequest, names: readonly string[], sources: ImageSources): Promise<RequestImage> {
  return (await requestInput(request, names, sources)) as RequestImage;
}

/**
 * A string of base64 characters shorter than this is taken for a path (`dataset/img1` is valid
 * base64): no image is that small (the smallest JPEG or PNG of one pixel is ~70 bytes).
 */
const MIN_BASE64_CHARS = 64;

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The bytes of a base64 or data URL image string, given its payload (`base64Payload`) and whether that is base64. */
function decodeImageString(field: string, text: string, data: string, wellFormed: boolean): Uint8Array {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  const sendInstead = `send the image itself: a multipart file field "${field}", a base64 string or a data URL (data:image/jpeg;base64,...)`;
  if (!wellFormed) {
    throw fvError('FV_ERR_IMAGE_INPUT', `${field}: ${shown} is not a base64 image data URL: ${sendInstead}`, { path: field, reason: 'data-url' });
  }
  const bytes = decodedBytes(data);
  if (bytes > MAX_IMAGE_BYTES) {
    throw fvError('FV_ERR_IMAGE_TOO_LARGE', `${field}: the image is ${bytes} bytes, over the limit of ${MAX_IMAGE_BYTES}`, { path: field, bytes, maxBytes: MAX_IMAGE_BYTES });
  }
  return Buffer.from(data, 'base64');
}

async function readForm(request: FastifyRequest): Promise<{ fields: Record<string, unknown>; uploads: Map<string, Upload> }> {
  const fields = keyedByUser<unknown>();
  const uploads = new Map<string, Upload>();
  try {
    for await (const part of request.parts()) {
      const name = part.fieldname;
      if (Object.hasOwn(fields, name) || uploads.has(name)) throw fvError('FV_ERR_INVALID_ARGUMENT', `${name}: is given twice in the form`, { path: name, in: 'body' });
      if (part.type === 'file') {
        uploads.set(name, { bytes: await part.toBuffer(), filename: part.filename });
      } else {
        if (part.valueTruncated) throw formTooLarge(name, `the field is over ${FORM_LIMITS.fieldSize} characters`);
        fields[name] = part.value;
      }
    }
  } catch (err) {
    throw asFormError(err);
  }
  return { fields, uploads };
}

/** A form's failure as a coded error: a part over a limit is 413, anything else malformed 400. */
function asFormError(err: unknown): unknown {
  if (isFacevaultError(err)) return err;
  const { code, message, statusCode } = err as { code?: string; message?: string; statusCode?: number };
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return fvError('FV_ERR_IMAGE_TOO_LARGE', `an uploaded image is over the limit of ${MAX_IMAGE_BYTES} bytes`, { maxBytes: MAX_IMAGE_BYTES });
    case 'FST_FILES_LIMIT':
      return formTooLarge('body', `a form carries at most ${FORM_LIMITS.files} files`);
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return formTooLarge('body', `a form carries at most ${FORM_LIMITS.fields} fields`);
  }
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return fvError('FV_ERR_INVALID_ARGUMENT', `body: is not a valid multipart form: ${message}`, { multipartCode: code });
  return err;
}

function formTooLarge(path: string, why: string) {
  return fvError('FV_ERR_PAYLOAD_TOO_LARGE', `${path}: ${why}`, { path, in: 'body' });
}

/**
 * A body's fields with the types the body schema gives them, as DeepFace's clients mean them:
 * flags from true/false in any case, "1"/"0" and 1/0 (DeepFace's Python would take "False" for
 * true; the client meant false); numbers from decimal text; a null is an absent field (a Python
 * client's None). A value that does not fit stays as it is, for the schema to refuse by name.
 * @example typeFields({ align: 'False', max_faces: '2', k: null }, props) // → { align: false, max_faces: 2 }
 */
export function typeFields(fields: Record<string, unknown>, properties: Record<string, JsonSchema>): Record<string, unknown> {
  const typed = keyedByUser<unknown>();
  for (const [name, value] of Object.entries(fields)) {
    const known = Object.hasOwn(properties, name);
    if (value === null && known) continue;
    const type = known ? properties[name]?.type : undefined;
    if (type === 'boolean') typed[name] = asBoolean(value);
    else if ((type === 'integer' || type === 'number') && typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) typed[name] = Number(value);
    else typed[name] = value;
  }
  return typed;
}

function asBoolean(value: unknown): unknown {
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  if (value === 1) return true;
  if (value === 0) return false;
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}
