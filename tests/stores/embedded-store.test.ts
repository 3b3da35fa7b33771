/** The embedded VectorStore: the interface's contract on tiny hand-made records, and purge (erase). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEmbeddedStore, type EmbeddedStore } from '../../src/stores/embedded-store.js';
import { GRAPH_MIN_RECORDS } from '../../src/vector/ann/graph-policy.js';
import type { StoreIndex } from '../../src/stores/vector-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { filesHolding } from './files-holding.js';

const spec = { name: 'people', dimension: 3, metric: 'cosine' as const };
const v = (...values: number[]) => Float32Array.from(values);

describe('EmbeddedStore', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: EmbeddedStore;
  let index: StoreIndex;
  beforeEach(async () => {
    tmp = makeTempDir('facevault-store-');
    store = await openEmbeddedStore(tmp.dir, { defaultEngine: 'exact' });
    index = await store.ensureIndex(spec);
    await index.upsert(
      [
        { id: 'ada-1', values: v(1, 0, 0), metadata: { subject: 'ada', note: 'first' } },
        { id: 'ada-2', values: v(0.9, 0.1, 0), metadata: { subject: 'ada' } },
        { id: 'bob-1', values: v(0, 1, 0), metadata: { subject: 'bob' } },
      ],
      { namespace: 'g' },
    );
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('creates an index once and refuses to reopen it with another dimension or metric', async () => {
    expect((await store.ensureIndex(spec)).spec).toEqual(spec);
    expect(await store.listIndexes()).toEqual([expect.objectContaining({ ...spec, engine: 'exact', tags: {} })]);
    await expect(store.ensureIndex({ ...spec, dimension: 4 })).rejects.toMatchObject({ code: 'FV_ERR_INDEX_CONFIG' });
    await expect(store.ensureIndex({ ...spec, metric: 'euclidean' })).rejects.toMatchObject({ code: 'FV_ERR_INDEX_CONFIG' });
    await expect(store.openIndex('nobody')).rejects.toMatchObject({ code: 'FV_ERR_INDEX_NOT_FOUND' });
  });

  it('queries by cosine similarity with metadata, fetches as Float32Array, and keeps namespaces apart', async () => {
    const matches = await index.query({ namespace: 'g', vector: [1, 0, 0], topK: 2, includeMetadata: true, exact: true });
    expect(matches.map((m) => m.id)).toEqual(['ada-1', 'ada-2']);
    expect(matches[0]?.score).toBeCloseTo(1, 6);
    // cos((0.9, 0.1, 0), (1, 0, 0)) = 0.9 / √0.82
    expect(matches[1]?.score).toBeCloseTo(0.9 / Math.sqrt(0.82), 6);
    expect(matches[0]?.metadata).toEqual({ subject: 'ada', note: 'first' });
    expect(await index.query({ vector: [1, 0, 0], topK: 2 })).toEqual([]);

    const fetched = await index.fetch(['bob-1', 'nobody'], { namespace: 'g' });
    expect([...fetched.keys()]).toEqual(['bob-1']);
    expect(fetched.get('bob-1')?.values).toEqual(v(0, 1, 0));
  });

  it('updates metadata by filter, lists with metadata a page at a time, and counts by filter', async () => {
    expect(await index.update({ filter: { subject: { $eq: 'ada' } } }, { metadata: { subject: 'ada lovelace' } }, { namespace: 'g' })).toBe(2);
    const first = await index.list({ namespace: 'g', limit: 2, includeMetadata: true });
    expect(first.records).toEqual([
      { id: 'ada-1', metadata: { subject: 'ada lovelace', note: 'first' } },
      { id: 'ada-2', metadata: { subject: 'ada lovelace' } },
    ]);
    const second = await index.list({ namespace: 'g', limit: 2, paginationToken: first.next });
    expect(second).toEqual({ records: [{ id: 'bob-1' }] });
    expect(await index.stats({ filter: { subject: 'ada lovelace' } })).toEqual({ dimension: 3, namespaces: { g: 2 }, totalRecordCount: 2, indexFullness: 0 });
    expect(await index.namespaces()).toEqual([{ name: 'g', recordCount: 3 }]);
  });

  it('plainly deleted records vanish from reads but stay in the data files until purged', async () => {
    await index.delete({ ids: ['bob-1'] }, { namespace: 'g' });
    expect((await index.fetch(['bob-1'], { namespace: 'g' })).size).toBe(0);
    await store.close();
    // The reason purge exists: a tombstone hides the record, its bytes remain in the log.
    expect(filesHolding(tmp.dir, '"subject":"bob"')).not.toEqual([]);
  });

  it('purge leaves nothing of the deleted records in the files, even while open, and every other record intact', async () => {
    await index.delete({ filter: { subject: 'bob' } }, { namespace: 'g', purge: true });
    expect((await index.fetch(['bob-1'], { namespace: 'g' })).size).toBe(0);
    expect((await index.list({ namespace: 'g' })).records.map((r) => r.id)).toEqual(['ada-1', 'ada-2']);
    expect(await index.namespaces()).toEqual([{ name: 'g', recordCount: 2 }]);
    const kept = await index.fetch(['ada-1'], { namespace: 'g' });
    expect(kept.get('ada-1')).toEqual({ id: 'ada-1', values: v(1, 0, 0), metadata: { subject: 'ada', note: 'first' } });
    expect(filesHolding(tmp.dir, '"subject":"bob"')).toEqual([]);
    await store.close();
    expect(filesHolding(tmp.dir, '"subject":"bob"')).toEqual([]);
    expect(filesHolding(tmp.dir, '"subject":"ada"')).not.toEqual([]);
  });

  it('purge in an approximate store also removes the vectors from the graph files, and approximate queries stay right', async () => {
    const annTmp = makeTempDir('facevault-store-');
    const approximate = await openEmbeddedStore(annTmp.dir);
    try {
      const people = await approximate.ensureIndex({ name: 'faces', dimension: 4, metric: 'euclidean' });
      const erased = v(4321.25, -876.5, 55.125, 9.0625);
      // Enough records for the namespace to get a graph (smaller ones are scanned exactly and have none).
      const others = Array.from({ length: GRAPH_MIN_RECORDS }, (_, i) => ({ id: `p${i}`, values: v(i, i % 7, 1, 2), metadata: { subject: `s${i}` } }));
      for (let first = 0; first < others.length; first += 1_000) await people.upsert(others.slice(first, first + 1_000));
      await people.upsert([{ id: 'eve-1', values: erased, metadata: { subject: 'eve' } }]);
      await approximate.database.index('faces').flush();
      const bytes = new Uint8Array(erased.buffer);
      expect(filesHolding(annTmp.dir, bytes).length).toBeGreaterThanOrEqual(2);
      await people.delete({ filter: { subject: 'eve' } }, { purge: true });
      expect(filesHolding(annTmp.dir, bytes)).toEqual([]);
      expect((await people.query({ vector: v(7, 0, 1, 2), topK: 1, exact: false }))[0]?.id).toBe('p7');
    } finally {
      await approximate.close();
      annTmp.cleanup();
    }
  });
});
