import { describe, expect, it } from 'vitest';
import { TopKSelector } from '../../../src/vector/exact/top-k.js';

function offerAll(selector: TopKSelector, entries: [key: number, slot: number][]): void {
  let threshold = Infinity;
  for (const [key, slot] of entries) if (key <= threshold) threshold = selector.offer(key, slot);
}

describe('TopKSelector', () => {
  it('keeps the k lowest keys, best first, whatever the offer order', () => {
    const selector = new TopKSelector();
    selector.reset(3);
    offerAll(selector, [[5, 0], [1, 1], [4, 2], [2, 3], [9, 4], [3, 5]]);
    const { slots, keys } = selector.drain();
    expect([...slots]).toEqual([1, 3, 5]);
    expect([...keys]).toEqual([1, 2, 3]);
  });

  it('returns +Infinity as threshold until full, then the worst kept key', () => {
    const selector = new TopKSelector();
    selector.reset(2);
    expect(selector.offer(7, 0)).toBe(Infinity);
    expect(selector.offer(3, 1)).toBe(7);
    expect(selector.offer(5, 2)).toBe(5);
  });

  it('decides a tie at the k-th place by the tie-break, not by arrival', () => {
    const selector = new TopKSelector();
    // Prefer higher slots among equals (e.g. ids sorting in reverse slot order).
    selector.reset(2, (a, b) => b - a);
    offerAll(selector, [[1, 0], [2, 1], [2, 2], [2, 3]]);
    expect([...selector.drain().slots]).toEqual([0, 3]);
  });

  it('orders equal keys by lower slot without a tie-break', () => {
    const selector = new TopKSelector();
    selector.reset(3);
    offerAll(selector, [[2, 9], [2, 4], [2, 7], [2, 1]]);
    expect([...selector.drain().slots]).toEqual([1, 4, 7]);
  });

  it('returns fewer than k when fewer were offered, and is empty after drain', () => {
    const selector = new TopKSelector();
    selector.reset(10);
    offerAll(selector, [[3, 0], [1, 1]]);
    expect([...selector.drain().slots]).toEqual([1, 0]);
    expect(selector.drain().slots.length).toBe(0);
  });

  it('grows its buffers for a larger k after a smaller one', () => {
    const selector = new TopKSelector();
    selector.reset(1);
    offerAll(selector, [[1, 0]]);
    selector.drain();
    selector.reset(5);
    offerAll(selector, [5, 4, 3, 2, 1, 0].map((key, slot) => [key, slot] as [number, number]));
    expect([...selector.drain().slots]).toEqual([5, 4, 3, 2, 1]);
  });
});
