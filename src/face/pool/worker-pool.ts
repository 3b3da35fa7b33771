/**
 * A fixed pool of worker threads running one job at a time each, so CPU-bound work never blocks
 * the caller's event loop. Jobs wait in lanes (one per caller batch) served round-robin: a
 * 10,000-image enrolment does not hold back a single verify that arrives after it.
 */
import type { Transferable, Worker } from 'node:worker_threads';
import { fvError } from '../../errors.js';
import { startWorker } from '../../util/worker.js';
import { deserializeError, type FromWorker, type ToWorker } from './protocol.js';

interface Task<Job, Result> {
  readonly id: number;
  readonly job: Job;
  readonly transfer: readonly Transferable[];
  readonly resolve: (result: Result) => void;
  readonly reject: (err: Error) => void;
}

interface Slot<Job, Result> {
  worker: Worker;
  task: Task<Job, Result> | undefined;
  /** Set by close(): called when the worker answers `closed` or exits. */
  onClosed?: () => void;
}

/** How long close() lets a running job finish before it terminates the worker anyway. */
const DEFAULT_DRAIN_MS = 10_000;

/** A lane groups the jobs of one caller request; any object (or symbol) identifies it. */
export type Lane = object | symbol;

export class WorkerPool<Job, Result> {
  private readonly slots: Slot<Job, Result>[] = [];
  private readonly lanes = new Map<Lane, Task<Job, Result>[]>();
  private readonly order: Lane[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(private readonly moduleUrl: URL, private readonly workerData: unknown) {}

  /**
   * Starts `size` workers from `moduleUrl` and waits until each has posted `{ type: 'ready' }`.
   * @throws the first worker's initialisation error (same code), after terminating the others.
   */
  static async start<Job, Result>(moduleUrl: URL, size: number, workerData: unknown): Promise<WorkerPool<Job, Result>> {
    if (!Number.isInteger(size) || size < 1) throw fvError('FV_ERR_INVALID_ARGUMENT', `workers must be a positive integer, got ${size}`, { field: 'workers', value: size });
    const pool = new WorkerPool<Job, Result>(moduleUrl, workerData);
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
   * `transfer` lists buffers of the job moved (not copied) to the worker.
   * @throws FV_ERR_CLOSED after close().
   */
  run(job: Job, lane: Lane, transfer: readonly Transferable[] = []): Promise<Result> {
    if (this.closed) return Promise.reject(fvError('FV_ERR_CLOSED', 'The face worker pool was used after close()'));
    return new Promise<Result>((resolve, reject) => {
      const queue = this.lanes.get(lane);
      const task = { id: this.nextId++, job, transfer, resolve, reject };
      if (queue) queue.push(task);
      else {
        this.lanes.set(lane, [task]);
        this.order.push(lane);
      }
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
    for (const queue of this.lanes.values()) for (const task of queue) task.reject(closedError());
    this.lanes.clear();
    this.order.length = 0;
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
    slot.task?.reject(closedError());
    slot.task = undefined;
    await slot.worker.terminate();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task) continue;
      const task = this.take();
      if (!task) return;
      slot.task = task;
      slot.worker.postMessage({ type: 'job', id: task.id, job: task.job } satisfies ToWorker<Job>, [...task.transfer]);
    }
  }

  /** The next task, round-robin over lanes. */
  private take(): Task<Job, Result> | undefined {
    const lane = this.order.shift();
    if (lane === undefined) return undefined;
    const queue = this.lanes.get(lane)!;
    const task = queue.shift()!;
    if (queue.length > 0) this.order.push(lane);
    else this.lanes.delete(lane);
    return task;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = startWorker(this.moduleUrl, { workerData: this.workerData });
      const slot: Slot<Job, Result> = { worker, task: undefined };
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
        const task = slot.task;
        slot.task = undefined;
        if (task && task.id === msg.id) {
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
    slot.task?.reject(fvError('FV_ERR_INTERNAL', `A face worker crashed while running a job: ${err.message}`));
    slot.task = undefined;
    void slot.worker.terminate();
    if (this.closed) return;
    this.spawn().then(
      () => this.dispatch(),
      (spawnError: Error) => {
        if (this.slots.length > 0) return;
        for (const queue of this.lanes.values()) for (const task of queue) task.reject(spawnError);
        this.lanes.clear();
        this.order.length = 0;
      },
    );
  }
}
