/** Approximate queries when much of the namespace is not in the graph yet: one exact scan answers. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnnIndex } from '../../src/vector/ann/ann-index.js';
import { GRAPH_MIN_RECORDS } from '../../src/vector/ann/graph-policy.js';
import type { VectorIndex } from '../../src/vector/vector-index.js';
import { useTempDatabase } from '../helpers/temp-database.js';
import { clustered } from './ann/fixtures.js';

const DIMENSION = 16;
const HNSW = { m: 8, efConstruction: 32, efSearch: 16, quantization: 'f32' as const };
/** Records first written and built: the fewest that get a graph. Then three times as many follow. */
const BUILT = GRAPH_MIN_RECORDS;
const ALL = 4 * BUILT;

async function upsertRows(index: VectorIndex, data: Float32Array, from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 1000) {
    const records = [];
    for (let i = start; i < Math.min(to, start + 1000); i++) records.push({ id: `v${i}`, values: data.subarray(i * DIMENSION, (i + 1) * DIMENSION), metadata: { even: i % 2 === 0 } });
    await index.upsert({ records });
  }
}

describe('approximate query with a large unbuilt tail', () => {
  const temp = useTempDatabase();
  const data = clustered(ALL, DIMENSION, 40, { noise: 0.6, normalise: true });
  const queries = clustered(20, DIMENSION, 40, { noise: 0.6, normalise: true, seed: 9 });
  afterEach(() => {
    vi.restoreAllMocks();
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
    await temp.db.createIndex({ name: 't', dimension: DIMENSION, metric: 'cosine', engine: 'exact', hnsw: HNSW });
    const index = temp.db.index('t');
    await upsertRows(index, data, 0, ALL);
    const graphSearch = vi.spyOn(AnnIndex.prototype, 'search');
    await expectExactAnswers(index);
    await expectExactAnswers(index, { even: true });
    expect(graphSearch).not.toHaveBeenCalled();
  });

  it('searches an open graph with the width configureIndex sets, without a reopen', async () => {
    await temp.db.createIndex({ name: 't', dimension: DIMENSION, metric: 'cosine', engine: 'approximate', hnsw: HNSW });
    const index = temp.db.index('t');
    await upsertRows(index, data, 0, BUILT);
    await index.flush();
    const graphSearch = vi.spyOn(AnnIndex.prototype, 'search');
    const vector = queries.subarray(0, DIMENSION);
    await index.query({ vector, topK: 10, exact: false });
    expect(graphSearch.mock.lastCall?.[2]).toBe(HNSW.efSearch);
    // 96: this weak graph (m 8, efConstruction 32) of 4K noisy records found 7-8 of the top 10 at
    // width 48 and 9-10 at 96 for this query, over three builds.
    await temp.db.configureIndex('t', { hnsw: { efSearch: 96 } });
    const { matches } = await index.query({ vector, topK: 10, exact: false });
    expect(graphSearch.mock.lastCall?.[2]).toBe(96);
    // A graph built on two threads is not deterministic, so the answer is held to a recall, not to equality.
    const exactIds = new Set((await index.query({ vector, topK: 10, exact: true })).matches.map((m) => m.id));
    expect(matches.filter((m) => exactIds.has(m.id)).length).toBeGreaterThanOrEqual(8);
  });

  it('answers exactly right after a bulk upsert into a built graph, then uses the graph once it catches up', async () => {
    await temp.db.createIndex({ name: 't', dimension: DIMENSION, metric: 'cosine', engine: 'approximate', hnsw: HNSW });
    const index = temp.db.index('t');
    await upsertRows(index, data, 0, BUILT);
    await index.flush();
    const graphSearch = vi.spyOn(AnnIndex.prototype, 'search');
    await upsertRows(index, data, BUILT, ALL); // tail: 75 % of the namespace
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
