/**
 * How large an upsert body an index can need: Pinecone's largest upsert by record count — 1,000
 * records of the index's dimension, each with metadata at the 40 KB limit — written as clients
 * write it, with full-precision doubles. The server's body limit (`maxBodyBytes`) caps every
 * request; an upsert is also held to this, so that an index of dimension 2 does not buffer
 * 100 MB before refusing it.
 */
import { fvError, type FacevaultError } from '../errors.js';
import { LIMITS } from '../vector/types.js';

/** The longest JSON text of a double and its comma: `-2.2250738585072014e-308,`. */
const MAX_NUMBER_CHARS = 25;
/** An id of 512 UTF-8 bytes written with \u escapes takes up to 6 characters a byte. */
const MAX_ID_CHARS = 6 * LIMITS.maxIdBytes;
/** A record's keys, quotes, braces and commas. */
const RECORD_PUNCTUATION = 64;
/** The body's own keys and a namespace of 512 bytes, escaped. */
const ENVELOPE = 4 * 1024;

/**
 * @example upsertBodyLimit(128) // → 47300096 (about 47 MB)
 */
export function upsertBodyLimit(dimension: number): number {
  return LIMITS.maxUpsertRecords * (dimension * MAX_NUMBER_CHARS + LIMITS.maxMetadataBytes + MAX_ID_CHARS + RECORD_PUNCTUATION) + ENVELOPE;
}

/** FV_ERR_PAYLOAD_TOO_LARGE for an upsert body larger than its index can need. */
export function upsertTooLarge(bytes: number, index: { name: string; dimension: number }): FacevaultError {
  const limit = upsertBodyLimit(index.dimension);
  return fvError(
    'FV_ERR_PAYLOAD_TOO_LARGE',
    `body: is ${bytes} bytes, more than an upsert into index "${index.name}" (dimension ${index.dimension}) can need: ${limit} bytes hold ${LIMITS.maxUpsertRecords} records of full-precision values with ${LIMITS.maxMetadataBytes / 1024} KB of metadata each`,
    { limit, dimension: index.dimension },
  );
}
