import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/util/seeded-random.js';

describe('seededRandom', () => {
  it('repeats its sequence for a seed, stays in [0, 1), and differs between seeds', () => {
    const a = seededRandom(42), b = seededRandom(42), c = seededRandom(43);
    const first = Array.from({ length: 1000 }, () => a());
    expect(first).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(first[0]).toBe(0.6011037519201636);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(c()).not.toBe(first[0]);
  });
});
