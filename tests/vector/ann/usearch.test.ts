import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../../src/errors.js';
import { HnswGraph, type GraphConfig } from '../../../src/vector/ann/usearch.js';
import type { Metric } from '../../../src/vector/types.js';
import { HNSW, clustered, recallAt, uniform } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'fv-usearch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function keys(count: number): BigUint64Array {
  return BigUint64Array.from({ length: count }, (_, i) => BigInt(i + 1));
}

describe('HnswGraph metric mapping (hand-computed)', () => {
  // query (0.6, 0.8) against a=(1,0), b=(0,2), c=(0.5,0.5):
  //   l2sq: a 0.16+0.64=0.8, b 0.36+1.44=1.8, c 0.01+0.09=0.1      → c, a, b
  //   1−cos: a 1−0.6=0.4, b 1−0.8=0.2, c 1−0.7/0.7071=0.01005       → c, b, a
  //   1−dot: a 1−0.6=0.4, b 1−1.6=−0.6, c 1−0.7=0.3                → b, c, a
  const cases: [Metric, number[], number[]][] = [
    ['euclidean', [3, 1, 2], [0.1, 0.8, 1.8]],
    ['cosine', [3, 2, 1], [0.01005, 0.2, 0.4]],
    ['dotproduct', [2, 3, 1], [-0.6, 0.3, 0.4]],
  ];
  it.each(cases)('%s ranks and scores like usearch l2sq / cos / ip', (metric, order, distances) => {
    const graph = HnswGraph.create({ dimension: 2, metric, hnsw: HNSW });
    graph.add(keys(3), Float32Array.of(1, 0, 0, 2, 0.5, 0.5), 1);
    const found = graph.search(Float32Array.of(0.6, 0.8), 3);
    expect(Array.from(found.keys)).toEqual(order);
    distances.forEach((d, i) => expect(found.distances[i]).toBeCloseTo(d, 4));
  });

  it('returns nothing from an empty graph and at most size matches', () => {
    const graph = HnswGraph.create({ dimension: 2, metric: 'euclidean', hnsw: HNSW });
    expect(graph.search(Float32Array.of(1, 1), 5).keys.length).toBe(0);
    graph.add(keys(2), Float32Array.of(1, 0, 0, 1), 1);
    expect(graph.search(Float32Array.of(1, 1), 5).keys.length).toBe(2);
  });

  it('searches a query that does not start at offset 0 of its buffer', () => {
    const graph = HnswGraph.create({ dimension: 2, metric: 'euclidean', hnsw: HNSW });
    graph.add(keys(2), Float32Array.of(1, 0, 0, 1), 1);
    const buffer = Float32Array.of(9, 9, 0, 1);
    expect(Array.from(graph.search(buffer.subarray(2), 1).keys)).toEqual([2]);
  });
});

describe('HnswGraph recall@10 on 2,000 clustered vectors (50 centres) against brute force', () => {
  const dimension = 32;
  // Face-like spread (same-cluster cosine ≈ 0.67). i8 keeps unit-length vectors only (usearch scales each
  // vector to length 1 before quantising), so its cases use normalised data; with exhaustive search its
  // quantisation alone caps recall here at about 0.97.
  const unit = clustered(2_000, dimension, 50, { noise: 0.7, normalise: true, seed: 3 });
  const raw = clustered(2_000, dimension, 50, { noise: 0.7, seed: 4 });
  const cases: [Metric, 'f32' | 'i8', Float32Array][] = [
    ['euclidean', 'f32', raw],
    ['cosine', 'f32', raw],
    ['dotproduct', 'f32', unit],
    ['euclidean', 'i8', unit],
    ['cosine', 'i8', unit],
    ['dotproduct', 'i8', unit],
  ];
  it.each(cases)('%s %s ≥ 0.95', (metric, quantization, vectors) => {
    const graph = HnswGraph.create({ dimension, metric, hnsw: { ...HNSW, quantization } });
    // One thread: the graph is then the same every run. Built on 2 threads it measured 0.99-1.0 in
    // 20 runs here, but 0.806 once in a CI run on a loaded machine (euclidean f32): a concurrent
    // insertion order usearch does not fix, which this test of the metrics must not depend on.
    graph.add(keys(2_000), vectors, 1);
    expect(recallAt(10, metric, vectors, dimension, 100, (q) => graph.search(q, 10).keys)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('HnswGraph files', () => {
  const config: GraphConfig = { dimension: 16, metric: 'euclidean', hnsw: { ...HNSW, m: 4, efConstruction: 8 } };
  const data = uniform(2_000, 16);
  const path = join(root, 'g.usearch');
  const built = HnswGraph.create(config);
  built.add(keys(2_000), data, 2);
  built.save(path);

  it('a loaded graph and a view answer like the graph that was saved', () => {
    const loaded = HnswGraph.load(path, config);
    const viewed = HnswGraph.view(path, config, config.hnsw.efSearch);
    expect(viewed.size).toBe(2_000);
    const query = data.slice(0, 16);
    expect(viewed.search(query, 10)).toEqual(built.search(query, 10));
    expect(loaded.search(query, 10)).toEqual(built.search(query, 10));
  });

  it('a view with a larger ef finds more of the true neighbours (hard, uniform data)', () => {
    const narrow = HnswGraph.view(path, config, 10);
    const wide = HnswGraph.view(path, config, 400);
    const recall = (graph: HnswGraph) => recallAt(10, 'euclidean', data, 16, 40, (q) => graph.search(q, 10).keys);
    expect(recall(wide)).toBeGreaterThan(recall(narrow) + 0.05);
  });

  it('release() empties a view', () => {
    const viewed = HnswGraph.view(path, config, 32);
    viewed.release();
    expect(viewed.size).toBe(0);
    viewed.release();
  });

  it.runIf(existsSync('/proc/self/fd/0'))('a missing file leaves file descriptor 0 alone (usearch closes fd 0 when view() cannot open)', () => {
    const stdin = readlinkSync('/proc/self/fd/0');
    for (let i = 0; i < 3; i++) expect(() => HnswGraph.view(join(root, 'missing.usearch'), config, 32)).toThrow();
    expect(readlinkSync('/proc/self/fd/0')).toBe(stdin);
  });

  it('rejects a file that is not a graph with FV_ERR_STORAGE_CORRUPT', () => {
    writeFileSync(join(root, 'junk.usearch'), 'junk that is long enough to hold a matrix header and more');
    expect(() => HnswGraph.view(join(root, 'junk.usearch'), config, 32)).toThrow(expect.objectContaining({ code: 'FV_ERR_STORAGE_CORRUPT' }));
    expect(() => HnswGraph.view(join(root, 'missing.usearch'), config, 32)).toThrow(expect.objectContaining({ code: 'FV_ERR_STORAGE_CORRUPT' }));
    try {
      HnswGraph.load(join(root, 'missing.usearch'), config);
      expect.unreachable();
    } catch (err) {
      expect(isFacevaultError(err, 'FV_ERR_STORAGE_CORRUPT')).toBe(true);
    }
  });
});
