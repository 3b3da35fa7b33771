/**
 * How face requests carry their images, as DeepFace's API takes them: a JSON body whose image
 * fields hold base64 or a data URL, or a multipart form whose image fields are files (its other
 * fields are text, typed here by the route's body schema).
 *
 * Never a server-side path or a URL, although DeepFace accepts both: a path would let any client
 * read the server's files, a URL make the server fetch from wherever a client points it (SSRF).
 * Both are refused with 400, saying how to send the image instead.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fvError, isFacevaultError } from '../errors.js';
import { DEFAULT_DECODE_LIMITS } from '../face/image.js';
import type { JsonSchema } from './json-schema.js';

/** Largest image accepted, in bytes: the face pipeline's own decoding limit. */
export const MAX_IMAGE_BYTES = DEFAULT_DECODE_LIMITS.maxBytes;

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
 * Lets the routes of `app` (a plugin's encapsulated instance) take multipart forms: files land in
 * `request.uploads`, text fields in `request.body`, typed by the route's body schema, before the
 * schema validates them.
 */
export async function acceptMultipartForms(app: FastifyInstance): Promise<void> {
  await app.register(multipart, { limits: FORM_LIMITS });
  app.decorateRequest('uploads', undefined);
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const { fields, uploads } = await readForm(request);
    const schema = request.routeOptions.schema?.body as JsonSchema | undefined;
    const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of uploads.keys()) {
      if (!(name in properties)) throw fvError('FV_ERR_INVALID_ARGUMENT', `${name}: is not a known field`, { path: name, in: 'body' });
    }
    request.body = typeFormFields(fields, properties);
    request.uploads = uploads;
  });
}

/**
 * The image a request gives under one of `names` (DeepFace spells them `img` or `img_path`,
 * `img1` or `img1_path`...): an uploaded file, or a base64 / data URL string.
 * @throws FV_ERR_INVALID_ARGUMENT when it is missing or given twice; FV_ERR_IMAGE_INPUT for a path,
 *   a URL or a string that is neither base64 nor a data URL; FV_ERR_IMAGE_TOO_LARGE over MAX_IMAGE_BYTES.
 */
export function requestImage(request: FastifyRequest, names: readonly string[]): RequestImage {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const given = names.filter((name) => request.uploads?.has(name) || typeof body[name] === 'string');
  if (given.length === 0) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `${names[0]}: is required: send the image as a multipart file field, a base64 string or a data URL`, { path: names[0], in: 'body' });
  }
  if (given.length > 1 || (request.uploads?.has(given[0]) && typeof body[given[0]] === 'string')) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `${given.join(', ')}: one image is expected, given twice`, { path: given[0], in: 'body' });
  }
  const name = given[0];
  const upload = request.uploads?.get(name);
  if (upload) return { bytes: upload.bytes, source: upload.filename || name };
  return { bytes: decodeImageString(name, body[name] as string), source: name };
}

const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The bytes of a base64 or data URL image string. */
function decodeImageString(field: string, text: string): Uint8Array {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  const sendInstead = `send the image itself: a multipart file field "${field}", a base64 string or a data URL (data:image/jpeg;base64,...)`;
  if (URL_SCHEME.test(text)) {
    throw fvError('FV_ERR_IMAGE_INPUT', `${field}: ${shown} is a URL; this server never fetches images from URLs: ${sendInstead}`, { path: field, reason: 'url' });
  }
  const prefix = DATA_URL.exec(text);
  const data = (prefix ? text.slice(prefix[0].length) : text).replace(/\s+/g, '');
  if (!BASE64.test(data) || data.length % 4 !== 0) {
    const what = text.startsWith('data:') ? 'is not a base64 image data URL' : 'is neither base64 nor a data URL; this server never reads server-side file paths';
    throw fvError('FV_ERR_IMAGE_INPUT', `${field}: ${shown} ${what}: ${sendInstead}`, { path: field, reason: text.startsWith('data:') ? 'data-url' : 'path' });
  }
  const bytes = (data.length / 4) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
  if (bytes > MAX_IMAGE_BYTES) {
    throw fvError('FV_ERR_IMAGE_TOO_LARGE', `${field}: the image is ${bytes} bytes, over the limit of ${MAX_IMAGE_BYTES}`, { path: field, bytes, maxBytes: MAX_IMAGE_BYTES });
  }
  return Buffer.from(data, 'base64');
}

async function readForm(request: FastifyRequest): Promise<{ fields: Record<string, unknown>; uploads: Map<string, Upload> }> {
  const fields: Record<string, unknown> = {};
  const uploads = new Map<string, Upload>();
  try {
    for await (const part of request.parts()) {
      const name = part.fieldname;
      if (name in fields || uploads.has(name)) throw fvError('FV_ERR_INVALID_ARGUMENT', `${name}: is given twice in the form`, { path: name, in: 'body' });
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
 * A form's text fields with the types the body schema gives them (`"true"` → true, `"0.4"` →
 * 0.4); a value that does not parse stays text, for the schema to refuse by name.
 */
function typeFormFields(fields: Record<string, unknown>, properties: Record<string, JsonSchema>): Record<string, unknown> {
  const typed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const type = properties[name]?.type;
    if (typeof value !== 'string') typed[name] = value;
    else if (type === 'boolean' && /^(true|false)$/i.test(value)) typed[name] = value.toLowerCase() === 'true';
    else if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) typed[name] = Number(value);
    else typed[name] = value;
  }
  return typed;
}
