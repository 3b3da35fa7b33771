/**
 * The embedded store's listing with a metadata filter (what Pinecone's `fetch_by_metadata`
 * serves): the records of a namespace whose metadata matches, a page at a time, in id order.
 *
 * The engine offers no filtered listing, so this walks its id listing and fetches each page of
 * ids, keeping the matches: a request costs a scan of the ids up to its last match (about a
 * millisecond per thousand records). The page token is the engine's listing token plus how many
 * ids of that listing page were already looked at.
 */
import { fvError } from '../errors.js';
import { compileFilter } from '../vector/filter.js';
import { LIMITS, type RecordMetadata, type StoredRecord } from '../vector/types.js';
import type { VectorIndex } from '../vector/vector-index.js';
import { keyedByUser } from '../util/keyed-by-user.js';

export interface FetchByMetadataOptions {
  filter: Record<string, unknown>;
  /** Engine spelling ('' is the default namespace); undefined: the default. */
  namespace?: string;
  /** Only ids that start with it. */
  prefix?: string;
  limit: number;
  paginationToken?: string;
}

export interface FetchByMetadataPage<M extends RecordMetadata = RecordMetadata> {
  records: Record<string, StoredRecord<M>>;
  /** Where the next page starts; absent when every id was looked at. */
  next?: string;
}

/** Where a page resumes: the engine's listing token of a listing page, and the ids of it already looked at. */
interface Resume {
  page?: string;
  skip: number;
}

/**
 * @throws FV_ERR_FILTER for a malformed filter (naming the operator); FV_ERR_PAGINATION_TOKEN for a token this server did not return.
 */
export async function fetchByMetadata<M extends RecordMetadata>(index: VectorIndex<M>, { filter, namespace, prefix, limit, paginationToken }: FetchByMetadataOptions): Promise<FetchByMetadataPage<M>> {
  const matches = compileFilter(filter);
  const records = keyedByUser<StoredRecord<M>>();
  let found = 0;
  let resume = paginationToken === undefined ? { skip: 0 } : decodeResume(paginationToken);
  for (;;) {
    const listing = await index.listPaginated({ limit: LIMITS.maxListLimit, ...(namespace !== undefined && { namespace }), ...(prefix !== undefined && { prefix }), ...(resume.page !== undefined && { paginationToken: resume.page }) });
    const ids = listing.vectors.map(({ id }) => id).slice(resume.skip);
    const fetched = ids.length > 0 ? (await index.fetch({ ids, ...(namespace !== undefined && { namespace }) })).records : {};
    for (const [i, id] of ids.entries()) {
      const record = fetched[id];
      if (!record || !matches(record.metadata)) continue;
      records[record.id] = record;
      if (++found < limit) continue;
      // Full: the next page resumes after this id, unless it was the last one of the namespace.
      const skip = resume.skip + i + 1;
      const more = skip < listing.vectors.length || listing.pagination !== undefined;
      return { records, ...(more && { next: encodeResume({ ...(resume.page !== undefined && { page: resume.page }), skip }) }) };
    }
    const next = listing.pagination?.next;
    if (next === undefined) return { records };
    resume = { page: next, skip: 0 };
  }
}

function encodeResume(resume: Resume): string {
  return Buffer.from(JSON.stringify(resume), 'utf8').toString('base64url');
}

function decodeResume(token: string): Resume {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Resume>;
    if (Number.isSafeInteger(decoded.skip) && (decoded.skip as number) >= 0 && (decoded.page === undefined || typeof decoded.page === 'string')) {
      return { skip: decoded.skip as number, ...(decoded.page !== undefined && { page: decoded.page }) };
    }
  } catch {
    // fall through to the coded error
  }
  throw fvError('FV_ERR_PAGINATION_TOKEN', 'paginationToken: is not a token this server returned', { path: 'paginationToken' });
}
