/** Synthetic data and brute-force ground truth for the ANN tests. */
import { seededRandom } from '../../../src/util/seeded-random.js';
import type { Metric } from '../../../src/vector/types.js';
import { at } from '../../helpers/checked.js';

/** Deterministic PRNG so that a failing recall reproduces. */
export const random = seededRandom;

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** `count` vectors around `centres` random centres with Gaussian noise, optionally scaled to unit length. */
export function clustered(count: number, dimension: number, centres: number, options: { noise?: number; normalise?: boolean; seed?: number } = {}): Float32Array {
  const next = random(options.seed ?? 1);
  const centre = new Float32Array(centres * dimension).map(() => gaussian(next));
  const out = new Float32Array(count * dimension);
  for (let i = 0; i < count; i++) {
    const c = i % centres;
    let norm = 0;
    for (let j = 0; j < dimension; j++) {
      const value = at(centre, c * dimension + j) + (options.noise ?? 0.2) * gaussian(next);
      out[i * dimension + j] = value;
      norm += value * value;
    }
    if (options.normalise) {
      const vector = out.subarray(i * dimension, (i + 1) * dimension);
      vector.forEach((value, j) => {
        vector[j] = value / Math.sqrt(norm);
      });
    }
  }
  return out;
}

export function uniform(count: number, dimension: number, seed = 7): Float32Array {
  const next = random(seed);
  return new Float32Array(count * dimension).map(() => next() * 2 - 1);
}

/** Row `i` of a row-major matrix as its own array (offset 0). */
export function row(matrix: Float32Array, dimension: number, i: number): Float32Array {
  return matrix.slice(i * dimension, (i + 1) * dimension);
}

/** Smaller is closer, like usearch's l2sq, 1 − cos and 1 − dot. */
function distance(metric: Metric, a: Float32Array, b: Float32Array, offset: number): number {
  let dot = 0, aa = 0, bb = 0, l2 = 0;
  for (let j = 0; j < a.length; j++) {
    const x = at(a, j), y = at(b, offset + j);
    dot += x * y;
    aa += x * x;
    bb += y * y;
    l2 += (x - y) * (x - y);
  }
  if (metric === 'euclidean') return l2;
  if (metric === 'cosine') return 1 - dot / Math.sqrt(aa * bb);
  return 1 - dot;
}

/** Exact top-k keys (key of row i is keyOf(i)). */
export function bruteForce(metric: Metric, data: Float32Array, dimension: number, query: Float32Array, k: number, keyOf: (i: number) => number = (i) => i + 1): number[] {
  const count = data.length / dimension;
  const scored = Array.from({ length: count }, (_, i) => ({ key: keyOf(i), d: distance(metric, query, data, i * dimension) }));
  return scored.sort((x, y) => x.d - y.d).slice(0, k).map((s) => s.key);
}

/** Share of the true top-k found by `search`, with every 7th row as a query. */
export function recallAt(k: number, metric: Metric, data: Float32Array, dimension: number, queries: number, search: (query: Float32Array) => ArrayLike<number>, keyOf?: (i: number) => number): number {
  let found = 0;
  for (let q = 0; q < queries; q++) {
    const query = row(data, dimension, q * 7);
    const truth = new Set(bruteForce(metric, data, dimension, query, k, keyOf));
    for (const key of Array.from(search(query))) if (truth.has(key)) found++;
  }
  return found / (queries * k);
}

export const HNSW = { m: 16, efConstruction: 64, efSearch: 32, quantization: 'f32' as const };
