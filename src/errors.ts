/**
 * The one catalog of every error facevault raises.
 *
 * Code decides by `err.code`, never by message text. Each code has a fixed HTTP status that
 * the server maps at the edge; lower layers never know about HTTP beyond this number.
 * Every code is documented in `docs/errors.md` (a test keeps the two in step).
 */
export const ERROR_CATALOG = {
  // ── arguments and configuration ──────────────────────────────────────────────────────────
  FV_ERR_INVALID_ARGUMENT: { status: 400, summary: 'An option or argument has the wrong type or value.' },
  FV_ERR_INDEX_NAME: { status: 400, summary: 'Index name is not 1-45 lowercase letters, digits or hyphens.' },
  FV_ERR_INDEX_CONFIG: { status: 400, summary: 'Index dimension, metric or engine is out of range.' },
  FV_ERR_INDEX_EXISTS: { status: 409, summary: 'An index with this name already exists.' },
  FV_ERR_INDEX_NOT_FOUND: { status: 404, summary: 'No index with this name.' },
  FV_ERR_DELETION_PROTECTED: { status: 403, summary: 'The index has deletion protection enabled.' },
  FV_ERR_NAMESPACE_NOT_FOUND: { status: 404, summary: 'No namespace with this name in the index.' },
  // ── records ──────────────────────────────────────────────────────────────────────────────
  FV_ERR_VECTOR_DIMENSION: { status: 400, summary: 'A vector does not have the index dimension.' },
  FV_ERR_VECTOR_VALUE: { status: 400, summary: 'A vector holds NaN, Infinity or a non-number.' },
  FV_ERR_RECORD_ID: { status: 400, summary: 'A record id is empty, not a string, or over 512 bytes.' },
  FV_ERR_DUPLICATE_ID: { status: 400, summary: 'The same id appears twice in one batch.' },
  FV_ERR_BATCH_TOO_LARGE: { status: 400, summary: 'A batch has more records or ids than allowed.' },
  FV_ERR_METADATA: { status: 400, summary: 'Metadata is too large, null, nested, or of a type that is not allowed.' },
  FV_ERR_TOP_K: { status: 400, summary: 'topK is not an integer from 1 to 10,000.' },
  FV_ERR_FILTER: { status: 400, summary: 'A metadata filter is malformed: unknown operator or wrong operand.' },
  FV_ERR_RECORD_NOT_FOUND: { status: 404, summary: 'No record with this id in the namespace.' },
  FV_ERR_PAGINATION_TOKEN: { status: 400, summary: 'A pagination token is malformed.' },
  // ── lifecycle and storage ────────────────────────────────────────────────────────────────
  FV_ERR_CLOSED: { status: 503, summary: 'The database or model was used after it was closed.' },
  FV_ERR_RATE_LIMITED: { status: 429, summary: 'This API key sent more requests than the server allows a minute; retry after the seconds Retry-After says.' },
  FV_ERR_OVERLOADED: { status: 503, summary: 'Too much work is queued (face workers, scan threads or request bodies); retry later.' },
  FV_ERR_STORAGE_CORRUPT: { status: 500, summary: 'A data file fails its checksum or cannot be read.' },
  FV_ERR_STORAGE_VERSION: { status: 500, summary: 'A data file was written by an incompatible format version.' },
  FV_ERR_STORAGE_LOCKED: { status: 503, summary: 'Another process (or another open database) holds this data directory.' },
  FV_ERR_STORAGE_DAMAGED: { status: 500, summary: 'The data files contradict their manifest: acknowledged data is missing or damaged; run `facevault doctor`.' },
  FV_ERR_STORAGE_FULL: { status: 507, summary: 'The disk holding the data directory is full; the write was not applied.' },
  FV_ERR_STORAGE_READONLY: { status: 500, summary: 'The data directory or a data file cannot be written (read-only file system or permissions).' },
  FV_ERR_CAPACITY: { status: 507, summary: 'A namespace would exceed the memory one slab can address.' },
  FV_ERR_STORE_UNAVAILABLE: { status: 503, summary: 'The remote vector store (PostgreSQL, Pinecone) cannot be reached, timed out or failed; retry later.' },
  // ── images and faces ─────────────────────────────────────────────────────────────────────
  FV_ERR_IMAGE_INPUT: { status: 400, summary: 'The image is not a path, Buffer, base64 string or data URL.' },
  FV_ERR_IMAGE_DECODE: { status: 400, summary: 'The image is corrupt or of an unsupported format.' },
  FV_ERR_IMAGE_TOO_LARGE: { status: 413, summary: 'The image exceeds the byte or pixel limit.' },
  FV_ERR_NO_FACE: { status: 422, summary: 'No face was detected in the image.' },
  FV_ERR_MULTIPLE_FACES: { status: 422, summary: 'Several faces were found where exactly one was required.' },
  FV_ERR_SPOOF_DETECTED: { status: 400, summary: 'A face failed the liveness check that anti_spoofing asked for (DeepFace: "Spoof detected in the given image").' },
  FV_ERR_MODEL_UNKNOWN: { status: 400, summary: 'No model, detector or metric with this name.' },
  FV_ERR_MODEL_NOT_LOADED: { status: 500, summary: 'A model was used before load() or after dispose().' },
  FV_ERR_MODEL_LOAD: { status: 500, summary: 'A model file is missing or its shapes are not the expected ones.' },
  FV_ERR_EMBEDDING_DIMENSION: { status: 400, summary: 'A precomputed embedding does not match the model dimension.' },
  // ── recognition ──────────────────────────────────────────────────────────────────────────
  FV_ERR_SUBJECT_NAME: { status: 400, summary: 'A subject name is empty or too long.' },
  FV_ERR_SUBJECT_NOT_FOUND: { status: 404, summary: 'No subject with this name in the gallery.' },
  FV_ERR_GALLERY_EMPTY: { status: 400, summary: 'The gallery holds no face of this model yet: register faces before searching it.' },
  // ── server ───────────────────────────────────────────────────────────────────────────────
  FV_ERR_UNAUTHORIZED: { status: 401, summary: 'The API key is missing or wrong.' },
  FV_ERR_PAYLOAD_TOO_LARGE: { status: 413, summary: 'The request body exceeds the size limit.' },
  FV_ERR_ROUTE_NOT_FOUND: { status: 404, summary: 'No route for this method and path.' },
  FV_ERR_UNSUPPORTED: { status: 400, summary: 'A Pinecone feature facevault does not offer (integrated embedding, imports, backups, collections, ...).' },
  FV_ERR_INTERNAL: { status: 500, summary: 'An unexpected internal error.' },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Base class of every error facevault throws on purpose. */
export class FacevaultError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Structured facts about the failure (field name, expected value, ...), safe to show a client. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FacevaultError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.details = Object.freeze({ ...details });
  }
}

/** Shorthand used at throw sites: `throw fvError('FV_ERR_TOP_K', 'topK must be ...', { topK })`. */
export function fvError(code: ErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): FacevaultError {
  return new FacevaultError(code, message, details, cause === undefined ? undefined : { cause });
}

export function isFacevaultError(err: unknown, code?: ErrorCode): err is FacevaultError {
  return err instanceof FacevaultError && (code === undefined || err.code === code);
}
