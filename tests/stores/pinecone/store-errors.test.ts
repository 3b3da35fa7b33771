/** What a failed call to a Pinecone-compatible server becomes: one typed error per status, a facevault server's own codes kept. */
import { Errors } from '@pinecone-database/pinecone';
import { describe, expect, it } from 'vitest';
import { fvError } from '../../../src/errors.js';
import { answersInCatalog, storeError, type CallMeaning } from '../../../src/stores/pinecone/store-errors.js';

const describeFaces: CallMeaning = { what: 'describeIndex("faces")', notFound: 'FV_ERR_INDEX_NOT_FOUND' };
const clientError = new Error('the client threw');

describe('storeError', () => {
  it.each([
    [400, { error: { code: 'INVALID_ARGUMENT', message: 'Vector dimension 3 does not match the dimension of the index 2' }, status: 400 }, 'FV_ERR_INVALID_ARGUMENT'],
    [401, 'Unauthorized', 'FV_ERR_UNAUTHORIZED'],
    [403, { error: { code: 'FORBIDDEN', message: 'Deletion protection is enabled' } }, 'FV_ERR_UNAUTHORIZED'],
    [404, { error: { code: 'NOT_FOUND', message: 'Resource faces not found' }, status: 404 }, 'FV_ERR_INDEX_NOT_FOUND'],
    [409, { error: { code: 'ALREADY_EXISTS', message: 'Resource already exists' }, status: 409 }, 'FV_ERR_INDEX_EXISTS'],
    [413, '', 'FV_ERR_PAYLOAD_TOO_LARGE'],
    [422, { code: 3, message: 'bad body' }, 'FV_ERR_INVALID_ARGUMENT'],
    [429, { code: 8, message: 'Too many requests' }, 'FV_ERR_STORE_UNAVAILABLE'],
    [500, { error: { code: 'UNKNOWN', message: 'oops' } }, 'FV_ERR_STORE_UNAVAILABLE'],
    [503, 'upstream connect error', 'FV_ERR_STORE_UNAVAILABLE'],
  ])("maps Pinecone's %i to a typed error naming the call and the server's message", (status, json, code) => {
    const err = storeError(clientError, { status, json }, describeFaces);
    expect(err.code).toBe(code);
    expect(err.message).toContain('describeIndex("faces")');
    expect(err.details).toMatchObject({ remoteStatus: status });
    expect(err.cause).toBe(clientError);
  });

  it("lets the call say what a 404 and a 403 are", () => {
    expect(storeError(clientError, { status: 404, json: {} }, { ...describeFaces, notFound: 'FV_ERR_NAMESPACE_NOT_FOUND' }).code).toBe('FV_ERR_NAMESPACE_NOT_FOUND');
    expect(storeError(clientError, { status: 403, json: {} }, { ...describeFaces, forbidden: 'FV_ERR_DELETION_PROTECTED' }).code).toBe('FV_ERR_DELETION_PROTECTED');
  });

  it("keeps a facevault server's own code, message and details", () => {
    const json = { error: { code: 'FV_ERR_RECORD_NOT_FOUND', message: 'No record "zz"', details: { id: 'zz' } }, status: 404 };
    const err = storeError(clientError, { status: 404, json }, describeFaces);
    expect(err).toMatchObject({ code: 'FV_ERR_RECORD_NOT_FOUND', message: 'No record "zz"', details: { id: 'zz' } });
    expect(answersInCatalog(json)).toBe(true);
    expect(answersInCatalog({ error: { code: 'NOT_FOUND' } })).toBe(false);
    expect(answersInCatalog({ error: { code: 'toString' } })).toBe(false);
  });

  it('is FV_ERR_STORE_UNAVAILABLE when the server never answered, and FV_ERR_INVALID_ARGUMENT for the client refusing an argument', () => {
    const refused = new Errors.PineconeConnectionError(new TypeError('fetch failed'));
    expect(storeError(refused, undefined, describeFaces)).toMatchObject({ code: 'FV_ERR_STORE_UNAVAILABLE', status: 503 });
    expect(storeError(new Errors.PineconeArgumentError('bad'), undefined, describeFaces).code).toBe('FV_ERR_INVALID_ARGUMENT');
  });

  it('passes typed errors through', () => {
    const typed = fvError('FV_ERR_TOP_K', 'topK: 0');
    expect(storeError(typed, { status: 500, json: {} }, describeFaces)).toBe(typed);
  });
});
