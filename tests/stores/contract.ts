/**
 * The contract of `VectorStore` (src/stores/vector-store.ts): the same tests for every store,
 * so "works the same" means "passes this file". A store's test file calls
 * `describeStoreContract(name, open)` with a function that opens a fresh, empty store.
 *
 * A store may declare the few capabilities it lacks (`StoreCapabilities`); each skipped or
 * relaxed check says so. Expected answers are written by hand from Pinecone's semantics (filters
 * as src/vector/filter.ts documents them) or computed by plain JS (scores), never taken from
 * one of the stores.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/util/seeded-random.js';
import type { IndexSettings, Metric, MetadataFilter, RecordInput, RecordMetadata, StoreIndex, VectorStore } from '../../src/stores/vector-store.js';
import { at } from '../helpers/checked.js';

export interface OpenedStore {
  readonly store: VectorStore;
  /** Closes the store (it may be closed already) and removes whatever it left behind. */
  cleanup(): Promise<void>;
}

/** What a store may lack; every field defaults to true. */
export interface StoreCapabilities {
  /** A read right after an acknowledged write sees it (Pinecone's cloud is eventually consistent: reads are retried until they do). */
  readonly freshness: boolean;
  /** The exact engine: indexes with `engine: 'exact'`, and `exact: true` answering exactly. */
  readonly exactEngine: boolean;
  /** HNSW parameters reported as set at creation and by configureIndex. */
  readonly hnswParameters: boolean;
  /** `stats({ filter })`. */
  readonly filteredStats: boolean;
  /** `ifAbsent` decided by the store in one step, so that racing writers store a record once. */
  readonly atomicIfAbsent: boolean;
}

const METRICS: readonly Metric[] = ['cosine', 'dotproduct', 'euclidean'];
const SCORE_TOLERANCE = 1e-4;
const EVENTUAL_TIMEOUT_MS = 60_000;

