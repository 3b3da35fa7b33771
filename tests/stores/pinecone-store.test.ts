/**
 * The Pinecone store through the official client, against a real facevault server on loopback
 * (the only Pinecone-compatible server that runs here): the VectorStore contract, then what is
 * the Pinecone store's own — opening, requests cut under 2 MB, settings Pinecone does not have,
 * and several stateless servers over one store.
 */
import { createServer } from 'node:net';
import { Pinecone } from '@pinecone-database/pinecone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { openPineconeStore, type PineconeStore } from '../../src/stores/pinecone/pinecone-store.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { API_KEY, SERVERLESS, startHarness, type Harness } from '../server/harness.js';
import { describeStoreContract } from './contract.js';
import { at } from '../helpers/checked.js';

const storeUrlOf = (harness: Harness) => harness.server.url.replace(/^http:/, 'pinecone:');

// Behind pinecone:// a facevault server keeps its exact engine, freshness and filtered counts;
// Pinecone's cloud lacks those too (freshness, exactEngine, filteredStats).
describeStoreContract(
  'pinecone (a facevault server behind pinecone://)',
  async () => {
    const harness = await startHarness({ logLevel: 'warn' });
    const store = await openPineconeStore(storeUrlOf(harness), { apiKey: API_KEY, maxRetries: 0 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await harness.stop();
      },
    };
  },
  { hnswParameters: false, atomicIfAbsent: false },
);

describe('PineconeStore', () => {
  let harness: Harness;
  let store: PineconeStore;
  beforeAll(async () => {
    harness = await startHarness({ logLevel: 'warn' });
    store = await openPineconeStore(storeUrlOf(harness), { apiKey: API_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await store.close();
    await harness.stop();
  });

  it('refuses a wrong API key and a missing one when it opens', async () => {
    await expect(openPineconeStore(storeUrlOf(harness), { apiKey: 'wrong-key' })).rejects.toMatchObject({ code: 'FV_ERR_UNAUTHORIZED' });
    await expect(openPineconeStore(storeUrlOf(harness), { apiKey: '' })).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
  });

  it('says FV_ERR_STORE_UNAVAILABLE when nothing answers', async () => {
    const port = await closedPort();
    await expect(openPineconeStore(`pinecone://127.0.0.1:${port}`, { apiKey: API_KEY, maxRetries: 0 })).rejects.toMatchObject({ code: 'FV_ERR_STORE_UNAVAILABLE', status: 503 });
  });

  it('refuses efSearch, which Pinecone has no setting for', async () => {
    await store.createIndex({ name: 'no-ef', dimension: 2, metric: 'cosine' });
    await expect(store.configureIndex('no-ef', { efSearch: 32 })).rejects.toMatchObject({ code: 'FV_ERR_INDEX_CONFIG' });
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
    expect(back.get('photo-999#0')?.values).toEqual(records[999]?.values);
    const [nearest] = await faces.query({ namespace: 'gallery', vector: at(records, 123).values, topK: 1, exact: true });
    expect(nearest).toMatchObject({ id: 'photo-123#0', score: expect.closeTo(1, 5) });
  });
});

describe('two stateless facevault servers over one Pinecone store (issue 9)', () => {
  const FRONT_KEY = 'front-key-2b7d';
  let backend: Harness;
  let fronts: RunningServer[];
  let clients: Pinecone[];
  beforeAll(async () => {
    backend = await startHarness({ logLevel: 'warn' });
    // The store reads the key as the official client does; each test file runs in its own process.
    process.env.PINECONE_API_KEY = API_KEY;
    const config = loadConfig({ env: {}, flags: { store: storeUrlOf(backend), logLevel: 'warn', server: { host: '127.0.0.1', port: 0, apiKeys: [FRONT_KEY] } } });
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
    await at(clients, 0).index({ name: 'shared' }).upsert({ records: [{ id: 'ada', values: [1, 0], metadata: { subject: 'ada' } }, { id: 'bob', values: [0, 1] }] });
    const other = at(clients, 1).index({ name: 'shared' });
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
