/** Error statuses and messages as the official client surfaces them (its typed errors). */
import { request } from 'node:http';
import { Errors, Pinecone } from '@pinecone-database/pinecone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, SERVERLESS, startHarness, type Harness } from './harness.js';

const { PineconeAuthorizationError, PineconeBadRequestError, PineconeConflictError, PineconeNotFoundError, PineconeUnmappedHttpError } = Errors;

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.pc.createIndex({ name: 'errs', dimension: 3, metric: 'cosine', spec: SERVERLESS });
  await h.pc.index('errs').upsert({ records: [{ id: 'x', values: [1, 2, 3] }] });
});
afterAll(async () => h.stop());

describe('400 names the field', () => {
  it.each([
    ['a vector of the wrong dimension', { vector: [1, 2], topK: 1 }, /FV_ERR_VECTOR_DIMENSION.*vector: has 2 values, the index dimension is 3/],
    ['topK above 10,000', { vector: [1, 2, 3], topK: 10_001 }, /FV_ERR_TOP_K.*topK: expects a number <= 10000/],
    ['an unknown filter operator', { vector: [1, 2, 3], topK: 1, filter: { genre: { $regex: 'x' } } }, /FV_ERR_FILTER.*\$regex/],
    ['neither vector nor id', { topK: 1 } as never, /FV_ERR_INVALID_ARGUMENT.*vector and id/],
  ])('query with %s', async (_case, query, message) => {
    const failing = h.pc.index('errs').query(query);
    await expect(failing).rejects.toBeInstanceOf(PineconeBadRequestError);
    await expect(failing).rejects.toThrow(message);
  });

  it('upsert with a bad record names the record and the field', async () => {
    const index = h.pc.index('errs');
    await expect(index.upsert({ records: [{ id: 'ok', values: [1, 1, 1] }, { id: 'bad', values: [1, 2] }] })).rejects.toThrow(
      /FV_ERR_VECTOR_DIMENSION.*records\[1\]\.values: has 2 values/,
    );
    await expect(index.upsert({ records: [{ id: 'm', values: [1, 1, 1], metadata: { nested: { a: 1 } as never } }] })).rejects.toThrow(
      /FV_ERR_METADATA.*records\[0\]\.metadata\.nested/,
    );
    // all or nothing: the good record of the refused batch was not written
    expect((await index.fetch({ ids: ['ok'] })).records).toEqual({});
  });

  it('refuses more than 1,000 records or ids per request', async () => {
    const index = h.pc.index('errs');
    const records = Array.from({ length: 1001 }, (_, i) => ({ id: `r${i}`, values: [1, 0, 0] }));
    const tooMany = index.upsert({ records });
    await expect(tooMany).rejects.toBeInstanceOf(PineconeBadRequestError);
    await expect(tooMany).rejects.toThrow(/FV_ERR_BATCH_TOO_LARGE.*vectors: has more than 1000 items/);
    await expect(index.deleteMany({ ids: records.map((r) => r.id) })).rejects.toThrow(/FV_ERR_BATCH_TOO_LARGE.*ids/);
  });

  it('refuses sparse values, which facevault does not store', async () => {
    const sparse = h.pc.index('errs').upsert({ records: [{ id: 's', values: [1, 1, 1], sparseValues: { indices: [0], values: [1] } }] });
    await expect(sparse).rejects.toThrow(/records\[0\]\.sparseValues: sparse vectors are not supported/);
  });
});

