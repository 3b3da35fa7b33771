/**
 * A fixed pool of worker threads, each holding at most `jobsPerWorker` jobs: a worker gets its
 * next job only when it has answered one, so jobs in flight never exceed size × jobsPerWorker and
 * the rest wait in the pool's `JobQueue` (lanes served round-robin, a byte budget), never in a
 * worker's message port. CPU-bound work never blocks the caller's event loop.
 */
import type { Worker } from 'node:worker_threads';
import { fvError } from '../../errors.js';
import { startWorker } from '../../util/worker.js';
import { JobQueue, type Lane } from './job-queue.js';
import { deserializeError, type FromWorker, type ToWorker } from './protocol.js';

interface Task<Job, Result> {
  readonly id: number;
  readonly job: Job;
  readonly resolve: (result: Result) => void;
  readonly reject: (err: Error) => void;
}

interface Slot<Job, Result> {
  worker: Worker;
  /** The jobs the worker holds, by id. */
  readonly tasks: Map<number, Task<Job, Result>>;
  /** Set by close(): called when the worker answers `closed` or exits. */
  onClosed?: () => void;
}

/** How long close() lets a running job finish before it terminates the worker anyway. */
const DEFAULT_DRAIN_MS = 10_000;

export interface WorkerPoolOptions {
  /** Byte budget of the jobs waiting for a worker (see `JobQueue`). */
  readonly maxQueuedBytes?: number;
  /** Jobs a worker holds at once (default 1): a second lets one job's awaits (a decode on libuv's threads) overlap another's computing. */
  readonly jobsPerWorker?: number;
}

export class WorkerPool<Job, Result> {
  private readonly slots: Slot<Job, Result>[] = [];
  private readonly queue: JobQueue<Task<Job, Result>>;
  private nextId = 1;
  private closed = false;
  private readonly jobsPerWorker: number;

  private constructor(private readonly moduleUrl: URL, private readonly workerData: unknown, options: WorkerPoolOptions) {
    this.queue = new JobQueue(options.maxQueuedBytes);
    this.jobsPerWorker = options.jobsPerWorker ?? 1;
  }

  /**
   * Starts `size` workers from `moduleUrl` and waits until each has posted `{ type: 'ready' }`.
   * @throws the first worker's initialisation error (same code), after terminating the others;
   *   FV_ERR_INVALID_ARGUMENT for a bad `size` or `maxQueuedBytes`.
   */
  static async start<Job, Result>(moduleUrl: URL, size: number, workerData: unknown, options: WorkerPoolOptions = {}): Promise<WorkerPool<Job, Result>> {
    if (!Number.isInteger(size) || size < 1) throw fvError('FV_ERR_INVALID_ARGUMENT', `workers must be a positive integer, got ${size}`, { field: 'workers', value: size });
    const jobs = options.jobsPerWorker ?? 1;
    if (!Number.isInteger(jobs) || jobs < 1) throw fvError('FV_ERR_INVALID_ARGUMENT', `jobsPerWorker must be a positive integer, got ${jobs}`, { field: 'jobsPerWorker', value: jobs });
    const pool = new WorkerPool<Job, Result>(moduleUrl, workerData, options);
    const started = await Promise.allSettled(Array.from({ length: size }, () => pool.spawn()));
    const failure = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) {
      await pool.close();
      throw failure.reason;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Queues a job in `lane` and resolves with its result; rejects with the worker's error, code kept.
   * `bytes` is the memory the job holds while it waits (its image), counted against the budget.
   * @throws FV_ERR_OVERLOADED when the waiting jobs would pass the byte budget; FV_ERR_CLOSED after close().
   */
  run(job: Job, lane: Lane, bytes = 0): Promise<Result> {
    if (this.closed) return Promise.reject(fvError('FV_ERR_CLOSED', 'The face worker pool was used after close()'));
    return new Promise<Result>((resolve, reject) => {
      this.queue.push(lane, { id: this.nextId++, job, resolve, reject }, bytes);
      this.dispatch();
    });
  }

  /**
   * Stops the pool: queued jobs reject with FV_ERR_CLOSED at once; running jobs may finish within
   * `drainMs` (then they reject too); each worker releases its native resources before it is
   * terminated. Idempotent.
   */
  async close(options: { readonly drainMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = () => fvError('FV_ERR_CLOSED', 'The face worker pool was closed before the job finished');
    for (const task of this.queue.drain()) task.reject(closedError());
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((slot) => this.retire(slot, options.drainMs ?? DEFAULT_DRAIN_MS, closedError)));
  }

  /** Asks a worker to finish and release what it holds, waits up to `drainMs`, then terminates it. */
  private async retire(slot: Slot<Job, Result>, drainMs: number, closedError: () => Error): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      slot.onClosed = resolve;
      timer = setTimeout(resolve, drainMs);
      slot.worker.postMessage({ type: 'close' } satisfies ToWorker<Job>);
    });
    clearTimeout(timer);
    for (const task of slot.tasks.values()) task.reject(closedError());
    slot.tasks.clear();
    await slot.worker.terminate();
  }

  /** Hands waiting jobs to workers, filling each worker's first place before any worker's second. */
  private dispatch(): void {
    for (let held = 0; held < this.jobsPerWorker; held++) {
      for (const slot of this.slots) {
        if (slot.tasks.size > held) continue;
        const task = this.queue.take();
        if (!task) return;
        slot.tasks.set(task.id, task);
        slot.worker.postMessage({ type: 'job', id: task.id, job: task.job } satisfies ToWorker<Job>);
      }
    }
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = startWorker(this.moduleUrl, { workerData: this.workerData });
      const slot: Slot<Job, Result> = { worker, tasks: new Map() };
      let ready = false;
      worker.on('message', (msg: FromWorker<Result>) => {
        if (msg.type === 'ready') {
          ready = true;
          this.slots.push(slot);
          resolve();
          this.dispatch();
          return;
        }
        if (msg.type === 'closed') {
          slot.onClosed?.();
          return;
        }
        if (msg.type === 'init-failed') {
          reject(deserializeError(msg.error));
          void worker.terminate();
          return;
        }
        const task = slot.tasks.get(msg.id);
        slot.tasks.delete(msg.id);
        if (task) {
          if (msg.type === 'done') task.resolve(msg.result);
          else task.reject(deserializeError(msg.error));
        }
        this.dispatch();
      });
      // A crash (uncaught error, out of memory) fails the running job only; a fresh worker replaces the dead one.
      worker.on('error', (err) => this.lose(slot, err, ready, reject));
      worker.on('exit', (code) => this.lose(slot, new Error(`worker exited with code ${code}`), ready, reject));
    });
  }

  private lose(slot: Slot<Job, Result>, err: Error, wasReady: boolean, rejectStart: (err: Error) => void): void {
    slot.onClosed?.();
    const index = this.slots.indexOf(slot);
    if (index < 0 && wasReady) return; // already removed (close() or an earlier event for the same worker)
    if (!wasReady) {
      rejectStart(fvError('FV_ERR_INTERNAL', `A face worker failed to start: ${err.message}`));
      return;
    }
    this.slots.splice(index, 1);
    for (const task of slot.tasks.values()) task.reject(fvError('FV_ERR_INTERNAL', `A face worker crashed while running a job: ${err.message}`));
    slot.tasks.clear();
    void slot.worker.terminate();
    if (this.closed) return;
    this.spawn().then(
      () => this.dispatch(),
      (spawnError: Error) => {
        if (this.slots.length > 0) return;
        for (const task of this.queue.drain()) task.reject(spawnError);
      },
    );
  }
}