export function describeStoreContract(name: string, open: () => Promise<OpenedStore>, lacks: Partial<StoreCapabilities> = {}): void {
  const can: StoreCapabilities = { freshness: true, exactEngine: true, hnswParameters: true, filteredStats: true, atomicIfAbsent: true, ...lacks };

  describe(`VectorStore contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: VectorStore;
    const created: string[] = [];
    const prefix = `ct${Math.random().toString(36).slice(2, 7)}`;
    let names = 0;

    /** A fresh index name, deleted after the test. */
    const fresh = (): string => {
      const indexName = `${prefix}-${++names}`;
      created.push(indexName);
      return indexName;
    };
    const newIndex = async <M extends RecordMetadata = RecordMetadata>(settings: Omit<IndexSettings, 'name'>): Promise<StoreIndex<M>> => {
      const indexName = fresh();
      await store.createIndex({ ...settings, name: indexName });
      return store.openIndex<M>(indexName);
    };
    /** With freshness, reads once and expects; without, retries the read until it matches. */
    const settled = async <T>(read: () => Promise<T>, check: (value: T) => void): Promise<T> => {
      const deadline = Date.now() + (can.freshness ? 0 : EVENTUAL_TIMEOUT_MS);
      for (;;) {
        const value = await read();
        try {
          check(value);
          return value;
        } catch (err) {
          if (Date.now() >= deadline) throw err;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };
    const countIs = (index: StoreIndex, total: number) => settled(() => index.stats(), (s) => expect(s.totalRecordCount).toBe(total));

    beforeAll(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      for (const indexName of created.splice(0)) {
        await store.configureIndex(indexName, { deletionProtection: 'disabled' }).catch(() => undefined);
        await store.deleteIndex(indexName).catch(() => undefined);
      }
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    describe('indexes', () => {
      it('creates an index with defaults, describes and lists it, and finds it again on a second create', async () => {
        const indexName = fresh();
        const first = await store.createIndex({ name: indexName, dimension: 4, metric: 'euclidean' });
        expect(first.created).toBe(true);
        expect(first.index).toMatchObject({ name: indexName, dimension: 4, metric: 'euclidean', engine: 'approximate', deletionProtection: 'disabled', tags: {} });
        expect(typeof first.index.createdAt).toBe('string');
        const again = await store.createIndex({ name: indexName, dimension: 4, metric: 'euclidean' });
        expect(again).toEqual({ created: false, index: first.index });
        expect(await store.describeIndex(indexName)).toEqual(first.index);
        expect((await store.listIndexes()).filter((i) => i.name.startsWith(prefix))).toEqual([first.index]);
        expect((await store.ensureIndex({ name: indexName, dimension: 4, metric: 'euclidean' })).spec).toEqual({ name: indexName, dimension: 4, metric: 'euclidean' });
      });

      it('keeps the HNSW parameters, tags, deletion protection and deployment given at creation', async () => {
        const indexName = fresh();
        const deployment = { serverless: { cloud: 'aws', region: 'us-east-1' } };
        const hnsw = { m: 8, efConstruction: 32, efSearch: 20 };
        const { index } = await store.createIndex({ name: indexName, dimension: 3, metric: 'cosine', hnsw, tags: { team: 'vision' }, deletionProtection: 'enabled', deployment });
        expect(index).toMatchObject({ tags: { team: 'vision' }, deletionProtection: 'enabled' });
        if (can.hnswParameters) expect(index.hnsw).toEqual(hnsw);
        expect(index.deployment).toMatchObject(deployment);
      });

      it('creates one index when four callers race for the name, and every caller gets it', async () => {
        const indexName = fresh();
        const results = await Promise.all(Array.from({ length: 4 }, () => store.createIndex({ name: indexName, dimension: 2, metric: 'cosine' })));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        for (const { index } of results) expect(index).toEqual(results[0]?.index);
      });

      it('configures tags (merged; an empty value removes the key), engine, efSearch and deletion protection', async () => {
        const indexName = fresh();
        await store.createIndex({ name: indexName, dimension: 2, metric: 'cosine', tags: { team: 'vision', stage: 'dev' } });
        const tagged = await store.configureIndex(indexName, { tags: { stage: '', owner: 'ada' } });
        expect(tagged.tags).toEqual({ team: 'vision', owner: 'ada' });
        if (can.hnswParameters) expect((await store.configureIndex(indexName, { efSearch: 40 })).hnsw.efSearch).toBe(40);
        if (can.exactEngine) {
          expect((await store.configureIndex(indexName, { engine: 'exact' })).engine).toBe('exact');
          expect((await store.configureIndex(indexName, { engine: 'approximate' })).engine).toBe('approximate');
        }
        await store.configureIndex(indexName, { deletionProtection: 'enabled' });
        await expect(store.deleteIndex(indexName)).rejects.toMatchObject({ code: 'FV_ERR_DELETION_PROTECTED' });
        await store.configureIndex(indexName, { deletionProtection: 'disabled' });
        expect(await store.describeIndex(indexName)).toMatchObject({ tags: { team: 'vision', owner: 'ada' }, deletionProtection: 'disabled' });
      });

      it('deletes an index: it is gone for every call, and a handle on it fails', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        await store.deleteIndex(index.spec.name);
        await expect(store.describeIndex(index.spec.name)).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NOT_FOUND' });
        await expect(store.openIndex(index.spec.name)).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NOT_FOUND' });
        await expect(store.deleteIndex(index.spec.name)).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NOT_FOUND' });
        await expect(index.upsert([{ id: 'a', values: [1, 0] }])).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NOT_FOUND' });
        await expect(index.query({ vector: [1, 0], topK: 1 })).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NOT_FOUND' });
      });
    });

    describe('search', () => {
      for (const metric of METRICS) {
        if (can.exactEngine) {
          it(`exact ${metric}: the same top 10 and scores (within 1e-4) as a plain JS scan`, async () => {
            const { records, queries } = searchSet(300, 16, 8, 11);
            const index = await newIndex({ dimension: 16, metric, engine: 'exact' });
            await index.upsert(records);
            await countIs(index, records.length);
            for (const vector of queries) {
              const matches = await index.query({ vector, topK: 10, exact: true });
              const expected = reference(records, vector, metric, 10);
              expect(matches.map((m) => m.id)).toEqual(expected.map((m) => m.id));
              matches.forEach((m, i) => expect(Math.abs(m.score - (expected[i]?.score as number))).toBeLessThan(SCORE_TOLERANCE));
            }
          });
        }

        it(`approximate ${metric}: recall@10 ≥ 0.9 against a plain JS scan, and each score right within 1e-4`, async () => {
          const { records, queries } = searchSet(500, 16, 8, 12);
          const index = await newIndex({ dimension: 16, metric, engine: 'approximate', hnsw: { m: 16, efConstruction: 64, efSearch: 64 } });
          for (let start = 0; start < records.length; start += 250) await index.upsert(records.slice(start, start + 250));
          await countIs(index, records.length);
          let found = 0;
          for (const vector of queries) {
            const matches = await index.query({ vector, topK: 10, exact: false, ef: 64 });
            const expected = reference(records, vector, metric, records.length);
            const top = new Set(expected.slice(0, 10).map((m) => m.id));
            found += matches.filter((m) => top.has(m.id)).length;
            for (const m of matches) expect(Math.abs(m.score - (expected.find((e) => e.id === m.id)?.score as number))).toBeLessThan(SCORE_TOLERANCE);
            expect(matches.map((m) => m.score)).toEqual([...matches.map((m) => m.score)].sort(metric === 'euclidean' ? (a, b) => a - b : (a, b) => b - a));
          }
          expect(found / (10 * queries.length)).toBeGreaterThanOrEqual(0.9);
        });
      }

      it('queries by the id of a stored record (an unknown id matches nothing), with values and metadata on request', async () => {
        const index = await newIndex({ dimension: 3, metric: 'cosine' });
        await index.upsert([
          { id: 'a', values: [1, 0, 0], metadata: { subject: 'ada' } },
          { id: 'b', values: [0.9, 0.1, 0] },
          { id: 'c', values: [0, 0, 1], metadata: { subject: 'cy' } },
        ]);
        await countIs(index, 3);
        const plain = await index.query({ id: 'a', topK: 2 });
        expect(plain.map((m) => m.id)).toEqual(['a', 'b']);
        expect(plain[0]?.score).toBeCloseTo(1, 5);
        expect(plain[1]?.score).toBeCloseTo(0.9 / Math.sqrt(0.82), 5);
        expect(plain[0]).not.toHaveProperty('values');
        expect(plain[0]).not.toHaveProperty('metadata');
        const full = await index.query({ id: 'a', topK: 3, includeValues: true, includeMetadata: true });
        expect(full[0]).toEqual({ id: 'a', score: expect.any(Number), values: Float32Array.of(1, 0, 0), metadata: { subject: 'ada' } });
        expect(full[1]).toEqual({ id: 'b', score: expect.any(Number), values: Float32Array.of(0.9, 0.1, 0) });
        expect(await index.query({ id: 'nobody', topK: 3 })).toEqual([]);
        expect(await index.query({ id: 'a', topK: 3, namespace: 'elsewhere' })).toEqual([]);
      });

      it('returns topK approximate matches under a filter whenever that many records match', async () => {
        const { records } = searchSet(400, 8, 4, 13);
        const tagged = records.map((r, i) => ({ ...r, metadata: { bucket: i % 40 === 0 ? 'rare' : 'common' } }));
        const index = await newIndex({ dimension: 8, metric: 'cosine', engine: 'approximate', hnsw: { m: 8, efConstruction: 32, efSearch: 16 } });
        await index.upsert(tagged);
        await countIs(index, tagged.length);
        const matches = await index.query({ vector: tagged[0]?.values as number[], topK: 10, filter: { bucket: 'rare' }, exact: false, ef: 16 });
        expect(matches).toHaveLength(10);
        expect(new Set(matches.map((m) => m.id))).toEqual(new Set(tagged.filter((r) => r.metadata.bucket === 'rare').map((r) => r.id)));
      });
    });

    describe('filters', () => {
      let index: StoreIndex;
      beforeAll(async () => {
        const indexName = `${prefix}-filters`;
        await store.createIndex({ name: indexName, dimension: 2, metric: 'cosine' });
        index = await store.openIndex(indexName);
        await index.upsert(FILTER_RECORDS);
        await countIs(index, FILTER_RECORDS.length);
      });
      afterAll(async () => {
        await store.deleteIndex(`${prefix}-filters`);
      });

      for (const [filter, ids] of FILTER_CASES) {
        it(`${JSON.stringify(filter)} → ${JSON.stringify(ids)} in queries (exact and approximate), lists${can.filteredStats ? ' and counts' : ''}`, async () => {
          const sorted = [...ids].sort();
          const exact = await index.query({ vector: [1, 1], topK: 100, filter, ...(can.exactEngine ? { exact: true } : {}) });
          expect(exact.map((m) => m.id).sort()).toEqual(sorted);
          const approximate = await index.query({ vector: [1, 1], topK: 100, filter, exact: false });
          expect(approximate.map((m) => m.id).sort()).toEqual(sorted);
          expect((await index.list({ filter })).records.map((r) => r.id)).toEqual(sorted);
          if (can.filteredStats) expect((await index.stats({ filter })).totalRecordCount).toBe(ids.length);
        });
      }
    });

    describe('records', () => {
      it('fetches the stored values exactly as float32, with metadata, leaving unknown ids out', async () => {
        const index = await newIndex({ dimension: 3, metric: 'euclidean' });
        await index.upsert([
          { id: 'a', values: [0.1, 0.2, 0.3], metadata: { subject: 'ada', tags: ['x', 'y'], n: 2.5, ok: true } },
          { id: 'b', values: Float32Array.of(-1e-8, 3e38, 7) },
        ]);
        const fetched = await settled(() => index.fetch(['b', 'nobody', 'a']), (f) => expect(f.size).toBe(2));
        expect([...fetched.keys()]).toEqual(['b', 'a']);
        expect(fetched.get('a')).toEqual({ id: 'a', values: Float32Array.of(0.1, 0.2, 0.3), metadata: { subject: 'ada', tags: ['x', 'y'], n: 2.5, ok: true } });
        expect(fetched.get('b')).toEqual({ id: 'b', values: Float32Array.of(-1e-8, 3e38, 7) });
        expect((await index.fetch(['a'], { namespace: 'other' })).size).toBe(0);
      });

      it('overwrites a record on upsert, and with ifAbsent writes only the new ids (also when two callers race)', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        expect(await index.upsert([{ id: 'a', values: [1, 0], metadata: { v: 1 } }, { id: 'b', values: [0, 1], metadata: { v: 1 } }])).toBe(2);
        expect(await index.upsert([{ id: 'a', values: [1, 1], metadata: { v: 2 } }])).toBe(1);
        expect(await index.upsert([{ id: 'b', values: [1, 1], metadata: { v: 3 } }, { id: 'c', values: [1, 0] }], { ifAbsent: true })).toBe(1);
        const fetched = await settled(() => index.fetch(['a', 'b', 'c']), (f) => expect(f.size).toBe(3));
        expect(fetched.get('a')).toMatchObject({ values: Float32Array.of(1, 1), metadata: { v: 2 } });
        expect(fetched.get('b')).toMatchObject({ values: Float32Array.of(0, 1), metadata: { v: 1 } });
        if (!can.atomicIfAbsent) return;
        const race = await Promise.all([1, 2, 3].map((v) => index.upsert([{ id: 'd', values: [1, 0], metadata: { v } }], { ifAbsent: true })));
        expect(race.reduce((sum, n) => sum + n, 0)).toBe(1);
      });

      it('updates one record by id (values replaced, metadata merged), and refuses an unknown id', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        await index.upsert([{ id: 'a', values: [1, 0], metadata: { subject: 'ada', n: 1 } }, { id: 'b', values: [0, 1] }]);
        await countIs(index, 2);
        expect(await index.update({ id: 'a' }, { values: [0.5, 0.5], metadata: { n: 2, extra: 'x' } })).toBe(1);
        expect(await index.update({ id: 'b' }, { metadata: { subject: 'bo' } })).toBe(1);
        const fetched = await settled(() => index.fetch(['a', 'b']), (f) => expect(f.get('a')?.metadata).toEqual({ subject: 'ada', n: 2, extra: 'x' }));
        expect(fetched.get('a')?.values).toEqual(Float32Array.of(0.5, 0.5));
        expect(fetched.get('b')).toEqual({ id: 'b', values: Float32Array.of(0, 1), metadata: { subject: 'bo' } });
        await expect(index.update({ id: 'nobody' }, { metadata: { n: 1 } })).rejects.toMatchObject({ code: 'FV_ERR_RECORD_NOT_FOUND' });
      });

      it('updates by filter in one call, and with dryRun only counts', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        await index.upsert([
          { id: 'a', values: [1, 0], metadata: { subject: 'ada', k: 1 } },
          { id: 'b', values: [1, 0], metadata: { subject: 'ada' } },
          { id: 'c', values: [1, 0], metadata: { subject: 'cy' } },
        ], { namespace: 'g' });
        await settled(() => index.stats(), (s) => expect(s.namespaces).toEqual({ g: 3 }));
        expect(await index.update({ filter: { subject: 'ada' } }, { metadata: { subject: 'ada lovelace' } }, { namespace: 'g', dryRun: true })).toBe(2);
        expect(await index.update({ id: 'c' }, { metadata: { subject: 'x' } }, { namespace: 'g', dryRun: true })).toBe(1);
        expect(await index.update({ id: 'nobody' }, { metadata: { subject: 'x' } }, { namespace: 'g', dryRun: true })).toBe(0);
        expect((await index.fetch(['a', 'c'], { namespace: 'g' })).get('c')?.metadata).toEqual({ subject: 'cy' });
        expect(await index.update({ filter: { subject: 'ada' } }, { metadata: { subject: 'ada lovelace' } }, { namespace: 'g' })).toBe(2);
        const fetched = await settled(() => index.fetch(['a', 'b', 'c'], { namespace: 'g' }), (f) => expect(f.get('b')?.metadata).toEqual({ subject: 'ada lovelace' }));
        expect(fetched.get('a')?.metadata).toEqual({ subject: 'ada lovelace', k: 1 });
        expect(fetched.get('c')?.metadata).toEqual({ subject: 'cy' });
        expect(await index.update({ filter: { subject: 'nobody' } }, { metadata: { subject: 'x' } }, { namespace: 'g' })).toBe(0);
      });

      it('refuses a metadata merge that outgrows 40 KB, and leaves the record as it was', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        await index.upsert([{ id: 'a', values: [1, 0], metadata: { big: 'x'.repeat(30_000) } }]);
        await countIs(index, 1);
        await expect(index.update({ id: 'a' }, { metadata: { more: 'y'.repeat(15_000) } })).rejects.toMatchObject({ code: 'FV_ERR_METADATA' });
        await expect(index.update({ filter: {} }, { metadata: { more: 'y'.repeat(15_000) } })).rejects.toMatchObject({ code: 'FV_ERR_METADATA' });
        expect((await index.fetch(['a'])).get('a')?.metadata).toEqual({ big: 'x'.repeat(30_000) });
      });

      it('deletes by ids (unknown ones ignored), by filter, and all of a namespace', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        const records = ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, values: [1, i], metadata: { even: i % 2 === 0 } }));
        await index.upsert(records, { namespace: 'g' });
        await index.upsert(records);
        await countIs(index, 10);
        await index.delete({ ids: ['a', 'nobody'] }, { namespace: 'g' });
        await settled(() => index.list({ namespace: 'g' }), (p) => expect(p.records.map((r) => r.id)).toEqual(['b', 'c', 'd', 'e']));
        await index.delete({ filter: { even: true } }, { namespace: 'g' });
        await settled(() => index.list({ namespace: 'g' }), (p) => expect(p.records.map((r) => r.id)).toEqual(['b', 'd']));
        await index.delete({ all: true }, { namespace: 'g' });
        await settled(() => index.namespaces(), (n) => expect(n).toEqual([{ name: '', recordCount: 5 }]));
      });

      it('purges: deleted records are gone for good and every other record is intact', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        await index.upsert([
          { id: 'ada-1', values: [1, 0], metadata: { subject: 'ada' } },
          { id: 'bob-1', values: [0, 1], metadata: { subject: 'bob' } },
          { id: 'bob-2', values: [0.1, 1], metadata: { subject: 'bob' } },
        ], { namespace: 'g' });
        await index.upsert([{ id: 'bob-1', values: [0, 1], metadata: { subject: 'bob' } }]);
        await countIs(index, 4);
        await index.delete({ filter: { subject: 'bob' } }, { namespace: 'g', purge: true });
        await settled(() => index.namespaces(), (n) => expect(n).toEqual([{ name: '', recordCount: 1 }, { name: 'g', recordCount: 1 }]));
        expect((await index.fetch(['ada-1', 'bob-1', 'bob-2'], { namespace: 'g' })).size).toBe(1);
        expect((await index.query({ vector: [0, 1], topK: 5, namespace: 'g' })).map((m) => m.id)).toEqual(['ada-1']);
        expect((await index.fetch(['bob-1'])).get('bob-1')?.metadata).toEqual({ subject: 'bob' });
      });
    });

    describe('listing and counting', () => {
      it('lists ids by prefix a page at a time, with metadata and values on request', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        const ids = ['doc1#a', 'doc1#b', 'doc1#c', 'doc10#a', 'doc2#a'];
        await index.upsert(ids.map((id, i) => ({ id, values: [1, i], metadata: { i } })));
        await countIs(index, ids.length);
        const first = await index.list({ prefix: 'doc1#', limit: 2 });
        expect(first.records).toEqual([{ id: 'doc1#a' }, { id: 'doc1#b' }]);
        expect(first.next).toEqual(expect.any(String));
        const second = await index.list({ prefix: 'doc1#', limit: 2, paginationToken: first.next, includeMetadata: true, includeValues: true });
        expect(second).toEqual({ records: [{ id: 'doc1#c', metadata: { i: 2 }, values: Float32Array.of(1, 2) }] });
        expect((await index.list()).records.map((r) => r.id)).toEqual(['doc1#a', 'doc1#b', 'doc1#c', 'doc10#a', 'doc2#a']);
        expect(await index.list({ prefix: 'nothing' })).toEqual({ records: [] });
        const filtered = await index.list({ filter: { i: { $gte: 1 } }, limit: 2 });
        expect(filtered.records.map((r) => r.id)).toEqual(['doc1#b', 'doc1#c']);
        expect((await index.list({ filter: { i: { $gte: 1 } }, limit: 2, paginationToken: filtered.next })).records.map((r) => r.id)).toEqual(['doc10#a', 'doc2#a']);
      });

      it('takes a prefix literally, wildcard characters included', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        await index.upsert(['a%b', 'a_c', 'axb', 'a\\d', 'ab'].map((id) => ({ id, values: [1, 0] })));
        await countIs(index, 5);
        expect((await index.list({ prefix: 'a%' })).records).toEqual([{ id: 'a%b' }]);
        expect((await index.list({ prefix: 'a_' })).records).toEqual([{ id: 'a_c' }]);
        expect((await index.list({ prefix: 'a\\' })).records).toEqual([{ id: 'a\\d' }]);
      });

      it('lists ids in the order of their UTF-8 bytes', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        const ids = ['😀', '～', 'é', 'a', 'B', 'a0'];
        await index.upsert(ids.map((id) => ({ id, values: [1, 0] })));
        await countIs(index, ids.length);
        const byBytes = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
        expect((await index.list()).records.map((r) => r.id)).toEqual(byBytes);
      });

      it('counts records per namespace (with a filter: the matching ones), lists namespaces and deletes one', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine' });
        await index.upsert([{ id: 'a', values: [1, 0], metadata: { s: 'x' } }, { id: 'b', values: [1, 0], metadata: { s: 'y' } }]);
        await index.upsert([{ id: 'a', values: [1, 0], metadata: { s: 'x' } }], { namespace: 'beta' });
        await index.upsert([{ id: 'a', values: [1, 0], metadata: { s: 'y' } }], { namespace: 'alpha' });
        const stats = await countIs(index, 4);
        expect(stats).toEqual({ dimension: 2, namespaces: { '': 2, alpha: 1, beta: 1 }, totalRecordCount: 4, indexFullness: expect.any(Number) });
        if (can.filteredStats) expect(await index.stats({ filter: { s: 'x' } })).toMatchObject({ namespaces: { '': 1, beta: 1 }, totalRecordCount: 2 });
        expect(await index.namespaces()).toEqual([{ name: '', recordCount: 2 }, { name: 'alpha', recordCount: 1 }, { name: 'beta', recordCount: 1 }]);
        await index.deleteNamespace('alpha');
        await settled(() => index.namespaces(), (n) => expect(n.map((x) => x.name)).toEqual(['', 'beta']));
        await expect(index.deleteNamespace('alpha')).rejects.toMatchObject({ code: 'FV_ERR_NAMESPACE_NOT_FOUND' });
      });
    });

    describe('errors: the same code for the same bad input', () => {
      let index: StoreIndex;
      beforeAll(async () => {
        const indexName = `${prefix}-errors`;
        await store.createIndex({ name: indexName, dimension: 3, metric: 'cosine' });
        index = await store.openIndex(indexName);
      });
      afterAll(async () => {
        await store.deleteIndex(`${prefix}-errors`);
      });
      const cases: [string, () => Promise<unknown>, string][] = [
        ['a wrong dimension', () => index.upsert([{ id: 'a', values: [1, 0] }]), 'FV_ERR_VECTOR_DIMENSION'],
        ['NaN', () => index.upsert([{ id: 'a', values: [1, Number.NaN, 0] }]), 'FV_ERR_VECTOR_VALUE'],
        ['an all-zero cosine vector', () => index.upsert([{ id: 'a', values: [0, 0, 0] }]), 'FV_ERR_VECTOR_VALUE'],
        ['1,001 records', () => index.upsert(Array.from({ length: 1001 }, (_, i) => ({ id: `r${i}`, values: [1, 0, 0] }))), 'FV_ERR_BATCH_TOO_LARGE'],
        ['a repeated id', () => index.upsert([{ id: 'a', values: [1, 0, 0] }, { id: 'a', values: [1, 0, 0] }]), 'FV_ERR_DUPLICATE_ID'],
        ['an empty id', () => index.upsert([{ id: '', values: [1, 0, 0] }]), 'FV_ERR_RECORD_ID'],
        ['an id over 512 bytes', () => index.fetch(['é'.repeat(257)]), 'FV_ERR_RECORD_ID'],
        ['null metadata', () => index.upsert([{ id: 'a', values: [1, 0, 0], metadata: { x: null } as unknown as RecordMetadata }]), 'FV_ERR_METADATA'],
        ['nested metadata', () => index.upsert([{ id: 'a', values: [1, 0, 0], metadata: { x: { y: 1 } } as unknown as RecordMetadata }]), 'FV_ERR_METADATA'],
        ['topK 0', () => index.query({ vector: [1, 0, 0], topK: 0 }), 'FV_ERR_TOP_K'],
        ['a query vector of another dimension', () => index.query({ vector: [1, 0], topK: 1 }), 'FV_ERR_VECTOR_DIMENSION'],
        ['both vector and id', () => index.query({ vector: [1, 0, 0], id: 'a', topK: 1 }), 'FV_ERR_INVALID_ARGUMENT'],
        ['an unknown filter operator', () => index.query({ vector: [1, 0, 0], topK: 1, filter: { a: { $regex: 'x' } } }), 'FV_ERR_FILTER'],
        ['a string bound for $gt', () => index.query({ vector: [1, 0, 0], topK: 1, filter: { a: { $gt: '2019' } } }), 'FV_ERR_FILTER'],
        ['a bad filter in a delete', () => index.delete({ filter: { $nor: [] } }), 'FV_ERR_FILTER'],
        ['a bad filter in a count', () => index.stats({ filter: { a: { $in: [] } } }), 'FV_ERR_FILTER'],
        ['a bad filter in a list', () => index.list({ filter: { a: [1] } }), 'FV_ERR_FILTER'],
        ['no ids to fetch', () => index.fetch([]), 'FV_ERR_INVALID_ARGUMENT'],
        ['1,001 ids to fetch', () => index.fetch(Array.from({ length: 1001 }, (_, i) => `r${i}`)), 'FV_ERR_BATCH_TOO_LARGE'],
        ['1,001 ids to delete', () => index.delete({ ids: Array.from({ length: 1001 }, (_, i) => `r${i}`) }), 'FV_ERR_BATCH_TOO_LARGE'],
        ['values in an update by filter', () => index.update({ filter: { a: 1 } }, { values: [1, 0, 0] }), 'FV_ERR_INVALID_ARGUMENT'],
        ['an update with nothing to change', () => index.update({ id: 'a' }, {}), 'FV_ERR_INVALID_ARGUMENT'],
        ['a page token no page returned', () => index.list({ paginationToken: 'not-a-token' }), 'FV_ERR_PAGINATION_TOKEN'],
        ['a page of 101', () => index.list({ limit: 101 }), 'FV_ERR_INVALID_ARGUMENT'],
        ['a namespace that is not a string', () => index.fetch(['a'], { namespace: 7 as unknown as string }), 'FV_ERR_INVALID_ARGUMENT'],
        ['an index name with capitals', () => store.createIndex({ name: 'Bad_Name', dimension: 3, metric: 'cosine' }), 'FV_ERR_INDEX_NAME'],
        ['dimension 0', () => store.createIndex({ name: `${prefix}-zero`, dimension: 0, metric: 'cosine' }), 'FV_ERR_INDEX_CONFIG'],
        ['an unknown metric', () => store.createIndex({ name: `${prefix}-manhattan`, dimension: 3, metric: 'manhattan' as Metric }), 'FV_ERR_INDEX_CONFIG'],
        ['an existing name with another dimension', () => store.ensureIndex({ name: `${prefix}-errors`, dimension: 4, metric: 'cosine' }), 'FV_ERR_INDEX_CONFIG'],
        ['an unknown index to open', () => store.openIndex(`${prefix}-nobody`), 'FV_ERR_INDEX_NOT_FOUND'],
        ['an unknown index to describe', () => store.describeIndex(`${prefix}-nobody`), 'FV_ERR_INDEX_NOT_FOUND'],
        ['an unknown index to configure', () => store.configureIndex(`${prefix}-nobody`, { tags: { a: 'b' } }), 'FV_ERR_INDEX_NOT_FOUND'],
        ['a configure that changes nothing', () => store.configureIndex(`${prefix}-errors`, {}), 'FV_ERR_INVALID_ARGUMENT'],
      ];
      for (const [what, call, code] of cases) {
        it(`${what} → ${code}`, async () => {
          await expect(call()).rejects.toMatchObject({ code });
        });
      }

      it('writes nothing of a batch with one bad record', async () => {
        const records: RecordInput[] = Array.from({ length: 1000 }, (_, i) => ({ id: `r${i}`, values: [1, i, 0] }));
        records[999] = { id: 'r999', values: [1, Number.POSITIVE_INFINITY, 0] };
        await expect(index.upsert(records)).rejects.toMatchObject({ code: 'FV_ERR_VECTOR_VALUE' });
        expect((await index.stats()).totalRecordCount).toBe(0);
        expect((await index.fetch(['r0'])).size).toBe(0);
      });
    });

    describe.skipIf(!can.freshness)('freshness', () => {
      it('reads every acknowledged write at once: queries (both engines), fetch, list and counts', async () => {
        const index = await newIndex({ dimension: 2, metric: 'cosine', engine: 'approximate' });
        for (let i = 0; i < 5; i++) {
          await index.upsert([{ id: `r${i}`, values: [1, i], metadata: { round: i } }]);
          const vector = [1, i];
          expect((await index.query({ vector, topK: 1, exact: false }))[0]?.id).toBe(`r${i}`);
          expect((await index.query({ vector, topK: 1, exact: true }))[0]?.id).toBe(`r${i}`);
          expect((await index.fetch([`r${i}`])).size).toBe(1);
          expect((await index.stats()).totalRecordCount).toBe(i + 1);
        }
        await index.update({ id: 'r4' }, { metadata: { round: 40 } });
        expect((await index.query({ vector: [1, 4], topK: 1, filter: { round: 40 } })).map((m) => m.id)).toEqual(['r4']);
        await index.delete({ ids: ['r4'] });
        expect((await index.query({ vector: [1, 4], topK: 1, exact: false }))[0]?.id).not.toBe('r4');
        expect((await index.list()).records).toHaveLength(4);
      });
    });

    describe('closing', () => {
      it('closes idempotently; every later call fails with FV_ERR_CLOSED', async () => {
        const other = await open();
        try {
          const indexName = `${prefix}-closing`;
          await other.store.createIndex({ name: indexName, dimension: 2, metric: 'cosine' });
          const index = await other.store.openIndex(indexName);
          await other.store.deleteIndex(indexName);
          await other.store.close();
          await other.store.close();
          await expect(other.store.listIndexes()).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
          await expect(other.store.createIndex({ name: indexName, dimension: 2, metric: 'cosine' })).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
          await expect(index.query({ vector: [1, 0], topK: 1 })).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
        } finally {
          await other.cleanup();
        }
      });
    });
  });
}

// ── data and the plain JS reference ───────────────────────────────────────────────────────────

type Vector = number[];

/**
 * Face-like records: `n` vectors around `clusters` random directions (noise 0.4), with lengths
 * from 0.5 to 1.5 so that dot product and euclidean rank differently from cosine; and 5 queries
 * near the same directions. Values are float32 numbers, as every store keeps them.
 */
function searchSet(n: number, dimension: number, clusters: number, seed: number): { records: { id: string; values: Vector }[]; queries: Vector[] } {
  const random = seededRandom(seed);
  const centres = Array.from({ length: clusters }, () => unit(Array.from({ length: dimension }, () => random() * 2 - 1)));
  const sample = (): Vector => {
    const centre = centres[Math.floor(random() * clusters)] as Vector;
    const scale = 0.5 + random();
    return unit(centre.map((c) => c + 0.4 * (random() * 2 - 1))).map((x) => Math.fround(x * scale));
  };
  return { records: Array.from({ length: n }, (_, i) => ({ id: `r${i}`, values: sample() })), queries: Array.from({ length: 5 }, sample) };
}

function unit(v: Vector): Vector {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function score(metric: Metric, a: Vector, b: Vector): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  let squared = 0;
  for (let i = 0; i < a.length; i++) {
    const x = at(a, i);
    const y = at(b, i);
    dot += x * y;
    aa += x * x;
    bb += y * y;
    squared += (x - y) ** 2;
  }
  if (metric === 'cosine') return dot / Math.sqrt(aa * bb);
  return metric === 'dotproduct' ? dot : Math.sqrt(squared);
}

/** The k nearest records by brute force, nearest first: highest similarity, or lowest euclidean distance. */
function reference(records: readonly { id: string; values: Vector }[], query: Vector, metric: Metric, k: number): { id: string; score: number }[] {
  const scored = records.map((r) => ({ id: r.id, score: score(metric, r.values, query) }));
  scored.sort((x, y) => (metric === 'euclidean' ? x.score - y.score : y.score - x.score));
  return scored.slice(0, k);
}

// ── filters: records and hand-computed answers (src/vector/filter.ts semantics) ──────────────────

const FILTER_RECORDS: RecordInput[] = [
  { id: 'r1', values: [1, 0], metadata: { genre: 'drama', year: 2019, tags: ['a', 'b'], live: true } },
  { id: 'r2', values: [1, 0.1], metadata: { genre: 'comedy', year: 2021, tags: ['b'] } },
  { id: 'r3', values: [1, 0.2], metadata: { genre: 'drama', year: 2021.5, live: false } },
  { id: 'r4', values: [1, 0.3], metadata: { genre: ['drama', 'comedy'] } },
  { id: 'r5', values: [1, 0.4], metadata: { year: '2021' } },
  { id: 'r6', values: [1, 0.5] },
  { id: 'r7', values: [1, 0.6], metadata: { genre: 'Drama', year: 1 } },
  { id: 'r8', values: [1, 0.7], metadata: { n: 0, genre: '' } },
];

const ALL = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8'];
const except = (...ids: string[]) => ALL.filter((id) => !ids.includes(id));

const FILTER_CASES: [MetadataFilter, string[]][] = [
  [{}, ALL],
  [{ genre: 'drama' }, ['r1', 'r3', 'r4']],
  [{ genre: { $eq: 'drama' } }, ['r1', 'r3', 'r4']],
  [{ genre: { $ne: 'drama' } }, except('r1', 'r3', 'r4')],
  [{ genre: { $eq: '' } }, ['r8']],
  [{ year: 2021 }, ['r2']],
  [{ year: { $ne: 2021 } }, except('r2')],
  [{ year: { $gt: 2019 } }, ['r2', 'r3']],
  [{ year: { $gte: 2019 } }, ['r1', 'r2', 'r3']],
  [{ year: { $lt: 2021 } }, ['r1', 'r7']],
  [{ year: { $lte: 2021 } }, ['r1', 'r2', 'r7']],
  [{ year: { $gt: 2000, $lt: 2021 } }, ['r1']],
  [{ n: { $lte: 0 } }, ['r8']],
  [{ genre: { $in: ['comedy', 'western'] } }, ['r2', 'r4']],
  [{ genre: { $nin: ['comedy', 'drama'] } }, ['r5', 'r6', 'r7', 'r8']],
  [{ year: { $in: [2021, '2021'] } }, ['r2', 'r5']],
  [{ year: { $in: [2021] } }, ['r2']],
  [{ year: { $nin: [2021, 1] } }, except('r2', 'r7')],
  [{ tags: 'b' }, ['r1', 'r2']],
  [{ tags: { $in: ['a'] } }, ['r1']],
  [{ tags: { $nin: ['a'] } }, except('r1')],
  [{ live: true }, ['r1']],
  [{ live: false }, ['r3']],
  [{ live: { $ne: true } }, except('r1')],
  [{ live: { $exists: true } }, ['r1', 'r3']],
  [{ live: { $exists: false } }, except('r1', 'r3')],
  [{ constructor: { $exists: true } }, []],
  [{ genre: 'drama', live: false }, ['r3']],
  [{ $and: [{ genre: 'drama' }, { year: { $gte: 2020 } }] }, ['r3']],
  [{ $or: [{ genre: 'comedy' }, { year: { $lt: 2000 } }] }, ['r2', 'r4', 'r7']],
  [{ $or: [{ live: { $exists: false } }, { $and: [{ tags: 'a' }, { year: 2019 }] }] }, except('r3')],
  [{ genre: { $eq: 'drama', $ne: 'comedy' } }, ['r1', 'r3']],
];
