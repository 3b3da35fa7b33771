import { describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../../src/errors.js';
import { searchExact } from '../../../src/vector/exact/scan.js';
import { VectorSlab } from '../../../src/vector/exact/slab.js';
import { at } from '../../helpers/checked.js';

function expectCode(fn: () => unknown, code: 'FV_ERR_CAPACITY' | 'FV_ERR_INTERNAL' | 'FV_ERR_INVALID_ARGUMENT'): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isFacevaultError(caught, code), String(caught)).toBe(true);
}

/** Row i of a slab of dimension `dim` in these tests: i*1000 + j, exact in float32. */
const rowOf = (i: number, dim: number): Float32Array => Float32Array.from({ length: dim }, (_, j) => i * 1000 + j);

describe('VectorSlab', () => {
  it('writes and reads back a row of a dimension that is not a multiple of 4', () => {
    const slab = new VectorSlab(5);
    const slot = slab.allocate();
    slab.write(slot, new Float32Array([1.5, -2, 3, 4, 5.25]));
    expect([...slab.read(slot)]).toEqual([1.5, -2, 3, 4, 5.25]);
  });

  it('reads a copy, not a view into its memory', () => {
    const slab = new VectorSlab(2);
    const slot = slab.allocate();
    slab.write(slot, new Float32Array([1, 2]));
    slab.read(slot)[0] = 99;
    expect([...slab.read(slot)]).toEqual([1, 2]);
  });

  it('writes from an offset into a packed batch, and writeMany writes rows packed by dimension', () => {
    const slab = new VectorSlab(3);
    const packed = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const a = slab.allocate();
    slab.write(a, packed, 3);
    const slots = [slab.allocate(), slab.allocate(), slab.allocate()];
    slab.writeMany(slots, packed);
    expect([...slab.read(a)]).toEqual([4, 5, 6]);
    expect(slots.map((s) => [...slab.read(s)])).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  });

  it('writeMany copies runs of consecutive slots at once and keeps the norms, for padded and unpadded rows', () => {
    for (const dim of [4, 6]) {
      const slab = new VectorSlab(dim);
      const slots = Array.from({ length: 8 }, () => slab.allocate());
      // Runs 0-2 and 5-6, a step back to 3, and a lone 7: every boundary of a run.
      const order = [0, 1, 2, 5, 6, 3, 7, 4].map((i) => at(slots, i));
      const packed = new Float32Array(order.length * dim);
      order.forEach((_, i) => packed.set(rowOf(i + 1, dim), i * dim));
      slab.writeMany(order, packed);
      order.forEach((slot, i) => expect([...slab.read(slot)], `dim ${dim}, slot ${slot}`).toEqual([...rowOf(i + 1, dim)]));
      // The norms follow the rows: every cosine score is the one computed here from the rows.
      const query = Float32Array.from({ length: dim }, (_, j) => (j % 3) - 1);
      const found = searchExact(slab, query, order.length, 'cosine');
      const cosine = (x: Float32Array) => x.reduce((sum, v, j) => sum + v * at(query, j), 0) / Math.hypot(...x) / Math.hypot(...query);
      for (const [r, slot] of found.slots.entries()) expect(found.scores[r]).toBeCloseTo(cosine(rowOf(order.indexOf(slot) + 1, dim)), 5);
    }
  });

  it('holds dimension 1', () => {
    const slab = new VectorSlab(1);
    const slots = [slab.allocate(), slab.allocate()];
    slab.writeMany(slots, new Float32Array([-7, 0.5]));
    expect([...slab.read(at(slots, 0))]).toEqual([-7]);
    expect([...slab.read(at(slots, 1))]).toEqual([0.5]);
  });

  it('keeps every row across several doublings', () => {
    const dim = 37;
    const slab = new VectorSlab(dim);
    const firstCapacity = slab.capacity;
    const count = firstCapacity * 8 + 3;
    for (let i = 0; i < count; i++) slab.write(slab.allocate(), rowOf(i, dim));
    expect(slab.capacity).toBeGreaterThan(firstCapacity * 8); // three doublings at least
    expect(slab.highWater).toBe(count);
    expect(slab.liveCount).toBe(count);
    for (let i = 0; i < count; i++) expect(slab.read(i)).toEqual(rowOf(i, dim));
    expect(slab.bytes).toBeGreaterThan(count * dim * 4);
  });

  it('makes room for initialCapacity up front', () => {
    const slab = new VectorSlab(128, { initialCapacity: 10_000 });
    expect(slab.capacity).toBeGreaterThanOrEqual(10_000);
    expect(slab.capacity).toBeLessThan(10_200);
  });

  it('reuses released slots before appending, last released first', () => {
    const slab = new VectorSlab(2);
    const [a, b, c] = [slab.allocate(), slab.allocate(), slab.allocate()];
    expect([a, b, c]).toEqual([0, 1, 2]);
    slab.release(a);
    slab.release(c);
    expect(slab.isLive(a)).toBe(false);
    expect(slab.isLive(b)).toBe(true);
    expect(slab.liveCount).toBe(1);
    expect(slab.allocate()).toBe(c);
    expect(slab.allocate()).toBe(a);
    expect(slab.allocate()).toBe(3);
    expect(slab.highWater).toBe(4);
    expect(slab.liveCount).toBe(4);
  });

  it('refuses to touch a slot that is not live (free, released, or never allocated)', () => {
    const slab = new VectorSlab(2);
    const slot = slab.allocate();
    slab.release(slot);
    expectCode(() => slab.release(slot), 'FV_ERR_INTERNAL');
    expectCode(() => slab.read(slot), 'FV_ERR_INTERNAL');
    expectCode(() => slab.write(slot, new Float32Array(2)), 'FV_ERR_INTERNAL');
    expectCode(() => slab.writeMany([5], new Float32Array(2)), 'FV_ERR_INTERNAL');
    expect(slab.isLive(12345)).toBe(false);
  });

  it('throws FV_ERR_CAPACITY when it would exceed its addressable memory, keeping what it holds', () => {
    const slab = new VectorSlab(128, { maxBytes: 2 * 65_536 });
    let held = 0;
    let error: unknown;
    try {
      for (;;) {
        slab.write(slab.allocate(), rowOf(held, 128));
        held++;
      }
    } catch (err) {
      error = err;
    }
    expect(isFacevaultError(error, 'FV_ERR_CAPACITY')).toBe(true);
    expect((error as Error).message).toMatch(/at most \d+ vectors of dimension 128/);
    expect(held).toBeGreaterThan(200);
    expect(slab.liveCount).toBe(held);
    expect(slab.bytes).toBeLessThanOrEqual(2 * 65_536 + held + 1000);
    expect(slab.read(held - 1)).toEqual(rowOf(held - 1, 128));
  });

  it('rejects a maxBytes that cannot hold one row', () => {
    expectCode(() => new VectorSlab(20_000, { maxBytes: 65_536 }), 'FV_ERR_INVALID_ARGUMENT');
  });
});
