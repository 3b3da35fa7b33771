import { isFacevaultError, type ErrorCode } from '../../src/errors.js';

/**
 * The facevault error code a promise rejects with, or 'no error'; anything that is not a
 * facevault error is rethrown, so a test sees the real failure.
 */
export async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | 'no error'> {
  try {
    await promise;
    return 'no error';
  } catch (err) {
    if (isFacevaultError(err)) return err.code;
    throw err;
  }
}
