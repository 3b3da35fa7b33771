import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnnIndex, type AnnOptions } from '../../../src/vector/ann/ann-index.js';
import { HNSW, clustered, recallAt, row, uniform } from './fixtures.js';

const dimension = 32;
let root = '';
let options: AnnOptions;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fv-ann-'));
  options = { dir: join(root, 'ann'), dimension, metric: 'cosine', hnsw: HNSW };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Sparse keys as sequence numbers are, ending at the largest key a number holds exactly. */
function keyOf(i: number, count: number): number {
  return i === count - 1 ? Number.MAX_SAFE_INTEGER : 10 + 3 * i;
}

function keysFor(from: number, to: number, count: number): number[] {
  return Array.from({ length: to - from }, (_, j) => keyOf(from + j, count));
}

describe('AnnIndex', () => {
  it('an empty index finds nothing, flushes at once and validates what it is given', async () => {
    const ann = await AnnIndex.open(options);
    expect(ann.searchableThrough).toBe(0);
    expect(ann.size).toBe(0);
    expect(ann.search(new Float32Array(dimension).fill(0.1), 10).keys.length).toBe(0);
    await ann.flush();

    const two = new Float32Array(2 * dimension);
    expect(() => ann.enqueue([1, 2], two.subarray(1))).toThrow(expect.objectContaining({ code: 'FV_ERR_VECTOR_DIMENSION' }));
    expect(() => ann.enqueue([2, 1], two)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => ann.enqueue([1, 1.5], two)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => ann.enqueue([0, 1], two)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => ann.search(new Float32Array(3), 1)).toThrow(expect.objectContaining({ code: 'FV_ERR_VECTOR_DIMENSION' }));
    expect(() => ann.search(new Float32Array(dimension), 0)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    expect(() => ann.search(new Float32Array(dimension), 1, 2.5)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));
    await ann.close();
  });

  it('finds enqueued vectors by their keys after flush, across uneven batches (recall@10 ≥ 0.95)', async () => {
    const count = 2_500;
    const data = clustered(count, dimension, 50, { noise: 0.7, seed: 11 });
    const ann = await AnnIndex.open(options);
    let from = 0;
    for (const size of [700, 1, 1_500, 299]) {
      // subarray: the index must copy a view that does not start at offset 0
      ann.enqueue(keysFor(from, from + size, count), data.subarray(from * dimension, (from + size) * dimension));
      from += size;
    }
    await ann.flush();
    expect(ann.searchableThrough).toBe(Number.MAX_SAFE_INTEGER);
    expect(ann.size).toBe(count);

    const enqueued = new Set(keysFor(0, count, count));
    for (const i of [0, 700, 701, 2_200, count - 1]) {
      const { keys, distances } = ann.search(row(data, dimension, i), 10);
      expect(keys[0]).toBe(keyOf(i, count));
      expect(distances[0]).toBeCloseTo(0, 5);
      for (const key of keys) expect(enqueued.has(key)).toBe(true);
    }
    const recall = recallAt(10, 'cosine', data, dimension, 100, (q) => ann.search(q, 10).keys, (i) => keyOf(i, count));
    expect(recall).toBeGreaterThanOrEqual(0.95);
    await ann.close();
  });

  it('persists: close → open keeps searchableThrough and answers identically, then keeps growing', async () => {
    const data = clustered(600, dimension, 20, { noise: 0.7, normalise: true, seed: 12 });
    const i8 = { ...options, hnsw: { ...HNSW, quantization: 'i8' as const } };
    const first = await AnnIndex.open(i8);
    first.enqueue(keysFor(0, 400, 600), data.subarray(0, 400 * dimension));
    await first.flush();
    const queries = [0, 13, 399].map((i) => row(data, dimension, i));
    const before = queries.map((q) => first.search(q, 5));
    await first.close();

    const second = await AnnIndex.open(i8);
    expect(second.searchableThrough).toBe(keyOf(399, 600));
    expect(second.size).toBe(400);
    expect(queries.map((q) => second.search(q, 5))).toEqual(before);
    expect(() => second.enqueue([keyOf(399, 600)], row(data, dimension, 399))).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT' }));

    second.enqueue(keysFor(400, 600, 600), data.subarray(400 * dimension));
    await second.flush();
    expect(second.size).toBe(600);
    expect(second.search(row(data, dimension, 599), 1).keys[0]).toBe(Number.MAX_SAFE_INTEGER);
    await second.close();
    expect(readdirSync(options.dir).filter((name) => name.endsWith('.usearch'))).toHaveLength(1);
  });

  it('searches with a per-query ef: a wider search finds more true neighbours on hard data', async () => {
    const hard = { ...options, dimension: 16, metric: 'euclidean' as const, hnsw: { ...HNSW, m: 4, efConstruction: 8, efSearch: 10 } };
    const data = uniform(2_000, 16);
    const ann = await AnnIndex.open(hard);
    ann.enqueue(keysFor(0, 2_000, 2_001), data);
    await ann.flush();
    const recall = (ef?: number) => recallAt(10, 'euclidean', data, 16, 40, (q) => ann.search(q, 10, ef).keys, (i) => keyOf(i, 2_001));
    expect(recall(400)).toBeGreaterThan(recall() + 0.05);
    expect(recall(10)).toBe(recall());
    await ann.close();
  });
});
