import { describe, expect, it } from 'vitest';
import { snapshotDue } from '../../../src/vector/ann/snapshot-policy.js';

describe('snapshot policy', () => {
  it('waits for max(2,000, 5 % of the graph) new vectors', () => {
    expect(snapshotDue(1_999, 0)).toBe(false);
    expect(snapshotDue(2_000, 0)).toBe(true);
    expect(snapshotDue(4_999, 100_000)).toBe(false);
    expect(snapshotDue(5_000, 100_000)).toBe(true);
  });
});
