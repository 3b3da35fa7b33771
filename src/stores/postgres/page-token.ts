/**
 * The `list` page token of the PostgreSQL store: the last id of the previous page. Ids are
 * unique and pages ordered by id, so the next page is `id > last`, a range of the primary key
 * however far into the namespace it is (no OFFSET to skip through). Opaque to callers.
 */
import { fvError } from '../../errors.js';

export function encodePageToken(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId }), 'utf8').toString('base64url');
}

/** @throws FV_ERR_PAGINATION_TOKEN for a token that no page returned */
export function decodePageToken(token: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof decoded.after === 'string') return decoded.after;
  } catch {
    // not JSON: the same coded error as any other malformed token
  }
  throw fvError('FV_ERR_PAGINATION_TOKEN', 'paginationToken: is not a token this server returned', { path: 'paginationToken' });
}
