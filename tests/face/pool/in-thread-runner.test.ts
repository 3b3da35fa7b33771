import { describe, expect, it } from 'vitest';
import { InThreadRunner } from '../../../src/face/pool/in-thread-runner.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InThreadRunner', () => {
  it('runs one job at a time however many are submitted, and serves lanes round-robin', async () => {
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const runner = new InThreadRunner(async (job: string) => {
      peak = Math.max(peak, ++running);
      await tick();
      running--;
      order.push(job);
      return job.toUpperCase();
    });
    const batch = Symbol('batch');
    const results = await Promise.all([...['a1', 'a2', 'a3'].map((job) => runner.run(job, batch)), runner.run('b1', Symbol('single'))]);
    expect(results).toEqual(['A1', 'A2', 'A3', 'B1']);
    expect(peak).toBe(1);
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3']);
  });

  it('settles a job that throws synchronously and keeps going', async () => {
    const runner = new InThreadRunner((job: string) => {
      if (job === 'bad') throw new Error('thrown before any promise');
      return Promise.resolve(job);
    });
    const [bad, good] = await Promise.allSettled([runner.run('bad', {}), runner.run('good', {})]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'thrown before any promise' } });
    expect(good).toEqual({ status: 'fulfilled', value: 'good' });
  });

  it('refuses a job past the byte budget with FV_ERR_OVERLOADED', async () => {
    const runner = new InThreadRunner(async (job: string) => job, { maxQueuedBytes: 100 });
    const lane = {};
    // The first is taken at once; the next two wait and fill the budget.
    const accepted = [runner.run('running', lane, 100), runner.run('waits', lane, 60), runner.run('waits too', lane, 40)];
    await expect(runner.run('one too many', lane, 1)).rejects.toMatchObject({ code: 'FV_ERR_OVERLOADED', status: 503 });
    expect(await Promise.all(accepted)).toEqual(['running', 'waits', 'waits too']);
  });

  it('close lets the running job finish, rejects waiting ones with FV_ERR_CLOSED, then refuses new ones', async () => {
    const runner = new InThreadRunner(async (job: string) => {
      await tick();
      return job;
    });
    const running = runner.run('in hand', {});
    const waiting = expect(runner.run('never', {})).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
    await runner.close();
    expect(await running).toBe('in hand');
    await waiting;
    await expect(runner.run('x', {})).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
  });
});
