/**
 * Messages between a `WorkerPool` and its worker threads, and how errors cross the thread
 * boundary: a FacevaultError keeps its code, message and details; anything else becomes FV_ERR_INTERNAL.
 */
import { ERROR_CATALOG, fvError, isFacevaultError, type ErrorCode, type FacevaultError } from '../../errors.js';

export interface SerializedError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** A job, or `close`: finish the job in hand, release native resources (ONNX sessions), answer `closed`. */
export type ToWorker<Job> = { readonly type: 'job'; readonly id: number; readonly job: Job } | { readonly type: 'close' };

export type FromWorker<Result> =
  | { readonly type: 'ready' }
  | { readonly type: 'init-failed'; readonly error: SerializedError }
  | { readonly type: 'done'; readonly id: number; readonly result: Result }
  | { readonly type: 'failed'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'closed' };

export function serializeError(err: unknown): SerializedError {
  if (isFacevaultError(err)) return { code: err.code, message: err.message, details: { ...err.details } };
  return { code: 'FV_ERR_INTERNAL', message: `Worker failed: ${err instanceof Error ? err.message : String(err)}`, details: {} };
}

export function deserializeError(error: SerializedError): FacevaultError {
  const code = error.code in ERROR_CATALOG ? error.code : 'FV_ERR_INTERNAL';
  return fvError(code, error.message, error.details);
}
