import { describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../../src/errors.js';
import { searchExact } from '../../../src/vector/exact/scan.js';
import { VectorSlab } from '../../../src/vector/exact/slab.js';
import { METRICS, type Metric } from '../../../src/vector/types.js';
import { at } from '../../helpers/checked.js';

function slabOf(rows: number[][]): VectorSlab {
  const slab = new VectorSlab(at(rows, 0).length);
  for (const row of rows) slab.write(slab.allocate(), Float32Array.from(row));
  return slab;
}

function search(slab: VectorSlab, query: number[], k: number, metric: Metric, candidates?: number[]) {
  const result = searchExact(slab, Float32Array.from(query), k, metric, candidates ? { candidates: Uint32Array.from(candidates) } : {});
  return { slots: [...result.slots], scores: [...result.scores] };
}

/** mulberry32: a seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRows(count: number, dim: number, seed: number): Float32Array[] {
  const next = random(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, () => next() * 2 - 1));
}

/** The float64 score of one row, as the metric defines it. */
function trueScore(row: Float32Array, query: Float32Array, metric: Metric): number {
  let dot = 0;
  let squares = 0;
  let rowNorm = 0;
  let queryNorm = 0;
  query.forEach((q, j) => {
    const x = at(row, j);
    dot += q * x;
    squares += (q - x) ** 2;
    rowNorm += x ** 2;
    queryNorm += q ** 2;
  });
  return metric === 'euclidean' ? Math.sqrt(squares) : metric === 'dotproduct' ? dot : dot / Math.sqrt(rowNorm * queryNorm);
}

/**
 * Compares with a float64 brute force over the live `candidates` (default: every live slot).
 * Rank by rank, the returned slot's true score must equal the brute force's: exact slot
 * equality would fail on near-ties that float32 rounding orders differently.
 */
function expectMatchesReference(slab: VectorSlab, rows: Float32Array[], query: Float32Array, k: number, metric: Metric, candidates?: number[]) {
  const scan = (candidates ?? rows.map((_, slot) => slot)).filter((slot) => slab.isLive(slot));
  const sign = metric === 'euclidean' ? 1 : -1;
  const expected = scan.map((slot) => trueScore(at(rows, slot), query, metric)).sort((a, b) => sign * (a - b)).slice(0, k);
  const actual = searchExact(slab, query, k, metric, candidates ? { candidates: Uint32Array.from(candidates) } : {});
  expect(actual.slots.length).toBe(expected.length);
  expect(new Set(actual.slots).size).toBe(actual.slots.length);
  actual.slots.forEach((slot, rank) => {
    expect(scan).toContain(slot);
    expect(trueScore(at(rows, slot), query, metric)).toBeCloseTo(at(expected, rank), 4);
    expect(actual.scores[rank]).toBeCloseTo(at(expected, rank), 4);
  });
}

// Rows A = [1, 2, 2] (‖A‖ = 3), B = [0, 3, 4] (‖B‖ = 5), C = [2, 0, 0].
const ABC = [[1, 2, 2], [0, 3, 4], [2, 0, 0]];

describe('searchExact on hand-computed fixtures', () => {
  it('euclidean: the true distance, lowest first', () => {
    // From q = [1, 0, 0]: A √(0+4+4) = √8, B √(1+9+16) = √26, C √1 = 1.
    const { slots, scores } = search(slabOf(ABC), [1, 0, 0], 3, 'euclidean');
    expect(slots).toEqual([2, 0, 1]);
    expect(scores[0]).toBeCloseTo(1, 6);
    expect(scores[1]).toBeCloseTo(Math.SQRT2 * 2, 6);
    expect(scores[2]).toBeCloseTo(Math.sqrt(26), 6);
  });

  it('euclidean: an identical vector is at distance exactly 0', () => {
    expect(search(slabOf(ABC), [0, 3, 4], 1, 'euclidean')).toEqual({ slots: [1], scores: [0] });
  });

  it('cosine: the similarity, highest first', () => {
    // From q = [1, 0, 0]: A 1/3, B 0, C 1.
    const { slots, scores } = search(slabOf(ABC), [1, 0, 0], 3, 'cosine');
    expect(slots).toEqual([2, 0, 1]);
    expect(scores[0]).toBeCloseTo(1, 6);
    expect(scores[1]).toBeCloseTo(1 / 3, 6);
    expect(scores[2]).toBeCloseTo(0, 6);
  });

  it('cosine: a query is compared by direction only', () => {
    // q = [0, 6, 8] is B scaled by 2: cosine 1; with A: (12+16)/(10·3) = 28/30.
    const { slots, scores } = search(slabOf(ABC), [0, 6, 8], 2, 'cosine');
    expect(slots).toEqual([1, 0]);
    expect(scores[0]).toBeCloseTo(1, 6);
    expect(scores[1]).toBeCloseTo(28 / 30, 6);
  });

  it('dotproduct: the dot product, highest first', () => {
    // From q = [1, 2, 3]: A 1+4+6 = 11, B 0+6+12 = 18, C 2.
    expect(search(slabOf(ABC), [1, 2, 3], 3, 'dotproduct')).toEqual({ slots: [1, 0, 2], scores: [18, 11, 2] });
  });

  it('counts the lanes past the last multiple of 4 (dimension 5)', () => {
    // Rows [1,1,1,1,1] and [0,0,0,0,2]; q = [0,0,0,0,3] lives entirely in the 5th lane.
    const slab = slabOf([[1, 1, 1, 1, 1], [0, 0, 0, 0, 2]]);
    const q = [0, 0, 0, 0, 3];
    const euclidean = search(slab, q, 2, 'euclidean');
    expect(euclidean.slots).toEqual([1, 0]);
    expect(euclidean.scores[0]).toBeCloseTo(1, 6); // √(0+0+0+0+1)
    expect(euclidean.scores[1]).toBeCloseTo(Math.sqrt(8), 6); // √(1+1+1+1+4)
    expect(search(slab, q, 2, 'dotproduct')).toEqual({ slots: [1, 0], scores: [6, 3] });
    const cosine = search(slab, q, 2, 'cosine');
    expect(cosine.slots).toEqual([1, 0]);
    expect(cosine.scores[1]).toBeCloseTo(1 / Math.sqrt(5), 6);
  });

  it('handles dimension 1', () => {
    // Rows -2, 5, 1; q = 2. Euclidean 4, 3, 1. Dot -4, 10, 2. Cosine -1, 1, 1 (a tie: lower slot first).
    const slab = slabOf([[-2], [5], [1]]);
    expect(search(slab, [2], 3, 'euclidean')).toEqual({ slots: [2, 1, 0], scores: [1, 3, 4] });
    expect(search(slab, [2], 3, 'dotproduct')).toEqual({ slots: [1, 2, 0], scores: [10, 2, -4] });
    expect(search(slab, [2], 3, 'cosine')).toEqual({ slots: [1, 2, 0], scores: [1, 1, -1] });
  });

  it('scores a zero vector 0 under cosine', () => {
    const { slots, scores } = search(slabOf([[0, 0, 0], [-1, 0, 0]]), [1, 0, 0], 2, 'cosine');
    expect(slots).toEqual([0, 1]);
    expect(scores[0]).toBeCloseTo(0, 6);
    expect(scores[1]).toBeCloseTo(-1, 6);
  });

  it('returns every live slot when k exceeds the live count, and nothing from an empty slab', () => {
    const slab = slabOf(ABC);
    slab.release(0);
    expect(search(slab, [1, 0, 0], 10, 'euclidean').slots).toEqual([2, 1]);
    expect(search(new VectorSlab(3), [1, 0, 0], 10, 'euclidean')).toEqual({ slots: [], scores: [] });
  });
});

describe('searchExact on slots', () => {
  it('never returns a released slot, even the nearest one, and returns its reuse', () => {
    const slab = slabOf(ABC);
    slab.release(2); // C, nearest to [1, 0, 0]
    expect(search(slab, [1, 0, 0], 3, 'euclidean').slots).toEqual([0, 1]);
    const reused = slab.allocate();
    slab.write(reused, new Float32Array([1, 0, 0]));
    expect(search(slab, [1, 0, 0], 1, 'euclidean')).toEqual({ slots: [2], scores: [0] });
  });

  it('scans only the candidates, skipping free ones, whatever their order', () => {
    const slab = slabOf([...ABC, [1, 0, 0]]);
    slab.release(3);
    expect(search(slab, [1, 0, 0], 3, 'euclidean', [1, 3, 0])).toEqual(search(slab, [1, 0, 0], 3, 'euclidean', [0, 1]));
    expect(search(slab, [1, 0, 0], 3, 'euclidean', [1, 3, 0]).slots).toEqual([0, 1]);
    expect(search(slab, [1, 0, 0], 3, 'euclidean', [])).toEqual({ slots: [], scores: [] });
  });

  it('refuses a candidate at or beyond highWater', () => {
    let error: unknown;
    try {
      search(slabOf(ABC), [1, 0, 0], 1, 'euclidean', [0, 3]);
    } catch (err) {
      error = err;
    }
    expect(isFacevaultError(error, 'FV_ERR_INTERNAL')).toBe(true);
  });
});

describe('searchExact ties', () => {
  // Slot 0 is nearest; every other slot is the same vector, at one equal distance. 2,500 rows
  // span three scan blocks, so tied slots preferred by the tie-break arrive after others filled the heap.
  const count = 2_500;
  const rows = [[0, 0, 0, 0, 0, 0, 0], ...Array.from({ length: count - 1 }, () => [1, 1, 1, 1, 1, 1, 1])];
  const slab = slabOf(rows);
  // Ids sort in reverse slot order, like `id-${9999 - slot}`.
  const ids = rows.map((_, slot) => `id-${String(9_999 - slot).padStart(4, '0')}`);
  const byId = (a: number, b: number) => (at(ids, a) < at(ids, b) ? -1 : at(ids, a) > at(ids, b) ? 1 : 0);

  it.each(METRICS)('%s: resolves the tie at the k-th place by the tie-break', (metric) => {
    const query = Float32Array.from([0.5, 0, 0, 0, 0, 0, 0]); // nearer slot 0 under euclidean, farther under the similarities
    const { slots } = searchExact(slab, query, 4, metric, { tieBreak: byId });
    const tied = [count - 1, count - 2, count - 3, count - 4];
    expect([...slots]).toEqual(metric === 'euclidean' ? [0, ...tied.slice(0, 3)] : tied);
  });

  it('defaults to the lower slot among equals', () => {
    expect([...searchExact(slab, Float32Array.from([0, 0, 0, 0, 0, 0, 0.5]), 3, 'euclidean').slots]).toEqual([0, 1, 2]);
  });

  it('applies the tie-break on the candidate path too', () => {
    const candidates = Uint32Array.from({ length: 1_500 }, (_, i) => 100 + i);
    const { slots } = searchExact(slab, Float32Array.from([0, 0, 0, 0, 0, 0, 1]), 2, 'dotproduct', { candidates, tieBreak: byId });
    expect([...slots]).toEqual([1_599, 1_598]);
  });
});

describe('searchExact against a float64 brute force on random data', () => {
  const dim = 37;
  const rows = randomRows(1_000, dim, 7);
  const slab = new VectorSlab(dim);
  for (const row of rows) slab.write(slab.allocate(), row);
  const queries = randomRows(5, dim, 11);

  it.each(METRICS)('%s: same slots, scores within 1e-4', (metric) => {
    for (const query of queries) expectMatchesReference(slab, rows, query, 10, metric);
  });

  it.each(METRICS)('%s: with candidates and released slots', (metric) => {
    const released = new VectorSlab(dim);
    for (const row of rows) released.write(released.allocate(), row);
    for (let slot = 0; slot < rows.length; slot += 3) released.release(slot);
    const candidates = rows.map((_, slot) => slot).filter((slot) => slot % 2 === 0);
    for (const query of queries) {
      expectMatchesReference(released, rows, query, 25, metric);
      expectMatchesReference(released, rows, query, 25, metric, candidates);
    }
  });

  it.each([1, 4, 70, 128])('dimension %i: every metric matches, across growth and blocks', (dimension) => {
    const many = randomRows(2_100, dimension, dimension);
    const grown = new VectorSlab(dimension);
    for (const row of many) grown.write(grown.allocate(), row);
    for (const metric of METRICS) for (const query of randomRows(2, dimension, 100 + dimension)) expectMatchesReference(grown, many, query, 5, metric);
  });
});
