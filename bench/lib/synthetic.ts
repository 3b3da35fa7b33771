/** Seeded synthetic vector sets for benchmarks: reproducible across runs and machines. */

import { seededRandom } from '../../src/util/seeded-random.js';

export { seededRandom };

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** The reference scenario's data: uniform(-2, 2) in every dimension. */
export function uniformVectors(n: number, dimension: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(n * dimension);
  for (let i = 0; i < out.length; i++) out[i] = random() * 4 - 2;
  return out;
}

function normalizeRows(data: Float32Array, dimension: number): void {
  for (let row = 0; row < data.length; row += dimension) {
    const vector = data.subarray(row, row + dimension);
    let norm = 0;
    for (const x of vector) norm += x ** 2;
    const inv = 1 / Math.sqrt(norm);
    vector.forEach((x, d) => {
      vector[d] = x * inv;
    });
  }
}

/**
 * Face-like data: identities are random unit directions; each sample is its identity plus
 * gaussian noise of norm ≈ `noise`, L2-normalised — like several photos of one person in
 * embedding space (noise 0.5: same-identity cosine ≈ 0.8, different ≈ 0 ± 0.09).
 * Returns `n` samples assigned round-robin to `centres` identities (n / centres photos each),
 * and `queries` held-out samples of random identities.
 */
export function clusteredVectors(n: number, queries: number, dimension: number, centres: number, noise: number, seed: number): { data: Float32Array; queries: Float32Array } {
  const random = seededRandom(seed);
  const centre = new Float32Array(centres * dimension);
  for (let i = 0; i < centre.length; i++) centre[i] = gaussian(random);
  normalizeRows(centre, dimension);
  const sample = (count: number, roundRobin: boolean) => {
    const out = new Float32Array(count * dimension);
    for (let i = 0; i < count; i++) {
      const c = (roundRobin ? i % centres : Math.floor(random() * centres)) * dimension;
      centre.subarray(c, c + dimension).forEach((x, d) => {
        out[i * dimension + d] = x + noise * gaussian(random) / Math.sqrt(dimension);
      });
    }
    normalizeRows(out, dimension);
    return out;
  };
  return { data: sample(n, true), queries: sample(queries, false) };
}

export function row(data: Float32Array, dimension: number, i: number): Float32Array {
  return data.subarray(i * dimension, (i + 1) * dimension);
}
