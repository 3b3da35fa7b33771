/** Filters on the wire: shorthand spelled as $eq, so the client's own check lets false, 0 and '' through. */
import { describe, expect, it } from 'vitest';
import { wireFilter } from '../../../src/stores/pinecone/wire-filter.js';

describe('wireFilter', () => {
  it('spells top-level shorthand as $eq and leaves operators and logical clauses alone', () => {
    expect(wireFilter({ live: false, n: 0, genre: '', year: { $gt: 2019 }, $or: [{ a: 1 }, { b: false }] })).toEqual({
      live: { $eq: false },
      n: { $eq: 0 },
      genre: { $eq: '' },
      year: { $gt: 2019 },
      $or: [{ a: 1 }, { b: false }],
    });
    expect(wireFilter({})).toEqual({});
  });
});
