/**
 * The typed error a failed call to a Pinecone-compatible server stands for.
 *
 * Decided by the HTTP status and body of the server's answer (recorded by the transport), not by
 * the client's error classes: the client folds 403 into "bad request" and keeps no body for a
 * 404. A facevault server answers with this catalog's own codes, which are kept as they are; a
 * Pinecone error is mapped by status. No answer at all (refused connection, DNS, timeout) and
 * every 5xx or 429 is FV_ERR_STORE_UNAVAILABLE.
 */
import { Errors } from '@pinecone-database/pinecone';
import { isPlainObject } from '../../vector/input-shape.js';
import { ERROR_CATALOG, fvError, isFacevaultError, type ErrorCode, type FacevaultError } from '../../errors.js';

/** What a status means for one operation: a 404 of a describe is an index, of deleteNamespace a namespace. */
export interface CallMeaning {
  /** e.g. `describeIndex("faces")`, named in the message. */
  readonly what: string;
  readonly notFound: ErrorCode;
  /** Default FV_ERR_UNAUTHORIZED (Pinecone's 403 is a key without the permission). */
  readonly forbidden?: ErrorCode;
}

const BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'FV_ERR_INVALID_ARGUMENT',
  401: 'FV_ERR_UNAUTHORIZED',
  409: 'FV_ERR_INDEX_EXISTS',
  413: 'FV_ERR_PAYLOAD_TOO_LARGE',
  422: 'FV_ERR_INVALID_ARGUMENT',
};

/**
 * @param response the server's last answer within the call, if it answered.
 * @example storeError(err, { status: 404, json: {} }, { what: 'describeIndex("faces")', notFound: 'FV_ERR_INDEX_NOT_FOUND' }).code // → 'FV_ERR_INDEX_NOT_FOUND'
 */
export function storeError(err: unknown, response: { readonly status: number; readonly json: unknown } | undefined, meaning: CallMeaning): FacevaultError {
  if (isFacevaultError(err)) return err;
  // The client's own checks, made before any request; ours run first, so this is a gap in them.
  if (err instanceof Errors.PineconeArgumentError) return fvError('FV_ERR_INVALID_ARGUMENT', `${meaning.what}: ${err.message}`, {}, err);
  if (response === undefined || response.status < 400) {
    const reason = err instanceof Error ? err.message : String(err);
    return fvError('FV_ERR_STORE_UNAVAILABLE', `${meaning.what}: the Pinecone server did not answer: ${reason}`, {}, err);
  }
  const { status } = response;
  const remote = remoteError(response.json);
  const said = remote.message === undefined ? '' : `: ${remote.message}`;
  if (status === 429 || status >= 500) {
    return fvError('FV_ERR_STORE_UNAVAILABLE', `${meaning.what}: the Pinecone server answered ${status}${said}`, { remoteStatus: status, ...remote.fields }, err);
  }
  if (answersInCatalog(response.json)) {
    // A facevault server: its code, message and details are already this catalog's.
    return fvError(remote.code as ErrorCode, remote.message ?? meaning.what, remote.details, err);
  }
  const code = status === 404 ? meaning.notFound : status === 403 ? (meaning.forbidden ?? 'FV_ERR_UNAUTHORIZED') : (BY_STATUS[status] ?? 'FV_ERR_INVALID_ARGUMENT');
  return fvError(code, `${meaning.what}: the Pinecone server answered ${status}${said}`, { remoteStatus: status, ...remote.fields }, err);
}

/** True when an error body carries one of this catalog's codes: the server is a facevault server. */
export function answersInCatalog(json: unknown): boolean {
  const { code } = remoteError(json);
  return code !== undefined && Object.hasOwn(ERROR_CATALOG, code);
}

interface RemoteError {
  code?: string;
  message?: string;
  details: Record<string, unknown>;
  /** What to pass on in our details: the remote code, when there is one. */
  fields: Record<string, unknown>;
}

/**
 * Pinecone's control plane answers `{ error: { code, message }, status }`; its data plane
 * `{ code, message, details }` (gRPC status); a proxy may answer plain text.
 */
function remoteError(json: unknown): RemoteError {
  const outer = isPlainObject(json) ? json : {};
  const inner = isPlainObject(outer.error) ? outer.error : outer;
  const code = typeof inner.code === 'string' || typeof inner.code === 'number' ? String(inner.code) : undefined;
  const message = typeof inner.message === 'string' ? inner.message : typeof json === 'string' && json !== '' ? json.slice(0, 500) : undefined;
  const details = isPlainObject(inner.details) ? inner.details : {};
  return { code, message, details, fields: code === undefined ? {} : { remoteCode: code } };
}
