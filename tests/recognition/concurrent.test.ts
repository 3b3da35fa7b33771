import { describe, expect, it } from 'vitest';
import { forEachConcurrent, mapInOrder } from '../../src/recognition/concurrent.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('forEachConcurrent', () => {
  it('keeps at most `limit` tasks in flight and runs every item', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    async function* items() {
      for (let i = 0; i < 7; i++) yield i;
    }
    await forEachConcurrent(items(), 3, async (n) => {
      peak = Math.max(peak, ++inFlight);
      await tick();
      inFlight--;
      done.push(n);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('takes no new item once aborted, and lets the ones in flight finish', async () => {
    const controller = new AbortController();
    const finished: number[] = [];
    await forEachConcurrent([0, 1, 2, 3, 4, 5], 2, async (n) => {
      if (n === 1) controller.abort();
      await tick();
      finished.push(n);
    }, controller.signal);
    expect(finished.sort()).toEqual([0, 1]);
  });

  it('rethrows the first failure after the tasks in flight settle', async () => {
    const finished: number[] = [];
    const run = forEachConcurrent([0, 1, 2, 3], 2, async (n) => {
      if (n === 0) throw new Error('first');
      await tick();
      finished.push(n);
    });
    await expect(run).rejects.toThrow('first');
    expect(finished).toEqual([1]);
  });
});

describe('mapInOrder', () => {
  it('yields outcomes in the items\' order with at most `limit` tasks in flight, a failure as { item, error }', async () => {
    let inFlight = 0;
    let peak = 0;
    const outcomes = [];
    // Later items finish first: order comes from the window, not from completion.
    for await (const outcome of mapInOrder([5, 4, 3, 2, 1, 0], 3, async (n) => {
      peak = Math.max(peak, ++inFlight);
      for (let i = 0; i < n; i++) await tick();
      inFlight--;
      if (n === 2) throw new Error('two');
      return n * 10;
    })) outcomes.push(outcome);
    expect(peak).toBe(3);
    expect(outcomes).toEqual([{ item: 5, value: 50 }, { item: 4, value: 40 }, { item: 3, value: 30 }, { item: 2, error: new Error('two') }, { item: 1, value: 10 }, { item: 0, value: 0 }]);
  });

  it('starts nothing more once the caller stops, and leaves no rejection unhandled', async () => {
    const started: number[] = [];
    for await (const outcome of mapInOrder([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      throw new Error(`failed ${n}`);
    })) {
      expect(outcome).toEqual({ item: 0, error: new Error('failed 0') });
      break;
    }
    await tick();
    expect(started).toEqual([0, 1]);
  });
});
