import { describe, expect, it } from 'vitest';
import { GallerySizes } from '../../src/recognition/gallery-sizes.js';
import type { VectorStore } from '../../src/stores/vector-store.js';

/** Only `kind` is read: the store is the key. */
const storeOf = (kind: string) => ({ kind }) as unknown as VectorStore;

function counter(values: number[]) {
  let calls = 0;
  return {
    count: () => {
      calls++;
      const value = values.shift();
      return value === undefined ? Promise.reject(new Error('count failed')) : Promise.resolve(value);
    },
    get calls() {
      return calls;
    },
  };
}

describe('GallerySizes', () => {
  it('reads a remote gallery once per max age, and again once it is older', async () => {
    let now = 0;
    const sizes = new GallerySizes(10_000, () => now);
    const store = storeOf('postgres');
    const c = counter([5, 7]);
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(5);
    now = 9_999;
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(5);
    expect(c.calls).toBe(1);
    now = 10_000;
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(7);
    expect(c.calls).toBe(2);
  });

  it('shares one count among concurrent readers, and keeps galleries, indexes and stores apart', async () => {
    const sizes = new GallerySizes(10_000, () => 0);
    const store = storeOf('pinecone');
    const c = counter([3, 4, 5, 6]);
    expect(await Promise.all([sizes.read(store, 'faces', 'a', c.count), sizes.read(store, 'faces', 'a', c.count)])).toEqual([3, 3]);
    expect(await sizes.read(store, 'faces', 'b', c.count)).toBe(4);
    expect(await sizes.read(store, 'other', 'a', c.count)).toBe(5);
    expect(await sizes.read(storeOf('pinecone'), 'faces', 'a', c.count)).toBe(6);
    expect(c.calls).toBe(4);
  });

  it('counts again after forget (this process wrote to the gallery) and after a failed count', async () => {
    const sizes = new GallerySizes(10_000, () => 0);
    const store = storeOf('postgres');
    const c = counter([1, 2]);
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(1);
    sizes.forget(store, 'faces', 'default');
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(2);
    sizes.forget(store, 'faces', 'default');
    await expect(sizes.read(store, 'faces', 'default', c.count)).rejects.toThrow('count failed');
    const d = counter([9]);
    expect(await sizes.read(store, 'faces', 'default', d.count)).toBe(9);
  });

  it('never keeps an empty gallery: it is counted afresh until it holds faces', async () => {
    const sizes = new GallerySizes(10_000, () => 0);
    const store = storeOf('postgres');
    const c = counter([0, 0, 3, 9]);
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(0);
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(0);
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(3);
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(3);
    expect(c.calls).toBe(3);
  });

  it('always counts on the embedded store, where a count is in memory', async () => {
    const sizes = new GallerySizes(10_000, () => 0);
    const store = storeOf('embedded');
    const c = counter([1, 2]);
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(1);
    expect(await sizes.read(store, 'faces', 'default', c.count)).toBe(2);
  });
});
