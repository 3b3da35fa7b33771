/** Approximate queries when much of the namespace is not in the graph yet: one exact scan answers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnnIndex } from '../../src/vector/ann/ann-index.js';
import { openDatabase, type Database } from '../../src/vector/database.js';
import type { VectorIndex } from '../../src/vector/vector-index.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { clustered } from './ann/fixtures.js';

const DIMENSION = 16;
const HNSW = { m: 8, efConstruction: 32, efSearch: 16, quantization: 'f32' as const };

async function upsertRows(index: VectorIndex, data: Float32Array, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 1000) {
    const records = [];
    for (let i = start; i < Math.min(to, start + 1000); i++) records.push({ id: `v${i}`, values: data.subarray(i * DIMENSION, (i + 1) * DIMENSION), metadata: { even: i % 2 === 0 } });
    await index.upsert({ records });
  }
}

describe('approximate query with a large unbuilt tail', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let db: Database;
  const data = clustered(4000, DIMENSION, 40, { noise: 0.6, normalise: true });
  const queries = clustered(20, DIMENSION, 40, { noise: 0.6, normalise: true, seed: 9 });
  beforeEach(async () => {
    tmp = makeTempDir();
    db = await openDatabase(tmp.dir);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await db.close();
    tmp.cleanup();
  });

  // Between awaits of settled promises no worker message is handled, so the builder cannot make
  // the tail searchable in the middle of these loops: the tail is exactly what was just written.
  async function expectExactAnswers(index: VectorIndex, filter?: Record<string, unknown>): Promise<void> {
    for (let q = 0; q < 20; q++) {
      const vector = queries.subarray(q * DIMENSION, (q + 1) * DIMENSION);
      const approximate = await index.query({ vector, topK: 10, exact: false, filter });
      const exact = await index.query({ vector, topK: 10, exact: true, filter });
      expect(approximate).toEqual(exact);
    }
  }

  it('answers exactly, without the graph, when the whole namespace is the tail (first approximate query)', async () => {
    await db.createIndex({ name: 't', dimension: DIMENSION, metric: 'cosine', engine: 'exact', hnsw: HNSW });
    const index = db.index('t');
    await upsertRows(index, data, 0, 4000);
    const graphSearch = vi.spyOn(AnnIndex.prototype, 'search');
    await expectExactAnswers(index);
    await expectExactAnswers(index, { even: true });
    expect(graphSearch).not.toHaveBeenCalled();
  });

  it('searches an open graph with the width configureIndex sets, without a reopen', async () => {
    await db.createIndex({ name: 't', dimension: DIMENSION, metric: 'cosine', engine: 'approximate', hnsw: HNSW });
    const index = db.index('t');
    await upsertRows(index, data, 0, 1000);
    await index.flush();
    const graphSearch = vi.spyOn(AnnIndex.prototype, 'search');
    const vector = queries.subarray(0, DIMENSION);
    await index.query({ vector, topK: 10, exact: false });
    expect(graphSearch.mock.lastCall?.[2]).toBe(HNSW.efSearch);
    await db.configureIndex('t', { hnsw: { efSearch: 48 } });
    const { matches } = await index.query({ vector, topK: 10, exact: false });
    expect(graphSearch.mock.lastCall?.[2]).toBe(48);
    // A graph built on two threads is not deterministic, so the answer is held to a recall, not to equality.
    const exactIds = new Set((await index.query({ vector, topK: 10, exact: true })).matches.map((m) => m.id));
    expect(matches.filter((m) => exactIds.has(m.id)).length).toBeGreaterThanOrEqual(8);
  });

  it('answers exactly right after a bulk upsert into a built graph, then uses the graph once it catches up', async () => {
    await db.createIndex({ name: 't', dimension: DIMENSION, metric: 'cosine', engine: 'approximate', hnsw: HNSW });
    const index = db.index('t');
    await upsertRows(index, data, 0, 1000);
    await index.flush();
    const graphSearch = vi.spyOn(AnnIndex.prototype, 'search');
    await upsertRows(index, data, 1000, 4000); // tail: 75 % of the namespace
    await expectExactAnswers(index);
    expect(graphSearch).not.toHaveBeenCalled();

    await index.flush();
    const probe = new Float32Array(DIMENSION).fill(0.25);
    await index.upsert({ records: [{ id: 'fresh', values: probe }] }); // tail: 1 record
    expect((await index.query({ vector: probe, topK: 1, exact: false })).matches[0]?.id).toBe('fresh');
    expect(graphSearch).toHaveBeenCalled();
    await index.deleteOne({ id: 'fresh' });
    expect((await index.query({ vector: probe, topK: 3, exact: false })).matches.map((m) => m.id)).not.toContain('fresh');
  });
});
