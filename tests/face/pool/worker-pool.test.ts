import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../../src/face/pool/worker-pool.js';
import type { EchoJob } from './fixtures/echo-worker.js';

const echoWorker = new URL('./fixtures/echo-worker.js', import.meta.url);
const start = (size: number, workerData: object = {}, maxQueuedBytes?: number) => WorkerPool.start<EchoJob, string>(echoWorker, size, workerData, { maxQueuedBytes });

describe('WorkerPool', () => {
  it('runs jobs and serves lanes round-robin, so a later single job overtakes a long batch', async () => {
    const pool = await start(1);
    try {
      const finished: string[] = [];
      const batch = Symbol('batch'), single = Symbol('single');
      const jobs = ['a1', 'a2', 'a3', 'a4'].map((value) => pool.run({ kind: 'echo', value, ms: 5 }, batch).then((v) => finished.push(v)));
      jobs.push(pool.run({ kind: 'echo', value: 'b1' }, single).then((v) => finished.push(v)));
      await Promise.all(jobs);
      // a1 was dispatched at once; then the lanes alternate: a2, b1, a3, a4.
      expect(finished).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    } finally {
      await pool.close();
    }
  });

  it('refuses jobs past the byte budget of those waiting with FV_ERR_OVERLOADED, and takes them again once room is made', async () => {
    const pool = await start(1, {}, 100);
    try {
      const lane = {};
      // 'running' goes to the worker at once; the next two wait in the pool and fill its budget.
      const accepted = [pool.run({ kind: 'echo', value: 'running', ms: 50 }, lane, 100), pool.run({ kind: 'echo', value: 'waits' }, lane, 60), pool.run({ kind: 'echo', value: 'waits too' }, lane, 40)];
      await expect(pool.run({ kind: 'echo', value: 'one too many' }, lane, 1)).rejects.toMatchObject({ code: 'FV_ERR_OVERLOADED', status: 503 });
      expect(await Promise.all(accepted)).toEqual(['running', 'waits', 'waits too']);
      expect(await pool.run({ kind: 'echo', value: 'room again' }, lane, 100)).toBe('room again');
    } finally {
      await pool.close();
    }
  });

  it('re-throws a worker error with its code and details', async () => {
    const pool = await start(1);
    try {
      await expect(pool.run({ kind: 'fail' }, {})).rejects.toMatchObject({ name: 'FacevaultError', code: 'FV_ERR_NO_FACE', details: { where: 'echo' } });
      expect(await pool.run({ kind: 'echo', value: 'still alive' }, {})).toBe('still alive');
    } finally {
      await pool.close();
    }
  });

  it('fails only the running job when a worker crashes, and replaces the worker', async () => {
    const pool = await start(1);
    try {
      await expect(pool.run({ kind: 'crash' }, {})).rejects.toMatchObject({ code: 'FV_ERR_INTERNAL' });
      expect(await pool.run({ kind: 'echo', value: 'after crash' }, {})).toBe('after crash');
      expect(pool.size).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('with two jobs a worker, a short job overtakes a long one held beside it, and each answer reaches its own caller', async () => {
    const pool = await WorkerPool.start<EchoJob, string>(echoWorker, 1, {}, { jobsPerWorker: 2 });
    try {
      const finished: string[] = [];
      const lane = {};
      // One job a worker would finish slow, fast, third; two let fast and third run while slow waits.
      await Promise.all(
        [{ value: 'slow', ms: 300 }, { value: 'fast', ms: 5 }, { value: 'third', ms: 5 }].map((job) => pool.run({ kind: 'echo', ...job }, lane).then((v) => finished.push(v))),
      );
      expect(finished).toEqual(['fast', 'third', 'slow']);
    } finally {
      await pool.close();
    }
  });

  it('with two jobs a worker, a crash fails both jobs it held; a bad jobsPerWorker is refused', async () => {
    const pool = await WorkerPool.start<EchoJob, string>(echoWorker, 1, {}, { jobsPerWorker: 2 });
    try {
      const held = pool.run({ kind: 'echo', value: 'held', ms: 300 }, {});
      await expect(pool.run({ kind: 'crash' }, {})).rejects.toMatchObject({ code: 'FV_ERR_INTERNAL' });
      await expect(held).rejects.toMatchObject({ code: 'FV_ERR_INTERNAL' });
      expect(await pool.run({ kind: 'echo', value: 'after crash' }, {})).toBe('after crash');
    } finally {
      await pool.close();
    }
    await expect(WorkerPool.start<EchoJob, string>(echoWorker, 1, {}, { jobsPerWorker: 0 })).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
  });

  it('rejects start with the worker initialisation error', async () => {
    await expect(start(2, { failInit: true })).rejects.toMatchObject({ code: 'FV_ERR_MODEL_LOAD' });
    await expect(start(0)).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT' });
  });

  it('close lets the running job finish, rejects queued ones with FV_ERR_CLOSED, then refuses new ones', async () => {
    const pool = await start(1);
    const running = pool.run({ kind: 'echo', value: 'in hand', ms: 200 }, {});
    const queued = expect(pool.run({ kind: 'echo', value: 'never' }, {})).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
    await pool.close();
    expect(await running).toBe('in hand');
    await queued;
    await expect(pool.run({ kind: 'echo', value: 'x' }, {})).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
  });

  it('close rejects a job still running after the drain time with FV_ERR_CLOSED', async () => {
    const pool = await start(1);
    const running = expect(pool.run({ kind: 'echo', value: 'slow', ms: 5_000 }, {})).rejects.toMatchObject({ code: 'FV_ERR_CLOSED' });
    const started = performance.now();
    await pool.close({ drainMs: 100 });
    await running;
    expect(performance.now() - started).toBeLessThan(4_000);
  });
});