describe('401, 404, 409, 413', () => {
  it('401 for a wrong key, on both planes', async () => {
    const intruder = new Pinecone({ apiKey: 'not-the-key', controllerHostUrl: h.server.url, maxRetries: 0 });
    await expect(intruder.listIndexes()).rejects.toBeInstanceOf(PineconeAuthorizationError);
    const index = intruder.index({ name: 'errs', host: `${h.server.url}/indexes/errs` });
    await expect(index.query({ vector: [1, 2, 3], topK: 1 })).rejects.toBeInstanceOf(PineconeAuthorizationError);
    expect(h.logs()).not.toContain('not-the-key');
    expect(h.logs()).not.toContain(API_KEY);
  });

  it('404 for an unknown index or namespace; a query by an unknown id matches nothing, as on Pinecone', async () => {
    await expect(h.pc.describeIndex('nowhere')).rejects.toBeInstanceOf(PineconeNotFoundError);
    const index = h.pc.index('errs');
    await expect(index.describeNamespace('nowhere')).rejects.toBeInstanceOf(PineconeNotFoundError);
    await expect(index.deleteNamespace('nowhere')).rejects.toBeInstanceOf(PineconeNotFoundError);
    expect((await index.query({ id: 'nowhere', topK: 1 })).matches).toEqual([]);
  });

  it('409 for an index that exists', async () => {
    await expect(h.pc.createIndex({ name: 'errs', dimension: 3, spec: SERVERLESS })).rejects.toBeInstanceOf(PineconeConflictError);
  });

  it('413 in Pinecone\'s shape for a body over FACEVAULT_MAX_BODY_BYTES, naming the setting', async () => {
    const tight = await startHarness({ maxBodyBytes: 1024 * 1024 });
    try {
      await tight.pc.createIndex({ name: 'wide', dimension: 2048, spec: SERVERLESS });
      // 100 records × 2,048 values × ~19 characters ≈ 3.9 MB of JSON
      const records = Array.from({ length: 100 }, (_, i) => ({ id: `w${i}`, values: Array.from({ length: 2048 }, (_, d) => Math.sin(i + d) / 3) }));
      const tooLarge = tight.pc.index('wide').upsert({ records });
      await expect(tooLarge).rejects.toBeInstanceOf(PineconeUnmappedHttpError);
      await expect(tooLarge).rejects.toThrow(/FV_ERR_PAYLOAD_TOO_LARGE.*1048576-byte limit.*raise the limit with FACEVAULT_MAX_BODY_BYTES.*"status":413}.*Status: 413/);
    } finally {
      await tight.stop();
    }
  });

  it('takes that body with the default limit', async () => {
    await h.pc.createIndex({ name: 'wide', dimension: 2048, spec: SERVERLESS });
    const records = Array.from({ length: 100 }, (_, i) => ({ id: `w${i}`, values: Array.from({ length: 2048 }, (_, d) => Math.sin(i + d) / 3) }));
    await h.pc.index('wide').upsert({ records });
    expect((await h.pc.index('wide').describeIndexStats()).totalRecordCount).toBe(100);
  });

  it('413 for an upsert larger than its index can need, before the body is read', async () => {
    // Content-Length alone decides: a client announcing 50 MB for an index of dimension 3 is refused at once.
    const { port } = new URL(h.server.url);
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/indexes/errs/vectors/upsert', headers: { 'api-key': API_KEY, 'content-type': 'application/json', 'content-length': 50_000_000 } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"vectors":[');
    });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({
      error: { code: 'FV_ERR_PAYLOAD_TOO_LARGE', message: expect.stringMatching(/^body: is 50000000 bytes, more than an upsert into index "errs" \(dimension 3\) can need: 44175096 bytes hold 1000 records/), details: { limit: 44_175_096, dimension: 3 } },
      status: 413,
    });
  });

  it('400 in Pinecone\'s shape for a path segment over the longest namespace name', async () => {
    const tooLong = h.pc.index('errs').describeNamespace('n'.repeat(2000));
    await expect(tooLong).rejects.toBeInstanceOf(PineconeBadRequestError);
    await expect(tooLong).rejects.toThrow(/FV_ERR_INVALID_ARGUMENT.*path: a segment is too long/);
  });
});

describe('what the client offers and facevault does not: 400 FV_ERR_UNSUPPORTED naming it, not a misleading 404', () => {
  const index = () => h.pc.index('errs');
  it.each([
    ['createNamespace', () => index().createNamespace({ name: 'fresh' }), /empty namespace.*created by the first upsert/],
    ['upsertRecords', () => index().upsertRecords({ records: [{ id: 'r', text: 'hello' }] }), /integrated embedding/],
    ['searchRecords', () => index().searchRecords({ query: { topK: 1, inputs: { text: 'hello' } } }), /integrated embedding/],
    ['startImport', () => index().startImport({ uri: 's3://bucket/prefix' }), /bulk import/],
    ['listImports', () => index().listImports(), /bulk import/],
    ['createIndexForModel', () => h.pc.createIndexForModel({ name: 'embedded', cloud: 'aws', region: 'us-east-1', embed: { model: 'llama-text-embed-v2', fieldMap: { text: 'text' } } }), /integrated embedding/],
    ['listCollections', () => h.pc.listCollections(), /collections/],
    ['createBackup', () => h.pc.createBackup({ indexName: 'errs' }), /backups/],
    ['listBackups', () => h.pc.listBackups({ indexName: 'errs' }), /backups/],
    ['createIndex of a sparse index', () => h.pc.createIndex({ name: 'sparse', vectorType: 'sparse', metric: 'dotproduct', spec: SERVERLESS }), /vector_type: \\"sparse\\" is not supported/],
    ['configureIndex with embed', () => h.pc.configureIndex({ name: 'errs', embed: { fieldMap: { text: 'text' } } }), /embed: integrated embedding is not supported/],
    ['query with scanFactor', () => index().query({ vector: [1, 2, 3], topK: 1, scanFactor: 1 }), /scanFactor: tunes Pinecone's dedicated read nodes/],
  ])('%s', async (_name, call, message) => {
    const refused = call();
    await expect(refused).rejects.toBeInstanceOf(PineconeBadRequestError);
    await expect(refused).rejects.toThrow(/FV_ERR_UNSUPPORTED/);
    await expect(refused).rejects.toThrow(message);
  });
});
