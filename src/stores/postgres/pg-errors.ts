/**
 * PostgreSQL's failures as facevault's typed errors, so that no statement error reaches a client
 * as a bare 500: an unreachable, overloaded or read-only server is FV_ERR_STORE_UNAVAILABLE (503,
 * retry), a table dropped or an index deleted under an open handle is FV_ERR_INDEX_NOT_FOUND, a
 * metadata merge over the limit (raised by the schema's merge_metadata function) is
 * FV_ERR_METADATA, and anything else is FV_ERR_INTERNAL carrying the SQLSTATE. Messages never
 * include the connection URL.
 * SQLSTATE codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
import pg from 'pg';
import { fvError, isFacevaultError, type FacevaultError } from '../../errors.js';
import { LIMITS } from '../../vector/types.js';

/** The SQLSTATE that the schema's merge_metadata() raises; its DETAIL is `{"id": …, "bytes": …}`. */
export const METADATA_TOO_LARGE = 'FV001';
/** The SQLSTATE that the schema's nearest() raises for an index deleted since its handle was opened. */
export const INDEX_GONE = 'FV002';

/** Node socket errors that mean the server cannot be reached. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);

/** SQLSTATEs (exact, or by two-character class) after which the same request may succeed later, or on another server. */
const TRANSIENT: Readonly<Record<string, string>> = {
  '08': 'the connection failed',
  '28': 'the server refused the credentials',
  '3D': 'the database does not exist',
  '53': 'the server is out of resources (connections, memory or disk)',
  '57014': 'the statement timed out (statement timeout)',
  '57P01': 'the server is shutting down',
  '57P02': 'the server is shutting down',
  '57P03': 'the server is starting up or shutting down',
  '40001': 'a concurrent transaction conflicted (serialization failure)',
  '40P01': 'a concurrent transaction conflicted (deadlock)',
  '25006': 'the server takes no writes (a read-only replica, or default_transaction_read_only)',
};

export interface ErrorContext {
  /** The index the statement touched, for FV_ERR_INDEX_NOT_FOUND. */
  readonly index?: string;
}

/**
 * The facevault error for anything a `pg` call threw; FacevaultErrors pass through unchanged.
 * @example storeError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).code // → 'FV_ERR_STORE_UNAVAILABLE'
 */
export function storeError(err: unknown, context: ErrorContext = {}): FacevaultError {
  if (isFacevaultError(err)) return err;
  if (err instanceof pg.DatabaseError) return databaseError(err, context);
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if ((typeof code === 'string' && UNREACHABLE.has(code)) || /timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
    return unavailable(`PostgreSQL cannot be reached: ${message}`, typeof code === 'string' ? code : 'connection failed', err);
  }
  return fvError('FV_ERR_INTERNAL', `PostgreSQL store: ${message}`, {}, err);
}

function databaseError(err: pg.DatabaseError, context: ErrorContext): FacevaultError {
  const sqlstate = err.code ?? '';
  if (sqlstate === METADATA_TOO_LARGE) return metadataTooLarge(err);
  if ((sqlstate === '42P01' || sqlstate === INDEX_GONE) && context.index !== undefined) {
    return fvError('FV_ERR_INDEX_NOT_FOUND', `No index named "${context.index}"`, { name: context.index }, err);
  }
  const reason = TRANSIENT[sqlstate] ?? TRANSIENT[sqlstate.slice(0, 2)];
  if (reason !== undefined) return unavailable(`PostgreSQL: ${reason}: ${err.message}`, reason, err, sqlstate);
  return fvError('FV_ERR_INTERNAL', `PostgreSQL store: ${err.message}`, { sqlstate }, err);
}

function unavailable(message: string, reason: string, cause: unknown, sqlstate?: string): FacevaultError {
  return fvError('FV_ERR_STORE_UNAVAILABLE', message, { reason, ...(sqlstate === undefined ? {} : { sqlstate }) }, cause);
}

/** The same message and details as the embedded engine's check of a merged record. */
function metadataTooLarge(err: pg.DatabaseError): FacevaultError {
  const { id, bytes } = JSON.parse(err.detail ?? '{}') as { id?: string; bytes?: number };
  const path = `metadata of record "${id}" after the update`;
  return fvError('FV_ERR_METADATA', `${path}: is ${bytes} bytes as JSON, over the ${LIMITS.maxMetadataBytes}-byte limit`, { path, bytes }, err);
}
