import { describe, expect, it } from 'vitest';
import { forEachConcurrent } from '../../src/recognition/concurrent.js';

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
