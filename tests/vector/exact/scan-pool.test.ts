import { afterAll, describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../../src/errors.js';
import { searchExact, type TieBreak } from '../../../src/vector/exact/scan.js';
import { ScanPool } from '../../../src/vector/exact/scan-pool.js';
import { SCAN_THREADS } from '../../../src/vector/exact/slab-layout.js';
import { VectorSlab } from '../../../src/vector/exact/slab.js';
import { METRICS } from '../../../src/vector/types.js';
import { seededRandom } from '../../../src/util/seeded-random.js';

const pool = ScanPool.shared();
const slabs: VectorSlab[] = [];

function slabOf(count: number, dimension: number, seed: number, fill?: (row: Float32Array, i: number) => void): VectorSlab {
  const next = seededRandom(seed);
  const slab = new VectorSlab(dimension);
  const row = new Float32Array(dimension);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dimension; j++) row[j] = next() * 2 - 1;
    fill?.(row, i);
    slab.write(slab.allocate(), row);
  }
  slabs.push(slab);
  return slab;
}

const plain = (result: { slots: Uint32Array; scores: Float32Array }) => ({ slots: [...result.slots], scores: [...result.scores] });

afterAll(() => {
  for (const slab of slabs) pool.release(slab);
  expect(pool.threadCount).toBe(0);
});

describe('ScanPool: exact scans on the scan threads', () => {
  it('returns exactly what the in-thread scan returns, for every metric, k and share boundary', async () => {
    // Not a multiple of the block or of the thread count: the last share is short.
    const slab = slabOf(5_000 + 37, 24, 7);
    const query = Float32Array.from({ length: 24 }, (_, j) => Math.sin(j));
    for (const metric of METRICS) {
      for (const k of [1, 10, 999, 6_000]) {
        expect(plain(await pool.search(slab, query, k, metric)), `${metric} k=${k}`).toEqual(plain(searchExact(slab, query, k, metric)));
      }
    }
    expect(pool.threadCount).toBe(SCAN_THREADS);
  });

  it('skips released slots and scans a candidate list split over the threads', async () => {
    const slab = slabOf(4_000, 16, 8);
    for (let slot = 0; slot < 4_000; slot += 3) slab.release(slot);
    const candidates = Uint32Array.from({ length: 2_500 }, (_, i) => (i * 7919) % 4_000);
    const unique = Uint32Array.from(new Set(candidates));
    const query = Float32Array.from({ length: 16 }, (_, j) => j / 16);
    for (const metric of METRICS) {
      expect(plain(await pool.search(slab, query, 50, metric))).toEqual(plain(searchExact(slab, query, 50, metric)));
      const options = { candidates: unique };
      expect(plain(await pool.search(slab, query, 50, metric, options))).toEqual(plain(searchExact(slab, query, 50, metric, options)));
    }
  });

  it('breaks ties at the k-th place by the caller’s tie-break, across threads, as the in-thread scan does', async () => {
    // 3,000 copies of one vector spread over every thread's share, among random rows far from the query:
    // the top 10 are all tied, and the tie-break (here: higher slot first) decides which.
    const slab = slabOf(6_000, 8, 9, (row, i) => {
      if (i % 2 === 0) row.fill(0.5);
      else row.fill(5);
    });
    const query = new Float32Array(8).fill(0.5);
    const higherSlotFirst: TieBreak = (a, b) => b - a;
    const euclidean = searchExact(slab, query, 10, 'euclidean', { tieBreak: higherSlotFirst });
    expect([...euclidean.slots]).toEqual([5998, 5996, 5994, 5992, 5990, 5988, 5986, 5984, 5982, 5980]);
    // Under cosine every row is tied (all point the same way); under dotproduct the far rows win, tied.
    for (const metric of METRICS) {
      const expected = searchExact(slab, query, 10, metric, { tieBreak: higherSlotFirst });
      expect(plain(await pool.search(slab, query, 10, metric, { tieBreak: higherSlotFirst })), metric).toEqual(plain(expected));
    }
  });

  it('answers an empty slab and k < 1 without starting work', async () => {
    const slab = new VectorSlab(4);
    slabs.push(slab);
    expect(plain(await pool.search(slab, new Float32Array(4), 5, 'cosine'))).toEqual({ slots: [], scores: [] });
  });

  it('refuses a candidate beyond the rows with FV_ERR_INTERNAL instead of reading outside them', async () => {
    const slab = slabOf(100, 4, 10);
    const error = await pool.search(slab, new Float32Array(4), 5, 'euclidean', { candidates: Uint32Array.of(1, 100) }).catch((err: unknown) => err);
    expect(isFacevaultError(error, 'FV_ERR_INTERNAL'), String(error)).toBe(true);
  });

  it('keeps answering right after the slab grows (the tables move; the threads follow the new layout)', async () => {
    const slab = slabOf(1_000, 12, 11);
    const query = Float32Array.from({ length: 12 }, (_, j) => Math.cos(j));
    await pool.search(slab, query, 5, 'cosine');
    const capacity = slab.capacity;
    const row = new Float32Array(12);
    for (let i = 0; slab.capacity === capacity; i++) slab.write(slab.allocate(), row.fill(i % 5));
    expect(plain(await pool.search(slab, query, 20, 'cosine'))).toEqual(plain(searchExact(slab, query, 20, 'cosine')));
  });
});
