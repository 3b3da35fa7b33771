import { describe, expect, it } from 'vitest';
import { JobQueue } from '../../../src/face/pool/job-queue.js';
import { at } from '../../helpers/checked.js';

describe('JobQueue', () => {
  it('serves lanes round-robin, each in its own order', () => {
    const queue = new JobQueue<string>(1_000);
    const batch = Symbol('batch'), single = Symbol('single');
    for (const item of ['a1', 'a2', 'a3']) queue.push(batch, item, 1);
    queue.push(single, 'b1', 1);
    expect([queue.take(), queue.take(), queue.take(), queue.take(), queue.take()]).toEqual(['a1', 'b1', 'a2', 'a3', undefined]);
  });

  it('refuses a job past its byte budget with FV_ERR_OVERLOADED (503), and takes it again once room is made', () => {
    const queue = new JobQueue<string>(100);
    queue.push({}, 'sixty', 60);
    queue.push({}, 'forty', 40);
    let refused: unknown;
    try {
      queue.push({}, 'one more', 1);
    } catch (err) {
      refused = err;
    }
    expect(refused).toMatchObject({ code: 'FV_ERR_OVERLOADED', status: 503, details: { queuedBytes: 100, bytes: 1, maxQueuedBytes: 100 } });
    expect(queue.take()).toBe('sixty');
    expect(queue.queuedBytes).toBe(40);
    queue.push({}, 'fits now', 60);
    expect(queue.queuedBytes).toBe(100);
  });

  it('drain empties it and hands back every waiting item', () => {
    const queue = new JobQueue<number>(1_000);
    const lanes = [{}, {}];
    for (let i = 0; i < 6; i++) queue.push(at(lanes, i % 2), i, 10);
    expect(queue.drain().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(queue.queuedBytes).toBe(0);
    expect(queue.take()).toBeUndefined();
  });

  it('rejects a budget that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN]) expect(() => new JobQueue(bad)).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT', details: { field: 'maxQueuedBytes', value: bad } }));
    expect(() => new JobQueue(Infinity)).not.toThrow();
  });
});
