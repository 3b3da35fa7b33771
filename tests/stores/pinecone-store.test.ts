/**
 * The Pinecone store through the official client, against a real facevault server on loopback
 * (the only Pinecone-compatible server that runs here): the interface's behaviour, what is
 * Pinecone's own (requests cut under 2 MB, typed errors from its answers), and what a facevault
 * server adds (engines).
 */
import { createServer } from 'node:net';
import { Pinecone } from '@pinecone-database/pinecone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { openPineconeStore, type PineconeStore } from '../../src/stores/pinecone/pinecone-store.js';
import type { StoreIndex } from '../../src/stores/vector-store.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { API_KEY, SERVERLESS, startHarness, type Harness } from '../server/harness.js';

const v = (...values: number[]) => Float32Array.from(values);

describe('PineconeStore on a facevault server', () => {
  let harness: Harness;
  let url: string;
  let store: PineconeStore;
  beforeAll(async () => {
    harness = await startHarness();
    url = harness.server.url.replace(/^http:/, 'pinecone:');
    store = await openPineconeStore(url, { apiKey: API_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await store.close();
    await harness.stop();
  });

  describe('opening', () => {
    it('refuses a wrong API key and a missing one', async () => {
      await expect(openPineconeStore(url, { apiKey: 'wrong-key' })).rejects.toMatchObject({ code: 'FV_ERR_UNAUTHORIZED' });
      await expect(openPineconeStore(url, { apiKey: '' })).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
    });

    it('says FV_ERR_STORE_UNAVAILABLE when nothing answers', async () => {
      const port = await closedPort();
      await expect(openPineconeStore(`pinecone://127.0.0.1:${port}`, { apiKey: API_KEY, maxRetries: 0 })).rejects.toMatchObject({ code: 'FV_ERR_STORE_UNAVAILABLE', status: 503 });
    });
  });

  describe('indexes', () => {
    it('creates an index once when many callers race, and every caller gets it', async () => {
      const spec = { name: 'race', dimension: 4, metric: 'euclidean' as const };
      const results = await Promise.all(Array.from({ length: 6 }, () => store.createIndex(spec)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      for (const { index } of results) expect(index).toMatchObject(spec);
      expect((await store.createIndex(spec)).created).toBe(false);
    });

    it("passes a facevault server the engine and reports tags exactly as set", async () => {
      const { index } = await store.createIndex({ name: 'engines', dimension: 2, metric: 'cosine', engine: 'exact', tags: { team: 'vision' } });
      expect(index).toMatchObject({ engine: 'exact', tags: { team: 'vision' }, deletionProtection: 'disabled' });
      expect((await store.createIndex({ name: 'engines-default', dimension: 2, metric: 'cosine' })).index.engine).toBe('approximate');
      const changed = await store.configureIndex('engines', { engine: 'approximate', tags: { team: '', owner: 'ada' } });
      expect(changed).toMatchObject({ engine: 'approximate', tags: { owner: 'ada' } });
      expect(await store.describeIndex('engines')).toEqual(changed);
      expect((await store.listIndexes()).map((i) => i.name)).toEqual(expect.arrayContaining(['engines', 'engines-default']));
    });

    it('keeps the deployment on the wire as given', async () => {
      const deployment = { serverless: { cloud: 'gcp', region: 'europe-west4' } };
      expect((await store.createIndex({ name: 'deployed', dimension: 2, metric: 'cosine', deployment })).index.deployment).toEqual(deployment);
    });

    it('refuses what Pinecone has no setting for, and honours deletion protection', async () => {
      await store.createIndex({ name: 'guarded', dimension: 2, metric: 'cosine', deletionProtection: 'enabled' });
      await expect(store.configureIndex('guarded', { efSearch: 32 })).rejects.toMatchObject({ code: 'FV_ERR_INDEX_CONFIG' });
      await expect(store.deleteIndex('guarded')).rejects.toMatchObject({ code: 'FV_ERR_DELETION_PROTECTED' });
      await store.configureIndex('guarded', { deletionProtection: 'disabled' });
      await store.deleteIndex('guarded');
      await expect(store.describeIndex('guarded')).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NOT_FOUND' });
      await expect(store.openIndex('guarded')).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NOT_FOUND' });
    });

    it('checks names and settings before sending, with the engine\'s errors', async () => {
      await expect(store.createIndex({ name: 'Bad_Name', dimension: 2, metric: 'cosine' })).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NAME' });
      await expect(store.createIndex({ name: 'wide', dimension: 20_001, metric: 'cosine' })).rejects.toMatchObject({ code: 'FV_ERR_INDEX_CONFIG' });
      await expect(store.ensureIndex({ name: 'race', dimension: 8, metric: 'euclidean' })).rejects.toMatchObject({ code: 'FV_ERR_INDEX_CONFIG' });
    });
  });

  describe('records', () => {
    let people: StoreIndex<{ subject: string; note?: string }>;
    beforeAll(async () => {
      people = await store.ensureIndex({ name: 'people', dimension: 3, metric: 'cosine' });
      await people.upsert(
        [
          { id: 'ada-1', values: v(1, 0, 0), metadata: { subject: 'ada', note: 'first' } },
          { id: 'ada-2', values: v(0.9, 0.1, 0), metadata: { subject: 'ada' } },
          { id: 'bob-1', values: v(0, 1, 0), metadata: { subject: 'bob' } },
        ],
        { namespace: 'g' },
      );
    });

    it('queries by vector and by id, exactly on request, with values and metadata when asked', async () => {
      const matches = await people.query({ namespace: 'g', vector: [1, 0, 0], topK: 2, includeMetadata: true, includeValues: true, exact: true });
      expect(matches.map((m) => m.id)).toEqual(['ada-1', 'ada-2']);
      expect(matches[1].score).toBeCloseTo(0.9 / Math.sqrt(0.82), 6);
      expect(matches[0]).toMatchObject({ metadata: { subject: 'ada', note: 'first' }, values: v(1, 0, 0) });
      const byId = await people.query({ namespace: 'g', id: 'bob-1', topK: 1, filter: { subject: { $eq: 'bob' } }, exact: false });
      expect(byId).toEqual([{ id: 'bob-1', score: expect.closeTo(1, 6) }]);
      expect(await people.query({ namespace: 'g', id: 'nobody', topK: 1 })).toEqual([]);
    });

    it('fetches as Float32Array, in the order asked, leaving unknown ids out', async () => {
      const fetched = await people.fetch(['bob-1', 'nobody', 'ada-1'], { namespace: 'g' });
      expect([...fetched.keys()]).toEqual(['bob-1', 'ada-1']);
      expect(fetched.get('bob-1')).toEqual({ id: 'bob-1', values: v(0, 1, 0), metadata: { subject: 'bob' } });
    });

    it('updates by id and by filter, counts a dry run, and says when the id is unknown', async () => {
      expect(await people.update({ filter: { subject: 'ada' } }, { metadata: { subject: 'ada' } }, { namespace: 'g', dryRun: true })).toBe(2);
      expect(await people.update({ filter: { subject: 'ada' } }, { metadata: { note: 'seen' } }, { namespace: 'g' })).toBe(2);
      expect(await people.update({ id: 'bob-1' }, { values: [0, 1, 0.5] }, { namespace: 'g' })).toBe(1);
      expect((await people.fetch(['bob-1'], { namespace: 'g' })).get('bob-1')?.values).toEqual(v(0, 1, 0.5));
      await expect(people.update({ id: 'nobody' }, { metadata: { note: 'x' } }, { namespace: 'g' })).rejects.toMatchObject({ code: 'FV_ERR_RECORD_NOT_FOUND' });
      expect(await people.update({ id: 'nobody' }, { metadata: { note: 'x' } }, { namespace: 'g', dryRun: true })).toBe(0);
    });

    it('lists by prefix a page at a time, by filter, with metadata and values on request', async () => {
      const first = await people.list({ namespace: 'g', limit: 2, includeMetadata: true });
      expect(first.records.map((r) => r.id)).toEqual(['ada-1', 'ada-2']);
      expect(first.records[0].metadata).toMatchObject({ subject: 'ada' });
      const second = await people.list({ namespace: 'g', limit: 2, paginationToken: first.next });
      expect(second).toEqual({ records: [{ id: 'bob-1' }] });
      expect((await people.list({ namespace: 'g', prefix: 'ada-' })).records.map((r) => r.id)).toEqual(['ada-1', 'ada-2']);
      const bobs = await people.list({ namespace: 'g', filter: { subject: 'bob' }, includeValues: true });
      expect(bobs.records).toEqual([{ id: 'bob-1', values: v(0, 1, 0.5) }]);
    });

    it('counts per namespace, with a filter too, and lists namespaces', async () => {
      expect(await people.stats()).toMatchObject({ dimension: 3, namespaces: { g: 3 }, totalRecordCount: 3 });
      expect(await people.stats({ filter: { subject: 'ada' } })).toMatchObject({ namespaces: { g: 2 }, totalRecordCount: 2 });
      expect(await people.namespaces()).toEqual([{ name: 'g', recordCount: 3 }]);
    });

    it('writes a record once with ifAbsent, keeping the first metadata', async () => {
      const first = { id: 'cy-1', values: v(0, 0, 1), metadata: { subject: 'cy' } };
      expect(await people.upsert([first], { namespace: 'once', ifAbsent: true })).toBe(1);
      expect(await people.upsert([{ ...first, metadata: { subject: 'someone else' } }, { id: 'cy-2', values: v(0, 0.1, 1) }], { namespace: 'once', ifAbsent: true })).toBe(1);
      expect((await people.fetch(['cy-1'], { namespace: 'once' })).get('cy-1')?.metadata).toEqual({ subject: 'cy' });
    });

    it('deletes by ids, by filter, everything, and whole namespaces', async () => {
      const scratch = await store.ensureIndex({ name: 'scratch', dimension: 2, metric: 'euclidean' });
      const records = ['a', 'b', 'c', 'd'].map((id, i) => ({ id, values: v(i, 1), metadata: { even: i % 2 === 0 } }));
      await scratch.upsert(records, { namespace: 'n' });
      await scratch.delete({ ids: ['a', 'nobody'] }, { namespace: 'n' });
      await scratch.delete({ filter: { even: true } }, { namespace: 'n', purge: true });
      expect((await scratch.list({ namespace: 'n' })).records).toEqual([{ id: 'b' }, { id: 'd' }]);
      await scratch.delete({ all: true }, { namespace: 'n' });
      expect((await scratch.stats()).namespaces).toEqual({});
      await scratch.upsert(records, { namespace: 'm' });
      await scratch.upsert(records);
      await scratch.deleteNamespace('m');
      await scratch.deleteNamespace('');
      expect(await scratch.namespaces()).toEqual([]);
      await expect(scratch.deleteNamespace('m')).rejects.toMatchObject({ code: 'FV_ERR_NAMESPACE_NOT_FOUND' });
    });

    it('refuses bad input before sending it, with the same typed errors as every store', async () => {
      await expect(people.upsert([{ id: 'x', values: [1, 0] }])).rejects.toMatchObject({ code: 'FV_ERR_VECTOR_DIMENSION' });
      await expect(people.upsert([{ id: 'x', values: [1, 0, 0] }, { id: 'x', values: [0, 1, 0] }])).rejects.toMatchObject({ code: 'FV_ERR_DUPLICATE_ID' });
      await expect(people.upsert([{ id: 'x', values: [0, 0, 0] }])).rejects.toMatchObject({ code: 'FV_ERR_VECTOR_VALUE' });
      const tooMany = Array.from({ length: 1_001 }, (_, i) => ({ id: `r${i}`, values: [1, 0, 0] }));
      await expect(people.upsert(tooMany)).rejects.toMatchObject({ code: 'FV_ERR_BATCH_TOO_LARGE' });
      await expect(people.query({ vector: [1, 0, 0], topK: 0 })).rejects.toMatchObject({ code: 'FV_ERR_TOP_K' });
      await expect(people.query({ vector: [1, 0, 0], topK: 1, filter: { subject: { $regex: 'a' } } })).rejects.toMatchObject({ code: 'FV_ERR_FILTER' });
      await expect(people.fetch([''])).rejects.toMatchObject({ code: 'FV_ERR_RECORD_ID' });
      await expect(people.list({ paginationToken: '' })).rejects.toMatchObject({ code: 'FV_ERR_PAGINATION_TOKEN' });
    });
  });

  it('takes a batch of 1,000 × 512 face-like vectors, which goes as several requests under 2 MB', async () => {
    const faces = await store.ensureIndex({ name: 'faces-512', dimension: 512, metric: 'cosine' });
    const random = seededRandom(11);
    const records = Array.from({ length: 1_000 }, (_, i) => ({
      id: `photo-${i}#0`,
      values: Float32Array.from({ length: 512 }, () => random() - 0.5),
      metadata: { subject: `person-${i % 50}` },
    }));
    expect(await faces.upsert(records, { namespace: 'gallery' })).toBe(1_000);
    expect((await faces.stats()).namespaces).toEqual({ gallery: 1_000 });
    const back = await faces.fetch(['photo-0#0', 'photo-999#0'], { namespace: 'gallery' });
    expect(back.get('photo-999#0')?.values).toEqual(records[999].values);
    const [nearest] = await faces.query({ namespace: 'gallery', vector: records[123].values, topK: 1, exact: true });
    expect(nearest).toMatchObject({ id: 'photo-123#0', score: expect.closeTo(1, 5) });
  });

  it('refuses every call after close, and closes twice', async () => {
    const other = await openPineconeStore(url, { apiKey: API_KEY });
    const index = await other.ensureIndex({ name: 'closing', dimension: 2, metric: 'cosine' });
    await other.close();
    await other.close();
    await expect(other.listIndexes()).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
    await expect(index.query({ vector: [1, 0], topK: 1 })).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
  });
});

describe('two stateless facevault servers over one Pinecone store (issue 9)', () => {
  const FRONT_KEY = 'front-key-2b7d';
  let backend: Harness;
  let fronts: RunningServer[];
  let clients: Pinecone[];
  beforeAll(async () => {
    backend = await startHarness();
    // The store reads the key as the official client does; each test file runs in its own process.
    process.env.PINECONE_API_KEY = API_KEY;
    const store = backend.server.url.replace(/^http:/, 'pinecone:');
    const config = loadConfig({ env: {}, flags: { store, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, apiKeys: [FRONT_KEY] } } });
    fronts = await Promise.all([0, 1].map(() => startServer(config, createLogger('warn'))));
    clients = fronts.map((front) => new Pinecone({ apiKey: FRONT_KEY, controllerHostUrl: front.url, maxRetries: 0 }));
  });
  afterAll(async () => {
    await Promise.all(fronts.map((front) => front.close()));
    await backend.stop();
  });

  it('creates an index once when both servers are asked at once, and each sees what the other wrote', async () => {
    const created = await Promise.allSettled(clients.map((pc) => pc.createIndex({ name: 'shared', dimension: 2, metric: 'euclidean', spec: SERVERLESS })));
    expect(created.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    await clients[0].index({ name: 'shared' }).upsert({ records: [{ id: 'ada', values: [1, 0], metadata: { subject: 'ada' } }, { id: 'bob', values: [0, 1] }] });
    const other = clients[1].index({ name: 'shared' });
    expect((await other.fetch({ ids: ['ada'] })).records.ada).toMatchObject({ id: 'ada', values: [1, 0], metadata: { subject: 'ada' } });
    expect((await other.query({ vector: [0.9, 0.1], topK: 1 })).matches.map((m) => m.id)).toEqual(['ada']);
    expect((await backend.pc.index({ name: 'shared' }).describeIndexStats()).totalRecordCount).toBe(2);
  });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
